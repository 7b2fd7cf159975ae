"""client.beta.agents against the emulator: server-filled values, update rules, versions,
optimistic concurrency, the API's limits, and deployments pinning versions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from tests.emulator.support import ManualClock
from tests.helpers import api_error, get_json, make_client, make_deployment_body

GITHUB = {"type": "url", "name": "github", "url": "https://mcp.github.com/sse"}


@pytest.fixture
def sdk(clock: ManualClock) -> Iterator[anthropic.Anthropic]:
    with EmulatorServer(clock=clock) as server, make_client(server.url) as client:
        yield client


def make_agent(sdk: anthropic.Anthropic, **fields: Any) -> Any:
    return sdk.beta.agents.create(**{"name": "triage-bot", "model": "claude-sonnet-4-6", **fields})


def test_create_fills_what_the_server_fills(sdk: anthropic.Anthropic) -> None:
    agent = make_agent(
        sdk, model={"id": "claude-opus-4-6", "effort": "low"}, execution_identity=None,
        skills=[{"type": "anthropic", "skill_id": "xlsx"}, {"type": "custom", "skill_id": "skill_1", "version": "3"}],
        mcp_servers=[GITHUB],
        tools=[{"type": "agent_toolset_20260401", "configs": [{"name": "bash", "permission_policy": {"type": "always_ask"}}]},
               {"type": "mcp_toolset", "mcp_server_name": "github", "configs": [{"name": "create_issue"}]}],
    )
    assert agent.version == 1 and agent.created_at == agent.updated_at
    assert agent.model.model_dump() == {"id": "claude-opus-4-6", "effort": {"type": "low"},
                                        "inference_geo": None, "speed": "standard"}
    assert agent.execution_identity.type == "service_account"
    assert [(s.skill_id, s.version) for s in agent.skills] == [("xlsx", "latest"), ("skill_1", "3")]
    toolset, mcp = agent.tools
    assert toolset.default_config.permission_policy.type == "always_allow"  # type: ignore[union-attr]
    assert [(c.name, c.enabled, c.permission_policy.type) for c in toolset.configs] == [  # type: ignore[union-attr]
        ("bash", True, "always_ask")]
    assert mcp.default_config.permission_policy.type == "always_ask"  # type: ignore[union-attr]
    assert mcp.configs[0].permission_policy.type == "always_ask"  # type: ignore[union-attr]
    assert make_agent(sdk).model.effort.type == "high"  # type: ignore[union-attr]
    assert sdk.beta.agents.retrieve(agent.id) == agent


def test_update_rules_per_field(sdk: anthropic.Anthropic) -> None:
    agent = make_agent(sdk, description="d", system="s", metadata={"keep": "1", "drop": "2"},
                       model={"id": "claude-opus-4-6", "inference_geo": "eu", "effort": "max", "speed": "fast"},
                       execution_identity={"type": "aws_role", "role_arn": "arn:aws:iam::1:role/r"},
                       skills=[{"type": "anthropic", "skill_id": "pdf"}])
    updated = sdk.beta.agents.update(agent.id, system="s2", metadata={"drop": None, "new": ""})
    assert (updated.description, updated.system, updated.version) == ("d", "s2", 2)  # omitted = preserved
    assert updated.metadata == {"keep": "1", "new": ""}  # a patch: null deletes, a string upserts
    assert updated.model == agent.model and updated.skills == agent.skills
    # `model` replaces the whole object ("omitting inference_geo clears it") but keeps effort.
    replaced = sdk.beta.agents.update(agent.id, model={"id": "claude-opus-4-6"}).model
    assert replaced.model_dump() == {"id": "claude-opus-4-6", "effort": {"type": "max"},
                                     "inference_geo": None, "speed": "standard"}
    cleared = sdk.beta.agents.update(agent.id, description="", system=None, execution_identity=None, skills=None)
    assert (cleared.description, cleared.system, cleared.skills) == (None, None, [])
    assert cleared.execution_identity.type == "service_account"
    for body in ({"name": None}, {"model": None}, {"name": ""}):
        with pytest.raises(anthropic.BadRequestError) as info:
            sdk.beta.agents.update(agent.id, **body)
        assert api_error(info.value)["type"] == "invalid_request_error"
    assert sdk.beta.agents.retrieve(agent.id).version == cleared.version


def test_versions_are_immutable_and_only_changes_make_one(sdk: anthropic.Anthropic, clock: ManualClock) -> None:
    agent = make_agent(sdk, system="v1")
    clock.advance(60)
    second = sdk.beta.agents.update(agent.id, system="v2")
    assert second.version == 2 and second.updated_at > agent.updated_at and second.created_at == agent.created_at
    clock.advance(60)
    same = sdk.beta.agents.update(agent.id, system="v2", model="claude-sonnet-4-6", metadata={})
    assert same == second  # nothing changed: no version 3, updated_at unchanged
    assert sdk.beta.agents.retrieve(agent.id, version=1).system == "v1"
    assert sdk.beta.agents.retrieve(agent.id, version=1).updated_at == agent.updated_at
    assert sdk.beta.agents.retrieve(agent.id, version=2) == second
    for version in (3, 99):
        with pytest.raises(anthropic.NotFoundError):
            sdk.beta.agents.retrieve(agent.id, version=version)
    with pytest.raises(anthropic.BadRequestError):
        sdk.beta.agents.retrieve(agent.id, version=0)


def test_versions_list_pages_newest_first(sdk: anthropic.Anthropic) -> None:
    agent = make_agent(sdk, system="0")
    for index in range(1, 5):
        sdk.beta.agents.update(agent.id, system=str(index))
    page = sdk.beta.agents.versions.list(agent.id, limit=2)
    assert [(v.version, v.system) for v in page.data] == [(5, "4"), (4, "3")] and page.next_page
    assert [v.version for v in sdk.beta.agents.versions.list(agent.id, limit=2)] == [5, 4, 3, 2, 1]
    assert [v.system for v in sdk.beta.agents.versions.list(agent.id)] == ["4", "3", "2", "1", "0"]
    with pytest.raises(anthropic.BadRequestError):
        sdk.beta.agents.versions.list(agent.id, limit=101)
    with pytest.raises(anthropic.BadRequestError):
        sdk.beta.agents.versions.list(agent.id, page="bm9wZQ")
    with pytest.raises(anthropic.NotFoundError):
        sdk.beta.agents.versions.list("agent_missing")


def test_a_stale_version_is_refused(sdk: anthropic.Anthropic) -> None:
    agent = make_agent(sdk)
    assert sdk.beta.agents.update(agent.id, version=1, system="planned").version == 2
    with pytest.raises(anthropic.ConflictError) as info:
        sdk.beta.agents.update(agent.id, version=1, system="console edit lost")
    assert info.value.status_code == 409 and api_error(info.value)["type"] == "conflict_error"
    current = sdk.beta.agents.retrieve(agent.id)
    assert (current.version, current.system) == (2, "planned")
    assert sdk.beta.agents.update(agent.id, system="unconditional").version == 3  # version omitted
    with pytest.raises(anthropic.BadRequestError):
        sdk.beta.agents.update(agent.id, version=0, system="x")


def _servers(count: int) -> list[dict[str, str]]:
    return [{**GITHUB, "name": f"s{index}"} for index in range(count)]


def _toolsets(names: list[str]) -> list[dict[str, str]]:
    return [{"type": "mcp_toolset", "mcp_server_name": name} for name in names]


def _custom(index: int) -> dict[str, Any]:
    return {"type": "custom", "name": f"t{index}", "description": "d", "input_schema": {"type": "object"}}


@pytest.mark.parametrize(("fields", "paths"), [
    ({"mcp_servers": _servers(21), "tools": _toolsets([f"s{i}" for i in range(21)])}, ["mcp_servers:"]),
    ({"mcp_servers": _servers(2), "tools": _toolsets(["s0"])}, ["mcp_servers[1]:"]),
    ({"tools": _toolsets(["nowhere"])}, ["tools[0].mcp_server_name:"]),
    ({"tools": [_custom(index) for index in range(257)]}, ["tools:"]),
    ({"tools": [_custom(1), _custom(1)]}, ["tools[1].name:"]),
    ({"mcp_servers": [GITHUB], "tools": _toolsets(["github", "github"])}, ["tools[1].mcp_server_name:"]),
    ({"tools": [{"type": "agent_toolset_20260401"}] * 2}, ["tools[1]:"]),
    ({"mcp_servers": [GITHUB, GITHUB], "tools": _toolsets(["github"])}, ["mcp_servers[1].name:"]),
    ({"tools": [{"type": "agent_toolset_20260401", "configs": [{"name": "bash"}, {"name": "bash"}]}]},
     ["tools[0].configs[1].name:"]),
    # Every problem at once, not only the first.
    ({"mcp_servers": [GITHUB, {**GITHUB, "name": "extra"}], "tools": [*_toolsets(["github", "ghost"])]},
     ["tools[1].mcp_server_name:", "mcp_servers[1]:"]),
])
def test_limits_and_unique_names(sdk: anthropic.Anthropic, fields: dict[str, Any], paths: list[str]) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        make_agent(sdk, **fields)
    message = api_error(info.value)["message"]
    assert all(path in message for path in paths), message
    assert sdk.beta.agents.list().data == []
    agent = make_agent(sdk)
    with pytest.raises(anthropic.BadRequestError):
        sdk.beta.agents.update(agent.id, **fields)  # the update's result is held to the same rules
    assert sdk.beta.agents.retrieve(agent.id).version == 1


def test_the_limits_themselves_are_allowed(sdk: anthropic.Anthropic) -> None:
    servers = make_agent(sdk, mcp_servers=_servers(20), tools=_toolsets([f"s{i}" for i in range(20)]))
    assert len(servers.mcp_servers) == 20
    assert len(make_agent(sdk, tools=[_custom(index) for index in range(256)]).tools) == 256


def test_multiagent_is_merged_level_by_level(sdk: anthropic.Anthropic) -> None:
    helper = make_agent(sdk, name="helper")
    agent = make_agent(sdk, multiagent={"type": "multiagent_20261001",
                                        "advisor": {"type": "enabled", "model": "claude-opus-4-6"},
                                        "workflows": {"type": "enabled", "predefined_agents": [helper.id]}})
    stored = get_json(sdk, f"/v1/agents/{agent.id}")["multiagent"]
    assert stored["subagents"] == {"type": "enabled", "inline_agents": {"type": "enabled"}, "predefined_agents": []}
    assert stored["workflows"]["predefined_agents"] == [{"type": "agent", "id": helper.id, "version": 1}]
    sdk.beta.agents.update(agent.id, multiagent={"type": "multiagent_20261001", "subagents": {"type": "disabled"},
                                                 "workflows": {"type": "enabled", "inline_agents": {"type": "disabled"}}})
    merged = get_json(sdk, f"/v1/agents/{agent.id}")["multiagent"]
    assert merged["advisor"] == stored["advisor"]  # omitted: kept
    assert merged["subagents"] == {"type": "disabled"}  # another type: replaced
    assert merged["workflows"]["predefined_agents"] == stored["workflows"]["predefined_agents"]
    sdk.beta.agents.update(agent.id, multiagent={"type": "multiagent_20261001", "advisor": None})
    assert get_json(sdk, f"/v1/agents/{agent.id}")["multiagent"]["advisor"] == {"type": "disabled"}  # null: default
    assert sdk.beta.agents.update(agent.id, multiagent=None).multiagent is None
    with pytest.raises(anthropic.BadRequestError) as info:
        sdk.beta.agents.update(agent.id, multiagent={"type": "multiagent_20261001", "advisor": {"type": "enabled"}})
    assert "advisor.model" in api_error(info.value)["message"]


def test_coordinator_rosters_resolve_and_refuse_what_the_docs_refuse(sdk: anthropic.Anthropic) -> None:
    worker = make_agent(sdk, name="worker")
    sdk.beta.agents.update(worker.id, system="v2")
    lead = make_agent(sdk, multiagent={"type": "coordinator", "agents": [worker.id, {"type": "self"}]})
    roster = get_json(sdk, f"/v1/agents/{lead.id}")["multiagent"]["agents"]
    assert roster == [{"type": "agent", "id": worker.id, "version": 2}, {"type": "agent", "id": lead.id, "version": 1}]
    nested = {"type": "coordinator", "agents": [lead.id]}
    gone = make_agent(sdk, name="gone")
    sdk.beta.agents.archive(gone.id)
    for multiagent in (nested, {"type": "coordinator", "agents": [gone.id]}, {"type": "coordinator", "agents": []},
                       {"type": "coordinator", "agents": [worker.id, worker.id]}):
        with pytest.raises(anthropic.BadRequestError):
            make_agent(sdk, name="bad", multiagent=multiagent)


def test_archive(sdk: anthropic.Anthropic) -> None:
    agent = make_agent(sdk)
    archived = sdk.beta.agents.archive(agent.id)
    assert archived.archived_at is not None and archived.version == 1
    assert sdk.beta.agents.archive(agent.id).archived_at == archived.archived_at  # idempotent
    assert sdk.beta.agents.list().data == []
    assert [a.id for a in sdk.beta.agents.list(include_archived=True)] == [agent.id]
    with pytest.raises(anthropic.BadRequestError):
        sdk.beta.agents.update(agent.id, system="too late")
    with pytest.raises(anthropic.BadRequestError):
        sdk.beta.deployments.create(**make_deployment_body(agent=agent.id))
    with pytest.raises(anthropic.NotFoundError):
        sdk.beta.agents.archive("agent_missing")
    with pytest.raises(anthropic.NotFoundError):
        sdk.beta.agents.update("agent_missing", system="x")


def test_list_limit_and_filters(sdk: anthropic.Anthropic, clock: ManualClock) -> None:
    made = []
    for index in range(3):
        made.append(make_agent(sdk, name=f"a{index}"))
        clock.advance(1)
    assert [a.id for a in sdk.beta.agents.list(limit=100)] == [a.id for a in reversed(made)]
    assert [a.id for a in sdk.beta.agents.list(created_at_gte=made[1].created_at)] == [made[2].id, made[1].id]
    assert [a.id for a in sdk.beta.agents.list(created_at_lte=made[0].created_at)] == [made[0].id]
    with pytest.raises(anthropic.BadRequestError):
        sdk.beta.agents.list(limit=101)


def test_deployments_pin_versions_through_the_same_store(sdk: anthropic.Anthropic) -> None:
    agent = make_agent(sdk)
    follows = sdk.beta.deployments.create(**make_deployment_body(agent=agent.id))
    sdk.beta.agents.update(agent.id, system="v2")
    latest = sdk.beta.deployments.create(**make_deployment_body(agent=agent.id, name="latest"))
    pinned = sdk.beta.deployments.create(**make_deployment_body(
        agent={"type": "agent", "id": agent.id, "version": 1}, name="pinned"))
    assert (follows.agent.version, latest.agent.version, pinned.agent.version) == (1, 2, 1)
    assert sdk.beta.deployments.retrieve(follows.id).agent.version == 1  # an agent update re-pins nothing
    assert sdk.beta.deployments.update(follows.id, agent=agent.id).agent.version == 2  # "re-pins to the latest"
    with pytest.raises(anthropic.BadRequestError):
        sdk.beta.deployments.create(**make_deployment_body(agent={"type": "agent", "id": agent.id, "version": 3}))


# The agents and environments the example repository's seed held before it declared its own.
CONSOLE_SEED = {"agents": [{"id": "agent_011CZkYpogX8Pz4mN2qRtV7w", "name": "triage-bot", "versions": 3}],
                "environments": [{"id": "env_01HqR7bX4mKp9vW2sT6yZc3D", "name": "default-env"},
                                 {"id": "env_01HqR9cY5nLq2wX3uV7aBd4E", "name": "support-env"}]}


def test_a_seeded_agent_with_versions_serves_updates() -> None:
    with EmulatorServer(seed=CONSOLE_SEED) as server, make_client(server.url) as sdk:
        seeded = sdk.beta.agents.retrieve("agent_011CZkYpogX8Pz4mN2qRtV7w")
        assert (seeded.name, seeded.version, seeded.model.id) == ("triage-bot", 3, "claude-sonnet-4-6")
        assert {e.name for e in sdk.beta.environments.list()} == {"default-env", "support-env"}
        updated = sdk.beta.agents.update(seeded.id, version=3, system="now managed")
        assert updated.version == 4 and updated.name == "triage-bot"
        assert [v.version for v in sdk.beta.agents.versions.list(seeded.id)] == [4, 3, 2, 1]
        assert sdk.beta.agents.retrieve(seeded.id, version=2).system is None
        assert sdk.beta.agents.retrieve(seeded.id, version=3).system is None
        deployment = sdk.beta.deployments.create(**make_deployment_body(
            agent=seeded.id, environment_id="env_01HqR7bX4mKp9vW2sT6yZc3D"))
        assert deployment.agent.version == 4


def test_seeded_agent_fields_are_stored_as_a_create_stores_them(tmp_path: Path) -> None:
    seed = {"agents": [{"id": "agent_s", "name": "s", "model": "claude-opus-4-6",
                        "skills": [{"type": "anthropic", "skill_id": "xlsx"}]}]}
    with EmulatorServer(seed=seed) as server, make_client(server.url) as sdk:
        agent = sdk.beta.agents.retrieve("agent_s")
        assert agent.model.effort is not None and agent.skills[0].version == "latest"
    with pytest.raises(ValueError, match=r"seed: agents\[0\]: tools"):
        EmulatorServer(seed={"agents": [{"id": "agent_bad", "tools": "all"}]}).start()


def test_versions_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with EmulatorServer(db_path=db) as first, make_client(first.url) as sdk:
        agent = make_agent(sdk, system="one")
        sdk.beta.agents.update(agent.id, system="two")
        before = [v.model_dump() for v in sdk.beta.agents.versions.list(agent.id)]
    with EmulatorServer(db_path=db) as second, make_client(second.url) as sdk:
        assert [v.model_dump() for v in sdk.beta.agents.versions.list(agent.id)] == before
        with pytest.raises(anthropic.ConflictError):
            sdk.beta.agents.update(agent.id, version=1, system="stale")
