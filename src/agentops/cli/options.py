"""Click options shared by the commands that plan (plan, apply, comment)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import click

from agentops.adapters.pacing import Rates
from agentops.cli.completion import deployment_names
from agentops.engine.plan import Flags
from agentops.manifest.config_schema import MAX_PER_MINUTE

F = TypeVar("F", bound=Callable[..., Any])


def plan_options(func: F) -> F:
    for option in reversed(
        [
            click.option("--no-prune", is_flag=True, help="Never archive deployments that lost their manifest."),
            click.option(
                "--adopt", is_flag=True, help="Take over untagged deployments that have a manifest's name."
            ),
            click.option(
                "--target", "targets", multiple=True, metavar="NAME", shell_complete=deployment_names,
                help="Limit the plan to these names (repeatable).",
            ),
            click.option(
                "--max-archive",
                type=click.IntRange(min=0),
                help="Refuse plans that archive more than N (default: max_archive in agentops.yaml).",
            ),
            click.option(
                "--allow-empty", is_flag=True, help="Allow archiving every deployment when no manifest exists."
            ),
            click.option(
                "--strict-names",
                is_flag=True,
                help="Block creating a deployment whose name another stack already runs (a --stack typo).",
            ),
            click.option(
                "--new-stack",
                is_flag=True,
                help="The stack is new to the workspace on purpose: with --auto-approve, do not block "
                "because other stacks run its names.",
            ),
        ]
    ):
        func = option(func)
    return func


def plan_flags(flags: dict[str, Any], unattended: bool = False) -> Flags:
    return Flags(
        new_stack=flags["new_stack"],
        unattended=unattended,
        adopt=flags["adopt"],
        no_prune=flags["no_prune"],
        targets=tuple(flags["targets"]),
        max_archive=flags["max_archive"],
        allow_empty=flags["allow_empty"],
        strict_names=flags["strict_names"],
    )


base_ref_option = click.option(
    "--base-ref",
    metavar="REF",
    help="Also plan the manifests at git REF and label each change as from this change or drift.",
)


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    # FloatRange lets nan through (every comparison with it is false).
    if value is not None and math.isnan(value):
        raise click.BadParameter("must be a number")
    return value


# The same bounds as `api:` in agentops.yaml: infinity would overflow the limiter's burst size.
_PER_MINUTE = click.FloatRange(min=0, max=MAX_PER_MINUTE)


def pacing_options(func: F) -> F:
    """--writes-per-minute/--reads-per-minute: override `api:` in agentops.yaml."""
    func = click.option(
        "--reads-per-minute", type=_PER_MINUTE, callback=_finite, metavar="N",
        help="Pace API reads to N per minute (default: api.reads_per_minute in agentops.yaml, else 1200; 0: unpaced).",
    )(func)
    func = click.option(
        "--writes-per-minute", type=_PER_MINUTE, callback=_finite, metavar="N",
        help="Pace API writes to N per minute (default: api.writes_per_minute in agentops.yaml, else 300; 0: unpaced).",
    )(func)
    return func


def pacing_rates(flags: dict[str, Any]) -> Rates:
    return Rates(flags.pop("writes_per_minute"), flags.pop("reads_per_minute"))
