"""The fleet section of a plan: schedule load, DST effects and worst-case spend, before -> after.

Pure: the plan, the live listing and `now` are inputs. "Before" is the listed workspace;
"after" is that listing with the plan's actions applied to it (creates, patches, pauses,
archives), so `--target` and `ignore_changes` show exactly what apply would leave.

Fire times follow the API's rules, before jitter: a local time that a DST change skips does
not fire, one that occurs twice fires twice. They are computed per (expression, timezone),
once per plan, by walking the days a schedule matches, never by scanning minutes.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from agentops.engine.identity import Live
from agentops.engine.plan import ActionKind, Plan
from agentops.manifest.config import MINOR_DIGITS
from agentops.model import cron, tags

VERSION = 1
CAP = 1000  # scheduled deployments per organization (API reference)
CAP_WARN = 800  # 80% of the cap
SPEND_DAYS = 30
DST_DAYS = 366
NEXT_RUNS = 5
TOP = 10  # busiest minutes kept, and names kept per minute
_CANDIDATES = 500  # the busiest minutes looked at to find TOP distinct groups
_HORIZON_DAYS = 366 * 8  # how far next runs look (a Feb 29 schedule can wait 8 years)

Schedule = tuple[str, str]  # (expression, timezone)


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
    for action in plan.actions:
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


# --- fire times ------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return cron.check_timezone(name)
    except cron.CronError:
        return None


@lru_cache(maxsize=65536)  # above the cap, so a whole workspace's distinct expressions stay cached
def _parsed(expression: str) -> cron.CronSpec | None:
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
    spec, zone = _parsed(schedule[0]), _zone(schedule[1])
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
            spec, zone = _parsed(schedule[0]), _zone(schedule[1])
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


# --- DST ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    at: datetime  # UTC instant of the change
    before: int  # offset in minutes
    after: int


@lru_cache(maxsize=1024)
def transitions(zone_name: str, start: date, days: int = DST_DAYS) -> tuple[Transition, ...]:
    """The zone's offset changes from `start` (UTC midnight) over `days`, found by day steps then bisection."""
    zone = _zone(zone_name)
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


@dataclass(frozen=True)
class DstEffect:
    name: str
    expression: str
    timezone: str
    date: str  # local date
    kind: str  # "skipped" (does not fire) or "doubled" (fires twice)
    times: tuple[str, ...]  # local HH:MM affected

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "expression": self.expression, "timezone": self.timezone,
                "date": self.date, "kind": self.kind, "times": list(self.times)}


@lru_cache(maxsize=65536)
def dst_effects(schedule: Schedule, changes: tuple[Transition, ...]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(local date, "skipped" | "doubled", local times) for each change that touches a fire of `schedule`."""
    spec = _parsed(schedule[0])
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


# --- the section -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    before: int
    after: int

    def to_dict(self) -> dict[str, int]:
        return {"before": self.before, "after": self.after}


@dataclass(frozen=True)
class Busy:
    at: str  # UTC minute, ISO 8601
    runs: int
    names: tuple[str, ...]  # up to TOP of the deployments due then
    more: int
    times: int = 1  # how many minutes of the window have this same group due

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "runs": self.runs, "names": list(self.names), "more": self.more, "times": self.times}


@dataclass(frozen=True)
class Reschedule:
    """A created or changed schedule: its next runs after the plan, and before it."""

    name: str
    before: Schedule | None
    after: Schedule | None
    runs_before: tuple[str, ...]
    runs_after: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        def shape(item: Schedule | None) -> dict[str, str] | None:
            return None if item is None else {"expression": item[0], "timezone": item[1]}

        return {"name": self.name, "before": shape(self.before), "after": shape(self.after),
                "next_runs_before": list(self.runs_before), "next_runs_after": list(self.runs_after)}


class Spend(NamedTuple):
    """Worst-case spend of one scheduled deployment per 30 days: runs x max_list_cost (None: unbounded)."""

    name: str
    currency: str | None
    runs_before: int | None  # None: not scheduled and active on that side
    runs_after: int | None
    before: int | None  # minor units; None with runs: no budget, unbounded
    after: int | None

    @property
    def unbounded_after(self) -> bool:
        return self.runs_after is not None and self.after is None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "currency": self.currency, "runs_before": self.runs_before,
                "runs_after": self.runs_after, "before": _money(self.before, self.runs_before),
                "after": _money(self.after, self.runs_after)}


def _money(amount: int | None, runs: int | None) -> str | None:
    if runs is None:
        return None
    return "unbounded" if amount is None else str(amount)


@dataclass(frozen=True)
class Exposure:
    totals: dict[str, Count]  # currency -> stack total in minor units
    unbounded: Count  # scheduled, active deployments without a budget
    deployments: tuple[Spend, ...]  # largest after first

    def to_dict(self) -> dict[str, Any]:
        return {"days": SPEND_DAYS, "unit": "minor (cents)",
                "totals": {currency: count.to_dict() for currency, count in sorted(self.totals.items())},
                "unbounded": self.unbounded.to_dict(), "deployments": [s.to_dict() for s in self.deployments]}


@dataclass(frozen=True)
class Violation:
    """A fleet rule (the cap, or a policy rule) that the plan breaks."""

    rule: str
    level: str  # "error" blocks, "warn" is shown
    message: str
    fix: str
    name: str | None = None
    policy: bool = True  # False for the organization's cap, which is the API's rule, not the team's

    def __str__(self) -> str:
        return f"{self.name}: {self.sentence()}" if self.name else self.sentence()

    def sentence(self) -> str:
        """The violation without the deployment's name (a Blocker puts the name in front itself)."""
        kind = "policy " if self.policy else ""
        return f"{kind}{self.rule} ({self.level}): {self.message} ({self.fix})"

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "level": self.level, "name": self.name, "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class Fleet:
    now: str
    days: int
    scheduled_stack: Count
    scheduled_workspace: Count
    runs_stack: Count  # fires over `days`
    runs_workspace: Count
    peak: Count  # most runs due in one minute over `days`
    busiest: tuple[Busy, ...]  # after the plan
    dst: tuple[DstEffect, ...]
    reschedules: tuple[Reschedule, ...]
    exposure: Exposure
    violations: tuple[Violation, ...] = field(default=())
    unreadable: int = 0  # live schedules whose expression or zone this version cannot read

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "now": self.now,
            "days": self.days,
            "cap": {"limit": CAP, "warn_at": CAP_WARN, "stack": self.scheduled_stack.to_dict(),
                    "workspace": self.scheduled_workspace.to_dict()},
            "runs": {"stack": self.runs_stack.to_dict(), "workspace": self.runs_workspace.to_dict()},
            "peak_minute_runs": self.peak.to_dict(),
            "busiest_minutes": [b.to_dict() for b in self.busiest],
            "dst": [d.to_dict() for d in self.dst],
            "schedule_changes": [r.to_dict() for r in self.reschedules],
            "exposure": self.exposure.to_dict(),
            "violations": [v.to_dict() for v in self.violations],
            "unreadable_schedules": self.unreadable,
        }


