"""The fleet section as rows ready to render and to save: counts, busiest minutes, DST effects,
schedule changes, spend, violations; and read back from a saved plan. It imports no planner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from agentops.manifest.config_schema import MINOR_DIGITS

VERSION = 1
CAP = 1000  # scheduled deployments per organization (API reference)
CAP_WARN = 800  # 80% of the cap
SPEND_DAYS = 30
TOP = 10  # busiest minutes kept, and names kept per minute

Schedule = tuple[str, str]  # (expression, timezone)


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
class AgentVersion:
    """How many deployments of the stack run one version of an agent, before and after the plan."""

    agent: str
    version: int | None  # None: the version an agent created by this apply gets is not known
    before: int
    after: int
    newest: int | None  # the agent's newest version after the plan

    @property
    def behind(self) -> bool:
        """Deployments stay on a version older than the agent's newest."""
        if self.after == 0 or self.version is None or self.newest is None:
            return False
        return self.version < self.newest

    def to_dict(self) -> dict[str, Any]:
        return {"agent": self.agent, "version": self.version, "before": self.before, "after": self.after,
                "newest": self.newest}


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
    agent_versions: tuple[AgentVersion, ...] = ()  # the stack's deployments per agent version

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
            "agent_versions": [row.to_dict() for row in self.agent_versions],
        }


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
        agent_versions=tuple(
            AgentVersion(_str(r["agent"]), _opt(r["version"], _int), _int(r["before"]), _int(r["after"]),
                         _opt(r["newest"], _int))
            for r in data.get("agent_versions", [])  # absent from plans saved before it was counted
        ),
    )
