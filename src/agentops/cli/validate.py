"""Wiring of `agentops validate` and `agentops schema`."""

from __future__ import annotations

from pathlib import Path

import click

from agentops.cli.app import GlobalOptions, env_option, output_options, stack_option
from agentops.views.schemas import MANIFEST_KINDS
from agentops.views.schemas import NAMES as SCHEMAS

KINDS = tuple(MANIFEST_KINDS)


@click.command("validate")
@click.argument("paths", nargs=-1, metavar="[PATH]...", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format of the problems.")
@stack_option
@env_option
@output_options
@click.pass_obj
def validate(opts: GlobalOptions, /, paths: tuple[Path, ...], fmt: str) -> int:
    """Check manifests and agentops.yaml offline; exit 0 when valid, 1 otherwise.

    PATH is the project (default: the current folder), a folder of manifests or manifest
    files; several may be given, as a pre-commit hook passes the files it checks. Without
    --env, every environment agentops.yaml declares is checked.
    """
    from agentops.commands.validate import validate as run

    return run(paths, opts.stack, opts.console(), fmt, opts.target.env)


@click.command("schema")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout.")
@click.option("--output", type=click.Choice(SCHEMAS), default="manifest", show_default=True,
              help="Whose schema: a manifest, agentops.yaml (config), or a command's --format json output.")
@click.option("--config", "config", is_flag=True, help="Print agentops.yaml's schema (same as --output config).")
@click.option("--kind", type=click.Choice(KINDS), default="deployment", show_default=True,
              help="With --output manifest: the kind of manifest.")
@click.pass_context
def schema(ctx: click.Context, out: Path | None, output: str, kind: str, config: bool) -> int:
    """Print the JSON Schema of a manifest (for editors and language servers), of agentops.yaml
    (--config; its reference is docs/config.md) or of a command's JSON output."""
    from agentops.commands.validate import schema as run

    if config and output not in ("manifest", "config"):
        raise click.UsageError(f"--config and --output {output} name two schemas; give one")
    return run(out, (ctx.find_object(GlobalOptions) or GlobalOptions()).console(), "config" if config else output, kind)
