"""Wiring of `agentops destroy` to its command function."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from agentops.cli.app import GlobalOptions, global_options, output_options
from agentops.cli.completion import deployment_names
from agentops.cli.options import pacing_options, pacing_rates
from agentops.engine.plan import Flags


@click.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--auto-approve", is_flag=True, help="Do not ask for the count of objects to archive.")
@click.option("--out", "-out", type=click.Path(path_type=Path),
              help="Save the destroy plan for `agentops apply --destroy FILE` instead of applying it.")
@click.option("--target", "targets", multiple=True, metavar="NAME", shell_complete=deployment_names,
              help="Archive only the objects of the stack with these names (repeatable).")
@click.option("--max-archive", type=click.IntRange(min=0),
              help="Refuse to archive more than N objects (default: max_archive in agentops.yaml).")
@click.option("--parallelism", type=click.IntRange(1, 64), default=4, show_default=True,
              help="How many objects are archived at once.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format: the results (with --out, the plan).")
@pacing_options
@global_options
@output_options
@click.pass_obj
def destroy(opts: GlobalOptions, /, path: Path, auto_approve: bool, out: Path | None, targets: tuple[str, ...],
            max_archive: int | None, parallelism: int, fmt: str, **flags: Any) -> int:
    """Archive everything this stack owns in the environment (prevent_archive kept)."""
    from agentops.commands.destroy import destroy as run

    rates = pacing_rates(flags)
    return run(path, opts.target, opts.console(),
               Flags(targets=targets, max_archive=max_archive, destroy=True, unattended=auto_approve),
               auto_approve=auto_approve, parallelism=parallelism, fmt=fmt, out=out, rates=rates)
