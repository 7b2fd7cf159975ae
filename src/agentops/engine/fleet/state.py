"""The deployments of the workspace as the fleet counts them: listed (before), and as apply
would leave them (after the plan's actions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from agentops.engine.fleet.section import Schedule
from agentops.engine.identity import Live
from agentops.engine.plan import ActionKind, Plan
from agentops.model import tags

# A stack in one environment (None where agentops.yaml declares none): what "this stack" counts.
Owner = tuple[str | None, str | None]


class Deployment(NamedTuple):
    """One non-archived deployment, as far as the fleet is concerned (a tuple: thousands are made per plan)."""

    name: str
    stack: str | None
    schedule: Schedule | None
    active: bool
    budget: tuple[int, str] | None  # max_list_cost per run: (minor units, currency)
    env: str | None = None  # its agentops.env tag: environments of one stack may share a workspace

    @property
    def runs(self) -> bool:
        return self.active and self.schedule is not None

    def of(self, owner: Owner | None) -> bool:
        """Whether it counts for `owner` (a stack in an environment); None counts the whole workspace."""
        return owner is None or (self.stack, self.env) == owner


def _schedule(value: Any) -> Schedule | None:
    if isinstance(value, Mapping) and isinstance(value.get("expression"), str):
        return (value["expression"], str(value.get("timezone") or "UTC"))
    return None


def _budget(value: Any) -> tuple[int, str] | None:
    cost = value.get("max_list_cost") if isinstance(value, Mapping) else None
    if isinstance(cost, Mapping) and str(cost.get("amount", "")).isdigit():
        return (int(cost["amount"]), str(cost.get("currency") or "USD"))
    return None


def _from_live(item: Live) -> Deployment:
    body = item.body
    return Deployment(
        item.tag_name or item.name, item.stack, _schedule(body.get("schedule")), item.status != "paused",
        _budget(body.get("budget")), item.env,
    )


def before_state(live: Iterable[Live]) -> dict[str, Deployment]:
    return {item.id: _from_live(item) for item in live}


def after_state(before: Mapping[str, Deployment], plan: Plan) -> dict[str, Deployment]:
    """`before` with every action of `plan` applied, as apply would leave the workspace."""
    state = dict(before)
    for action in plan.deployment_actions:
        key = action.deployment_id or f"+{action.name}"
        current = state.get(key)
        if action.kind is ActionKind.CREATE and action.body is not None:
            body = action.body
            state[key] = Deployment(action.name, plan.stack, _schedule(body.get("schedule")), True,
                                    _budget(body.get("budget")), plan.env)
        elif current is None:
            continue
        elif action.kind is ActionKind.ARCHIVE:
            del state[key]
        elif action.kind in (ActionKind.PAUSE, ActionKind.UNPAUSE):
            state[key] = current._replace(active=action.kind is ActionKind.UNPAUSE)
        elif action.kind in (ActionKind.UPDATE, ActionKind.ADOPT) and action.patch is not None:
            patch = action.patch
            changes: dict[str, Any] = {"name": action.name}
            if "schedule" in patch:
                changes["schedule"] = _schedule(patch["schedule"])
            if "budget" in patch:
                changes["budget"] = _budget(patch["budget"])
            stack = (patch.get("metadata") or {}).get(tags.STACK)
            if stack is not None:
                changes["stack"] = stack
            state[key] = current._replace(**changes)
    return state
