"""`agentops apply`: make the workspace match the manifests, or apply a saved plan file as reviewed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from agentops.adapters.pacing import AS_CONFIGURED, Rates
from agentops.commands.failure import OK, Failure
from agentops.commands.target import Target
from agentops.engine.plan import ActionKind, Flags, Plan
from agentops.manifest.loader import start_load
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
    pending = start_load(path, target.stack, env=target.env)
    from agentops.commands import execute, machine, reconcile, session  # the SDK import overlaps the load
    from agentops.engine.secrets import Redactor

    with session.listing_ahead(pending, target, rates) as ahead:
        project = machine.checked(pending(), fmt, console)
        console.redact = Redactor.for_manifests(project.manifests, os.environ)
        with session.project_session(project, target, console.redact, pacer=ahead.pacer) as api:
            result = reconcile.plan_and_live(project, api, flags, live=ahead.live)[0]
            reconcile.show_plan(result, fmt, console, echo=fmt == "text")
            if result.errored:
                raise Failure("the plan has blocking problems; nothing was applied")
            if not result.has_changes:
                return OK
            confirm(result, auto_approve, console)
            return execute.execute(result, api, parallelism, console, fmt)


def _apply_saved(
    path: Path, target: Target, console: Console, flags: Flags, auto_approve: bool, parallelism: int, fmt: str,
    rates: Rates,
) -> int:
    """A saved plan is a claim: plan again from this checkout and the live workspace, with the flags
    the plan records, and write only if the fresh plan claims exactly what the saved one does."""
    from agentops.commands import execute, machine, reconcile, session
    from agentops.engine.planfile import differences
    from agentops.engine.secrets import Redactor
    from agentops.manifest.loader import find_root

    saved = reconcile.read_saved(path)
    beyond = saved.flags.granted_beyond(flags)
    if beyond:
        raise Failure(f"the saved plan {path} was made with {' '.join(beyond)}; a saved plan grants nothing by "
                      "itself, so give apply the same flag(s); nothing was applied")
    # Never the folder beside the plan file: whoever wrote the file could have put an agentops.yaml there.
    root = find_root(Path.cwd())
    if root is None:
        raise Failure(f"applying {path} plans again from the project in the current directory, and there is no "
                      "agentops.yaml here or above; run it from the checkout the plan was made from; "
                      "nothing was applied")
    project = machine.checked(start_load(root, target.stack, env=target.env)(), fmt, console)
    reconcile.check_saved(saved, project.config.stack, reconcile.workspace_of(project.config, target, project.env),
                          project.env)
    console.redact = Redactor.for_manifests(project.manifests, os.environ)
    with session.project_session(project, target, console.redact, rates) as api:
        fresh, live = reconcile.plan_and_live(project, api, saved.flags)
        # Now the workspace the credential resolves to is known: the plan's must be it.
        reconcile.check_saved(saved, project.config.stack, fresh.workspace_id, project.env)
        reconcile.verify_live(saved, live, path)
        moved = differences(saved, fresh)
        if moved:
            raise Failure(f"the saved plan {path} is not what this checkout and the workspace plan now; run "
                          "`agentops plan` again; nothing was applied", tuple(moved))
        reconcile.show_plan(fresh, fmt, console, echo=fmt == "text")
        if not fresh.has_changes:
            return OK
        confirm(fresh, auto_approve, console)
        return execute.execute(fresh, api, parallelism, console, fmt)


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

