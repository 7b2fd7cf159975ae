"""`agentops apply`: make the workspace match the manifests, or apply a saved plan file as reviewed."""

from __future__ import annotations

import sys
from pathlib import Path

from agentops.adapters.pacing import AS_CONFIGURED, Rates
from agentops.engine.plan import ActionKind, Flags, Plan
from agentops.plumbing.failure import OK, Failure
from agentops.plumbing.target import Target
from agentops.views.output import view
from agentops.views.terminal import Console


def apply(
    path: Path,
    target: Target,
    console: Console,
    flags: Flags,
    *,
    auto_approve: bool = False,
    parallelism: int = 4,
    fmt: str = "text",
    rates: Rates = AS_CONFIGURED,
) -> int:
    # Any regular file is a saved plan, whatever its name; a folder is a project.
    if path.exists() and not path.is_dir():
        return _apply_saved(path, target, console, flags, auto_approve, parallelism, fmt, rates)
    from agentops.plumbing import execute, reconcile
    from agentops.plumbing.workspace import project_against_workspace

    shown = view(fmt)
    with project_against_workspace(path, target, console, view=shown, rates=rates) as workspace:
        project, api, console = workspace.project, workspace.api, workspace.console
        result = reconcile.plan_and_live(project, api, flags, live=workspace.live).plan
        reconcile.show_plan(result, shown, console, applying=True)
        if result.errored:
            raise Failure("the plan has blocking problems; nothing was applied")
        if not result.has_changes:
            return OK
        confirm(result, auto_approve, console)
        return execute.execute(result, api, parallelism, console, shown, project.root)


def _apply_saved(
    path: Path, target: Target, console: Console, flags: Flags, auto_approve: bool, parallelism: int, fmt: str,
    rates: Rates,
) -> int:
    """A saved plan is a claim: plan again from this checkout and the live workspace, with the flags
    the plan records, and write only if the fresh plan claims exactly what the saved one does."""
    from agentops.engine.planfile import differences
    from agentops.manifest.loader import find_root
    from agentops.plumbing import execute, reconcile
    from agentops.plumbing.workspace import project_against_workspace, workspace_of

    saved = reconcile.read_saved(path)
    if flags.destroy and not saved.flags.destroy:  # asked to tear down, given a plan that does something else
        raise Failure(f"--destroy: {path} is not a destroy plan (make one with `agentops destroy --out`); "
                      "nothing was applied")
    beyond = saved.flags.granted_beyond(flags)
    if beyond:
        raise Failure(f"the saved plan {path} was made with {' '.join(beyond)}; a saved plan grants nothing by "
                      "itself, so give apply the same flags; nothing was applied")
    # Never the folder beside the plan file: whoever wrote the file could have put an agentops.yaml there.
    root = find_root(Path.cwd())
    if root is None:
        raise Failure(f"applying {path} plans again from the project in the current directory, and there is no "
                      "agentops.yaml here or above; run it from the checkout the plan was made from; "
                      "nothing was applied")
    shown = view(fmt)
    with project_against_workspace(root, target, console, view=shown, rates=rates) as workspace:
        project, api, console = workspace.project, workspace.api, workspace.console
        reconcile.check_saved(saved, project.config.stack, workspace_of(project.config, target, project.env),
                              project.env)
        planned = reconcile.plan_and_live(project, api, saved.flags, live=workspace.live)
        # Now the workspace the credential resolves to is known: the plan's must be it.
        reconcile.check_saved(saved, project.config.stack, planned.plan.workspace_id, project.env)
        reconcile.verify_live(saved, [*planned.objects, *planned.live], path)
        moved = differences(saved, planned.plan)
        if moved:
            raise Failure(f"the saved plan {path} is not what this checkout and the workspace plan now; run "
                          "`agentops plan` again; nothing was applied", tuple(moved))
        fresh = planned.plan
        reconcile.show_plan(fresh, shown, console, applying=True)
        if not fresh.has_changes:
            return OK
        confirm(fresh, auto_approve, console)
        return execute.execute(fresh, api, parallelism, console, shown, project.root)


def confirm(plan: Plan, auto_approve: bool, console: Console) -> None:
    """Ask on a terminal; archives are permanent, so they take their count (or `yes`), not `y`; a
    destroy takes its count only (Terraform's `yes`, but one that says the reader saw how many)."""
    if auto_approve:
        return
    verb = "destroy" if plan.flags.destroy else "apply"
    if not sys.stdin.isatty():
        raise Failure(f"refusing to {verb} without --auto-approve: there is no terminal to ask for confirmation")
    archives = plan.tally()[ActionKind.ARCHIVE]
    if archives:
        accepted = (str(archives),) if plan.flags.destroy else (str(archives), "yes")
        typed = f"Type {archives} to destroy" if plan.flags.destroy else f"Type {archives} (or yes) to apply"
        deletes = any(a.verb == "delete" for a in plan.writes)
        answer = console.ask(
            f"This plan {plan.archived()}. Archiving is permanent: an archived object (a deployment, "
            f"agent or environment) cannot be restored, and an archived deployment never runs again. "
            + ("Deleting is too: a deleted skill loses every version. " if deletes else "") + typed
        )
        if answer.strip().lower() not in accepted:
            raise Failure(f"{verb} cancelled; nothing was changed")
    elif not console.ask_yes_no("Apply these changes?"):
        raise Failure("apply cancelled; nothing was changed")
