"""Wiring of `agentops import`."""

from __future__ import annotations

from pathlib import Path

import click

from agentops.cli.app import GlobalOptions, global_options, output_options
from agentops.engine.export import DEFAULT_TOKEN_VAR


@click.command("import")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--all", "import_all", is_flag=True, help="Every deployment not owned by another stack.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the manifests (default: the manifests folder of agentops.yaml).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be written and tagged; change nothing.")
@click.option("--pin-versions", is_flag=True, help="Write agents with their version, not only the latest.")
@click.option("--ids", is_flag=True,
              help="Write agents, environments and vaults by id, not by name (names are used when unique).")
@click.option(
    "--token-var",
    default=DEFAULT_TOKEN_VAR,
    show_default=True,
    help="Variable named by ${...} in place of each write-only repository token.",
)
@click.option(
    "--fingerprint-secrets",
    is_flag=True,
    help="Record the secrets fingerprint from the token variables set now (only if they hold the live tokens).",
)
@click.option("--kinds", metavar="KIND[,KIND]...",
              help="What to import: agent, environment, deployment (comma-separated). Default: deployment; "
                   "with --from-ant, all three.")
@click.option("--from-ant", "from_ant", type=click.Path(dir_okay=False, path_type=Path), metavar="LOCKFILE",
              help="Import exactly the objects an `ant apply` lockfile (claude-lock.json) names.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format: json prints one object with what was imported, refused and noted.")
@global_options
@output_options
@click.pass_obj
def import_(
    opts: GlobalOptions,
    /,
    names: tuple[str, ...],
    import_all: bool,
    out: Path | None,
    dry_run: bool,
    pin_versions: bool,
    token_var: str,
    fingerprint_secrets: bool,
    ids: bool,
    kinds: str | None,
    from_ant: Path | None,
    fmt: str,
) -> int:
    """Write manifests for live deployments (agents, environments) and tag them as owned by this stack."""
    from agentops.commands.import_ import import_ as run

    return run(
        names, opts.target, opts.console(), import_all=import_all, out=out, dry_run=dry_run,
        pin_versions=pin_versions, token_var=token_var, fingerprint_secrets=fingerprint_secrets, ids=ids,
        fmt=fmt, kinds=kinds, from_ant=from_ant,
    )
