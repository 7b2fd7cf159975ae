"""`--format json` stays machine-readable when a command fails: the problems or the error as JSON on stdout.

The human line still goes to stderr through the one exit path (exit 1); a script reads stdout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from agentops.commands.failure import Failure
from agentops.engine.plan import FORMAT_VERSION
from agentops.manifest.loader import Project
from agentops.views.terminal import Console
from agentops.views.text import GUARDS_CHANGED


def _dump(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def checked(project: Project, fmt: str, console: Console) -> Project:
    """The project, or a Failure listing every problem (nothing is planned); with --format json every
    problem is first printed with its own keys."""
    if project.problems and fmt == "json":
        console.out(
            _dump(
                {
                    "format_version": FORMAT_VERSION,
                    "errored": True,
                    "applyable": False,
                    "problems": [problem.to_dict() for problem in project.problems],
                }
            ),
            nl=False,
        )
    if project.problems:
        # What the change does to agentops.yaml's guards may be why the manifests now fail them.
        guards = [f"{GUARDS_CHANGED}; the base's are enforced: {change}" for change in project.guard_changes]
        raise Failure(
            f"{len(project.problems)} problem(s) in the manifests; nothing was planned",
            (*guards, *(str(problem) for problem in project.problems)),
        )
    return project


@contextmanager
def json_errors(fmt: str, console: Console) -> Iterator[None]:
    """With --format json, a Failure also prints `{"errored": true, "error": ...}` on stdout."""
    try:
        yield
    except Failure as exc:
        if fmt == "json":
            console.out(
                _dump({**exc.data, "format_version": FORMAT_VERSION, "errored": True, "error": exc.message,
                       "details": list(exc.details)}),
                nl=False,
            )
        raise
