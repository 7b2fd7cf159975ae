"""The plan is the contract for agents, environments and memory stores too (hypothesis, pure core): an update sends
only what the plan shows, never an ignored field, and one update converges.

Random manifests meet random console edits; the live object and the effect of every update are the
emulator's own update rules (emulator/agent_config.py, emulator/environments.py), which follow the
SDK's docstrings field by field: the server defaults, the model object, the merged multiagent
object and the merged environment config are all in play.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agentops.emulator import agent_config, bodies, environments
from agentops.emulator.errors import ApiError
from agentops.engine.desired import Desired
from agentops.engine.desired_objects import agent_desired, environment_desired
from agentops.engine.desired_stores import memory_store_desired
from agentops.engine.diff import sent_paths, shown
from agentops.engine.identity import Live
from agentops.engine.plan import ActionKind, Options, Plan, build_plan
from agentops.engine.resolve import Resolution
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.environment_schema import EnvironmentManifest
from agentops.manifest.loader import LoadedAgent, LoadedEnvironment, LoadedMemoryStore
from agentops.manifest.memory_store_schema import MemoryStoreManifest
from agentops.model import tags
from agentops.model.bodies import MemoryStoreUpdate

STACK = "contract"
AGENT_ID = "agent_self"
MODELS = ("claude-sonnet-4-6", {"id": "claude-sonnet-4-6", "inference_geo": "us"},
          {"id": "claude-opus-4-6", "effort": "low"}, {"id": "claude-opus-4-6", "speed": "fast", "effort": {"type": "max"}})
TOOLS = (None, [], [{"type": "agent_toolset_20260401"}],
         [{"type": "agent_toolset_20260401", "configs": [{"name": "bash", "permission_policy": {"type": "always_ask"}}]},
          {"type": "mcp_toolset", "mcp_server_name": "docs"}])
SKILLS = (None, [{"type": "anthropic", "skill_id": "xlsx"}], [{"type": "anthropic", "skill_id": "pdf", "version": "2"}])
TEAMS = (None, {"type": "coordinator", "agents": [{"type": "self"}, "agent_other"]},
         {"type": "multiagent_20261001", "advisor": {"type": "enabled", "model": "claude-opus-4-6"}},
         {"type": "multiagent_20261001", "subagents": {"type": "enabled", "predefined_agents": [
             {"type": "agent", "id": "agent_other", "version": 1}]}})
IDENTITIES = (None, {"type": "service_account"}, {"type": "aws_role", "role_arn": "arn:aws:iam::1:role/r"})
META = st.dictionaries(st.sampled_from(("team", "owner", "keep")), st.sampled_from(("a", "b")), max_size=3)
AGENT_IGNORABLE = ("description", "system", "model", "tools", "skills", "multiagent", "execution_identity",
                   "metadata.keep")


@st.composite
def agents(draw: st.DrawFn) -> dict[str, Any]:
    tools = copy.deepcopy(draw(st.sampled_from(TOOLS)))
    data: dict[str, Any] = {"name": "triage", "model": copy.deepcopy(draw(st.sampled_from(MODELS)))}
    for key, options in (("system", (None, "", "You triage.", "Line one.\nLine two.")),
                         ("description", (None, "d1", "d2")), ("skills", SKILLS), ("multiagent", TEAMS),
                         ("execution_identity", IDENTITIES)):
        value = copy.deepcopy(draw(st.sampled_from(options)))
        if value is not None:
            data[key] = value
    if tools is not None:
        data["tools"] = tools
        if any(tool["type"] == "mcp_toolset" for tool in tools):
            data["mcp_servers"] = [{"type": "url", "name": "docs", "url": "https://mcp.example/docs"}]
    metadata = draw(META)
    if metadata:
        data["metadata"] = metadata
    data["lifecycle"] = {"ignore_changes": draw(st.lists(st.sampled_from(AGENT_IGNORABLE), unique=True, max_size=3))}
    return data


@st.composite
def agent_edits(draw: st.DrawFn) -> dict[str, Any]:
    """What someone changed in the console: an update body (the API's own rules apply it)."""
    edit: dict[str, Any] = {}
    for key, options in (("system", ("Console prompt.", "")), ("description", ("console", None)),
                         ("model", MODELS), ("execution_identity", IDENTITIES), ("skills", SKILLS),
                         ("multiagent", TEAMS), ("metadata", ({"console": "x"}, {"team": "c"}))):
        if draw(st.booleans()):
            edit[key] = copy.deepcopy(draw(st.sampled_from(options)))
    return edit


def _agent_desired(data: dict[str, Any]) -> Desired:
    return agent_desired(LoadedAgent(AgentManifest.model_validate(data), "agents/triage.yaml", 1), STACK, None,
                         Resolution())


def _agent_update(stored: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    return agent_config.apply(stored, body, body.keys(), lookup=lambda referenced, path: 1, agent_id=AGENT_ID,
                              version=1)


def _agent_live(stored: dict[str, Any]) -> Live:
    return Live.from_json({**stored, "id": AGENT_ID, "type": "agent", "version": 1, "created_at": "t",
                           "updated_at": "t"}, "agent")


def _check(plan: Plan, ignored: set[str]) -> list[dict[str, Any]]:
    """The patches of `plan`, each checked: every path sent is shown as changed, none is ignored."""
    patches = []
    for action in plan.writes:
        assert action.kind in (ActionKind.UPDATE, ActionKind.ADOPT), action
        sent = dict(action.patch or {})
        if action.resource == "agent":
            # Not a change: the version the update was planned against (optimistic concurrency).
            assert sent.pop("version") == 1
        for path in sent_paths(sent):
            assert shown(path, list(action.changes)), (path, action.changes)
            assert path not in ignored, path
        assert sent
        patches.append(sent)
    return patches


def _assert_kept(stored: dict[str, Any], before: dict[str, Any], ignored: set[str]) -> None:
    """Ignored fields (and ignored metadata keys) keep their live values."""
    for path in ignored:
        if path.startswith("metadata."):
            key = path.removeprefix("metadata.")
            assert stored["metadata"].get(key) == before["metadata"].get(key)
        else:
            assert stored[path] == before[path], path


@settings(max_examples=300, deadline=None)
@given(want=agents(), old=agents(), console=agent_edits())
def test_an_agent_patch_is_what_the_plan_shows_and_converges(
    want: dict[str, Any], old: dict[str, Any], console: dict[str, Any]
) -> None:
    stored = _agent_update(agent_config.blank(AGENT_ID), _agent_desired(old).body)
    stored = _agent_update(stored, console)
    before = copy.deepcopy(stored)
    wanted = _agent_desired(want)
    ignored = set(wanted.ignore_changes)
    for patch in _check(build_plan([wanted], [_agent_live(stored)], Options(stack=STACK)), ignored):
        stored = _agent_update(stored, patch)
    again = build_plan([wanted], [_agent_live(stored)], Options(stack=STACK))
    assert not again.has_changes, [(a.kind, a.changes) for a in again.writes]
    _assert_kept(stored, before, ignored)


CONFIGS = (None, {"type": "cloud"}, {"type": "cloud", "networking": {"type": "unrestricted"}},
           {"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["api.github.com"]}},
           {"type": "cloud", "networking": {"type": "limited", "allow_package_managers": True},
            "packages": {"pip": ["requests"]}},
           {"type": "cloud", "packages": {"type": "packages", "npm": ["left-pad"], "apt": []}})
ENVIRONMENT_IGNORABLE = ("description", "config", "metadata.keep")


@st.composite
def environments_(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "sandbox"}
    for key, options in (("description", (None, "", "d1")), ("config", CONFIGS)):
        value = copy.deepcopy(draw(st.sampled_from(options)))
        if value is not None:
            data[key] = value
    metadata = draw(META)
    if metadata:
        data["metadata"] = metadata
    data["lifecycle"] = {"ignore_changes": draw(st.lists(st.sampled_from(ENVIRONMENT_IGNORABLE), unique=True,
                                                         max_size=2))}
    return data


def _environment_update(stored: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """`Environments.update`'s rules on a stored environment (the config merge is the emulator's own)."""
    out = copy.deepcopy(stored)
    if "description" in body:
        out["description"] = body["description"]
    out["config"] = environments.config(body.get("config"), stored["config"])
    if body.get("metadata") is not None:
        out["metadata"] = bodies.merge_metadata(stored["metadata"], body["metadata"], empty_deletes=True)
    return out


def _environment_live(stored: dict[str, Any]) -> Live:
    return Live.from_json({**stored, "id": "env_1", "type": "environment", "created_at": "t", "updated_at": "t"},
                          "environment")


def _environment_desired(data: dict[str, Any]) -> Desired:
    manifest = EnvironmentManifest.model_validate(data)
    return environment_desired(LoadedEnvironment(manifest, "environments/sandbox.yaml", 1), STACK, None)


@settings(max_examples=200, deadline=None)
@given(want=environments_(), old=environments_(), console=st.sampled_from(CONFIGS[1:]),
       metadata=st.sampled_from(({}, {"keep": "console"}, {"team": "c"})))
def test_an_environment_patch_is_what_the_plan_shows_and_converges(
    want: dict[str, Any], old: dict[str, Any], console: dict[str, Any], metadata: dict[str, str]
) -> None:
    first = _environment_desired(old).body
    stored = {"name": "sandbox", "description": first.get("description"), "scope": "organization",
              "config": environments.config(first.get("config"), None), "metadata": dict(first["metadata"])}
    # An edit the API refuses (packages under limited networking) leaves the environment as it was.
    with contextlib.suppress(ApiError):
        stored = _environment_update(stored, {"config": copy.deepcopy(console), "metadata": metadata})
    before = copy.deepcopy(stored)
    wanted = _environment_desired(want)
    ignored = set(wanted.ignore_changes)
    for patch in _check(build_plan([wanted], [_environment_live(stored)], Options(stack=STACK)), ignored):
        stored = _environment_update(stored, patch)
    again = build_plan([wanted], [_environment_live(stored)], Options(stack=STACK))
    assert not again.has_changes, [(a.kind, a.changes) for a in again.writes]
    assert stored["metadata"][tags.STACK] == STACK
    _assert_kept(stored, before, ignored)


STORE_IGNORABLE = ("description", "metadata.keep")


@st.composite
def memory_stores(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "notes"}
    description = draw(st.sampled_from((None, "", "What the team learned.", "Line one.\nLine two.")))
    if description is not None:
        data["description"] = description
    metadata = draw(META)
    if metadata:
        data["metadata"] = metadata
    data["lifecycle"] = {"ignore_changes": draw(st.lists(st.sampled_from(STORE_IGNORABLE), unique=True, max_size=2))}
    return data


def _memory_store_update(stored: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """`MemoryStores.update` as the emulator applies it (its own body model and field patch)."""
    return bodies.patch_fields(copy.deepcopy(stored), bodies.validate(MemoryStoreUpdate, body), ("name", "description"))


def _memory_store_desired(data: dict[str, Any]) -> Desired:
    manifest = MemoryStoreManifest.model_validate(data)
    return memory_store_desired(LoadedMemoryStore(manifest, "memory_stores/notes.yaml", 1), STACK, None)


@settings(max_examples=150, deadline=None)
@given(want=memory_stores(), old=memory_stores(), console=st.sampled_from(({}, {"description": "console"},
                                                                         {"metadata": {"keep": "console"}})))
def test_a_memory_store_patch_is_what_the_plan_shows_and_converges(
    want: dict[str, Any], old: dict[str, Any], console: dict[str, Any]
) -> None:
    first = _memory_store_desired(old).body
    stored = {"name": "notes", "description": first.get("description") or "", "metadata": dict(first["metadata"])}
    stored = _memory_store_update(stored, console)
    before = copy.deepcopy(stored)
    wanted = _memory_store_desired(want)
    ignored = set(wanted.ignore_changes)

    def live() -> Live:
        return Live.from_json({**stored, "id": "memstore_1", "type": "memory_store", "created_at": "t",
                               "updated_at": "t"}, "memory_store")

    for patch in _check(build_plan([wanted], [live()], Options(stack=STACK)), ignored):
        stored = _memory_store_update(stored, patch)
    again = build_plan([wanted], [live()], Options(stack=STACK))
    assert not again.has_changes, [(a.kind, a.changes) for a in again.writes]
    assert stored["metadata"][tags.STACK] == STACK
    _assert_kept(stored, before, ignored)
