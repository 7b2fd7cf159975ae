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
@click.option("--wait", is_flag=True,
              help="Follow the run until it has a session or an error; exit 0 on success, 1 on failure.")
@click.option("--timeout", type=click.FloatRange(min=0), default=600.0, show_default=True,
              help="With --wait, give up waiting after this many seconds (the run goes on).")
@global_options
@output_options
@click.pass_obj
def run(opts: GlobalOptions, /, name: str, path: Path, fmt: str, wait: bool, timeout: float) -> int:
    """Run the deployment NAME now; print the run and session ids, or why the run failed."""
    from agentops.commands.run import run as start

    return start(name, path, opts.target, opts.console(), fmt, wait=wait, timeout=timeout)
