"""Run health as text, JSON and Markdown: the failing and auto-paused deployments, each with its fix."""

from __future__ import annotations

from agentops.engine.health import AUTO_PAUSED, DeploymentHealth, Health
from agentops.model.words import plural
from agentops.views import safe
from agentops.views.markdown import code_span, escape
from agentops.views.times import human


def _state(item: DeploymentHealth) -> str:
    if item.state == AUTO_PAUSED:
        return f"auto-paused: {item.paused_reason}"
    return item.state.replace("_", " ")


def _runs(item: DeploymentHealth) -> str:
    return f"{item.failed} of {plural(item.runs, 'run')} failed since {human(item.since)}"


def _last_error(item: DeploymentHealth) -> str | None:
    error = item.last_error
    if not error:
        return None
    return f"last error {error['type']}: {error['message']} ({error['run_id']}, {human(error['created_at'])})"


def _cut_note(health: Health) -> str:
    return " (only the newest runs were listed: older failures are not counted)" if health.truncated else ""


def render_health_text(health: Health) -> str:
    """The summary line, then each deployment that is not healthy with its last error and fix."""
    lines = [health.summary() + _cut_note(health)]
    for item in health.problems:
        lines.append(f"  {safe.value(item.name)}: {safe.value(_state(item))}; {_runs(item)}")
        last = _last_error(item)
        if last:
            lines.append(f"    {safe.value(last)}")
        if item.fix:
            lines.append(f"    fix: {safe.value(item.fix)}")
    return "\n".join(lines) + "\n"


def health_markdown(health: Health, keep: int | None = None) -> list[str]:
    """Markdown lines: the summary, then up to `keep` unhealthy deployments (all when None)."""
    problems = health.problems
    shown = problems if keep is None else problems[:keep]
    out = [f"**{health.summary()}**{escape(_cut_note(health))}"]
    for item in shown:
        out.extend(["", f"- {code_span(item.name)}: **{escape(_state(item))}**, {escape(_runs(item))}"])
        last = _last_error(item)
        if last:
            out.append(f"  - {escape(last)}")
        if item.fix:
            out.append(f"  - Fix: {escape(item.fix)}")
    if len(shown) < len(problems):
        out.extend(["", f"… and {len(problems) - len(shown)} more; run `agentops status` for all of them."])
    return out


def with_health(markdown: str, health: Health | None) -> str:
    """The plan's Markdown with a run health section after it (`plan --health`)."""
    if health is None:
        return markdown
    return markdown + "\n#### Run health\n\n" + "\n".join(health_markdown(health)) + "\n"
