"""The planner over several kinds (pure): write order, references to objects the same apply creates,
--target, and the normalizers' server defaults."""

from __future__ import annotations

from typing import Any

from agentops.engine.desired import Desired
from agentops.engine.desired_objects import agent_desired, own_ids
from agentops.engine.identity import Live
from agentops.engine.plan import Options, build_plan, context
from agentops.engine.resolve import Ref, Resolution
from agentops.engine.resources import RESOURCES, fill, pending
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.loader import LoadedAgent
from agentops.model import tags

STACK = "s"


def _want(kind: str, name: str, body: dict[str, Any]) -> Desired:
    metadata = {tags.STACK: STACK, tags.NAME: name}
    return Desired(name, f"{kind}s/{name}.yaml", 1, {"name": name, **body, "metadata": metadata}, "active", False,
                   kind=kind)


def _deployment(name: str, agent: str) -> Desired:
    events = [{"type": "user.message", "content": [{"type": "text", "text": "go"}]}]
    return _want("deployment", name, {"agent": agent, "environment_id": "env_1", "initial_events": events})


def _owned(kind: str, name: str, body: dict[str, Any], ident: str) -> Live:
    return Live.from_json({"id": ident, "name": name, "created_at": "t", "updated_at": "t",
                           "metadata": {tags.STACK: STACK, tags.NAME: name}, **body}, kind)


def test_creates_run_by_kind_and_archives_in_reverse() -> None:
    wants = [_deployment("job", pending("agent", "bot")), _want("agent", "bot", {"model": "m"}),
             _want("environment", "box", {})]
    live = [_owned("agent", "old-bot", {"model": "m"}, "agent_old"), _owned("environment", "old-box", {}, "env_old")]
    plan = build_plan(wants, live, Options(stack=STACK))
    assert [(a.address, a.kind.value) for a in plan.actions] == [
        ("environment.box", "create"), ("agent.bot", "create"), ("deployment.job", "create"),
        ("agent.old-bot", "archive"), ("environment.old-box", "archive")]
    assert plan.archived() == "archives 1 agent and 1 environment"
    assert [step for _phase, step in plan.order()] == [
        ["environment.box"], ["agent.bot"], ["deployment.job"], ["agent.old-bot"], ["environment.old-box"]]


def test_a_target_without_the_create_it_waits_for_blocks() -> None:
    wants = [_deployment("job", pending("agent", "bot")), _want("agent", "bot", {"model": "m"})]
    plan = build_plan(wants, [], Options(stack=STACK, targets=("job",)))
    assert [b.message for b in plan.blockers] == [
        "references agent bot, which this apply would have to create first; add --target bot"]
    assert build_plan(wants, [], Options(stack=STACK, targets=("job", "bot"))).applyable


def test_an_agent_that_names_another_created_agent_runs_one_step_after_it() -> None:
    team = {"type": "coordinator", "agents": [{"type": "agent", "id": pending("agent", "helper")}]}
    plan = build_plan([_want("agent", "lead", {"model": "m", "multiagent": team}),
                       _want("agent", "helper", {"model": "m"})], [], Options(stack=STACK))
    assert [step for _phase, step in plan.order()] == [["agent.helper"], ["agent.lead"]]
    assert fill(plan.actions[1].body, {("agent", "helper"): "agent_9"})["multiagent"]["agents"][0]["id"] == "agent_9"


def test_own_objects_resolve_to_their_live_id_or_known_after_apply() -> None:
    live = [_owned("agent", "bot", {}, "agent_1"), _owned("agent", "renamed-from", {}, "agent_2")]
    found = own_ids({"agent": [("bot", ()), ("new", ()), ("renamed", ("renamed-from",))]}, live, STACK, None, False)
    assert found == {Ref("agent", "bot"): "agent_1", Ref("agent", "new"): pending("agent", "new"),
                     Ref("agent", "renamed"): "agent_2"}


def test_what_the_server_fills_in_is_no_change() -> None:
    manifest = AgentManifest.model_validate({
        "name": "bot", "model": "claude-sonnet-4-6", "skills": [{"type": "anthropic", "skill_id": "xlsx"}],
        "multiagent": {"type": "coordinator", "agents": [{"type": "self"}, "agent_other"]}, "tools": []})
    want = agent_desired(LoadedAgent(manifest, "agents/bot.yaml", 1), STACK, None, Resolution())
    stored = {**want.body, "id": "agent_1", "version": 4, "description": "", "system": None,
              "model": {"id": "claude-sonnet-4-6", "effort": {"type": "high"}, "inference_geo": None, "speed": "standard"},
              "skills": [{"type": "anthropic", "skill_id": "xlsx", "version": "latest"}],
              "multiagent": {"type": "coordinator", "agents": [{"type": "agent", "id": "agent_1", "version": 4},
                                                               {"type": "agent", "id": "agent_other", "version": 2}]},
              "tools": None, "mcp_servers": [], "execution_identity": {"type": "service_account"}}
    agent = RESOURCES["agent"]
    assert agent.normalize(stored, context(want)) == agent.normalize(want.body, context(want))
