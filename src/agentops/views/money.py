"""Money as a person reads it: a budget's `amount` is in cents, shown as `USD 0.05 per run`."""

from __future__ import annotations

from typing import Any

from agentops.engine.fleet.section import money

PER_RUN = "per run"


def per_run(amount: Any, currency: Any = "USD") -> str | None:
    """`USD 0.05 per run` for a budget amount in minor units (None when it is not one)."""
    if not isinstance(amount, str) or not amount.isdigit() or not isinstance(currency, str):
        return None
    return f"{money(int(amount), currency)} {PER_RUN}"


def budget_value(path: str, value: Any) -> str | None:
    """A budget change's value in money (`path` is its API path), or None when it holds no amount."""
    if not path.startswith("budget"):
        return None
    if path.endswith(".amount"):
        return per_run(value)
    cost = value.get("max_list_cost", value) if isinstance(value, dict) else None
    if isinstance(cost, dict) and "amount" in cost:
        return per_run(cost["amount"], cost.get("currency", "USD"))
    return None
