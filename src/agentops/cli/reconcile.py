"""`agentops plan` and `agentops apply`: the reconcile loop at the command line.

Each command starts loading the manifests (in worker processes for large repositories)
before it imports the SDK-backed session code, so the two overlap.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from agentops.cli.app import GlobalOptions, global_options
from agentops.cli.common import (
    Failure,
    base_ref_option,
    checked,
    confirm,
    load_saved,
    plan_options,
    plan_options_from,
)
from agentops.manifest.loader import start_load
from agentops.render.json import render_json


@click.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Save the plan (JSON) for `agentops apply FILE`."
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when none.")
@base_ref_option
@plan_options
@global_options
@click.pass_obj
def plan(
    opts: GlobalOptions,
    /,
    path: Path,
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    base_ref: str | None,
    **flags: Any,
) -> None:
    """Show what apply would change."""
    pending = start_load(path, opts.stack)
    from agentops.cli import session  # the SDK import overlaps the load
    from agentops.redact import Redactor, secret_values

    project = checked(pending())
    redact = Redactor(tuple(secret_values(project, os.environ)))
    with session.project_session(project, opts, redact) as api:
        result = session.plan_against(project, api, plan_options_from(project, **flags), base_ref)
    session.show(result, fmt, redact)
    if out is not None:
        out.write_text(redact(render_json(result)))
        click.echo(f"Saved the plan to {out}; apply it with: agentops apply {out}", err=True)
    if result.errored:
        sys.exit(1)
    if detailed_exitcode and result.has_changes:
        sys.exit(2)


@click.command()
@click.argument("target", type=click.Path(path_type=Path), default=".")
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--parallelism", type=click.IntRange(1, 64), default=4, show_default=True)
@plan_options
@global_options
@click.pass_obj
def apply(opts: GlobalOptions, /, target: Path, auto_approve: bool, parallelism: int, **flags: Any) -> None:
    """Make the workspace match the manifests (or apply a saved plan FILE)."""
    saved = load_saved(target)
    pending = None if saved is not None else start_load(target, opts.stack)
    from agentops.cli import session  # the SDK import overlaps the load
    from agentops.pipeline import make_plan
    from agentops.redact import Redactor, secret_values

    if pending is None:
        assert saved is not None
        session.apply_saved(saved, target, opts, auto_approve, parallelism)
        return
    project = checked(pending())
    redact = Redactor(tuple(secret_values(project, os.environ)))
    with session.project_session(project, opts, redact) as api:
        result = make_plan(project, api, plan_options_from(project, **flags))
        session.show(result, "text", redact)
        if result.errored:
            raise Failure("the plan has blocking problems; nothing was applied")
        if not result.has_changes:
            return
        confirm(auto_approve)
        session.execute(result, api, parallelism, redact)
