"""`agentops init`: a new stack repository: agentops.yaml, an example manifest and the CI workflows."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path
from typing import NoReturn

import click

from agentops.cli.app import GlobalOptions, global_options
from agentops.manifest.config import CONFIG_FILE, check_stack

WORKFLOWS = ("agentops-plan.yml", "agentops-apply.yml", "agentops-drift.yml")
# Where each packaged template goes, relative to the new repository's root.
FILES = {
    CONFIG_FILE: "agentops.yaml",
    "deployments/example.yaml": "example.yaml",
    **{f".github/workflows/{name}": name for name in WORKFLOWS},
}


def template(name: str) -> str:
    return resources.files("agentops").joinpath("templates", name).read_text(encoding="utf-8")


def _fail(message: str) -> NoReturn:
    # Not reconcile.Failure: importing it would load the SDK, which init never needs.
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _valid_stack(value: str) -> str:
    try:
        return check_stack(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _given_stack(value: str) -> str:
    try:
        return check_stack(value)
    except ValueError as exc:
        _fail(f"--stack {value!r}: {exc}")


def _ask_stack(root: Path) -> str:
    if not sys.stdin.isatty():
        _fail("pass --stack NAME: there is no terminal to ask for the stack name")
    suggestion = "".join(c if c.isalnum() or c in "-_." else "-" for c in root.resolve().name.lower())
    return str(
        click.prompt(
            "Stack name (the ownership scope of these deployments)",
            default=suggestion.strip("-_.") or "main",
            value_proc=_valid_stack,
        )
    )


@click.command("init")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@global_options
@click.pass_obj
def init(opts: GlobalOptions, /, path: Path, force: bool) -> None:
    """Create agentops.yaml, an example manifest and GitHub workflows in PATH."""
    existing = sorted(rel for rel in FILES if (path / rel).exists())
    if existing and not force:
        _fail(
            "these files already exist: " + ", ".join(existing) + "; nothing was written "
            "(pass --force to overwrite them)"
        )
    stack = _ask_stack(path) if opts.stack is None else _given_stack(opts.stack)
    for rel, name in FILES.items():
        target = path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        text = template(name)
        target.write_text(text.replace("{stack}", stack) if rel == CONFIG_FILE else text, encoding="utf-8")
        click.echo(f"{'overwrote' if rel in existing else 'created'} {target}")
    click.echo(
        f"Stack {stack!r} is ready. Next: edit {path / 'deployments/example.yaml'}, then "
        "`agentops validate` and `agentops plan`; or bring existing deployments in with "
        "`agentops import --all`."
    )
