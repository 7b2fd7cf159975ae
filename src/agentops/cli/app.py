"""The click group, the options every command shares, and the one exit path.

Only this package knows the argument parser. Each command's wiring calls a plain function in
`agentops.commands` that returns an exit code; failures leave through `AgentopsGroup.main`.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import click

from agentops import __version__
from agentops.model.words import did_you_mean
from agentops.plumbing.failure import CHANGES, ERROR, INTERRUPTED, Failure
from agentops.plumbing.target import Target
from agentops.views.safe import value

F = TypeVar("F", bound=Callable[..., Any])
ENV_VARIABLE = "AGENTOPS_ENV"


@dataclass
class GlobalOptions:
    local: bool = False
    stack: str | None = None
    workspace_id: str | None = None
    env: str | None = None
    color: str = "auto"
    quiet: bool = False
    verbose: bool = False
    sleep: Callable[[float], None] = time.sleep  # tests pass GlobalOptions(sleep=...) as `obj`

    @property
    def target(self) -> Target:
        # Read here, not as the option's envvar: the option is on the group and every command,
        # and an envvar there would override a `--env` given before the command name.
        env = self.env or os.environ.get(ENV_VARIABLE) or None
        return Target(local=self.local, stack=self.stack, workspace_id=self.workspace_id, env=env, sleep=self.sleep)

    def console(self) -> Any:
        from agentops.views.terminal import Console, color_wanted

        return Console(
            color=color_wanted(self.color, sys.stdout, os.environ), quiet=self.quiet, verbose=self.verbose
        )


def _merge(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    opts = ctx.find_object(GlobalOptions)
    if opts is None:
        opts = ctx.ensure_object(GlobalOptions)
    if value not in (None, False):
        setattr(opts, str(param.name), value)
    return value


def stack_option(func: F) -> F:
    """--stack, accepted before or after the command name."""
    return click.option("--stack", callback=_merge, expose_value=False,
                        help="Ownership scope; overrides agentops.yaml.")(func)


def env_option(func: F) -> F:
    return click.option("--env", callback=_merge, expose_value=False, metavar="NAME",
                        help=f"Environment of agentops.yaml to act on (default: ${ENV_VARIABLE}).")(func)


def global_options(func: F) -> F:
    """--local/--stack/--workspace-id/--env: where a command that talks to the API acts."""
    func = env_option(func)
    func = click.option("--workspace-id", callback=_merge, expose_value=False,
                        help="Workspace to act on (anthropic-workspace-id).")(func)
    func = stack_option(func)
    func = click.option("--local", is_flag=True, callback=_merge, expose_value=False,
                        help="Use the embedded emulator with state in .agentops/.")(func)
    return func


def output_options(func: F) -> F:
    """--color/-q/-v, for commands that print."""
    func = click.option("-v", "--verbose", is_flag=True, callback=_merge, expose_value=False,
                        help="Show more: unchanged deployments, whole prompts, every result.")(func)
    func = click.option("-q", "--quiet", is_flag=True, callback=_merge, expose_value=False,
                        help="Print only the result and errors.")(func)
    func = click.option("--color", type=click.Choice(["auto", "always", "never"]), callback=_merge,
                        expose_value=False, help="Colour output (auto: a terminal without NO_COLOR).")(func)
    return func


# Command name -> "module:function". Loading a command's module only when it runs keeps
# `--help`, `validate` and `schema` from paying for the SDK import (over a second).
COMMANDS = {
    "apply": "agentops.cli.plan:apply",
    "comment": "agentops.cli.comment:comment",
    "destroy": "agentops.cli.destroy:destroy",
    "emulator": "agentops.cli.emulator:emulator",
    "fleet": "agentops.cli.fleet:fleet",
    "import": "agentops.cli.importer:import_",
    "init": "agentops.cli.init:init",
    "plan": "agentops.cli.plan:plan",
    "report": "agentops.cli.report:report",
    "run": "agentops.cli.run:run",
    "status": "agentops.cli.status:status",
    "schema": "agentops.cli.validate:schema",
    "validate": "agentops.cli.validate:validate",
}
HELP = {
    "apply": "Make the workspace match the manifests (or apply a saved plan FILE).",
    "comment": "Post the plan to a pull request, editing this stack's earlier comment in place.",
    "destroy": "Archive everything this stack owns in the environment (a plan like any other; --out saves it).",
    "emulator": "Serve the local Deployments API emulator on 127.0.0.1.",
    "fleet": "Show schedule load, DST effects and worst-case spend, before -> after a plan; never writes.",
    "import": "Write manifests for live deployments and tag them as owned by this stack.",
    "init": "Create agentops.yaml, an example manifest and the GitHub workflows.",
    "plan": "Show what apply would change.",
    "report": "Open, update or close this stack's GitHub issue about drift and run health.",
    "run": "Run the deployment NAME now.",
    "status": "Show the stack's deployments: status, schedule, next and last run, drift.",
    "schema": "Print the JSON Schema of a manifest.",
    "validate": "Check manifests offline: 0 valid, 1 invalid.",
}


def _report(exc: Failure) -> int:
    """The one-line error (after its detail lines), each escaped as one line: a message the API
    wrote can never start a line of its own."""
    for line in exc.details:
        click.echo(value(line), err=True)
    click.echo(f"error: {value(exc.message)}", err=True)
    return ERROR


# Commands that serve until stopped: they keep the garbage collector.
LONG_RUNNING = frozenset({"emulator"})


def _leave(code: int, process: bool) -> NoReturn:
    """Exit with `code`; a whole process skips the interpreter's teardown of its heap."""
    # The private file holding a GitHub OIDC token goes now: os._exit runs no exit handlers. Looked up,
    # not imported, so a command that never fetched one pays nothing for it.
    keeper = sys.modules.get("agentops.adapters.identity")
    if keeper is not None:
        keeper.close()
    if not process:
        sys.exit(code)
    # Everything this process wrote is in these two streams (files are closed by their `with`);
    # the only exit handler (the token file's) ran above; tearing down the SDK's heap took ~0.3 s.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe has nothing left to flush
            stream.flush()
    os._exit(code)


