"""`agentops plan`: show what apply would change, in the format chosen once."""

from __future__ import annotations

import os
from pathlib import Path

from agentops.adapters.pacing import AS_CONFIGURED, Rates
from agentops.engine.plan import Flags, Plan
from agentops.files import write_atomic
from agentops.plumbing.failure import CHANGES, ERROR, OK, Failure
from agentops.plumbing.target import Target
from agentops.views.terminal import Console


def plan(
    path: Path,
    target: Target,
    console: Console,
    flags: Flags,
    *,
    fmt: str = "text",
    out: Path | None = None,
    detailed_exitcode: bool = False,
    base_ref: str | None = None,
    rates: Rates = AS_CONFIGURED,
    health: bool = False,
    validate_credentials: bool = False,
) -> int:
    from agentops.adapters.github import run_url
    from agentops.plumbing import reconcile
    from agentops.plumbing.workspace import project_against_workspace
    from agentops.views.output import view

    guards = reconcile.base_config(path, base_ref, target.stack) if base_ref is not None else None
    shown = view(fmt, run_url(os.environ))
    with project_against_workspace(path, target, console, view=shown, rates=rates, guards=guards) as workspace:
        project, api, console = workspace.project, workspace.api, workspace.console
        planned = reconcile.plan_and_live(project, api, flags, base_ref=base_ref, live=workspace.live)
        runs = None
        if health:  # a runs listing: off by default, so a plan stays at its request floor
            from agentops.plumbing.health import read_health

            runs = read_health(project, api, planned.live, planned.desired)
        result = planned.plan
        if validate_credentials:
            from agentops.plumbing.credentials import validated

            result = validated(result, project, api)
    reconcile.show_plan(result, shown, console, health=runs)
    if out is not None:
        save(result, out, target, console)
    if result.errored:
        return ERROR
    if detailed_exitcode and result.has_changes:
        return CHANGES
    return OK


def save(result: Plan, out: Path, target: Target, console: Console) -> None:
    """Write `result` for `apply FILE` (`--out`), and say how to apply it: with --destroy for a destroy
    plan, since a saved plan grants nothing by itself."""
    from agentops.views.json import render_saved

    try:
        write_atomic(out, console.redact(render_saved(result)))
    except OSError as exc:
        raise Failure(f"--out {out}: cannot save the plan: {exc.strerror or exc}") from None
    verb = "apply --destroy" if result.flags.destroy else "apply"
    hint = " ".join(part for part in ("agentops", target.flags(), verb, str(out)) if part)
    console.info(f"Saved the plan to {out}; apply it with: {hint}")
