"""Strict 5-field POSIX cron: parsing, validation and upcoming fire times.

Shared by manifest validation and the emulator so both accept exactly the same
expressions the Deployments API accepts: minute hour day-of-month month day-of-week,
numbers, `*`, ranges, lists and steps; no names, no L W # ?, no @shortcuts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from agentops.model.words import did_you_mean

_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day-of-month", 1, 31),
    ("month", 1, 12),
    ("day-of-week", 0, 7),
)
# ASCII only: `\d` would also take other scripts' digits, which int() then reads as numbers.
_TERM = re.compile(r"^(\*|\d+(?:-\d+)?)(?:/(\d+))?$", re.ASCII)
# The most days each month can have (February counts its leap day: "0 0 29 2 *" fires, rarely).
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# Names in the zone database that are not IANA locations: the host's own zone and build artefacts.
_NOT_IANA = frozenset({"localtime", "posixrules", "Factory"})
# How far ahead next_runs looks before concluding a schedule never fires (e.g. "0 0 30 2 *").
_HORIZON_DAYS = 366 * 8


class CronError(ValueError):
    """An expression the API would reject; the message says which field and why."""


@dataclass(frozen=True)
class CronSpec:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday; 7 folded into 0
    days_restricted: bool
    weekdays_restricted: bool

    def matches_day(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_dom = day.day in self.days
        in_dow = (day.isoweekday() % 7) in self.weekdays
        # POSIX: when both day fields are restricted, a day matching either fires.
        if self.days_restricted and self.weekdays_restricted:
            return in_dom or in_dow
        return in_dom and in_dow


def _parse_field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for term in text.split(","):
        match = _TERM.match(term)
        if not match:
            raise CronError(
                f"{name} field {text!r}: expected numbers, '*', ranges 'a-b', lists 'a,b' "
                f"or steps '/n' (names and the characters L W # ? are not supported)"
            )
        base, step_text = match.groups()
        if base == "*":
            start, end = low, high
        elif "-" in base:
            start, end = (int(part) for part in base.split("-"))
        else:
            start = end = int(base)
            if step_text is not None:
                end = high
        for value in (start, end):
            if not low <= value <= high:
                raise CronError(f"{name} field {text!r}: {value} is outside {low}-{high}")
        if start > end:
            raise CronError(f"{name} field {text!r}: range {start}-{end} runs backwards")
        step = int(step_text) if step_text is not None else 1
        if step < 1:
            raise CronError(f"{name} field {text!r}: step must be at least 1")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@functools.lru_cache(maxsize=1024)
def parse(expression: str) -> CronSpec:
    """Parse a strict 5-field expression or raise CronError naming the problem."""
    if not isinstance(expression, str) or not expression.strip():
        raise CronError("expected a 5-field cron expression like '0 9 * * 1-5'")
    odd = next((char for char in expression if not (" " <= char <= "~" or char == "\t")), None)
    if odd is not None:
        name = unicodedata.name(odd, "(a control character)")
        raise CronError(f"contains U+{ord(odd):04X} {name} at character {expression.index(odd) + 1}; "
                        "write cron with ASCII digits and plain spaces")
    if expression.strip().startswith("@"):
        raise CronError(f"{expression.strip()!r}: @shortcuts are not supported; write the 5 fields out")
    parts = expression.split()
    if len(parts) != 5:
        raise CronError(
            f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(parts)}"
            + ("; seconds and year fields are not supported" if len(parts) in (6, 7) else "")
        )
    parsed = [_parse_field(part, name, low, high) for part, (name, low, high) in zip(parts, _FIELDS, strict=True)]
    weekdays = frozenset(d % 7 for d in parsed[4])
    days_restricted, weekdays_restricted = parts[2] != "*", parts[4] != "*"
    # With the day of week unrestricted, only the day of month decides: it must exist in some month.
    if not weekdays_restricted and not any(min(parsed[2]) <= _MONTH_DAYS[month - 1] for month in parsed[3]):
        raise CronError(f"day-of-month {parts[2]!r} never occurs in month {parts[3]!r}: the schedule would never fire")
    return CronSpec(
        minutes=parsed[0],
        hours=parsed[1],
        days=parsed[2],
        months=parsed[3],
        weekdays=weekdays,
        days_restricted=days_restricted,
        weekdays_restricted=weekdays_restricted,
    )


@functools.lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """Lower-cased name -> IANA name, for lookups and case-only misspellings."""
    names = (frozenset(available_timezones()) | {"UTC"}) - _NOT_IANA
    return {name.lower(): name for name in sorted(names)}


def check_timezone(name: str) -> ZoneInfo:
    """Return the zone for an IANA name or raise CronError (with the right spelling when only case differs)."""
    zones = _zones()
    if not isinstance(name, str) or zones.get(name.lower()) != name:
        right = zones.get(name.lower()) if isinstance(name, str) else None
        near = did_you_mean(name, zones.values()) if isinstance(name, str) and not right else None
        advice = f"; did you mean {right!r}?" if right else f"; {near}" if near else " (e.g. 'UTC', 'Europe/Berlin')"
        raise CronError(f"{name!r} is not an IANA timezone{advice}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed but unreadable
        raise CronError(f"{name!r} is not an IANA timezone") from exc


def _exists(local: datetime, zone: tzinfo) -> bool:
    """False for wall-clock times skipped by a DST gap."""
    round_trip = local.astimezone(UTC).astimezone(zone)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


_EPOCH = date(1970, 1, 1)


@lru_cache(maxsize=65536)
def _offset(zone: tzinfo, day: date) -> int:
    """The zone's UTC offset in minutes at the start of local `day`."""
    offset = zone.utcoffset(datetime.combine(day, time()))
    return int(offset.total_seconds()) // 60 if offset is not None else 0


