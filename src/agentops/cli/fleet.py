"""Wiring of `agentops fleet`."""

from __future__ import annotations

from pathlib import Path

import click

from agentops.cli.app import GlobalOptions, global_options, output_options


@click.command("fleet")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--days", type=click.IntRange(1, 31), default=7, show_default=True,
              help="How many days ahead runs and the busiest minutes are counted.")
@global_options
@output_options
@click.pass_obj
def fleet(opts: GlobalOptions, /, path: Path, fmt: str, days: int) -> int:
    """Show schedule load, DST effects and worst-case spend, before -> after a plan; never writes."""
    from agentops.commands.fleet import fleet as run

    return run(path, opts.target, opts.console(), fmt=fmt, days=days)
