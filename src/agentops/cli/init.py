"""Wiring of `agentops init`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from agentops.cli.app import GlobalOptions, stack_option


def _ask(question: str, default: str) -> str:
    return str(click.prompt(question, default=default, show_default=bool(default)))


@click.command("init")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--auth",
    type=click.Choice(["keyless", "api-key"]),
    default="keyless",
    show_default=True,
    help="How the workflows authenticate: keyless (GitHub OIDC and Workload Identity Federation, the "
    "ids as GitHub variables per environment) or api-key (an ANTHROPIC_API_KEY secret per environment).",
)
@click.option(
    "--branch",
    metavar="NAME",
    help="The branch the apply workflow runs on (default: origin's default branch, else the branch "
    "checked out, else main).",
)
@click.option(
    "--action",
    metavar="OWNER/REPO@SHA",
    help="The agentops action the workflows install from, at a full commit SHA "
    "(default: the commit this agentops was installed from, else asked or a placeholder).",
)
@click.option(
    "--environments",
    metavar="NAME,NAME",
    help="Declare these environments in agentops.yaml, in promotion order (e.g. staging,production): "
    "the apply workflow applies the first on merge and the others after it, each through its "
    "GitHub environment.",
)
@click.option(
    "--workspace",
    "workspaces",
    multiple=True,
    metavar="NAME=ID",
    help="The workspace id of environment NAME (repeat per environment; asked on a terminal otherwise): "
    "plan and apply then refuse a credential that belongs to another workspace.",
)
@stack_option
@click.pass_obj
def init(
    opts: GlobalOptions, /, path: Path, force: bool, auth: str, branch: str | None, action: str | None,
    environments: str | None, workspaces: tuple[str, ...],
) -> int:
    """Create agentops.yaml, an example manifest and GitHub workflows in PATH."""
    from agentops.commands.init import init as run

    return run(path, opts.console(), stack=opts.stack, force=force, action=action, environments=environments,
               ask=_ask if sys.stdin.isatty() else None, workspaces=workspaces, auth=auth, branch=branch)
