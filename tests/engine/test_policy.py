"""Fleet rules: the organization's cap and the policy rules that need the live workspace."""

from __future__ import annotations

from agentops.engine.fleet.section import Count, Exposure, Fleet, Spend
from agentops.engine.policy import judge
from agentops.manifest.config_schema import CountRule, ExposureRule, Policy


def _fleet(workspace: tuple[int, int] = (0, 0), stack: tuple[int, int] = (0, 0),
           spend: tuple[Spend, ...] = (), totals: dict[str, Count] | None = None) -> Fleet:
    zero = Count(0, 0)
    return Fleet("2026-06-01T00:00:00+00:00", 7, Count(*stack), Count(*workspace), zero, zero, zero, (), (), (),
                 Exposure(totals or {}, zero, spend))


def _levels(fleet: Fleet) -> list[tuple[str, str, str | None]]:
    return [(v.rule, v.level, v.name) for v in fleet.violations]


def test_the_cap_warns_at_80_percent_and_blocks_above_it() -> None:
    assert _levels(judge(_fleet(workspace=(700, 799)), Policy(), "s")) == []
    assert _levels(judge(_fleet(workspace=(700, 800)), Policy(), "s")) == [("scheduled_cap", "warn", None)]
    assert _levels(judge(_fleet(workspace=(990, 1001)), Policy(), "s")) == [("scheduled_cap", "error", None)]


def test_a_plan_that_lowers_a_total_is_never_blocked_by_it() -> None:
    assert _levels(judge(_fleet(workspace=(1100, 1050)), Policy(), "s")) == [("scheduled_cap", "warn", None)]
    policy = Policy(max_scheduled=CountRule(level="error", count=10))
    assert _levels(judge(_fleet(stack=(12, 11)), policy, "s")) == [("max_scheduled", "warn", None)]
    assert _levels(judge(_fleet(stack=(10, 11)), policy, "s")) == [("max_scheduled", "error", None)]
    assert _levels(judge(_fleet(stack=(10, 10)), policy, "s")) == []


def test_monthly_exposure_per_deployment_and_per_stack() -> None:
    rule = ExposureRule(level="error", amount="100", currency="USD")  # $100 = 10,000 cents
    assert rule.minor() == 10_000
    rows = (Spend("cheap", "USD", None, 30, None, 3_000), Spend("dear", "USD", 30, 30, 9_000, 12_000),
            Spend("open", None, None, 4, None, None))
    fleet = _fleet(spend=rows, totals={"USD": Count(9_000, 15_000)})
    found = judge(fleet, Policy(max_monthly_exposure=rule), "s")
    assert _levels(found) == [("max_monthly_exposure", "error", None), ("max_monthly_exposure", "error", "dear"),
                              ("max_monthly_exposure", "error", "open")]
    dear = found.violations[1]
    assert "USD 120.00" in dear.message and "333 cents" in dear.fix
    assert "unbounded" in found.violations[2].message
    off = Policy(max_monthly_exposure=rule.model_copy(update={"level": "off"}))
    assert judge(fleet, off, "s").violations == ()
