"""Worst-case spend per 30 days: runs x max_list_cost of each scheduled, active deployment of the stack."""

from __future__ import annotations

from collections.abc import Mapping

from agentops.engine.fleet.fires import Fires
from agentops.engine.fleet.section import Count, Exposure, Spend
from agentops.engine.fleet.state import Deployment, Owner


def exposure(before: Mapping[str, Deployment], after: Mapping[str, Deployment], owner: Owner, fires: Fires) -> Exposure:
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
