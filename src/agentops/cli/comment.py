"""Wiring of `agentops comment`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from agentops.cli.app import GlobalOptions, global_options, output_options
from agentops.cli.options import base_ref_option, plan_flags, plan_options


@click.command("comment")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--plan", "plan_file", type=click.Path(path_type=Path), help="Post this saved plan instead of planning."
)
@click.option(
    "--stale-because",
    metavar="FILE|-",
    help="Validation failed: mark this stack's comment as not current, quoting the problems in FILE "
    "(- for stdin), instead of planning. No API call.",
)
@click.option("--pr", type=click.IntRange(min=1), help="Pull request number (default: from the Actions event).")
@click.option(
    "--author",
    envvar="AGENTOPS_COMMENT_AUTHOR",
    metavar="LOGIN",
    help="The login the token comments as; only its comment is edited (default: GET /user, "
    "or github-actions[bot] for the Actions token). Needed for a GitHub App token: APP-SLUG[bot].",
)
@base_ref_option
@plan_options
@global_options
@output_options
@click.pass_obj
def comment(
    opts: GlobalOptions,
    /,
    path: Path,
    plan_file: Path | None,
    pr: int | None,
    author: str | None,
    base_ref: str | None,
    stale_because: str | None,
    **flags: Any,
) -> int:
    """Post the plan to a pull request, editing this stack's earlier comment in place."""
    from agentops.commands.comment import comment as run

    return run(
        path, opts.target, opts.console(), plan_flags(flags),
        plan_file=plan_file, pr=pr, author=author, base_ref=base_ref, stale_because=stale_because,
    )
