"""Fire times of a schedule, following the API's rules before jitter: a local time that a DST
change skips does not fire, one that occurs twice fires twice. They are computed per
(expression, timezone), once per plan, by walking the days a schedule matches, never by
scanning minutes."""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from agentops.engine.fleet.section import SPEND_DAYS, Schedule
from agentops.model import cron

NEXT_RUNS = 5


@lru_cache(maxsize=4096)
def timezone_of(name: str) -> ZoneInfo | None:
    try:
        return cron.check_timezone(name)
    except cron.CronError:
        return None


@lru_cache(maxsize=65536)  # above the cap, so a whole workspace's distinct expressions stay cached
def parsed(expression: str) -> cron.CronSpec | None:
    try:
        return cron.parse(expression)
    except cron.CronError:
        return None


@lru_cache(maxsize=4096)
def _matching_days(spec: cron.CronSpec, first: date, last: date) -> tuple[date, ...]:
    """The days first..last a schedule's day fields match (the cache key ignores its hours and minutes)."""
    days = []
    day = first
    while day <= last:
        if spec.matches_day(day):
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def _day_part(spec: cron.CronSpec) -> cron.CronSpec:
    """The spec with fixed hours and minutes, so schedules that differ only there share matched days."""
    return cron.CronSpec(frozenset({0}), frozenset({0}), spec.days, spec.months, spec.weekdays,
                         spec.days_restricted, spec.weekdays_restricted)


def fires_between(spec: cron.CronSpec, zone: ZoneInfo, first: int, last: int) -> list[int]:
    """Every fire in UTC minutes first..last (inclusive), in order."""
    slots = cron.slots(spec)
    start = datetime.fromtimestamp(first * 60, UTC).astimezone(zone).date()
    end = datetime.fromtimestamp(last * 60, UTC).astimezone(zone).date()
    out: list[int] = []
    for day in _matching_days(_day_part(spec), start, end):
        out.extend(cron.fires_on(zone, day, slots))
    return out[bisect.bisect_left(out, first) : bisect.bisect_right(out, last)]


def next_fires(schedule: Schedule, after: datetime, count: int = NEXT_RUNS) -> list[datetime]:
    """The next `count` fires strictly after `after`, as aware datetimes in the schedule's zone."""
    spec, zone = parsed(schedule[0]), timezone_of(schedule[1])
    if spec is None or zone is None:
        return []
    return [fire.astimezone(zone) for fire in cron.next_runs(spec, zone, after, count)]


class Fires:
    """Fire times per (expression, timezone) over a window after `now`, computed once each."""

    def __init__(self, now: datetime, days: int) -> None:
        self.first = cron.minute_of(now) + 1
        self.days = days
        self.last = self.first + max(days, SPEND_DAYS) * 1440 - 1
        self.window_end = self.first + days * 1440 - 1
        self.spend_end = self.first + SPEND_DAYS * 1440 - 1
        self._cache: dict[Schedule, tuple[int, ...]] = {}
        self._monthly: dict[Schedule, int] = {}

    def of(self, schedule: Schedule) -> tuple[int, ...]:
        found = self._cache.get(schedule)
        if found is None:
            spec, zone = parsed(schedule[0]), timezone_of(schedule[1])
            found = () if spec is None or zone is None else tuple(fires_between(spec, zone, self.first, self.last))
            self._cache[schedule] = found
        return found

    def in_window(self, schedule: Schedule) -> tuple[int, ...]:
        fires = self.of(schedule)
        return fires[: bisect.bisect_right(fires, self.window_end)]

    def per_month(self, schedule: Schedule) -> int:
        found = self._monthly.get(schedule)
        if found is None:
            found = self._monthly[schedule] = bisect.bisect_right(self.of(schedule), self.spend_end)
        return found
