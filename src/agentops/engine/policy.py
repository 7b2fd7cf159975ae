"""Fleet rules over a plan's fleet section: the organization's schedule cap and the policy rules
that need the live workspace (max_scheduled, max_monthly_exposure). Pure.

A limit on a total blocks only a plan that does not lower that total: a plan that moves a stack
back toward its limit is shown with a warning, never held up by the rule it is fixing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from agentops.engine.fleet.section import CAP, CAP_WARN, SPEND_DAYS, Count, Fleet, Violation, money
from agentops.manifest.config_schema import ExposureRule, Policy
from agentops.model.words import plural

CAP_RULE = "scheduled_cap"


def _level(level: str, total: Count) -> str:
    return level if total.after > total.before else "warn"


def _cap(fleet: Fleet) -> Iterator[Violation]:
    total = fleet.scheduled_workspace
    fix = "archive or unschedule deployments elsewhere in the organization, or schedule fewer here"
    if total.after > CAP:
        yield Violation(CAP_RULE, _level("error", total),
                        f"the workspace would have {total.after} scheduled deployments (was {total.before}); "
                        f"an organization may have at most {CAP}", fix, policy=False)
    elif total.after >= CAP_WARN:
        yield Violation(CAP_RULE, "warn",
                        f"the workspace would have {total.after} scheduled deployments, "
                        f"{total.after * 100 // CAP}% of the organization's cap of {CAP}", fix, policy=False)


def _exposure(rule: ExposureRule, fleet: Fleet, who: str) -> Iterator[Violation]:
    limit = rule.minor()
    shown = money(limit, rule.currency)
    for row in fleet.exposure.deployments:
        if row.runs_after is None or (row.currency not in (None, rule.currency)):
            continue
        if row.after is None:
            yield Violation("max_monthly_exposure", rule.level,
                            f"has no budget: {plural(row.runs_after, 'run')} in {SPEND_DAYS} days with unbounded spend",
                            f"add a budget so that runs x max_list_cost stays within {shown}", row.name)
        elif row.after > limit:
            yield Violation("max_monthly_exposure", rule.level,
                            f"can spend up to {money(row.after, rule.currency)} in {SPEND_DAYS} days "
                            f"({plural(row.runs_after, 'run')} x max_list_cost), more than {shown}",
                            f"lower budget.max_list_cost to at most {limit // max(row.runs_after, 1)} cents "
                            "or run less often", row.name)
    total = fleet.exposure.totals.get(rule.currency)
    if total is not None and total.after > limit:
        yield Violation("max_monthly_exposure", _level(rule.level, total),
                        f"{who} can spend up to {money(total.after, rule.currency)} in {SPEND_DAYS} days "
                        f"(was {money(total.before, rule.currency)}), more than {shown}",
                        "lower budgets or schedule fewer runs in this stack")


def _violations(fleet: Fleet, policy: Policy, who: str) -> Iterator[Violation]:
    yield from _cap(fleet)
    counted = policy.max_scheduled
    total = fleet.scheduled_stack
    if counted is not None and counted.level != "off" and total.after > counted.count:
        yield Violation("max_scheduled", _level(counted.level, total),
                        f"{who} would have {total.after} scheduled deployments (was {total.before}), "
                        f"more than {counted.count}",
                        f"remove schedules until at most {counted.count} remain")
    exposure = policy.max_monthly_exposure
    if exposure is not None and exposure.level != "off":
        yield from _exposure(exposure, fleet, who)


def judge(fleet: Fleet, policy: Policy, stack: str, env: str | None = None) -> Fleet:
    """`fleet` (counted for `stack` in `env`) with every fleet rule it breaks recorded (errors first)."""
    who = f"stack {stack!r}" + (f" in environment {env!r}" if env else "")
    found = sorted(_violations(fleet, policy, who), key=lambda v: (v.level != "error", v.rule, v.name or ""))
    return replace(fleet, violations=tuple(found))
