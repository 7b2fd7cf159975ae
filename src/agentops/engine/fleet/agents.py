"""Deployments of the stack per agent version, before and after the plan: what the reviewer reads
to see which version each deployment will run, and how many stay behind their agent's newest."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agentops.engine.fleet.section import AgentVersion
from agentops.engine.identity import Live
from agentops.engine.plan import Action, ActionKind, Plan
from agentops.engine.resources import pending_refs
from agentops.engine.versions import agent_id, label, version

Pin = tuple[str, int | None]  # (agent, version): the agent by name, the version None where not known yet


def _newest(plan: Plan, agents: Mapping[str, Live]) -> dict[str, int]:
    """Agent label -> its newest version after the plan: an update makes one more, a create the first."""
    out = {label(agent): found for agent in agents.values() if (found := version(agent.body)) is not None}
    for action in plan.actions:
        if action.resource != "agent":
            continue
        if action.kind is ActionKind.CREATE:
            out[action.name] = 1
        elif action.kind in (ActionKind.UPDATE, ActionKind.ADOPT) and action.name in out:
            out[action.name] += 1
    return out


def _pin(value: Any, agents: Mapping[str, Live], newest: Mapping[str, int]) -> Pin | None:
    """The (agent, version) a deployment's `agent` (live, or as written by the plan) runs."""
    made = sorted(pending_refs(value))
    if made:
        return (made[0][1], version(value) or 1)
    found = agent_id(value)
    if found is None:
        return None
    name = label(agents[found]) if found in agents else found
    return (name, version(value) or newest.get(name))


def _after(action: Action, pin: Pin | None, agents: Mapping[str, Live], newest: Mapping[str, int]) -> Pin | None:
    written = (action.body if action.kind is ActionKind.CREATE else action.patch) or {}
    return _pin(written["agent"], agents, newest) if "agent" in written else pin


def agent_versions(plan: Plan, live: Iterable[Live], agents: Iterable[Live]) -> tuple[AgentVersion, ...]:
    """Per (agent, version), the stack's deployments on it before and after the plan."""
    by_id = {agent.id: agent for agent in agents}
    newest = _newest(plan, by_id)
    ours = [item for item in live if item.stack == plan.stack and item.env == plan.env]
    before = {item.id: _pin(item.body.get("agent"), by_id, newest) for item in ours}
    after: dict[str, Pin | None] = dict(before)
    for action in plan.deployment_actions:
        key = action.id or f"+{action.name}"
        if action.kind is ActionKind.ARCHIVE:
            after.pop(key, None)
        elif action.kind in (ActionKind.CREATE, ActionKind.UPDATE, ActionKind.ADOPT):
            after[key] = _after(action, after.get(key), by_id, newest)
    counts: dict[Pin, list[int]] = {}
    for side, pins in enumerate((before, after)):
        for pin in pins.values():
            if pin is not None:
                counts.setdefault(pin, [0, 0])[side] += 1
    return tuple(AgentVersion(name, number, count[0], count[1], newest.get(name))
                 for (name, number), count in sorted(counts.items(), key=lambda item: (item[0][0], item[0][1] or 0)))
