"""`--format json` stays machine-readable when a command fails: the problems or the error as JSON on stdout.

The human line still goes to stderr through the one exit path (exit 1); a script reads stdout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from agentops.manifest.loader import Project
from agentops.model.words import plural
from agentops.plumbing.failure import Failure
from agentops.views.annotations import for_validation
from agentops.views.output import TextView
from agentops.views.terminal import Console, annotate
from agentops.views.text import GUARDS_CHANGED


def checked(project: Project, view: TextView, console: Console) -> Project:
    """The project, or a Failure listing every problem (nothing is planned); with --format json every
    problem is first printed with its own keys."""
    if project.problems:
        view.problems(console, project.problems)
        annotate(console, for_validation(project.problems, ()))
        # What the change does to agentops.yaml's guards may be why the manifests now fail them.
        guards = [f"{GUARDS_CHANGED}; the base's are enforced: {change}" for change in project.guard_changes]
        raise Failure(
            f"{plural(len(project.problems), 'problem')} in the manifests; nothing was planned",
            (*guards, *(str(problem) for problem in project.problems)),
        )
    return project


@contextmanager
def json_errors(view: TextView, console: Console) -> Iterator[None]:
    """With --format json, a Failure also prints `{"errored": true, "error": ...}` on stdout."""
    try:
        yield
    except Failure as exc:
        view.error(console, exc.message, exc.details, exc.data)
        raise