def minute_of(moment: datetime) -> int:
    """An instant as whole UTC minutes since the epoch."""
    return int(moment.timestamp()) // 60


def _instants(day: date, slot: int, zone: tzinfo) -> list[int]:
    """The UTC minutes a local wall time fires at: none when skipped, two when it occurs twice."""
    wall = datetime.combine(day, time(slot // 60, slot % 60))
    first = wall.replace(tzinfo=zone).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return [minute_of(first)]
    if first.astimezone(zone).replace(tzinfo=None) != wall:
        return []  # in a gap: the clock jumps over it
    return [minute_of(first), minute_of(second)]


@lru_cache(maxsize=65536)
def slots(spec: CronSpec) -> tuple[int, ...]:
    """The spec's fire times of a day, as minutes after local midnight, in order."""
    return tuple(sorted(hour * 60 + minute for hour in spec.hours for minute in spec.minutes))


def fires_on(zone: tzinfo, day: date, day_slots: tuple[int, ...]) -> list[int]:
    """UTC minutes at which `day_slots` fire on local `day` (whose day fields match), in order.

    As the API documents: a local time skipped by a DST change does not fire, and one that
    occurs twice (a fold) fires twice. Days without an offset change are plain arithmetic.
    """
    start, end = _offset(zone, day), _offset(zone, day + timedelta(days=1))
    if start == end:
        base = (day - _EPOCH).days * 1440 - start
        return [base + slot for slot in day_slots]
    return sorted(minute for slot in day_slots for minute in _instants(day, slot, zone))


def next_runs(spec: CronSpec, zone: tzinfo, after: datetime, count: int = 5) -> list[datetime]:
    """The next `count` fire times strictly after `after`, in UTC, matching wall clock in `zone`
    (DST as `fires_on` says)."""
    runs: list[datetime] = []
    floor = minute_of(after)
    day_slots = slots(spec)
    day = after.astimezone(zone).date()
    for _ in range(_HORIZON_DAYS):
        if spec.matches_day(day):
            for minute in fires_on(zone, day, day_slots):
                fire = datetime.fromtimestamp(minute * 60, UTC)
                if minute >= floor and fire > after:
                    runs.append(fire)
                    if len(runs) == count:
                        return runs
        day += timedelta(days=1)
    return runs