def _load(state: Mapping[str, Deployment], fires: Fires) -> Counter[int]:
    """Runs due per UTC minute over the window, summed over deployments sharing a schedule."""
    shared = Counter(item.schedule for item in state.values() if item.runs and item.schedule is not None)
    load: Counter[int] = Counter()
    for schedule, count in shared.items():
        for minute in fires.in_window(schedule):
            load[minute] += count
    return load


def _busiest(state: Mapping[str, Deployment], load: Counter[int], fires: Fires) -> tuple[Busy, ...]:
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


def _runs(state: Mapping[str, Deployment], fires: Fires, owner: Owner | None) -> int:
    # Per schedule, not per deployment: thousands may share one.
    shared = Counter(
        item.schedule
        for item in state.values()
        if item.runs and item.schedule is not None and item.of(owner)
    )
    return sum(len(fires.in_window(schedule)) * count for schedule, count in shared.items())


def _scheduled(state: Mapping[str, Deployment], owner: Owner | None) -> int:
    return sum(1 for item in state.values() if item.schedule is not None and item.of(owner))


def _spend(before: Mapping[str, Deployment], after: Mapping[str, Deployment], owner: Owner, fires: Fires) -> Exposure:
    def side(item: Deployment | None) -> tuple[int | None, int | None, str | None]:
        if item is None or not item.runs or item.schedule is None or not item.of(owner):
            return None, None, None
        runs = fires.per_month(item.schedule)
        if item.budget is None:
            return runs, None, None
        return runs, runs * item.budget[0], item.budget[1]

    rows = []
    totals: dict[str, list[int]] = {}
    unbounded = [0, 0]
    for key in {*before, *after}:
        old, new = before.get(key), after.get(key)
        runs_before, cost_before, currency_before = side(old)
        runs_after, cost_after, currency_after = side(new)
        if runs_before is None and runs_after is None:
            continue
        for index, (runs, cost, currency) in enumerate(
            ((runs_before, cost_before, currency_before), (runs_after, cost_after, currency_after))
        ):
            if runs is not None and cost is None:
                unbounded[index] += 1
            elif cost is not None and currency is not None:
                totals.setdefault(currency, [0, 0])[index] += cost
        name = (new or old).name  # type: ignore[union-attr]  # one side is present
        rows.append(Spend(name, currency_after or currency_before, runs_before, runs_after, cost_before, cost_after))
    rows.sort(key=lambda s: (not s.unbounded_after, -(s.after or 0), s.name))
    return Exposure({c: Count(*pair) for c, pair in totals.items()}, Count(*unbounded), tuple(rows))


def _reschedules(before: Mapping[str, Deployment], after: Mapping[str, Deployment], plan: Plan,
                 now: datetime) -> tuple[Reschedule, ...]:
    out = []
    seen: set[str] = set()
    for action in plan.actions:
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


