"""The fleet core: fire times over cron and timezone edge cases, before -> after state, load, DST, spend."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from agentops.engine.fleet.build import build_fleet
from agentops.engine.fleet.dst import dst_effects, transitions
from agentops.engine.fleet.fires import Fires, next_fires
from agentops.engine.fleet.section import CAP
from agentops.engine.fleet.state import Deployment, after_state
from agentops.engine.identity import Live
from agentops.engine.plan import Action, ActionKind, Plan
from agentops.model import tags

STACK = "team"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _fires(expression: str, zone: str, start: str, days: int) -> list[datetime]:
    window = Fires(_utc(start), days)
    return [datetime.fromtimestamp(m * 60, UTC) for m in window.in_window((expression, zone))]


def test_berlin_spring_forward_skips_the_missing_local_time() -> None:
    # 2027-03-28 02:00 CET jumps to 03:00 CEST: 02:30 does not exist that day and does not fire.
    fires = _fires("30 2 * * *", "Europe/Berlin", "2027-03-27T00:00:00", 3)
    assert fires == [_utc("2027-03-27T01:30:00"), _utc("2027-03-29T00:30:00")]


def test_berlin_fall_back_fires_a_doubled_local_time_twice() -> None:
    # 2026-10-25 03:00 CEST goes back to 02:00 CET: 02:30 happens at 00:30 and at 01:30 UTC.
    fires = _fires("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00", 1)
    assert fires == [_utc("2026-10-25T00:30:00"), _utc("2026-10-25T01:30:00")]


def test_new_york_spring_forward_and_fall_back() -> None:
    skipped = _fires("30 2 * * *", "America/New_York", "2027-03-13T12:00:00", 2)
    assert skipped == [_utc("2027-03-15T06:30:00")]  # 2027-03-14 02:30 EST/EDT does not exist
    doubled = _fires("30 1 * * *", "America/New_York", "2026-10-31T12:00:00", 1)
    assert doubled == [_utc("2026-11-01T05:30:00"), _utc("2026-11-01T06:30:00")]


def test_fires_on_a_transition_day_stay_in_time_order() -> None:
    fires = _fires("0,30 1-3 * * *", "Europe/Berlin", "2026-10-24T22:00:00", 1)
    assert fires == sorted(fires) and len(fires) == len(set(fires))
    # 01:00-03:30 is 6 slots; 02:00 and 02:30 happen twice.
    assert len(fires) == 8


def test_every_seventh_minute_restarts_each_hour() -> None:
    fires = _fires("*/7 * * * *", "UTC", "2026-06-01T00:00:00", 1)
    assert len(fires) == 24 * 9  # 0, 7, ..., 56
    gaps = {(b - a).total_seconds() / 60 for a, b in itertools.pairwise(fires)}
    assert gaps == {7, 4}


def test_day_of_month_and_day_of_week_are_or_when_both_are_restricted() -> None:
    fires = _fires("0 12 13 * 5", "UTC", "2026-11-01T00:00:00", 30)
    days = {f.date() for f in fires}
    expected = {date(2026, 11, 1) + timedelta(days=i) for i in range(30)}
    expected = {d for d in expected if d.day == 13 or d.isoweekday() == 5}
    assert days == expected
    assert date(2026, 11, 6) in days and date(2026, 11, 13) in days  # a Friday; the 13th (also a Friday)


def test_day_of_week_alone_ignores_the_day_of_month() -> None:
    days = {f.date() for f in _fires("0 12 * * 1", "UTC", "2026-11-01T00:00:00", 14)}
    assert days == {date(2026, 11, 2), date(2026, 11, 9)}


def test_february_29_waits_for_leap_years() -> None:
    runs = next_fires(("0 12 29 2 *", "UTC"), _utc("2026-03-01T00:00:00"), 2)
    assert [r.date() for r in runs] == [date(2028, 2, 29), date(2032, 2, 29)]


def test_next_runs_are_local_times_strictly_after_now() -> None:
    now = _utc("2026-06-01T07:00:00")  # 09:00 in Berlin (CEST)
    runs = next_fires(("0 9 * * *", "Europe/Berlin"), now, 2)
    assert [r.isoformat() for r in runs] == ["2026-06-02T09:00:00+02:00", "2026-06-03T09:00:00+02:00"]


def test_transitions_and_their_effects_in_both_zones() -> None:
    berlin = transitions("Europe/Berlin", date(2026, 11, 28))
    assert [(t.at.isoformat(), t.before, t.after) for t in berlin] == [
        ("2027-03-28T01:00:00+00:00", 60, 120),
        ("2027-10-31T01:00:00+00:00", 120, 60),
    ]
    assert dst_effects(("30 2 * * *", "Europe/Berlin"), berlin) == [
        ("2027-03-28", "skipped", ("02:30",)),
        ("2027-10-31", "doubled", ("02:30",)),
    ]
    assert dst_effects(("0 9 * * *", "Europe/Berlin"), berlin) == []
    new_york = transitions("America/New_York", date(2026, 11, 28))
    assert dst_effects(("15 1 * * 0", "America/New_York"), new_york) == [("2027-11-07", "doubled", ("01:15",))]
    assert dst_effects(("15 2 * * *", "America/New_York"), new_york) == [("2027-03-14", "skipped", ("02:15",))]
    assert transitions("UTC", date(2026, 11, 28)) == ()


# --- before -> after ---------------------------------------------------------------------------


def _live(ident: str, name: str, stack: str | None = STACK, status: str = "active", **body: Any) -> Live:
    metadata = {tags.STACK: stack, tags.NAME: name} if stack else {}
    return Live.from_json({"id": ident, "name": name, "status": status, "metadata": metadata, **body})


DAILY = {"type": "cron", "expression": "0 9 * * *", "timezone": "UTC"}
HOURLY = {"type": "cron", "expression": "0 * * * *", "timezone": "UTC"}


def _budget(cents: int) -> dict[str, Any]:
    return {"type": "limit", "max_list_cost": {"amount": str(cents), "currency": "USD"}}


def test_after_state_applies_creates_patches_pauses_and_archives() -> None:
    live = [_live("d1", "kept", schedule=DAILY), _live("d2", "gone", schedule=DAILY),
            _live("d3", "moved", schedule=DAILY), _live("d4", "held", schedule=DAILY)]
    plan = Plan(STACK, (
        Action("new", ActionKind.CREATE, "", body={"name": "new", "schedule": HOURLY, "budget": _budget(100)}),
        Action("moved", ActionKind.UPDATE, "", id="d3", patch={"schedule": None}),
        Action("held", ActionKind.PAUSE, "", id="d4"),
        Action("gone", ActionKind.ARCHIVE, "", id="d2"),
    ))
    before = {item.id: item for item in live}
    after = after_state({k: Deployment(v.tag_name or v.name, v.stack, ("0 9 * * *", "UTC"), True, None)
                         for k, v in before.items()}, plan)
    assert set(after) == {"d1", "d3", "d4", "+new"}
    assert after["+new"].schedule == ("0 * * * *", "UTC") and after["+new"].budget == (100, "USD")
    assert after["d3"].schedule is None
    assert after["d4"].active is False


def test_fleet_counts_load_and_spend_before_and_after() -> None:
    now = _utc("2026-06-01T00:00:00")
    live = [_live("d1", "daily", schedule=DAILY, budget=_budget(250)),
            _live("x1", "theirs", stack="other", schedule=DAILY)]
    plan = Plan(STACK, (
        Action("hourly", ActionKind.CREATE, "", body={"name": "hourly", "schedule": HOURLY}),
        Action("daily", ActionKind.UPDATE, "", id="d1", patch={"budget": _budget(500)}),
    ))
    fleet = build_fleet(plan, live, now, days=7)
    assert (fleet.scheduled_stack.before, fleet.scheduled_stack.after) == (1, 2)
    assert (fleet.scheduled_workspace.before, fleet.scheduled_workspace.after) == (2, 3)
    assert (fleet.runs_stack.before, fleet.runs_stack.after) == (7, 7 + 7 * 24)
    assert (fleet.peak.before, fleet.peak.after) == (2, 3)  # 09:00 UTC: daily, theirs (and hourly)
    top = fleet.busiest[0]
    assert top.runs == 3 and top.names == ("daily", "hourly", "theirs") and top.times == 7
    # 30 daily runs x 2.50 -> 30 x 5.00; the hourly create has no budget: unbounded.
    assert fleet.exposure.totals["USD"].before == 30 * 250 and fleet.exposure.totals["USD"].after == 30 * 500
    assert (fleet.exposure.unbounded.before, fleet.exposure.unbounded.after) == (0, 1)
    assert fleet.exposure.deployments[0].name == "hourly" and fleet.exposure.deployments[0].unbounded_after
    assert [r.name for r in fleet.reschedules] == ["hourly"]
    assert fleet.reschedules[0].runs_after[0] == "2026-06-01T01:00:00+00:00"
    data = fleet.to_dict()
    assert data["version"] == 1 and data["cap"]["limit"] == CAP


def test_paused_deployments_count_against_the_cap_but_do_not_run() -> None:
    live = [_live("d1", "held", status="paused", schedule=HOURLY)]
    fleet = build_fleet(Plan(STACK, ()), live, _utc("2026-06-01T00:00:00"))
    assert fleet.scheduled_stack.after == 1 and fleet.runs_stack.after == 0


def test_five_thousand_distinct_schedules_are_cheap() -> None:
    import time

    live = [_live(f"d{i}", f"n{i}", schedule={"expression": f"{i % 60} {i // 60 % 24} * * *",
                                               "timezone": ("Europe/Berlin", "America/New_York", "UTC")[i % 3]})
            for i in range(5000)]
    start = time.perf_counter()
    fleet = build_fleet(Plan(STACK, ()), live, _utc("2026-06-01T00:00:00"))
    elapsed = time.perf_counter() - start
    assert fleet.runs_stack.after == 5000 * 7
    assert elapsed < 5.0  # measured ~0.2 s; generous for a loaded CI machine


def test_a_saved_plan_keeps_its_fleet_section_for_the_pr_comment() -> None:
    """`plan --out` then `comment --plan FILE` (the plan workflow) shows the same fleet section."""
    from agentops.engine import planfile
    from agentops.views.json import render_saved
    from agentops.views.markdown import render_markdown
    from tests.views.test_fleet_views import NOW, _plan

    plan = _plan(5)
    again = planfile.parse(render_saved(plan))
    assert again.fleet == plan.fleet
    assert render_markdown(again, now=NOW) == render_markdown(plan, now=NOW)
    broken = render_saved(plan).replace('"version": 1', '"version": 99')
    with pytest.raises(planfile.PlanFileError, match="fleet"):
        planfile.parse(broken)
