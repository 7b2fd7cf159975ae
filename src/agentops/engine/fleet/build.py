"""The fleet section of a plan, built from the plan, the live listing and `now`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from agentops.engine.fleet.agents import agent_versions
from agentops.engine.fleet.dst import effects
from agentops.engine.fleet.fires import Fires, next_fires, parsed, timezone_of
from agentops.engine.fleet.load import busiest, load, runs, scheduled
from agentops.engine.fleet.section import Count, Fleet, Reschedule, Schedule
from agentops.engine.fleet.spend import exposure
from agentops.engine.fleet.state import Deployment, after_state, before_state
from agentops.engine.identity import Live
from agentops.engine.plan import ActionKind, Plan


def _reschedules(before: Mapping[str, Deployment], after: Mapping[str, Deployment], plan: Plan,
                 now: datetime) -> tuple[Reschedule, ...]:
    out = []
    seen: set[str] = set()
    for action in plan.deployment_actions:
        key = action.deployment_id or f"+{action.name}"
        touches = action.kind is ActionKind.CREATE or (action.patch is not None and "schedule" in action.patch)
        if not touches or key in seen:
            continue
        old, new = before.get(key), after.get(key)
        was = old.schedule if old else None
        will = new.schedule if new else None
        if was == will:
            continue
        seen.add(key)
        out.append(Reschedule(action.name, was, will, _stamps(was, now), _stamps(will, now)))
    return tuple(sorted(out, key=lambda r: r.name))


def _stamps(schedule: Schedule | None, now: datetime) -> tuple[str, ...]:
    if schedule is None:
        return ()
    return tuple(moment.isoformat() for moment in next_fires(schedule, now))


def build_fleet(plan: Plan, live: list[Live], now: datetime, days: int = 7, agents: Iterable[Live] = ()) -> Fleet:
    """The fleet section for `plan` made against `live` (deployments; `agents`: the live agents, for
    the versions their deployments run), counted from `now`."""
    before = before_state(live)
    after = after_state(before, plan)
    fires = Fires(now, days)
    load_before, load_after = load(before, fires), load(after, fires)
    ours = (plan.stack, plan.env)
    unreadable = sum(1 for item in after.values()
                     if item.schedule is not None and (parsed(item.schedule[0]) is None or timezone_of(item.schedule[1]) is None))
    return Fleet(
        now=now.astimezone(UTC).isoformat(),
        days=days,
        scheduled_stack=Count(scheduled(before, ours), scheduled(after, ours)),
        scheduled_workspace=Count(scheduled(before, None), scheduled(after, None)),
        runs_stack=Count(runs(before, fires, ours), runs(after, fires, ours)),
        runs_workspace=Count(sum(load_before.values()), sum(load_after.values())),
        peak=Count(max(load_before.values(), default=0), max(load_after.values(), default=0)),
        busiest=busiest(after, load_after, fires),
        dst=effects(after, ours, now),
        reschedules=_reschedules(before, after, plan, now),
        exposure=exposure(before, after, ours, fires),
        unreadable=unreadable,
        agent_versions=agent_versions(plan, live, agents),
    )
