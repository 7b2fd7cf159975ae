"""DST effects: the days a schedule's local time is skipped (does not fire) or doubled (fires twice)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from agentops.engine.fleet.fires import parsed, timezone_of
from agentops.engine.fleet.section import DstEffect, Schedule
from agentops.engine.fleet.state import Deployment, Owner
from agentops.model import cron

DST_DAYS = 366


@dataclass(frozen=True)
class Transition:
    at: datetime  # UTC instant of the change
    before: int  # offset in minutes
    after: int


@lru_cache(maxsize=1024)
def transitions(zone_name: str, start: date, days: int = DST_DAYS) -> tuple[Transition, ...]:
    """The zone's offset changes from `start` (UTC midnight) over `days`, found by day steps then bisection."""
    zone = timezone_of(zone_name)
    if zone is None:
        return ()

    def offset(second: int) -> int:
        found = datetime.fromtimestamp(second, UTC).astimezone(zone).utcoffset()
        return int(found.total_seconds()) // 60 if found is not None else 0

    out = []
    moment = int(datetime.combine(start, time(), UTC).timestamp())
    current = offset(moment)
    for _ in range(days):
        following = moment + 86400
        if offset(following) != current:
            low, high = moment, following  # offset(low) == current != offset(high)
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == current else (low, middle)
            out.append(Transition(datetime.fromtimestamp(high, UTC), current, offset(high)))
            current = offset(high)
        moment = following
    return tuple(out)


@lru_cache(maxsize=65536)
def dst_effects(schedule: Schedule, changes: tuple[Transition, ...]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(local date, "skipped" | "doubled", local times) for each change that touches a fire of `schedule`."""
    spec = parsed(schedule[0])
    if spec is None or not changes:
        return []
    slots = cron.slots(spec)
    out = []
    for change in changes:
        kind = "skipped" if change.after > change.before else "doubled"
        low, high = sorted((change.before, change.after))
        start = (change.at + timedelta(minutes=low)).replace(tzinfo=None)
        end = (change.at + timedelta(minutes=high)).replace(tzinfo=None)  # wall times in [start, end)
        day = start.date()
        hit: list[str] = []
        while day <= (end - timedelta(minutes=1)).date():
            if spec.matches_day(day):
                for slot in slots:
                    wall = datetime.combine(day, time(slot // 60, slot % 60))
                    if start <= wall < end:
                        hit.append(f"{slot // 60:02d}:{slot % 60:02d}")
            day += timedelta(days=1)
        if hit:
            out.append((start.date().isoformat(), kind, tuple(hit)))
    return out


def effects(after: Mapping[str, Deployment], owner: Owner, now: datetime) -> tuple[DstEffect, ...]:
    start = now.astimezone(UTC).date()
    out = []
    for item in after.values():
        if not item.of(owner) or not item.runs or item.schedule is None:
            continue
        expression, zone = item.schedule
        for day, kind, times in dst_effects(item.schedule, transitions(zone, start)):
            out.append(DstEffect(item.name, expression, zone, day, kind, times))
    return tuple(sorted(out, key=lambda d: (d.date, d.name)))
