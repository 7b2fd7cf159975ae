"""Wiring of `agentops run NAME`."""

from __future__ import annotations

from pathlib import Path

import click

from agentops.cli.app import GlobalOptions, global_options, output_options
from agentops.cli.completion import deployment_names


@click.command("run")
@click.argument("name", shell_complete=deployment_names)
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format of the run.")
@global_options
@output_options
@click.pass_obj
def run(opts: GlobalOptions, /, name: str, path: Path, fmt: str) -> int:
    """Run the deployment NAME now; print the run and session ids, or why the run failed."""
    from agentops.commands.run import run as start

    return start(name, path, opts.target, opts.console(), fmt)
