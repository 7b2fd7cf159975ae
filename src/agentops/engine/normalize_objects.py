"""Agents and environments in one comparable shape: their normalizer lists (see `normalize` for
the contract every normalizer keeps: the same steps on both sides, field-local).

What the server fills in and the diff must not report:

- `model` comes back as an object: a string is `{id}`; its other fields default as
  `model.agent.MODEL_DEFAULTS` says; `effort` is "resolved to the per-model default at save time" (a
  value no document names), so it is compared only when the manifest sets it;
- `execution_identity` defaults to `{type: service_account}`;
- a skill's `version` defaults to `latest`, which the API stores resolved to a concrete
  version: compared only when the manifest pins one;
- toolsets come back with their resolved `default_config` and per-tool configs;
- a multiagent_20261001 object comes back with every member filled in; roster entries come
  back as `{type: agent, id, version}` (the version compared only when the manifest pins it,
  the agent's own id read as `{type: self}`);
- an environment's config comes back whole (networking, every package manager);
- `[]` and null, `""` and null are the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentops.engine.normalize import Context, Normalizer, Shape, ignored, projector
from agentops.model import agent, environment

AGENT_FIELDS = ("name", "description", "system", "model", "tools", "mcp_servers", "skills", "multiagent",
                "execution_identity", "metadata")
ENVIRONMENT_FIELDS = ("name", "description", "config", "metadata", "scope")
# Reference entries whose version the manifest pins are named so in `Context.given`.
SKILL_PIN = "skill:"
AGENT_PIN = "agent:"
EFFORT = "model.effort"

_AGENT_PROJECTORS = {
    "tools": projector(list[agent.Tool]),
    "mcp_servers": projector(list[agent.McpServer]),
    "skills": projector(list[agent.Skill]),
    "execution_identity": projector(agent.ExecutionIdentity),
}


def _fields(names: tuple[str, ...]) -> Normalizer:
    def keep(shape: Shape, context: Context) -> Shape:
        return {name: shape.get(name) for name in names}

    return keep


# --- agents -----------------------------------------------------------------------------------


def _self_entries(shape: Shape, context: Context) -> Shape:
    """A live roster entry naming the agent itself is the `{type: self}` a manifest writes (runs
    first: it reads the live agent's `id`, which the field selection then drops)."""
    own = shape.get("id")
    team = shape.get("multiagent")
    if own is None or not isinstance(team, Mapping):
        return shape
    return {**shape, "multiagent": _map_entries(team, lambda e: {"type": "self"} if e.get("id") == own else e)}


def _map_entries(team: Mapping[str, Any], change: Any) -> dict[str, Any]:
    """`team` with `change` applied to every roster and predefined-agent entry that is a mapping."""
    out = dict(team)
    if isinstance(out.get("agents"), list):
        out["agents"] = [change(e) if isinstance(e, Mapping) else e for e in out["agents"]]
    for member in ("subagents", "workflows"):
        value = out.get(member)
        if isinstance(value, Mapping) and isinstance(value.get("predefined_agents"), list):
            out[member] = {**value, "predefined_agents": [change(e) if isinstance(e, Mapping) else e
                                                          for e in value["predefined_agents"]]}
    return out


def _model(value: Any, context: Context) -> Any:
    if value is None:
        return None
    config = {"id": value} if isinstance(value, str) else dict(value)
    out = {"id": config.get("id"), **{key: config.get(key) or default for key, default in agent.MODEL_DEFAULTS.items()}}
    if EFFORT in context.given:
        effort = config.get("effort")
        out["effort"] = {"type": effort} if isinstance(effort, str) else effort
    return out


def _skill(value: Mapping[str, Any], context: Context) -> dict[str, Any]:
    out = {"type": value.get("type"), "skill_id": value.get("skill_id")}
    if SKILL_PIN + str(value.get("skill_id")) in context.given:
        out["version"] = value.get("version") or agent.DEFAULT_SKILL_VERSION
    return out


def _entry(value: Any, context: Context) -> Any:
    if isinstance(value, str):
        value = {"type": "agent", "id": value}
    if not isinstance(value, Mapping) or value.get("type") != "agent":
        return dict(value) if isinstance(value, Mapping) else value
    out = {"type": "agent", "id": value.get("id")}
    if AGENT_PIN + str(value.get("id")) in context.given:
        out["version"] = value.get("version")
    return out


def _member(member: str, value: Any, context: Context) -> Any:
    """A multiagent_20261001 member with the API's defaults filled in, at every depth."""
    if value is None:
        return agent.multiagent_default(member)
    if member == "predefined_agents":
        return [_entry(e, context) for e in value]
    if not isinstance(value, Mapping):
        return value
    keys = agent.MULTIAGENT_TYPES.get(member, {}).get(str(value.get("type")), ())
    out: dict[str, Any] = {"type": value.get("type")}
    for key in keys:
        out[key] = value.get(key) if key == "model" else _member(key, value.get(key), context)
    return out


def _multiagent(value: Any, context: Context) -> Any:
    if not isinstance(value, Mapping):
        return None
    if value.get("type") == "coordinator":
        return {"type": "coordinator", "agents": [_entry(e, context) for e in value.get("agents") or []]}
    return _member("multiagent", value, context)


def _project(name: str, value: Any) -> Any:
    return value if value is None or name not in _AGENT_PROJECTORS else _AGENT_PROJECTORS[name](value)


def agent_defaults(shape: Shape, context: Context) -> Shape:
    out = {name: _project(name, value) for name, value in shape.items()}
    return {
        **out,
        "description": out.get("description") or None,
        "system": out.get("system") or None,
        "model": _model(out.get("model"), context),
        "tools": [agent.resolved_tool(dict(tool)) for tool in out.get("tools") or []],
        "mcp_servers": list(out.get("mcp_servers") or []),
        "skills": [_skill(skill, context) for skill in out.get("skills") or []],
        "multiagent": _multiagent(out.get("multiagent"), context),
        "execution_identity": out.get("execution_identity") or dict(agent.SERVICE_ACCOUNT),
        "metadata": dict(out.get("metadata") or {}),
    }


AGENT_NORMALIZERS: tuple[Normalizer, ...] = (_self_entries, _fields(AGENT_FIELDS), agent_defaults, ignored)


# --- environments -----------------------------------------------------------------------------


def _networking(value: Any) -> Any:
    if not isinstance(value, Mapping) or value.get("type") != "limited":
        return dict(environment.default_config()["networking"]) if value is None else dict(value)
    return {"type": "limited", **{key: default if value.get(key) is None else value[key]
                                  for key, default in environment.LIMITED_DEFAULTS.items()}}


def _config(value: Any) -> Any:
    if value is None:
        return environment.default_config()
    if not isinstance(value, Mapping) or value.get("type") != "cloud":
        return {"type": value.get("type")} if isinstance(value, Mapping) else value
    packages = value.get("packages") or {}
    return {"type": "cloud", "networking": _networking(value.get("networking")),
            "packages": {"type": "packages", **{name: list(packages.get(name) or [])
                                                for name in environment.PACKAGE_MANAGERS}}}


def environment_defaults(shape: Shape, context: Context) -> Shape:
    return {
        **shape,
        "description": shape.get("description") or None,
        "config": _config(shape.get("config")),
        "metadata": dict(shape.get("metadata") or {}),
        "scope": shape.get("scope") or environment.DEFAULT_SCOPE,
    }


ENVIRONMENT_NORMALIZERS: tuple[Normalizer, ...] = (_fields(ENVIRONMENT_FIELDS), environment_defaults, ignored)
