"""Wiring of `agentops status`."""

from __future__ import annotations

from pathlib import Path

import click

from agentops.cli.app import GlobalOptions, global_options, output_options


@click.command("status")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@global_options
@output_options
@click.pass_obj
def status(opts: GlobalOptions, /, path: Path, fmt: str) -> int:
    """Show the stack's deployments: status, schedule, next and last run, drift."""
    from agentops.commands.status import status as run

    return run(path, opts.target, opts.console(), fmt)
