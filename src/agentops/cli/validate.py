"""`agentops validate` and `agentops schema`: offline checks of manifests, and their JSON Schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from agentops.cli.app import GlobalOptions, global_options
from agentops.manifest.descriptions import describe
from agentops.manifest.loader import Project, load_project
from agentops.manifest.schema import Manifest
from agentops.manifest.secrets import missing_secrets
from agentops.model.problems import Problem

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summary(project: Project, warnings: list[Problem]) -> str:
    counts = [(warnings, "warning"), (project.notices, "notice")]
    warned = "".join(f", {_plural(len(items), noun)}" for items, noun in counts if items)
    if not project.problems:
        return f"{_plural(len(project.manifests), 'manifest')} valid{warned}"
    files = len({problem.file for problem in project.problems})
    total = max(len(project.files), files)
    return f"{_plural(len(project.problems), 'problem')} in {files} of {_plural(total, 'file')}{warned}"


@click.command("validate")
@click.argument("paths", nargs=-1, metavar="[PATH]...", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format of the problems.")
@global_options
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], fmt: str) -> None:
    """Check manifests and agentops.yaml offline; exit 0 when valid, 1 otherwise.

    PATH is the project (default: the current folder), a folder of manifests or manifest
    files; several may be given, as a pre-commit hook passes the files it checks.
    """
    opts = ctx.find_object(GlobalOptions)
    first, *more = paths or (Path("."),)
    project = load_project(first, stack=opts.stack if opts else None, more=more)
    # Unset variables only warn here: validate also runs where no secrets are given (forks, pre-commit).
    warnings = sorted([*project.warnings, *missing_secrets(project, os.environ)])
    if fmt == "json":
        click.echo(json.dumps({
            "valid": not project.problems,
            "manifests": len(project.manifests),
            "problems": [problem.to_dict() for problem in project.problems],
            "warnings": [warning.to_dict() for warning in warnings],
            "notices": [notice.to_dict() for notice in project.notices],
        }, indent=2))
    else:
        for problem in project.problems:
            click.echo(problem.with_excerpt(), err=True)
        for warning in warnings:
            click.echo(f"warning: {warning}", err=True)
        for notice in project.notices:
            click.echo(f"notice: {notice}", err=True)
        click.echo(summary(project, warnings))
    ctx.exit(1 if project.problems else 0)


def manifest_schema() -> dict[str, object]:
    schema = describe(Manifest.model_json_schema(), "Manifest")
    return {"$schema": SCHEMA_DIALECT, **schema, "title": "agentops deployment manifest"}


@click.command("schema")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of stdout.")
@global_options
def schema(out: Path | None) -> None:
    """Print the JSON Schema of a manifest, for editors and language servers."""
    text = json.dumps(manifest_schema(), indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
