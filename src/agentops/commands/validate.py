"""`agentops validate` and `agentops schema`: offline checks of manifests, and their JSON Schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel

from agentops.commands.failure import ERROR, OK, Failure
from agentops.files import write_atomic
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.descriptions import describe
from agentops.manifest.environment_schema import EnvironmentManifest
from agentops.manifest.loader import Project, load_every_environment, load_project
from agentops.manifest.schema import Manifest
from agentops.manifest.secrets import missing_secrets
from agentops.model.problems import Problem
from agentops.views.terminal import Console

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summary(project: Project, warnings: list[Problem]) -> str:
    counts = [(warnings, "warning"), (project.notices, "notice")]
    warned = "".join(f", {_plural(len(items), noun)}" for items, noun in counts if items)
    if not project.problems:
        per_kind = project.counts()
        total = sum(per_kind.values())
        # Per kind only when there is more than deployments: the line stays as it was for those.
        kinds = f" ({', '.join(_plural(n, kind) for kind, n in per_kind.items() if n)})" if (
            total > len(project.manifests)) else ""
        return f"{_plural(total, 'manifest')} valid{kinds}{warned}"
    files = len({problem.file for problem in project.problems})
    total = max(len(project.files), files)
    return f"{_plural(len(project.problems), 'problem')} in {files} of {_plural(total, 'file')}{warned}"


def validate(
    paths: tuple[Path, ...], stack: str | None, console: Console, fmt: str = "text", env: str | None = None
) -> int:
    first, *more = paths or (Path("."),)
    project = load_project(first, stack, more, env) if env else load_every_environment(first, stack, more)
    # Unset variables only warn here: validate also runs where no secrets are given (forks, pre-commit).
    warnings = sorted([*project.warnings, *missing_secrets(project, os.environ)])
    if fmt == "json":
        console.out(json.dumps({
            "valid": not project.problems,
            "manifests": sum(project.counts().values()),
            "kinds": project.counts(),
            "problems": [problem.to_dict() for problem in project.problems],
            "warnings": [warning.to_dict() for warning in warnings],
            "notices": [notice.to_dict() for notice in project.notices],
        }, indent=2))
    else:
        for problem in project.problems:
            for line in problem.with_excerpt().split("\n"):  # the Console prints one line per call
                console.error(line)
        for warning in warnings:
            console.error(f"warning: {warning}")
        for notice in project.notices:
            console.info(f"notice: {notice}")
        console.out(summary(project, warnings))
    return ERROR if project.problems else OK


# Each kind's manifest model; the schema of a kind also allows the `type:` naming that kind.
SCHEMA_KINDS: dict[str, type[BaseModel]] = {
    "deployment": Manifest, "agent": AgentManifest, "environment": EnvironmentManifest}


def manifest_schema(kind: str = "deployment") -> dict[str, object]:
    model = SCHEMA_KINDS[kind]
    raw = model.model_json_schema()
    raw["properties"]["type"] = {"const": kind}
    schema = describe(raw, model.__name__)
    return {"$schema": SCHEMA_DIALECT, **schema, "title": f"agentops {kind} manifest"}


def schema(out: Path | None, console: Console, kind: str = "deployment") -> int:
    text = json.dumps(manifest_schema(kind), indent=2) + "\n"
    if out is None:
        console.out(text, nl=False)
    else:
        try:
            write_atomic(out, text)
        except OSError as exc:
            raise Failure(f"--out {out}: cannot write the schema: {exc.strerror or exc}") from None
    return OK
