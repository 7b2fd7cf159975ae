"""`agentops validate` and `agentops schema`: offline checks of manifests, and their JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import click

from agentops.cli.app import GlobalOptions, global_options
from agentops.manifest.loader import Project, load_project
from agentops.manifest.schema import Manifest

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summary(project: Project) -> str:
    if not project.problems:
        return f"{_plural(len(project.manifests), 'manifest')} valid"
    files = len({problem.file for problem in project.problems})
    total = max(len(project.files), files)
    return f"{_plural(len(project.problems), 'problem')} in {files} of {_plural(total, 'file')}"


@click.command("validate")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format of the problems.")
@global_options
@click.pass_context
def validate(ctx: click.Context, path: Path, fmt: str) -> None:
    """Check manifests and agentops.yaml offline; exit 0 when valid, 1 otherwise."""
    opts = ctx.find_object(GlobalOptions)
    project = load_project(path, stack=opts.stack if opts else None)
    if fmt == "json":
        click.echo(json.dumps({
            "valid": not project.problems,
            "manifests": len(project.manifests),
            "problems": [problem.to_dict() for problem in project.problems],
        }, indent=2))
    else:
        for problem in project.problems:
            click.echo(str(problem), err=True)
        click.echo(summary(project))
    ctx.exit(1 if project.problems else 0)


def manifest_schema() -> dict[str, object]:
    schema = Manifest.model_json_schema()
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
