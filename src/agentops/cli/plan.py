"""Wiring of `agentops plan` and `agentops apply` to their command functions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from agentops.cli.app import GlobalOptions, global_options, output_options
from agentops.cli.options import base_ref_option, pacing_options, pacing_rates, plan_flags, plan_options


@click.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
    help="Output format.",
)
@click.option("--out", "-out", type=click.Path(path_type=Path),  # -out: Terraform's spelling
              help="Save the plan for `agentops apply FILE`.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when none.")
@click.option("--health", is_flag=True,
              help="Also show run health: failing and auto-paused deployments with their fix (one more request).")
@click.option("--validate-credentials", is_flag=True,
              help="Probe each OAuth vault credential through the API (mcp_oauth_validate); an invalid one blocks.")
@base_ref_option
@plan_options
@pacing_options
@global_options
@output_options
@click.pass_obj
def plan(
    opts: GlobalOptions,
    /,
    path: Path,
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    base_ref: str | None,
    health: bool,
    validate_credentials: bool,
    **flags: Any,
) -> int:
    """Show what apply would change."""
    from agentops.commands.plan import plan as run

    rates = pacing_rates(flags)
    return run(
        path, opts.target, opts.console(), plan_flags(flags),
        fmt=fmt, out=out, detailed_exitcode=detailed_exitcode, base_ref=base_ref, rates=rates, health=health,
        validate_credentials=validate_credentials,
    )


@click.command()
@click.argument("target", type=click.Path(path_type=Path), default=".")
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--parallelism", type=click.IntRange(1, 64), default=4, show_default=True,
    help="How many deployments are written at once.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Output format of the results.",
)
@click.option("--destroy", is_flag=True,
              help="Archive everything this stack owns, as `agentops destroy` does; a saved destroy plan needs it.")
@plan_options
@pacing_options
@global_options
@output_options
@click.pass_obj
def apply(opts: GlobalOptions, /, target: Path, auto_approve: bool, parallelism: int, fmt: str, destroy: bool,
          **flags: Any) -> int:
    """Make the workspace match the manifests (or apply a saved plan FILE)."""
    from agentops.commands.apply import apply as run

    rates = pacing_rates(flags)
    return run(
        target, opts.target, opts.console(), replace(plan_flags(flags, unattended=auto_approve), destroy=destroy),
        auto_approve=auto_approve, parallelism=parallelism, fmt=fmt, rates=rates,
    )
