"""`agentops apply`: make the workspace match the manifests, or apply a saved plan file as reviewed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from agentops.adapters.pacing import AS_CONFIGURED, Rates
from agentops.engine.plan import ActionKind, Plan
from agentops.plumbing.failure import OK, Failure
from agentops.plumbing.flags import PlanFlags
from agentops.plumbing.target import Target
from agentops.views.output import view
from agentops.views.terminal import Console


def apply(
    path: Path,
    target: Target,
    console: Console,
    flags: PlanFlags,
    *,
    auto_approve: bool = False,
    parallelism: int = 4,
    fmt: str = "text",
    rates: Rates = AS_CONFIGURED,
) -> int:
    # Any regular file is a saved plan, whatever its name; a folder is a project.
    if path.exists() and not path.is_dir():
        return _apply_saved(path, target, console, auto_approve, parallelism, fmt, rates)
    from agentops.plumbing import execute, reconcile
    from agentops.plumbing.workspace import project_against_workspace

    shown = view(fmt)
    with project_against_workspace(path, target, console, view=shown, rates=rates) as workspace:
        project, api, console = workspace.project, workspace.api, workspace.console
        result = reconcile.plan_and_live(project, api, flags.options(project), live=workspace.live).plan
        reconcile.show_plan(result, shown, console, applying=True)
        if result.errored:
            raise Failure("the plan has blocking problems; nothing was applied")
        if not result.has_changes:
            return OK
        confirm(result, auto_approve, console)
        return execute.execute(result, api, parallelism, console, shown)


def _apply_saved(
    path: Path, target: Target, console: Console, auto_approve: bool, parallelism: int, fmt: str, rates: Rates
) -> int:
    """Apply a plan file as it was reviewed, after checking where it is for and that nothing moved."""
    from agentops.engine.secrets import Redactor
    from agentops.manifest.config import load_config
    from agentops.manifest.loader import choose_environment, find_root
    from agentops.plumbing import execute, reconcile
    from agentops.plumbing.workspace import connected, workspace_of

    saved = reconcile.read_saved(path)
    root = find_root(path.resolve().parent) or find_root(Path.cwd()) or Path.cwd()
    loaded = load_config(root, target.stack) if (root / "agentops.yaml").is_file() else None
    config = loaded.config if loaded is not None else None
    if loaded is not None and (chosen := choose_environment(loaded, target.env)):
        raise Failure("cannot tell which environment the saved plan is applied to; nothing was applied",
                      tuple(str(problem) for problem in chosen))
    stack = target.stack or (config.stack if config is not None and config.stack else None)
    workspace = workspace_of(config, target, target.env)
    reconcile.check_saved(saved, stack, workspace, target.env)
    console = console.redacting(Redactor.for_bodies((a.body or a.patch for a in saved.actions), os.environ))
    shown = view(fmt)
    with connected(root, config, target, console.redact, saved.env, rates) as api:
        reconcile.verify_names(saved, api, path)
        reconcile.verify_live(saved, api.list_deployments(), path)
        reconcile.show_plan(saved, shown, console, applying=True)
        if not saved.has_changes:
            return OK
        confirm(saved, auto_approve, console)
        return execute.execute(saved, api, parallelism, console, shown)


def confirm(plan: Plan, auto_approve: bool, console: Console) -> None:
    """Ask on a terminal; archives are permanent, so they take their count (or `yes`), not `y`."""
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise Failure("refusing to apply without --auto-approve: there is no terminal to ask for confirmation")
    archives = plan.tally()[ActionKind.ARCHIVE]
    if archives:
        answer = console.ask(
            f"This plan archives {archives} deployment(s). Archiving is permanent: an archived deployment "
            f"never runs again and cannot be restored. Type {archives} (or yes) to apply"
        )
        if answer.strip().lower() not in (str(archives), "yes"):
            raise Failure("apply cancelled; nothing was changed")
    elif not console.ask_yes_no("Apply these changes?"):
        raise Failure("apply cancelled; nothing was changed")

