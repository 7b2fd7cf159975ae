"""`agentops destroy`: archive everything the stack owns in the chosen environment, as a plan like any other."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from agentops.adapters.pacing import AS_CONFIGURED, Rates
from agentops.engine.plan import Flags
from agentops.plumbing.failure import ERROR, OK, Failure
from agentops.plumbing.target import Target
from agentops.views.terminal import Console


def destroy(
    path: Path,
    target: Target,
    console: Console,
    flags: Flags,
    *,
    auto_approve: bool = False,
    parallelism: int = 4,
    fmt: str = "text",
    out: Path | None = None,
    rates: Rates = AS_CONFIGURED,
) -> int:
    """Plan the archive of every object of the stack (reverse write order, prevent_archive kept); with
    `out`, save that plan for `apply --destroy FILE` and write nothing; else confirm by its count and apply."""
    from agentops.commands.apply import confirm
    from agentops.commands.plan import save
    from agentops.plumbing import execute, reconcile
    from agentops.plumbing.workspace import project_against_workspace
    from agentops.views.output import view

    shown = view(fmt)
    with project_against_workspace(path, target, console, view=shown, rates=rates) as workspace:
        project, api, console = workspace.project, workspace.api, workspace.console
        result = reconcile.plan_and_live(project, api, replace(flags, destroy=True), live=workspace.live).plan
        if out is not None:
            reconcile.show_plan(result, shown, console)
            save(result, out, target, console)
            return ERROR if result.errored else OK
        reconcile.show_plan(result, shown, console, applying=True)
        if result.errored:
            raise Failure("the destroy plan has blocking problems; nothing was archived or deleted")
        if result.has_changes:
            confirm(result, auto_approve, console)
        else:  # the results still follow: `--format json` prints its (empty) document
            where = f" in environment {result.env!r}" if result.env else ""
            console.info(f"Nothing to destroy: stack {result.stack!r} owns no live object{where} that may be archived or deleted.")
        return execute.execute(result, api, parallelism, console, shown)
