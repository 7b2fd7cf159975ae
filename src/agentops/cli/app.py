"""The click group and the options every command shares."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class GlobalOptions:
    local: bool = False
    stack: str | None = None
    workspace_id: str | None = None


def _merge(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    opts = ctx.find_object(GlobalOptions)
    if opts is None:
        opts = ctx.ensure_object(GlobalOptions)
    if value not in (None, False):
        setattr(opts, str(param.name), value)
    return value


def global_options(func: F) -> F:
    """--local/--stack/--workspace-id, accepted before or after the command name."""
    func = click.option("--workspace-id", callback=_merge, expose_value=False,
                        help="Workspace to act on (anthropic-workspace-id).")(func)
    func = click.option("--stack", callback=_merge, expose_value=False,
                        help="Ownership scope; overrides agentops.yaml.")(func)
    func = click.option("--local", is_flag=True, callback=_merge, expose_value=False,
                        help="Use the embedded emulator with state in .agentops/.")(func)
    return func


# Command name -> "module:function". Loading a command's module only when it runs keeps
# `validate` and `schema` from paying for the SDK import (over a second).
COMMANDS = {
    "apply": "agentops.cli.reconcile:apply",
    "comment": "agentops.cli.comment:comment",
    "emulator": "agentops.cli.emulator:emulator",
    "import": "agentops.cli.importer:import_",
    "init": "agentops.cli.init:init",
    "plan": "agentops.cli.reconcile:plan",
    "run": "agentops.cli.run:run",
    "status": "agentops.cli.status:status",
    "schema": "agentops.cli.validate:schema",
    "validate": "agentops.cli.validate:validate",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, attr = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="agentops-gitops")
@global_options
@click.pass_context
def main(ctx: click.Context) -> None:
    """GitOps for Claude Managed Agents deployments."""
    ctx.ensure_object(GlobalOptions)
