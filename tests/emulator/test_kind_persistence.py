"""Vaults, credentials, skills and memory stores survive a restart; older databases and the seed file
format keep working."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agentops.emulator import EmulatorServer
from tests.helpers import make_client, raises_api_error

ROOT = Path(__file__).resolve().parents[2]
SKILL = [("notes/SKILL.md", b"---\nname: notes\ndescription: Takes notes.\n---\n", "text/markdown"),
         ("notes/bin/run.sh", b"#!/bin/sh\necho hi\n", "text/plain")]
OAUTH = {"type": "mcp_oauth", "mcp_server_url": "https://mcp.example.com", "access_token": "a",
         "refresh": {"client_id": "c", "refresh_token": "r", "token_endpoint": "https://auth.example.com/t",
                     "token_endpoint_auth": {"type": "none"}}}


def test_restart_keeps_vaults_credentials_skills_and_memory_stores(tmp_path: Path) -> None:
    db = tmp_path / "emulator.db"
    with EmulatorServer(db_path=db) as first, make_client(first.url) as sdk:
        vault = sdk.beta.vaults.create(display_name="creds", metadata={"k": "v"})
        credential = sdk.beta.vaults.credentials.create(vault.id, auth=OAUTH)  # type: ignore[arg-type]
        skill = sdk.skills.create(files=SKILL)
        version = sdk.skills.versions.create(skill.id, files=SKILL)
        store = sdk.beta.memory_stores.create(name="notes", description="d")
        archive = sdk.beta.skills.versions.download(version.id, skill_id=skill.id).read()
        before = (sdk.beta.vaults.retrieve(vault.id), sdk.beta.vaults.credentials.retrieve(credential.id, vault_id=vault.id),
                  sdk.skills.retrieve(skill.id), list(sdk.skills.versions.list(skill.id)),
                  sdk.beta.memory_stores.retrieve(store.id))
    with EmulatorServer(db_path=db) as second, make_client(second.url) as sdk:
        after = (sdk.beta.vaults.retrieve(vault.id), sdk.beta.vaults.credentials.retrieve(credential.id, vault_id=vault.id),
                 sdk.skills.retrieve(skill.id), list(sdk.skills.versions.list(skill.id)),
                 sdk.beta.memory_stores.retrieve(store.id))
        assert after == before
        assert sdk.beta.skills.versions.download(version.id, skill_id=skill.id).read() == archive
        # The secrets were stored, not only shown away: the refresh token is still there.
        assert sdk.beta.vaults.credentials.mcp_oauth_validate(credential.id, vault_id=vault.id).has_refresh_token


def test_database_from_before_credentials_and_skills_opens(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with EmulatorServer(db_path=db, seed={"vaults": [{"id": "vlt_old", "display_name": "old"}]}):
        pass
    with sqlite3.connect(db) as conn:  # what an emulator before vault credentials and skills wrote
        conn.execute("DROP TABLE credentials")
        conn.execute("DROP TABLE skill_versions")
    conn.close()
    with EmulatorServer(db_path=db) as server, make_client(server.url) as sdk:
        assert sdk.beta.vaults.retrieve("vlt_old").display_name == "old"
        credential = sdk.beta.vaults.credentials.create("vlt_old", auth=OAUTH)  # type: ignore[arg-type]
        assert sdk.beta.vaults.credentials.list("vlt_old").data == [credential]
        skill = sdk.skills.create(files=SKILL)
        assert sdk.skills.versions.retrieve("latest", skill_id=skill.id).name == "notes"


def test_the_local_seed_file_still_loads() -> None:
    with EmulatorServer(seed=ROOT / "local-seed.yaml") as server, make_client(server.url) as sdk:
        vaults = {v.display_name: v for v in sdk.beta.vaults.list()}
        assert set(vaults) == {"github-credentials", "pager-credentials"}
        vault = vaults["github-credentials"]
        assert sdk.beta.vaults.update(vault.id, metadata={"team": "infra"}).metadata == {"team": "infra"}
        sdk.beta.vaults.credentials.create(vault.id, auth=OAUTH)  # type: ignore[arg-type]
        # The example declares its agents and environments itself (deployments/agents, environments).
        assert sdk.beta.agents.list().data == [] and sdk.beta.environments.list().data == []
        # The example deployment mounts this store; strict reference checks now look for it.
        assert [s.name for s in sdk.beta.memory_stores.list()] == ["triage-notes"]


def test_memory_stores_can_be_seeded_and_skills_cannot() -> None:
    seed = {"memory_stores": [{"id": "memstore_seeded", "name": "notes"},
                              {"id": "memstore_old", "name": "old", "archived": True}]}
    with EmulatorServer(seed=seed) as server, make_client(server.url) as sdk:
        assert [s.id for s in sdk.beta.memory_stores.list()] == ["memstore_seeded"]
        assert sdk.beta.memory_stores.retrieve("memstore_seeded").description == ""
        with raises_api_error(400, "archived"):
            sdk.beta.memory_stores.update("memstore_old", name="x")
    with pytest.raises(ValueError, match="unknown keys"):
        EmulatorServer(seed={"skills": [{"id": "skill_1"}]}).start()
