"""The drift and health report: one GitHub issue per stack (and environment), always under GitHub's body limit.

Health comes first (it is what breaks at night), then the plan as the PR comment shows it.
When too long, the health list is cut to what fits in half the limit, and the plan is cut
the way the PR comment is (diffs, then blocks, then names); both summaries always stay.
"""

from __future__ import annotations

from datetime import datetime

from agentops.engine.health import Health
from agentops.engine.plan import Plan
from agentops.model.words import plural
from agentops.views import safe
from agentops.views.health import health_markdown
from agentops.views.markdown import COMMENT_LIMIT, code_span, marker, render_markdown

TITLE_LIMIT = 200


def report_marker(stack: str, env: str | None = None) -> str:
    return marker(stack, env, kind="report")


def _scope(plan: Plan) -> str:
    """`stack NAME`, with the environment when agentops.yaml declares them."""
    return f"stack {plan.stack}" + (f" ({plan.env})" if plan.env else "")


def is_clean(plan: Plan, health: Health) -> bool:
    """Nothing to tell anyone: no drift, nothing blocked, no failing or auto-paused deployment."""
    return not plan.has_changes and not plan.errored and health.healthy


def report_title(plan: Plan, health: Health) -> str:
    parts = []
    if plan.errored:
        parts.append("plan blocked")
    elif plan.has_changes:
        parts.append(f"{plural(len(plan.writes), 'change')} to apply")
    for state, label in (("failing", "failing"), ("auto_paused", "auto-paused")):
        if health.count(state):
            parts.append(f"{health.count(state)} {label}")
    title = f"agentops: {_scope(plan)}: " + (", ".join(parts) or "all clean")
    return safe.value(title)[:TITLE_LIMIT]


def _head(plan: Plan, health: Health, keep: int | None) -> str:
    lines = [
        report_marker(plan.stack, plan.env),
        f"## agentops report · stack {code_span(plan.stack)}" + (f" · environment {code_span(plan.env)}" if plan.env else ""),
        "",
        "Drift and run health, from the scheduled drift check. This issue is updated on every check "
        "and closed when all is clean again.",
        "",
        "### Run health",
        "",
        *health_markdown(health, keep),
        "",
        "### Drift",
        "",
    ]
    return "\n".join(lines) + "\n"


def render_report(
    plan: Plan, health: Health, limit: int = COMMENT_LIMIT, full_url: str | None = None, now: datetime | None = None
) -> str:
    """The issue body, shorter than `limit` characters."""
    shown = len(health.problems)
    head = _head(plan, health, None)
    while len(head) >= limit // 2 and shown > 0:
        shown //= 2
        head = _head(plan, health, shown)
    # The plan's first two lines are the PR comment's marker and heading: the issue has its own.
    rest = render_markdown(plan, limit - len(head), full_url, now).split("\n", 2)[2].lstrip("\n")
    return head + rest


def render_closing(plan: Plan, full_url: str | None = None) -> str:
    where = f" ([workflow run]({full_url}))" if full_url else ""
    return (
        f"All clean again{where}: live deployments match the manifests of stack {code_span(plan.stack)}"
        + (f" in environment {code_span(plan.env)}" if plan.env else "") + " "
        "and no deployment fails or is auto-paused. Closing."
    )
