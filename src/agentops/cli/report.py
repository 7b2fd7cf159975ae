"""Wiring of `agentops report`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from agentops.cli.app import GlobalOptions, global_options, output_options
from agentops.cli.options import plan_flags, plan_options


@click.command("report")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--author",
    envvar="AGENTOPS_COMMENT_AUTHOR",
    metavar="LOGIN",
    help="The login the token writes as; only its issue is edited (default: GET /user, "
    "or github-actions[bot] for the Actions token). Needed for a GitHub App token: APP-SLUG[bot].",
)
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 while there is drift or a failing or auto-paused deployment, 0 when all is clean.")
@plan_options
@global_options
@output_options
@click.pass_obj
def report(opts: GlobalOptions, /, path: Path, author: str | None, detailed_exitcode: bool, **flags: Any) -> int:
    """Open, update or close this stack's GitHub issue about drift and run health."""
    from agentops.commands.report import report as run

    return run(path, opts.target, opts.console(), plan_flags(flags), author=author,
               detailed_exitcode=detailed_exitcode)
