"""The plan (and apply results) as GitHub-flavoured Markdown that always fits in one comment.

Everything that comes from a manifest or the API is escaped: outside code it becomes HTML
entities, inside code it sits in a fence longer than any backtick run it contains. When the
full plan is too long, per-field diffs go first, then per-deployment blocks collapse into a
list of names, then names are cut; the summary, blocking problems and errors always stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from agentops.engine.diff import Change
from agentops.engine.drift import DRIFT
from agentops.engine.plan import SUMMARY_KINDS, Action, ActionKind, Plan
from agentops.model.words import plural
from agentops.views import safe
from agentops.views.created import create_lines
from agentops.views.fleet import markdown_lines
from agentops.views.json import Outcome
from agentops.views.text import (
    GUARDS_CHANGED,
    HIGHLIGHTS_TITLE,
    ORDER_TITLE,
    headline,
    order_steps,
    text_diff,
    value_text,
)

COMMENT_LIMIT = 65_536  # GitHub's limit on an issue comment body
SUMMARY_LIMIT = 1_048_576  # GitHub's limit on one step's job summary

# Characters that could start markup, close an HTML tag or mention someone; numeric entities
# render as the character itself and are never markup.
_ENTITIES = {ord(c): f"&#{ord(c)};" for c in "&<>\"'\\`*_[]|~#@!"}
_BACKTICKS = re.compile(r"`+")

# One diff's share of a comment: a huge prompt's diff is cut (its fence kept whole) rather than
# pushing every other diff out of the comment.
DIFF_LINES = 200
DIFF_CHARS = 12_000
HIGHLIGHTS_SHOWN = 30  # the rest are counted: a plan that changes every agent's model says so in one line

# How much of the plan is shown, from everything to names only.
FULL, NO_DIFFS, NAMES = 0, 1, 2


def escape(text: str) -> str:
    """Text from a manifest or the API, safe anywhere outside code (newlines become spaces)."""
    return safe.value(" ".join(str(text).splitlines())).translate(_ENTITIES)


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def code_span(text: str) -> str:
    """Inline code that no backtick inside `text` can close (and no control character can escape)."""
    text = safe.value(text)
    ticks = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fenced(lines: Sequence[str], info: str = "") -> list[str]:
    """A fenced code block that no line inside can close (the fence is longer than any run)."""
    lines = [safe.printable(line) for line in lines]
    body = "\n".join(lines)
    fence = "`" * max(3, _longest_backtick_run(body) + 1)
    return [f"{fence}{info}", *lines, fence]


def _escaped(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._/-]", lambda m: f"%{ord(m.group()):02X}", text)


def marker(stack: str, env: str | None = None, kind: str = "stack") -> str:
    """The hidden line that finds this stack's (and environment's) comment, or with kind "report"
    its issue, again: one per pair."""
    pair = f"{_escaped(stack)} env={_escaped(env)}" if env else _escaped(stack)
    return f"<!-- agentops:{kind}={pair} -->"


def _clipped(lines: Sequence[str], most_lines: int = DIFF_LINES, most_chars: int = DIFF_CHARS) -> tuple[list[str], int]:
    """The first whole lines of a diff within both bounds (a first line longer than all of them cut
    short with "…"), and how many lines were left out."""
    kept: list[str] = []
    room = most_chars
    for line in lines[:most_lines]:
        if len(line) > room:
            if not kept:
                kept.append(line[:room] + "…")
            break
        kept.append(line)
        room -= len(line) + 1
    return kept, len(lines) - len(kept)


def _change_lines(change: Change) -> list[str]:
    diff = text_diff(change)
    if diff is None:
        before, after = value_text(change.before, change.path), value_text(change.after, change.path)
        return [f"- {code_span(change.shown)}: {code_span(before)} → {code_span(after)}"]
    shown, cut = _clipped(diff)
    note = ["", f"*The diff is cut here: {plural(cut, 'more line')} in the full plan.*"] if cut else []
    return ["", f"{code_span(change.shown)}:", "", *fenced(shown, "diff"), *note]


def _group(actions: Iterable[Action]) -> list[list[Action]]:
    """One group per deployment: a create and its pause, or an update and its unpause, belong together."""
    groups: dict[tuple[str, str, str], list[Action]] = {}
    for action in actions:
        groups.setdefault((action.resource, action.name, action.id or ""), []).append(action)
    return list(groups.values())


def _block(actions: list[Action], diffs: bool, now: datetime | None) -> list[str]:
    first = actions[0]
    symbol = first.kind.symbol
    kinds = ", ".join(a.verb for a in actions)
    ident = f" · {escape(first.id)}" if first.id else ""
    out = [
        f"<details><summary><code>{escape(symbol)}</code> <b>{escape(first.label)}</b> · {kinds}{ident}</summary>",
        "",
    ]
    out.extend(f"- **{a.verb}**: {escape(a.reason)}" for a in actions)
    if diffs:
        for action in actions:
            if action.kind is ActionKind.CREATE:
                out.extend(["", *fenced(create_lines(action, now), "yaml")])
            for change in action.changes:
                out.extend(_change_lines(change))
    out.extend(["", "</details>", ""])
    return out


class _Budget:
    """How many names may still be shown, and how many were left out so far."""

    def __init__(self, names: int) -> None:
        self.left = names
        self.cut = 0


def _name_count(actions: Sequence[Action]) -> int:
    return len({(a.label, a.kind) for a in actions})


def _names(actions: Sequence[Action], budget: _Budget) -> list[str]:
    """Per action kind, the names on one line, as many as `budget` allows."""
    out = []
    for kind in (*SUMMARY_KINDS, ActionKind.ADOPT):
        names = sorted({a.label for a in actions if a.kind is kind})
        if not names:
            continue
        shown = names[: budget.left]
        budget.left -= len(shown)
        budget.cut += len(names) - len(shown)
        more = f" … and {len(names) - len(shown)} more" if len(shown) < len(names) else ""
        listed = ", ".join(escape(name) for name in shown)
        out.append(f"- **{kind}** ({len(names)}): {listed}{more}")
    return out


def _sections(plan: Plan) -> list[tuple[str, list[Action]]]:
    """The writes, split into "from this change" and "drift" when the plan was labelled."""
    if plan.base_ref is None:
        return [("Changes", plan.writes)]
    ours: list[Action] = []
    drifted: list[Action] = []
    for action in plan.writes:
        if not action.changes:
            (drifted if action.origin == DRIFT else ours).append(action)
            continue
        mine = tuple(c for c in action.changes if c.origin != DRIFT)
        theirs = tuple(c for c in action.changes if c.origin == DRIFT)
        if mine:
            ours.append(replace(action, changes=mine))
        if theirs:
            drifted.append(replace(action, changes=theirs))
    return [
        ("From this change", ours),
        (f"Drift: live already differs from {escape(plan.base_ref)}", drifted),
    ]


def _alert(kind: str, lines: Sequence[str]) -> list[str]:
    return ["", f"> [!{kind}]", *(f"> {line}" for line in lines)]


def _problems(plan: Plan, keep: int) -> list[str]:
    if not plan.blockers:
        return []
    shown = [f"- {escape(str(b))}" for b in plan.blockers[:keep]]
    if keep < len(plan.blockers):
        shown.append(f"- … and {len(plan.blockers) - keep} more (see the full plan)")
    return _alert("CAUTION", ["**Blocking problems: this plan cannot be applied.**", *shown])


def _highlights(plan: Plan) -> list[str]:
    found = plan.highlights
    if not found:
        return []
    more = len(found) - HIGHLIGHTS_SHOWN
    lines = [f"- {escape(h.label)}: {escape(h.what)} {code_span(h.shown[0])} → {code_span(h.shown[1])}"
             + (" **(loosened)**" if h.loosened else "") for h in found[:HIGHLIGHTS_SHOWN]]
    return _alert("IMPORTANT", [f"**{HIGHLIGHTS_TITLE}:**", *lines,
                                *([f"- … and {more} more (see the per-agent changes)"] if more > 0 else [])])


def _where(full_plan_url: str | None) -> str:
    return f"[the workflow run]({full_plan_url})" if full_plan_url else "the output of `agentops plan`"


def _notice(level: int, names_cut: int, limit: int, full_plan_url: str | None) -> list[str]:
    if level == FULL:
        return []
    cut = ["the per-field diffs were left out"]
    if level >= NAMES:
        cut.append("each deployment is listed by name only")
    if names_cut:
        cut.append(f"{plural(names_cut, 'name')} left out")
    return _alert(
        "NOTE",
        [
            f"This plan is too long for one comment ({limit:,} characters): {'; '.join(cut)}. "
            f"The full plan is in {_where(full_plan_url)}."
        ],
    )


def _env(plan: Plan) -> str:
    """The environment and the workspace the plan ran against, when they are known."""
    env = f" · environment {code_span(plan.env)}" if plan.env else ""
    return env + (f" · workspace {code_span(plan.workspace_id)}" if plan.workspace_id else "")


def _plan_markdown(
    plan: Plan,
    level: int,
    keep_names: int,
    keep_problems: int,
    limit: int,
    full_plan_url: str | None,
    now: datetime | None,
) -> str:
    out = [
        marker(plan.stack, plan.env),
        f"### agentops plan · stack {code_span(plan.stack)}{_env(plan)}",
        "",
        f"**{plan.summary()}**",
    ]
    if plan.guard_changes:
        out.extend(_alert("IMPORTANT", [f"**{GUARDS_CHANGED}**; the base branch's stay in force until it is merged:",
                                         *(f"- {escape(change)}" for change in plan.guard_changes)]))
    out.extend(_highlights(plan))
    if plan.resolved:
        out.extend(["", "Names resolved: " + ", ".join(
            f"{kind} {code_span(name)} → {code_span(found)}" for kind, name, found in plan.resolved)])
    if any(a.kind is ActionKind.ARCHIVE for a in plan.writes):
        out.extend(_alert("WARNING", [f"This plan **{plan.archived()}**; {plan.archived_noun} stop for good."]))
    steps = order_steps(plan, code_span)
    if steps:
        out.extend(["", ORDER_TITLE, "", *steps])
    out.extend(_problems(plan, keep_problems))
    budget = _Budget(keep_names)
    for title, actions in _sections(plan):
        if plan.base_ref is None and not actions:
            continue
        out.extend(["", f"#### {title}", ""])
        if not actions:
            out.append("Nothing.")
        elif level >= NAMES:
            out.extend(_names(actions, budget))
        else:
            for group in _group(actions):
                out.extend(_block(group, diffs=level == FULL, now=now))
    if not plan.writes:
        out.extend(["", headline(plan)])
    if plan.fleet is not None:
        # Its details go with the per-deployment blocks; its summary lines always stay.
        out.extend(markdown_lines(plan.fleet, level < NAMES, escape, fenced))
    if plan.warnings:
        out.extend(["", "**Warnings**", ""])
        out.extend(f"- {escape(w)}" for w in plan.warnings)
    out.extend(_notice(level, budget.cut, limit, full_plan_url))
    return "\n".join(out) + "\n"


def _fit(render: Callable[[int], str], most: int, limit: int) -> str | None:
    """render(k) for the largest k in 0..most that stays under `limit`; None if even k=0 does not."""
    low, high = 0, most
    if len(render(low)) >= limit:
        return None
    while low < high:
        middle = (low + high + 1) // 2
        if len(render(middle)) < limit:
            low = middle
        else:
            high = middle - 1
    return render(low)


def render_markdown(
    plan: Plan, limit: int = COMMENT_LIMIT, full_plan_url: str | None = None, now: datetime | None = None
) -> str:
    """The plan as Markdown shorter than `limit` characters, cut as little as needed; `now` adds next runs."""
    names = sum(_name_count(actions) for _, actions in _sections(plan))
    problems = len(plan.blockers)
    for level in (FULL, NO_DIFFS):
        text = _plan_markdown(plan, level, names, problems, limit, full_plan_url, now)
        if len(text) < limit:
            return text
    fitted = _fit(lambda k: _plan_markdown(plan, NAMES, k, problems, limit, full_plan_url, now), names, limit)
    if fitted is None:  # the blocking problems alone are too long: the last resort is to cut them
        fitted = _fit(lambda k: _plan_markdown(plan, NAMES, 0, k, limit, full_plan_url, now), problems, limit)
    return fitted or marker(plan.stack, plan.env) + f"\n**{plan.summary()}**\n"


def _apply_markdown(plan: Plan, outcomes: Sequence[Outcome], keep_names: int) -> str:
    failed = [o for o in outcomes if not o.ok]
    # Counted as the summary and the text view count: one per object, not one per write.
    ok_count, failed_count = plan.settled((o.action, o.ok) for o in outcomes)
    out = [
        f"### agentops apply · stack {code_span(plan.stack)}{_env(plan)}",
        "",
        f"**Apply complete: {ok_count} succeeded, {failed_count} failed.**",
        "",
        plan.summary(),
    ]
    if failed:
        lines = [f"- **{o.action.verb}** {escape(o.action.name)}: {escape(o.message)}" for o in failed]
        out.extend(_alert("CAUTION", ["**Failed** (run `agentops apply` again to finish):", *lines]))
    succeeded = [o.action for o in outcomes if o.ok]
    if succeeded:
        out.extend(["", "#### Succeeded", "", *_names(succeeded, _Budget(keep_names))])
    return "\n".join(out) + "\n"


def render_apply_markdown(plan: Plan, outcomes: Sequence[Outcome], limit: int = SUMMARY_LIMIT) -> str:
    """What apply did, failures first and always whole; names of successes cut to fit."""
    most = _name_count([o.action for o in outcomes if o.ok])
    fitted = _fit(lambda k: _apply_markdown(plan, outcomes, k), most, limit)
    return fitted if fitted is not None else _apply_markdown(plan, outcomes, 0)
