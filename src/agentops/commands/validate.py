"""`agentops validate` and `agentops schema`: offline checks of manifests, and their JSON Schema."""

from __future__ import annotations

import os
from pathlib import Path

from agentops.engine.secrets import missing_secrets, unkeyed
from agentops.files import write_atomic
from agentops.manifest.loader import load_every_environment, load_project
from agentops.plumbing.failure import ERROR, OK, Failure
from agentops.views.annotations import for_validation
from agentops.views.output import validation_markdown, view
from agentops.views.schemas import render_schema
from agentops.views.terminal import Console, annotate, step_summary


def validate(
    paths: tuple[Path, ...], stack: str | None, console: Console, fmt: str = "text", env: str | None = None
) -> int:
    first, *more = paths or (Path("."),)
    project = load_project(first, stack, more, env) if env else load_every_environment(first, stack, more)
    # Unset variables only warn here: validate also runs where no secrets are given (forks, pre-commit).
    # The unkeyed fingerprint is said here, once, not in every plan and PR comment.
    warnings = sorted([*project.warnings, *missing_secrets(project.manifests, os.environ),
                       *unkeyed(project.manifests, os.environ)])
    view(fmt).validation(console, project, warnings)
    annotate(console, for_validation(project.problems, warnings))
    step_summary(lambda: validation_markdown(project, warnings), console.redact)
    return ERROR if project.problems else OK


def schema(out: Path | None, console: Console, output: str = "manifest", kind: str = "deployment") -> int:
    """A manifest's JSON Schema (of `kind`), or with `output` the one of that command's JSON output."""
    text = render_schema(output, kind)
    if out is None:
        console.out(text, nl=False)
    else:
        try:
            write_atomic(out, text)
        except OSError as exc:
            raise Failure(f"--out {out}: cannot write the schema: {exc.strerror or exc}") from None
    return OK
