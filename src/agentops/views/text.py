"""The plan as a person reads it in a terminal: per deployment, what changes and why."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from agentops.engine.diff import Change
from agentops.engine.drift import DRIFT
from agentops.engine.plan import ActionKind, Plan
from agentops.engine.textdiff import line_diff
from agentops.views import safe
from agentops.views.created import create_lines
from agentops.views.fleet import text_lines
from agentops.views.money import budget_value


def value_text(value: Any, path: str = "") -> str:
    """A value as JSON; a budget's amount (at API `path`) as money with its unit."""
    return safe.value(budget_value(path, value) or json.dumps(value, ensure_ascii=False, sort_keys=True))


def text_diff(change: Change) -> list[str] | None:
    """The change's line diff with each line made safe to print; None when it is not long text."""
    diff = line_diff(change.before, change.after)
    return None if diff is None else [safe.value(line) for line in diff]


def _plain(text: str, fg: str) -> str:
    return text


def change_lines(change: Change, note: str = "", paint: Callable[[str, str], str] = _plain) -> list[str]:
    """A change as lines; `note` (e.g. a drift label) ends its first line; `paint` colours old
    values red and new ones green (on a terminal that wants colour)."""
    diff = text_diff(change)
    if diff is not None:
        colour = {"-": "red", "+": "green"}
        return [f"{safe.value(change.shown)}:{note}",
                *("    " + paint(line, colour[line[0]]) if line[:1] in colour and line[:3] not in ("---", "+++")
                  else "    " + line for line in diff)]
    old, new = paint(value_text(change.before, change.path), "red"), paint(value_text(change.after, change.path), "green")
    return [f"{safe.value(change.shown)}: {old} -> {new}{note}"]


def headline(plan: Plan) -> str:
    """What a plan without writes says: never "No changes" while something blocks it."""
    if plan.blockers:
        return "Nothing can be applied until the blocking problems below are fixed."
    return "No changes. Live deployments match the manifests."


def where(plan: Plan) -> str:
    """"stack 'x'", with the environment and the workspace when they are known."""
    env = f" (environment {safe.value(repr(plan.env))})" if plan.env else ""
    workspace = f" in workspace {safe.value(plan.workspace_id)}" if plan.workspace_id else ""
    return f"stack {safe.value(repr(plan.stack))}{env}{workspace}"


def resolved_lines(plan: Plan) -> list[str]:
    """Each reference by name and the id it resolved to: `agent triage-bot → agent_011…`."""
    return [f"{kind} {safe.value(name)} → {safe.value(found)}" for kind, name, found in plan.resolved]


ORDER_SHOWN = 3  # addresses per step of the apply order; the rest are counted
ORDER_TITLE = "Apply order (one step after another; within a step in parallel):"


def order_steps(plan: Plan, show: Callable[[str], str]) -> list[str]:
    """The order apply writes in as numbered steps (each waits for the one before), each address
    through `show`; nothing when only deployments are written (their archives last, as always)."""
    steps = plan.order()
    if len({a.resource for a in plan.writes}) < 2:
        return []
    out = []
    for number, (_phase, addresses) in enumerate(steps, 1):
        more = len(addresses) - ORDER_SHOWN
        out.append(f"{number}. " + ", ".join(show(a) for a in addresses[:ORDER_SHOWN])
                   + (f" and {more} more" if more > 0 else ""))
    return out


HIGHLIGHTS_TITLE = "Review first (model and tool permission changes)"
GUARDS_CHANGED = "This change edits the policy and guards of agentops.yaml"


def render_text(plan: Plan, color: bool = False, verbose: bool = False, now: datetime | None = None) -> str:
    """The plan for a terminal; `now` (from the command, never read here) adds a schedule's next runs."""
    def style(text: str, fg: str | None = None, bold: bool = False) -> str:
        return click.style(text, fg=fg, bold=bold) if color else text

    # With --base-ref, what live already had before this change is labelled as drift.
    drift = style(f"  [drift: live already differs from {plan.base_ref}]", fg="cyan")
    out = [style(f"agentops plan for {where(plan)}", bold=True), ""]
    if plan.guard_changes:
        out.append(style(f"{GUARDS_CHANGED} (enforced only after merge):", fg="yellow", bold=True))
        out.extend([*(style(f"  ! {safe.value(change)}", fg="yellow") for change in plan.guard_changes), ""])
    if plan.highlights:
        out.append(style(f"  {HIGHLIGHTS_TITLE}:", bold=True))
        out.extend([*(style(f"    ! {safe.value(h)}", fg="yellow") for h in plan.highlights), ""])
    if plan.resolved:
        out.extend(["  Names resolved in this workspace:", *(f"    {line}" for line in resolved_lines(plan)), ""])
    steps = order_steps(plan, safe.value)
    if steps:
        out.extend([f"  {ORDER_TITLE}", *(f"    {step}" for step in steps), ""])
    for action in plan.actions:
        if action.kind is ActionKind.NOOP and not verbose:
            continue
        ident = f" [{safe.value(action.id)}]" if action.id else ""
        out.append(
            style(f"  {action.kind.symbol} {action.verb} {safe.value(action.label)}{ident}", fg=action.kind.color, bold=True)
            + f"  ({safe.value(action.reason)})"
            + (drift if action.origin == DRIFT and not action.changes else "")
        )
        detail = create_lines(action, now, verbose) if action.kind is ActionKind.CREATE else []
        for change in action.changes:
            detail.extend(change_lines(change, drift if change.origin == DRIFT else "", lambda s, fg: style(s, fg=fg)))
        out.extend(f"      {line}" for line in detail)
    if not plan.writes:
        out.append(f"  {headline(plan)}")
    if plan.fleet is not None:
        out.extend(["", *text_lines(plan.fleet)])
    if plan.warnings:
        out.append("")
        out.extend(style(f"Warning: {safe.value(w)}", fg="yellow") for w in plan.warnings)
    if plan.blockers:
        out.append("")
        out.append(style("Blocking problems (the plan cannot be applied):", fg="red", bold=True))
        out.extend(style(f"  ✗ {safe.value(b)}", fg="red") for b in plan.blockers)
    if plan.tally()[ActionKind.ARCHIVE]:
        out.extend(["", style(f"This plan {plan.archived()}; {plan.archived_noun} stop for good "
                              "(an archive or a delete cannot be undone).", fg="red", bold=True)])
    out.extend(["", style(plan.summary(), bold=True)])
    return "\n".join(out) + "\n"
