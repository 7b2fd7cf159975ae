"""Helpers every command shares that need no SDK: loading, options, errors, confirmation."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from agentops.manifest.loader import Project
from agentops.plan import Options, Plan
from agentops.redact import Redactor

F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """An error the user can act on: printed as one line, exit code 1, never a traceback."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def plan_options(func: F) -> F:
    for option in reversed(
        [
            click.option(
                "--no-prune", is_flag=True, help="Never archive deployments that lost their manifest."
            ),
            click.option(
                "--adopt", is_flag=True, help="Take over untagged deployments that have a manifest's name."
            ),
            click.option(
                "--target", "targets", multiple=True, metavar="NAME", help="Limit the plan to these names."
            ),
            click.option(
                "--max-archive", type=click.IntRange(min=0), help="Refuse plans that archive more than N."
            ),
            click.option(
                "--allow-empty",
                is_flag=True,
                help="Allow archiving every deployment when no manifest exists.",
            ),
        ]
    ):
        func = option(func)
    return func


base_ref_option = click.option(
    "--base-ref",
    metavar="REF",
    help="Also plan the manifests at git REF and label each change as from this change or drift.",
)


def checked(project: Project) -> Project:
    """The project, or every problem printed and a one-line failure (nothing is planned)."""
    if project.problems:
        for problem in project.problems:
            click.echo(str(problem), err=True)
        raise Failure(f"{len(project.problems)} problem(s) in the manifests; nothing was planned")
    return project


def plan_options_from(project: Project, **flags: Any) -> Options:
    return Options(
        stack=project.config.stack,
        adopt=flags["adopt"],
        prune=not flags["no_prune"],
        max_archive=flags["max_archive"],
        targets=tuple(flags["targets"]),
        allow_empty=flags["allow_empty"],
    )


def step_summary(markdown: str, redact: Redactor) -> None:
    """In GitHub Actions, append to the job summary (GITHUB_STEP_SUMMARY names the file)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(redact(markdown) + "\n")


def load_saved(path: Path) -> Plan | None:
    if not path.is_file() or path.suffix != ".json":
        return None
    try:
        return Plan.from_dict(json.loads(path.read_text()))
    except (ValueError, KeyError, TypeError) as exc:
        raise Failure(f"{path} is not a saved agentops plan: {exc}") from None


def confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise Failure(
            "refusing to apply without --auto-approve: there is no terminal to ask for confirmation"
        )
    if not click.confirm("Apply these changes?", default=False):
        raise Failure("apply cancelled; nothing was changed")