def _dst(after: Mapping[str, Deployment], owner: Owner, now: datetime) -> tuple[DstEffect, ...]:
    start = now.astimezone(UTC).date()
    out = []
    for item in after.values():
        if not item.of(owner) or not item.runs or item.schedule is None:
            continue
        expression, zone = item.schedule
        for day, kind, times in dst_effects(item.schedule, transitions(zone, start)):
            out.append(DstEffect(item.name, expression, zone, day, kind, times))
    return tuple(sorted(out, key=lambda d: (d.date, d.name)))


def build_fleet(plan: Plan, live: list[Live], now: datetime, days: int = 7) -> Fleet:
    """The fleet section for `plan` made against `live`, counted from `now`."""
    before = before_state(live)
    after = after_state(before, plan)
    fires = Fires(now, days)
    load_before, load_after = _load(before, fires), _load(after, fires)
    ours = (plan.stack, plan.env)
    unreadable = sum(1 for item in after.values()
                     if item.schedule is not None and (_parsed(item.schedule[0]) is None or _zone(item.schedule[1]) is None))
    return Fleet(
        now=now.astimezone(UTC).isoformat(),
        days=days,
        scheduled_stack=Count(_scheduled(before, ours), _scheduled(after, ours)),
        scheduled_workspace=Count(_scheduled(before, None), _scheduled(after, None)),
        runs_stack=Count(_runs(before, fires, ours), _runs(after, fires, ours)),
        runs_workspace=Count(sum(load_before.values()), sum(load_after.values())),
        peak=Count(max(load_before.values(), default=0), max(load_after.values(), default=0)),
        busiest=_busiest(after, load_after, fires),
        dst=_dst(after, ours, now),
        reschedules=_reschedules(before, after, plan, now),
        exposure=_spend(before, after, ours, fires),
        unreadable=unreadable,
    )


def money(minor: int, currency: str) -> str:
    """Minor units as "USD 1,234.50"."""
    digits = MINOR_DIGITS.get(currency, 2)
    major, cents = divmod(minor, 10**digits)
    return f"{currency} {major:,}.{cents:0{digits}d}"


# --- read back from a saved plan ----------------------------------------------------------------


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {type(value).__name__}")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return value


def _opt(value: Any, read: Any) -> Any:
    return None if value is None else read(value)


def _strs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return tuple(_str(item) for item in value)


def _count(value: Any) -> Count:
    return Count(_int(value["before"]), _int(value["after"]))


def _schedule_back(value: Any) -> Schedule | None:
    return None if value is None else (_str(value["expression"]), _str(value["timezone"]))


def _money_back(value: Any) -> int | None:
    return None if value in (None, "unbounded") else int(_str(value))


def fleet_from_dict(data: Any) -> Fleet:
    """A Fleet from `Fleet.to_dict()` output (a saved plan), or ValueError/KeyError/TypeError."""
    if data.get("version") != VERSION:
        raise ValueError(f"fleet version {data.get('version')!r} is not {VERSION}")
    exposure = data["exposure"]
    return Fleet(
        now=_str(data["now"]),
        days=_int(data["days"]),
        scheduled_stack=_count(data["cap"]["stack"]),
        scheduled_workspace=_count(data["cap"]["workspace"]),
        runs_stack=_count(data["runs"]["stack"]),
        runs_workspace=_count(data["runs"]["workspace"]),
        peak=_count(data["peak_minute_runs"]),
        busiest=tuple(
            Busy(_str(b["at"]), _int(b["runs"]), _strs(b["names"]), _int(b["more"]), _int(b["times"]))
            for b in data["busiest_minutes"]
        ),
        dst=tuple(
            DstEffect(_str(d["name"]), _str(d["expression"]), _str(d["timezone"]), _str(d["date"]),
                      _str(d["kind"]), _strs(d["times"]))
            for d in data["dst"]
        ),
        reschedules=tuple(
            Reschedule(_str(r["name"]), _schedule_back(r["before"]), _schedule_back(r["after"]),
                       _strs(r["next_runs_before"]), _strs(r["next_runs_after"]))
            for r in data["schedule_changes"]
        ),
        exposure=Exposure(
            totals={_str(currency): _count(count) for currency, count in exposure["totals"].items()},
            unbounded=_count(exposure["unbounded"]),
            deployments=tuple(
                Spend(_str(s["name"]), _opt(s["currency"], _str), _opt(s["runs_before"], _int),
                      _opt(s["runs_after"], _int), _money_back(s["before"]), _money_back(s["after"]))
                for s in exposure["deployments"]
            ),
        ),
        violations=tuple(
            Violation(_str(v["rule"]), _str(v["level"]), _str(v["message"]), _str(v["fix"]), _opt(v["name"], _str))
            for v in data["violations"]
        ),
        unreadable=_int(data["unreadable_schedules"]),
    )
