"""The fleet section of a plan for people: summary lines first, then the top entries of each list.

Text and Markdown share the lines; Markdown puts the summary in bullets (numbers only) and
the entries, which carry names from manifests and the API, in a fenced block.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from agentops.engine.fleet.section import CAP, SPEND_DAYS, AgentVersion, Fleet, Schedule, Spend, money
from agentops.model.words import plural
from agentops.views import safe

TEXT_TOP = 10
MARKDOWN_TOP = 5
Say = Callable[[str], str]


def _count(before: int, after: int) -> str:
    return f"{before:,}" if before == after else f"{before:,} -> {after:,}"


def _per_day(runs: int, days: int) -> str:
    return f"{runs / days:,.1f}"


def summary(fleet: Fleet) -> list[str]:
    """The lines that always stay, whatever the size of the plan: counts only."""
    days = fleet.days
    stack, workspace = fleet.scheduled_stack, fleet.scheduled_workspace
    runs, total = fleet.runs_stack, fleet.runs_workspace
    exposure = fleet.exposure
    spend = "; ".join(
        f"{money(count.before, currency)} -> {money(count.after, currency)}"
        for currency, count in sorted(exposure.totals.items())
    ) or "no deployment with a budget"
    lines = [
        f"Scheduled deployments: stack {_count(stack.before, stack.after)}, "
        f"workspace {_count(workspace.before, workspace.after)} (organization cap {CAP:,})",
        f"Runs in the next {days} days: stack {_count(runs.before, runs.after)} "
        f"({_per_day(runs.before, days)} -> {_per_day(runs.after, days)} a day), "
        f"workspace {_count(total.before, total.after)} "
        f"({_per_day(total.before, days)} -> {_per_day(total.after, days)} a day)",
        f"Busiest minute (before jitter): {_count(fleet.peak.before, fleet.peak.after)} runs due at once",
        f"Worst-case spend per {SPEND_DAYS} days (runs x max_list_cost): {safe.value(spend)}; "
        f"unbounded (no budget): {_count(exposure.unbounded.before, exposure.unbounded.after)}",
    ]
    if fleet.dst:
        lines.append(f"DST in the next 12 months: {plural(len(fleet.dst), 'schedule effect')}")
    if fleet.agent_versions:
        lines.append(_versions_line(fleet))
    if fleet.unreadable:
        lines.append(f"{plural(fleet.unreadable, 'live schedule')} could not be read and are not counted in runs")
    return lines


def _versions_line(fleet: Fleet) -> str:
    """How many agent versions the stack's deployments run after the plan, and how many stay behind."""
    rows = fleet.agent_versions
    used = [row for row in rows if row.after]
    behind = sum(row.after for row in rows if row.behind)
    line = (f"Agent versions run by this stack: {plural(len(used), 'version')} of "
            f"{plural(len({row.agent for row in used}), 'agent')}")
    if behind:
        line += f"; warning: {plural(behind, 'deployment')} behind its agent's newest version"
    return line


def _version(row: AgentVersion) -> str:
    number = "v?" if row.version is None else f"v{row.version}"
    note = f" (behind the newest, v{row.newest})" if row.behind else ""
    return f"  {safe.value(row.agent)} {number}: {_count(row.before, row.after)}{note}"


def _more(items: Sequence[object], top: int) -> list[str]:
    return [f"  … and {len(items) - top} more"] if len(items) > top else []


def _names(names: Sequence[str], more: int) -> str:
    return ", ".join(safe.value(name) for name in names) + (f" … and {more} more" if more else "")


def _schedule(item: Schedule | None) -> str:
    return "(none)" if item is None else f"{safe.value(item[0])!r} {safe.value(item[1])}"


def _stamp(text: str) -> str:
    moment = datetime.fromisoformat(text)
    return moment.strftime("%Y-%m-%d %H:%M ") + moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:]


def _spend(row: Spend) -> str:
    def side(runs: int | None, cost: int | None) -> str:
        if runs is None:
            return "not running"
        if cost is None:
            return f"unbounded ({plural(runs, 'run')}, no budget)"
        return f"{money(cost, row.currency or 'USD')} ({plural(runs, 'run')})"

    after = side(row.runs_after, row.after)
    before = side(row.runs_before, row.before)
    return f"{safe.value(row.name)}: {after}" + ("" if before == after else f" (was {before})")


def entries(fleet: Fleet, top: int) -> list[str]:
    """The top entries of each list, `top` per list."""
    out: list[str] = []
    if fleet.busiest:
        out.append("Busiest minutes (UTC):")
        for busy in fleet.busiest[:top]:
            again = f" (and {busy.times - 1} more {'minute' if busy.times == 2 else 'minutes'} with the same group)" if busy.times > 1 else ""
            at = busy.at.replace("T", " ").rstrip("Z")
            out.append(f"  {at}{again}: {plural(busy.runs, 'run')}: {_names(busy.names, busy.more)}")
        out.extend(_more(fleet.busiest, top))
    if fleet.dst:
        out.append("DST effects (a skipped local time does not fire, a doubled one fires twice):")
        shared: dict[tuple[str, str, str, tuple[str, ...]], list[str]] = {}
        for effect in fleet.dst:
            shared.setdefault((effect.date, effect.timezone, effect.kind, effect.times), []).append(effect.name)
        for (day, zone, kind, times), names in list(shared.items())[:top]:
            what = "skipped" if kind == "skipped" else "doubled, fires twice"
            out.append(f"  {day} {safe.value(zone)} {', '.join(times)} {what}: "
                       f"{_names(names[:TEXT_TOP], max(0, len(names) - TEXT_TOP))}")
        out.extend(_more(list(shared), top))
    if fleet.reschedules:
        out.append("Schedule changes (next runs, local time):")
        for change in fleet.reschedules[:top]:
            out.append(f"  {safe.value(change.name)}: {_schedule(change.before)} -> {_schedule(change.after)}")
            if change.runs_after:
                out.append("    next: " + ", ".join(_stamp(s) for s in change.runs_after))
            if change.runs_before:
                out.append("    was:  " + ", ".join(_stamp(s) for s in change.runs_before))
        out.extend(_more(fleet.reschedules, top))
    if fleet.agent_versions:
        out.append("Deployments of this stack per agent version (before -> after):")
        out.extend(_version(row) for row in fleet.agent_versions[:top])
        out.extend(_more(fleet.agent_versions, top))
    spending = fleet.exposure.deployments
    if spending:
        out.append(f"Worst-case spend per {SPEND_DAYS} days, per deployment of this stack:")
        out.extend(f"  {_spend(row)}" for row in spending[:top])
        out.extend(_more(spending, top))
    return out


def text_lines(fleet: Fleet, top: int = TEXT_TOP) -> list[str]:
    return [f"Fleet (next {fleet.days} days, before -> after this plan):",
            *(f"  {line}" for line in summary(fleet)),
            *(f"  {line}" for line in entries(fleet, top))]


def render_fleet_text(fleet: Fleet) -> str:
    """`agentops fleet`: the section on its own."""
    return "\n".join(text_lines(fleet)) + "\n"


def markdown_lines(fleet: Fleet, full: bool, escape: Say, fenced: Callable[[Sequence[str]], list[str]]) -> list[str]:
    """The section for the PR comment; without `full`, only the summary bullets."""
    out = ["", f"#### Fleet (next {fleet.days} days, before → after)", ""]
    out.extend(f"- {escape(line)}" for line in summary(fleet))
    details = entries(fleet, MARKDOWN_TOP) if full else []
    if details:
        out.extend(["", "<details><summary>Fleet details</summary>", "", *fenced(details), "", "</details>"])
    return out
