"""The machine-readable plan and apply results: stable keys, sorted, no secret values."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from agentops.engine import planfile
from agentops.engine.health import Health
from agentops.engine.plan import Action, Plan


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_json(plan: Plan, health: Health | None = None) -> str:
    """The JSON plan; `plan --health` adds a `health` key (and nothing else changes)."""
    data = plan.to_dict()
    if health is not None:
        data["health"] = health.to_dict()
    return _dump(data)


def render_saved(plan: Plan) -> str:
    """The plan file `plan --out` writes: the JSON plan plus the digest `apply FILE` checks."""
    return _dump(planfile.dump(plan))


class Outcome(Protocol):
    """One executed action (apply.Result has this shape)."""

    @property
    def action(self) -> Action: ...
    @property
    def ok(self) -> bool: ...
    @property
    def message(self) -> str: ...
    @property
    def deployment_id(self) -> str | None: ...
    @property
    def error_code(self) -> str | None: ...


def render_results(results: Sequence[Outcome], not_started: int, interrupted: bool) -> str:
    """What `apply --format json` reports: one entry per action run, and the totals."""
    return _dump(
        {
            "results": [
                {
                    "name": r.action.name,
                    "action": r.action.kind.value,
                    "ok": r.ok,
                    "message": r.message,
                    "deployment_id": r.deployment_id,
                    "error_code": r.error_code,
                }
                for r in results
            ],
            "succeeded": sum(1 for r in results if r.ok),
            "failed": sum(1 for r in results if not r.ok),
            "not_started": not_started,
            "interrupted": interrupted,
        }
    )
