"""The machine-readable plan: stable keys, sorted, no secret values (only `${VAR}` references)."""

from __future__ import annotations

import json

from agentops.plan import Plan


def render_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
