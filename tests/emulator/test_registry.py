"""Agents, environments, vaults: strict reference checks and the registry GET endpoints."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from tests.helpers import api_error, make_client, make_deployment_body, post_json, raises_api_error

SEED = {
    "agents": [{"id": "agent_a", "versions": 2}, {"id": "agent_old", "archived": True}],
    "environments": [{"id": "env_x"}, {"id": "env_old", "archived": True}],
    "vaults": [{"id": "vlt_1"}, {"id": "vlt_old", "archived": True}],
}
GOOD = {"agent": "agent_a", "environment_id": "env_x", "vault_ids": ["vlt_1"]}


@pytest.fixture
def strict() -> Iterator[tuple[EmulatorServer, anthropic.Anthropic]]:
    with EmulatorServer(seed=SEED) as server, make_client(server.url) as sdk:
        yield server, sdk


def test_strict_accepts_registered(strict: tuple[EmulatorServer, anthropic.Anthropic]) -> None:
    _, sdk = strict
    created = sdk.beta.deployments.create(**make_deployment_body(**GOOD))
    assert created.agent.version == 2
    pinned = sdk.beta.deployments.create(**make_deployment_body(**{**GOOD, "agent": {"type": "agent", "id": "agent_a", "version": 1}}))
    assert pinned.agent.version == 1


@pytest.mark.parametrize(("override", "field"), [
    ({"agent": "agent_nope"}, "agent: agent 'agent_nope' not found"),
    ({"agent": "agent_old"}, "agent: agent 'agent_old' is archived"),
    ({"agent": {"type": "agent", "id": "agent_a", "version": 3}}, "agent.version: agent 'agent_a' has no version 3"),
    ({"environment_id": "env_nope"}, "environment_id: environment 'env_nope' not found"),
    ({"environment_id": "env_old"}, "environment_id: environment 'env_old' is archived"),
    ({"vault_ids": ["vlt_1", "vlt_nope"]}, "vault_ids[1]: vault 'vlt_nope' not found"),
    ({"vault_ids": ["vlt_old"]}, "vault_ids[0]: vault 'vlt_old' is archived"),
])
def test_strict_rejects_bad_references(strict: tuple[EmulatorServer, anthropic.Anthropic],
                                       override: dict[str, object], field: str) -> None:
    _, sdk = strict
    with pytest.raises(anthropic.BadRequestError) as info:
        sdk.beta.deployments.create(**make_deployment_body(**{**GOOD, **override}))
    assert field in api_error(info.value)["message"]
    assert "must exist and not be archived" in api_error(info.value)["message"] or "version" in field
    created = sdk.beta.deployments.create(**make_deployment_body(**GOOD))
    with raises_api_error(400, field.split(":")[0].replace("[", r"\[")):
        sdk.beta.deployments.update(created.id, **override)  # type: ignore[arg-type]


def test_update_not_touching_an_archived_reference_is_allowed(
    strict: tuple[EmulatorServer, anthropic.Anthropic]
) -> None:
    server, sdk = strict
    created = sdk.beta.deployments.create(**make_deployment_body(**GOOD))
    server.archive_environment("env_x")
    assert sdk.beta.deployments.update(created.id, name="still-fine").name == "still-fine"


def test_default_mode_accepts_any_id_but_not_archived(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    created = client.beta.deployments.create(**make_deployment_body(agent="agent_whatever",
                                                                    vault_ids=["vlt_any"]))
    assert created.agent.version == 1
    pinned = client.beta.deployments.create(**make_deployment_body(agent={"type": "agent", "id": "agent_whatever", "version": 9}))
    assert pinned.agent.version == 9
    emulator.register_environment("env_gone")
    emulator.archive_environment("env_gone")
    with raises_api_error(400, "archived"):
        client.beta.deployments.create(**make_deployment_body(environment_id="env_gone"))


def test_registry_objects(strict: tuple[EmulatorServer, anthropic.Anthropic]) -> None:
    _, sdk = strict
    agent = sdk.beta.agents.retrieve("agent_a")
    assert (agent.id, agent.type, agent.version, agent.archived_at) == ("agent_a", "agent", 2, None)
    assert sdk.beta.agents.retrieve("agent_a", version=1).version == 1
    assert sdk.beta.agents.retrieve("agent_old").archived_at is not None
    environment = sdk.beta.environments.retrieve("env_x")
    assert (environment.id, environment.type, environment.archived_at) == ("env_x", "environment", None)
    vault = sdk.beta.vaults.retrieve("vlt_old")
    assert (vault.id, vault.type) == ("vlt_old", "vault") and vault.archived_at is not None
    for call in (lambda: sdk.beta.agents.retrieve("agent_nope"),
                 lambda: sdk.beta.agents.retrieve("agent_a", version=3),
                 lambda: sdk.beta.environments.retrieve("env_nope"),
                 lambda: sdk.beta.vaults.retrieve("vlt_nope")):
        with pytest.raises(anthropic.NotFoundError):
            call()


def test_registry_control_paths(client: anthropic.Anthropic) -> None:
    post_json(client, "/_emulator/agents", {"id": "agent_http", "versions": 4})
    post_json(client, "/_emulator/environments", {"id": "env_http"})
    post_json(client, "/_emulator/vaults", {"id": "vlt_http"})
    assert client.beta.agents.retrieve("agent_http").version == 4
    archived = post_json(client, "/_emulator/vaults/vlt_http/archive")
    assert archived["archived_at"] is not None
    assert client.beta.environments.retrieve("env_http").archived_at is None
    with pytest.raises(anthropic.NotFoundError):
        post_json(client, "/_emulator/agents/agent_nope/archive")
    with pytest.raises(anthropic.BadRequestError):
        post_json(client, "/_emulator/agents", {"versions": 1})


@pytest.mark.parametrize(("override", "field"), [
    ({"agent": "agent_REPLACE_WITH_YOUR_AGENT_ID"}, "agent"),
    ({"agent": {"type": "agent", "id": "your-agent-id", "version": 1}}, "agent"),
    ({"environment_id": "env_replace_me"}, "environment_id"),
    ({"vault_ids": ["vlt_1", "<YOUR_VAULT>"]}, "vault_ids[1]"),
])
def test_default_mode_refuses_placeholder_ids_and_says_how_to_seed(
    client: anthropic.Anthropic, override: dict[str, object], field: str
) -> None:
    """An id left from a template is no object anyone has: without a seed it is refused, not presumed."""
    for write in (lambda: client.beta.deployments.create(**make_deployment_body(**override)),
                  lambda: client.beta.deployments.update(
                      client.beta.deployments.create(**make_deployment_body()).id, **override)):  # type: ignore[arg-type]
        with pytest.raises(anthropic.BadRequestError) as info:
            write()
        assert info.value.status_code == 400
        error = api_error(info.value)
        assert error["type"] == "invalid_request_error"
        assert error["message"].startswith(f"{field}: ")
        assert "is a placeholder" in error["message"]
        assert "local: {seed: FILE}" in error["message"] and "--seed FILE" in error["message"]
    # Ids that merely contain the letters are still presumed to exist.
    assert client.beta.deployments.create(**make_deployment_body(agent="agent_01Yourk", environment_id="env_9REPLACEx"))
