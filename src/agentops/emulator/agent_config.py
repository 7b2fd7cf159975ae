"""An agent as the API stores it: server-filled defaults, per-field update rules, cross-field limits.

Everything works on plain dicts (request bodies already validated by `agent_bodies`) and
returns the stored form, which is also the response form (`BetaManagedAgentsAgent` minus
id, type, version and timestamps). The update rules are the SDK docstrings of
`client.beta.agents.update`, field by field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from agentops.emulator import agent_bodies, bodies
from agentops.emulator.errors import bad_request
from agentops.model import agent as agent_model

DEFAULT_MODEL = "claude-sonnet-4-6"
DEFAULT_EFFORT = agent_model.DEFAULT_EFFORT
SERVICE_ACCOUNT = agent_model.SERVICE_ACCOUNT
_MAX_PROBLEMS = 5

# Resolves a referenced agent id to its latest version; raises the API's 400 when the agent
# may not be referenced (missing, archived, itself multiagent).
AgentLookup = Callable[[str, str], int]


def blank(agent_id: str) -> dict[str, Any]:
    """The stored fields of an agent nothing was set on (a bare seeded or registered id)."""
    return {
        "name": agent_id, "description": None, "system": None, "model": model(DEFAULT_MODEL),
        "tools": [], "mcp_servers": [], "skills": [], "multiagent": None,
        "execution_identity": dict(SERVICE_ACCOUNT), "metadata": {},
    }


def stored(agent_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Stored fields completed with defaults (rows written before a field existed lack it)."""
    out = {**blank(agent_id), **fields}
    if isinstance(out["model"], str):
        out["model"] = model(out["model"])
    return out


