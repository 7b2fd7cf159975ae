"""The fleet section in the PR comment: summary always, details while they fit, under the limit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agentops.engine.fleet.build import build_fleet
from agentops.engine.identity import Live
from agentops.engine.plan import Action, ActionKind, Plan
from agentops.model import tags
from agentops.views.markdown import COMMENT_LIMIT, render_markdown
from agentops.views.text import render_text

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _live(i: int) -> Live:
    return Live.from_json({
        "id": f"d{i}", "name": f"job-{i}", "status": "active",
        "metadata": {tags.STACK: "s", tags.NAME: f"job-{i}"},
        "schedule": {"type": "cron", "expression": f"30 {i % 4} * * *", "timezone": "Europe/Berlin"},
    })


def _plan(count: int) -> Plan:
    """`count` schedule updates, each with a long description change, plus the fleet they make."""
    live = [_live(i) for i in range(count)]
    actions = tuple(
        Action(f"job-{i}", ActionKind.UPDATE, "live differs", id=f"d{i}",
               patch={"schedule": {"type": "cron", "expression": "*/5 * * * *", "timezone": "UTC"}},
               changes=())
        for i in range(count)
    )
    plan = Plan("s", actions)
    return Plan("s", actions, fleet=build_fleet(plan, live, NOW))


def test_a_large_plan_keeps_the_fleet_summary_and_fits_one_comment() -> None:
    plan = _plan(3000)
    text = render_markdown(plan, COMMENT_LIMIT, None, NOW)
    assert len(text) < COMMENT_LIMIT
    assert "#### Fleet (next 7 days" in text
    assert "Scheduled deployments: stack 3,000" in text
    assert "too long for one comment" in text


def test_a_small_plan_shows_the_details_and_escapes_names() -> None:
    plan = _plan(3)
    text = render_markdown(plan, COMMENT_LIMIT, None, NOW)
    assert "<details><summary>Fleet details</summary>" in text
    assert "job-0" in text.split("Fleet details")[1]
    terminal = render_text(plan)
    assert "Fleet (next 7 days, before -> after this plan):" in terminal
    assert "Schedule changes (next runs, local time):" in terminal


def test_the_json_plan_has_the_versioned_fleet_key() -> None:
    data: dict[str, Any] = _plan(2).to_dict()
    assert data["fleet"]["version"] == 1
    assert data["fleet"]["schedule_changes"][0]["after"] == {"expression": "*/5 * * * *", "timezone": "UTC"}
