"""Agents, environments and vaults through the SDK: create, retrieve, list pages, archive."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from tests.emulator.support import ManualClock
from tests.helpers import api_error, get_json, make_client, make_deployment_body, post_json, raises_api_error

SEED = {
    "agents": [{"id": "agent_seeded", "name": "triage-bot", "versions": 4, "metadata": {"team": "a"}},
               {"id": "agent_old", "name": "old-bot", "archived": True}],
    "environments": [{"id": "env_seeded", "name": "default-env"}],
    "vaults": [{"id": "vlt_seeded", "display_name": "gh-creds"}, {"id": "vlt_bare"}],
}


@pytest.fixture
def seeded(clock: ManualClock) -> Iterator[tuple[EmulatorServer, anthropic.Anthropic]]:
    with EmulatorServer(seed=SEED, clock=clock) as server, make_client(server.url) as sdk:
        clock.advance(1)  # objects created through the SDK are newer than the seed
        yield server, sdk


def test_create_and_retrieve_through_the_sdk(client: anthropic.Anthropic) -> None:
    agent = client.beta.agents.create(name="triage-bot", model="claude-opus-4-6", metadata={"k": "v"},
                                      system="be brief")
    assert agent.id.startswith("agent_") and agent.version == 1 and agent.name == "triage-bot"
    assert agent.model.id == "claude-opus-4-6" and agent.system == "be brief" and agent.metadata == {"k": "v"}
    assert client.beta.agents.retrieve(agent.id) == agent
    environment = client.beta.environments.create(name="default-env", description="shared")
    assert environment.id.startswith("env_") and environment.name == "default-env"
    assert environment.description == "shared" and environment.config.type == "cloud"
    assert client.beta.environments.retrieve(environment.id) == environment
    vault = client.beta.vaults.create(display_name="gh-creds")
    assert vault.id.startswith("vlt_") and vault.display_name == "gh-creds" and vault.metadata == {}
    assert client.beta.vaults.retrieve(vault.id) == vault
    created = client.beta.deployments.create(**make_deployment_body(
        agent=agent.id, environment_id=environment.id, vault_ids=[vault.id]))
    assert created.agent.id == agent.id and created.agent.version == 1


@pytest.mark.parametrize(("path", "body", "message"), [
    ("/v1/agents", {"model": "claude-opus-4-6"}, "name: "),
    ("/v1/agents", {"name": "x"}, "model: "),
    ("/v1/agents", {"name": "", "model": "m"}, "name: "),
    ("/v1/environments", {"name": "e", "scope": "galaxy"}, "scope: "),
    ("/v1/vaults", {"display_name": "v", "metadata": {"k": 1}}, "metadata.k: "),
    ("/v1/vaults", [], "JSON object"),
])
def test_create_validation(client: anthropic.Anthropic, path: str, body: object, message: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        post_json(client, path, body)
    assert message in api_error(info.value)["message"]
    assert client.beta.agents.list().data == [] and client.beta.vaults.list().data == []


def test_seeded_objects_carry_their_names(seeded: tuple[EmulatorServer, anthropic.Anthropic]) -> None:
    _, sdk = seeded
    agents = sdk.beta.agents.list().data
    assert [(a.id, a.name, a.version, a.metadata) for a in agents] == [("agent_seeded", "triage-bot", 4, {"team": "a"})]
    assert [(e.id, e.name) for e in sdk.beta.environments.list().data] == [("env_seeded", "default-env")]
    assert {(v.id, v.display_name) for v in sdk.beta.vaults.list().data} == {
        ("vlt_seeded", "gh-creds"), ("vlt_bare", "vlt_bare")}  # unnamed objects are named by id
    archived = sdk.beta.agents.list(include_archived=True).data
    assert {a.name for a in archived} == {"triage-bot", "old-bot"}
    assert sdk.beta.agents.retrieve("agent_seeded", version=2).version == 2


def test_listing_pages_newest_first(seeded: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock) -> None:
    _, sdk = seeded
    made = []
    for index in range(5):
        made.append(sdk.beta.vaults.create(display_name=f"v{index}").id)
        clock.advance(1)
    page = sdk.beta.vaults.list(limit=2)
    assert [v.id for v in page.data] == made[::-1][:2] and page.next_page
    assert [v.id for v in sdk.beta.vaults.list(limit=2)][:5] == made[::-1]  # auto-paging, then the seed
    assert len(list(sdk.beta.vaults.list(limit=2))) == 7
    with raises_api_error(400, "limit"):
        sdk.beta.vaults.list(limit=101)
    with raises_api_error(400, "cursor"):
        sdk.beta.environments.list(page="not-a-cursor")


def test_agents_filter_by_creation_time(seeded: tuple[EmulatorServer, anthropic.Anthropic]) -> None:
    _, sdk = seeded
    newer = sdk.beta.agents.create(name="new-bot", model="m")
    assert [a.id for a in sdk.beta.agents.list(created_at_gte=newer.created_at)] == [newer.id]
    assert [a.id for a in sdk.beta.agents.list(created_at_lte=newer.created_at)] == [newer.id, "agent_seeded"]


def test_archive_through_the_sdk(seeded: tuple[EmulatorServer, anthropic.Anthropic]) -> None:
    _, sdk = seeded
    deployment = sdk.beta.deployments.create(**make_deployment_body(
        agent="agent_seeded", environment_id="env_seeded", vault_ids=["vlt_seeded"]))
    vault = sdk.beta.vaults.archive("vlt_seeded")
    assert vault.archived_at is not None
    assert "vlt_seeded" not in {v.id for v in sdk.beta.vaults.list()}
    assert "vlt_seeded" in {v.id for v in sdk.beta.vaults.list(include_archived=True)}
    assert sdk.beta.environments.archive("env_seeded").archived_at is not None
    assert sdk.beta.deployments.retrieve(deployment.id).archived_at is None
    assert sdk.beta.agents.archive("agent_seeded").archived_at is not None
    # No cascade: the deployment stays; its runs fail with agent_archived_error (test_runs.py).
    assert sdk.beta.deployments.retrieve(deployment.id).archived_at is None
    with pytest.raises(anthropic.NotFoundError):
        sdk.beta.vaults.archive("vlt_missing")


def test_listings_are_per_workspace(client: anthropic.Anthropic) -> None:
    made = client.beta.agents.create(name="bot", model="m", workspace_id="wrkspc_b")
    assert client.beta.agents.list().data == []
    assert [a.id for a in client.beta.agents.list(workspace_id="wrkspc_b")] == [made.id]


def test_control_registration_takes_names(client: anthropic.Anthropic) -> None:
    post_json(client, "/_emulator/agents", {"id": "agent_ctl", "name": "ctl-bot", "versions": 2})
    post_json(client, "/_emulator/agents", {"id": "agent_ctl", "versions": 3})  # a new version keeps the name
    agent = client.beta.agents.retrieve("agent_ctl")
    assert (agent.name, agent.version) == ("ctl-bot", 3)
    assert get_json(client, "/v1/agents")["data"][0]["name"] == "ctl-bot"


def test_database_from_an_older_emulator_opens(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE registry (workspace TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,"
                     " versions INTEGER NOT NULL, created_ms INTEGER NOT NULL, archived_ms INTEGER,"
                     " PRIMARY KEY (workspace, kind, id))")
        conn.execute("INSERT INTO registry VALUES ('default', 'agent', 'agent_legacy', 2, 0, NULL)")
    conn.close()
    with EmulatorServer(db_path=db) as server, make_client(server.url) as sdk:
        (agent,) = sdk.beta.agents.list().data
        assert (agent.id, agent.name, agent.version) == ("agent_legacy", "agent_legacy", 2)