def registered(agent_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Fields given by a seed or `/_emulator/agents`, validated like an update body and stored
    like a create's; roster entries are taken as version 1 of agents that need not exist."""
    body = bodies.validate(agent_bodies.UpdateBody, fields)
    return apply(blank(agent_id), body.model_dump(mode="json"), body.model_fields_set - {"version"},
                 lookup=lambda referenced, path: 1, agent_id=agent_id, version=1)


def apply(current: dict[str, Any], data: dict[str, Any], keys: Iterable[str], *, lookup: AgentLookup,
          agent_id: str, version: int) -> dict[str, Any]:
    """The agent after setting `keys` of `data` on `current`; a create applies every key to `blank`.

    `version` is the one the result would be stored as (a `self` roster entry pins it).
    """
    new = copy.deepcopy(current)
    for key in keys:
        value = data[key]
        if key == "name":
            new["name"] = value
        elif key in ("description", "system"):
            new[key] = value or None  # "send empty string or null to clear"
        elif key == "model":
            # Whole-object replacement ("omitting inference_geo clears it"), except effort:
            # "on update, omitting it leaves the stored value unchanged".
            new["model"] = model(value, current["model"])
        elif key == "tools":
            new["tools"] = [agent_model.resolved_tool(item) for item in value or []]
        elif key == "mcp_servers":
            new["mcp_servers"] = list(value or [])
        elif key == "skills":
            new["skills"] = [{**item, "version": item.get("version") or "latest"} for item in value or []]
        elif key == "execution_identity":
            new["execution_identity"] = value or dict(SERVICE_ACCOUNT)
        elif key == "multiagent":
            new["multiagent"] = None if value is None else multiagent(
                value, current["multiagent"], _Refs(lookup, agent_id, version))
        elif key == "metadata":
            new["metadata"] = bodies.merge_metadata(current["metadata"], value or {})
    check(new)
    return new


def model(value: str | dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """A model string or `model_config` as the stored object (`BetaManagedAgentsModelConfig`)."""
    config = {"id": value} if isinstance(value, str) else value
    effort = config.get("effort")
    if effort is None:
        effort = (previous or {}).get("effort") or {"type": DEFAULT_EFFORT}
    elif isinstance(effort, str):
        effort = {"type": effort}  # "Accepts a bare level string or {type: ...}"
    return {"id": config["id"], "effort": effort, "inference_geo": config.get("inference_geo"),
            "speed": config.get("speed") or agent_model.DEFAULT_SPEED}


# --- multiagent -------------------------------------------------------------------------------

class _Refs:
    """Resolves roster and predefined-agent entries to `{type: agent, id, version}`."""

    def __init__(self, lookup: AgentLookup, agent_id: str, version: int) -> None:
        self._lookup = lookup
        self._agent_id = agent_id
        self._version = version

    def resolve(self, entries: Any, path: str, *, minimum: int = 0) -> list[dict[str, Any]]:
        if not isinstance(entries, list) or not minimum <= len(entries) <= agent_model.MAX_ROSTER:
            raise bad_request(f"{path}: expected a list of {minimum} to {agent_model.MAX_ROSTER} agents")
        out: list[dict[str, Any]] = []
        for index, entry in enumerate(entries):
            out.append(self._one(entry, f"{path}[{index}]"))
        ids = [ref["id"] for ref in out if ref.get("type") == "agent"]
        if len(ids) != len(set(ids)):
            raise bad_request(f"{path}: entries must reference distinct agents")
        return out

    def _one(self, entry: Any, path: str) -> dict[str, Any]:
        if isinstance(entry, dict) and entry.get("type") == "self":
            # "Resolved server-side to a concrete agent reference": this agent, at this version.
            return {"type": "agent", "id": self._agent_id, "version": self._version}
        if isinstance(entry, str):
            entry = {"type": "agent", "id": entry}
        if not isinstance(entry, dict) or entry.get("type") != "agent" or not isinstance(entry.get("id"), str):
            raise bad_request(f"{path}: expected an agent id, {{type: agent, id, version}} or {{type: self}}")
        version = entry.get("version")
        latest = self._lookup(entry["id"], path)
        if version is not None and (not isinstance(version, int) or not 1 <= version <= latest):
            raise bad_request(f"{path}.version: agent {entry['id']!r} has no version {version}")
        return {"type": "agent", "id": entry["id"], "version": latest if version is None else version}


def multiagent(sent: dict[str, Any], previous: dict[str, Any] | None, refs: _Refs) -> dict[str, Any]:
    """`coordinator` replaces; `multiagent_20261001` is merged level by level into a stored one."""
    if sent["type"] == "coordinator":
        unknown = sorted(set(sent) - {"type", "agents"})
        if unknown:
            raise bad_request(f"multiagent: unknown fields {unknown}")
        agents = refs.resolve(sent.get("agents"), "multiagent.agents", minimum=1)
        return {"type": "coordinator", "agents": agents}
    return _merge("multiagent", sent, previous, "multiagent", refs)


def _merge(member: str, sent: Any, previous: Any, path: str, refs: _Refs) -> dict[str, Any]:
    """The docstring's rules: an omitted key keeps its stored value, a null one takes its default,
    another `type` replaces the stored object, a sent `predefined_agents` list replaces."""
    if not isinstance(sent, dict) or not isinstance(sent.get("type"), str):
        raise bad_request(f"{path}.type: every object that is sent needs its type")
    keys = agent_model.MULTIAGENT_TYPES[member].get(sent["type"])
    if keys is None:
        raise bad_request(f"{path}.type: must be one of {sorted(agent_model.MULTIAGENT_TYPES[member])}, got {sent['type']!r}")
    unknown = sorted(set(sent) - set(keys) - {"type"})
    if unknown:
        raise bad_request(f"{path}: unknown fields {unknown}")
    same = isinstance(previous, dict) and previous.get("type") == sent["type"]
    out: dict[str, Any] = {"type": sent["type"]}
    for key in keys:
        value = sent.get(key)
        if key not in sent:
            if same:
                out[key] = previous[key]
            elif key != "model":
                out[key] = agent_model.multiagent_default(key)
        elif key == "model":
            if not isinstance(value, str) or not value:
                raise bad_request(f"{path}.model: an enabled advisor needs its model")
            out[key] = value
        elif value is None:
            out[key] = agent_model.multiagent_default(key)
        elif key == "predefined_agents":
            out[key] = refs.resolve(value, f"{path}.{key}")
        else:
            out[key] = _merge(key, value, previous[key] if same else None, f"{path}.{key}", refs)
    if "model" in keys and "model" not in out:
        raise bad_request(f"{path}.model: an enabled advisor needs its model")
    if "inline_agents" in keys and out["inline_agents"]["type"] == "disabled" and not out["predefined_agents"]:
        raise bad_request(f"{path}: with inline_agents disabled, predefined_agents must name at least one agent")
    return out


# --- rules across fields ----------------------------------------------------------------------


def check(agent: dict[str, Any]) -> None:
    """400 with every problem (up to five): the MCP server and tool limits, unique names."""
    problems = [f"{agent_model.dotted(loc)}: {message}" for loc, message in agent_model.rules(agent)]
    if problems:
        raise bad_request("; ".join(problems[:_MAX_PROBLEMS]))
