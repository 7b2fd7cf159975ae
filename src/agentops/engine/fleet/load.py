"""Schedule load: runs per UTC minute, runs and scheduled deployments per side, the busiest minutes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime

from agentops.engine.fleet.fires import Fires
from agentops.engine.fleet.section import TOP, Busy, Schedule
from agentops.engine.fleet.state import Deployment, Owner

_CANDIDATES = 500  # the busiest minutes looked at to find TOP distinct groups


def load(state: Mapping[str, Deployment], fires: Fires) -> Counter[int]:
    """Runs due per UTC minute over the window, summed over deployments sharing a schedule."""
    shared = Counter(item.schedule for item in state.values() if item.runs and item.schedule is not None)
    load: Counter[int] = Counter()
    for schedule, count in shared.items():
        for minute in fires.in_window(schedule):
            load[minute] += count
    return load


def busiest(state: Mapping[str, Deployment], load: Counter[int], fires: Fires) -> tuple[Busy, ...]:
    """The busiest minutes with the deployments due in them; a group due together again and
    again (say daily at 09:00) is one entry with its first minute and how often it recurs."""
    ranked = sorted(((runs, minute) for minute, runs in load.items() if runs > 1), key=lambda p: (-p[0], p[1]))
    candidates = {minute for _, minute in ranked[:_CANDIDATES]}
    # Per schedule, not per deployment: thousands may share one, and each has thousands of fires.
    sharing: dict[Schedule, list[str]] = {}
    for item in state.values():
        if item.runs and item.schedule is not None:
            sharing.setdefault(item.schedule, []).append(item.name)
    due: dict[int, list[str]] = {}
    for schedule, sharers in sharing.items():
        for minute in candidates.intersection(fires.in_window(schedule)):
            due.setdefault(minute, []).extend(sharers)
    groups: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    for runs, minute in ranked[:_CANDIDATES]:
        groups.setdefault((runs, tuple(sorted(due.get(minute, [])))), []).append(minute)
    out = []
    for (runs, names), minutes in list(groups.items())[:TOP]:
        at = datetime.fromtimestamp(min(minutes) * 60, UTC).strftime("%Y-%m-%dT%H:%MZ")
        out.append(Busy(at, runs, names[:TOP], max(0, len(names) - TOP), len(minutes)))
    return tuple(out)


def runs(state: Mapping[str, Deployment], fires: Fires, owner: Owner | None) -> int:
    # Per schedule, not per deployment: thousands may share one.
    shared = Counter(
        item.schedule
        for item in state.values()
        if item.runs and item.schedule is not None and item.of(owner)
    )
    return sum(len(fires.in_window(schedule)) * count for schedule, count in shared.items())


def scheduled(state: Mapping[str, Deployment], owner: Owner | None) -> int:
    return sum(1 for item in state.values() if item.schedule is not None and item.of(owner))
