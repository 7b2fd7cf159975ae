"""Every new endpoint answers in exactly the SDK's shape: validated by the SDK's own pydantic models
(which the client itself parses leniently), with no key the model does not define."""

from __future__ import annotations

import json
from typing import Any

import anthropic
from anthropic.types import DeletedSkill, Skill
from anthropic.types.beta import (
    BetaManagedAgentsDeletedMemoryStore,
    BetaManagedAgentsDeletedVault,
    BetaManagedAgentsMemoryStore,
    BetaManagedAgentsVault,
)
from anthropic.types.beta.vaults import (
    BetaManagedAgentsCredential,
    BetaManagedAgentsCredentialValidation,
    BetaManagedAgentsDeletedCredential,
)
from anthropic.types.skills import DeletedSkillVersion, SkillVersion
from pydantic import BaseModel

from agentops.emulator import EmulatorServer, Faults
from tests.helpers import make_client

SKILL = [("s/SKILL.md", b"---\nname: s\ndescription: d\n---\n", "text/markdown")]
AUTHS: list[Any] = [
    {"type": "mcp_oauth", "mcp_server_url": "https://a.example", "access_token": "t", "expires_at": "2099-01-01T00:00:00Z",
     "refresh": {"client_id": "c", "refresh_token": "r", "token_endpoint": "https://a.example/t", "resource": "x",
                 "token_endpoint_auth": {"type": "client_secret_post", "client_secret": "s"}}},
    {"type": "static_bearer", "mcp_server_url": "https://b.example", "token": "t"},
    {"type": "environment_variable", "secret_name": "K", "secret_value": "v", "networking": {"type": "unrestricted"},
     "injection_location": {"body": True}},
]


def keys(value: Any) -> Any:
    """The shape of decoded JSON: its keys at every depth, leaves left out."""
    if isinstance(value, dict):
        return {key: keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys(item) for item in value]
    return None


def no_extra(value: Any) -> None:
    """No model at any depth holds a key its class does not define (the SDK's models allow extras)."""
    if isinstance(value, BaseModel):
        assert not value.model_extra, (type(value).__name__, value.model_extra)
        for name in type(value).model_fields:
            no_extra(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            no_extra(item)


def exact(model: type[BaseModel], body: Any) -> None:
    """`body` validates against `model` at every depth and has no key the model lacks."""
    parsed = model.model_validate(body)
    no_extra(parsed)
    assert keys(json.loads(parsed.model_dump_json(exclude_unset=True))) == keys(body), model.__name__


def test_new_endpoints_answer_in_the_sdks_shapes() -> None:
    with EmulatorServer() as server, make_client(server.url) as sdk:
        raw = sdk.with_raw_response
        vault = raw.beta.vaults.create(display_name="v", metadata={"k": "v"}).json()
        exact(BetaManagedAgentsVault, vault)
        exact(BetaManagedAgentsVault, raw.beta.vaults.update(vault["id"], display_name="w").json())
        for auth in AUTHS:
            credential = raw.beta.vaults.credentials.create(vault["id"], auth=auth, display_name="c").json()
            exact(BetaManagedAgentsCredential, credential)
        exact(BetaManagedAgentsCredential,
              raw.beta.vaults.credentials.archive(credential["id"], vault_id=vault["id"]).json())
        oauth_id = raw.beta.vaults.credentials.list(vault["id"]).json()["data"][-1]["id"]
        for verdict in ("valid", "invalid", "unknown"):
            server.faults = Faults(credential_validation={"*": verdict})
            exact(BetaManagedAgentsCredentialValidation,
                  raw.beta.vaults.credentials.mcp_oauth_validate(oauth_id, vault_id=vault["id"]).json())
        exact(BetaManagedAgentsDeletedCredential,
              raw.beta.vaults.credentials.delete(credential["id"], vault_id=vault["id"]).json())
        exact(BetaManagedAgentsDeletedVault, raw.beta.vaults.delete(vault["id"]).json())

        skill = raw.skills.create(files=SKILL).json()
        exact(Skill, skill)
        version = raw.skills.versions.create(skill["id"], files=SKILL).json()
        exact(SkillVersion, version)
        for listed in raw.skills.versions.list(skill["id"]).json()["data"]:
            exact(SkillVersion, listed)
        exact(DeletedSkillVersion, raw.skills.versions.delete(version["id"], skill_id=skill["id"]).json())
        exact(Skill, raw.skills.list().json()["data"][0])
        exact(DeletedSkill, raw.skills.delete(skill["id"]).json())

        store = raw.beta.memory_stores.create(name="n").json()
        exact(BetaManagedAgentsMemoryStore, store)
        exact(BetaManagedAgentsMemoryStore, raw.beta.memory_stores.archive(store["id"]).json())
        exact(BetaManagedAgentsDeletedMemoryStore, raw.beta.memory_stores.delete(store["id"]).json())


def test_lists_are_cursor_pages(client: anthropic.Anthropic) -> None:
    vault = client.beta.vaults.create(display_name="v")
    for path in (f"/v1/vaults/{vault.id}/credentials", "/v1/skills", "/v1/memory_stores"):
        headers = {"anthropic-beta": "agent-memory-2026-07-22"} if "memory" in path else \
            {"anthropic-beta": "managed-agents-2026-04-01"}
        body = client.get(path, cast_to=object, options={"headers": headers})
        assert body == {"data": [], "next_page": None}