def _no_such_option(exc: click.NoSuchOption) -> click.UsageError:
    """Click's error, with the suggestion by edit distance over every option of the command."""
    command = exc.ctx.command if exc.ctx is not None else None
    names = [name for param in (command.params if command else []) if isinstance(param, click.Option)
             for name in (*param.opts, *param.secondary_opts)]
    near = did_you_mean(exc.option_name, names)
    return click.UsageError(f"No such option {exc.option_name!r}" + (f"; {near}" if near else "."), exc.ctx)


class AgentopsGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS and super().get_command(ctx, name) is None:
            near = did_you_mean(name, self.list_commands(ctx))
            ctx.fail(f"No such command {name!r}" + (f"; {near}" if near else f". Commands: {', '.join(COMMANDS)}"))
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, attr = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing from the table keeps `--help` from importing every command module.
        with formatter.section("Commands"):
            formatter.write_dl(sorted(HELP.items()))

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> NoReturn:
        """The one exit path: 0 done, 1 any error (usage errors included), 2 only "changes present".

        Called without `args` it is the installed script, a process of its own: then the
        collector stays off (the run is short and its objects live until exit; passes over the
        SDK's heap cost ~0.6 s at 5,000 manifests) and the exit skips the teardown. Called with
        `args` (CliRunner, a caller's loop) the process is someone else's: both stay as they are.
        """
        process = args is None
        if process and not LONG_RUNNING.intersection(sys.argv[1:]):
            gc.disable()
        extra.pop("standalone_mode", None)
        opts = extra.pop("obj", None) or GlobalOptions()
        try:
            code = super().main(args, prog_name, standalone_mode=False, obj=opts, **extra)
        except Failure as exc:
            _leave(_report(exc), process)
        except click.NoSuchOption as exc:
            _no_such_option(exc).show()
            _leave(ERROR, process)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            _leave(INTERRUPTED, process)
        except click.ClickException as exc:
            exc.show()
            _leave(ERROR, process)
        _leave(code if isinstance(code, int) and code in (0, ERROR, CHANGES, INTERRUPTED) else 0, process)



@click.group(cls=AgentopsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="agentops", message="%(prog)s %(version)s")
@global_options
@output_options
@click.pass_context
def main(ctx: click.Context) -> None:
    """GitOps for Claude Managed Agents deployments."""
    ctx.ensure_object(GlobalOptions)
