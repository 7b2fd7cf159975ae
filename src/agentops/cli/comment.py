"""`agentops comment`: post the markdown plan to a pull request as one sticky comment per stack."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from agentops.cli.app import GlobalOptions, global_options
from agentops.cli.common import (
    Failure,
    base_ref_option,
    checked,
    load_saved,
    plan_options,
    plan_options_from,
)
from agentops.cli.session import plan_against, project_session
from agentops.github import Comments, GitHubError, run_url, target_from_env
from agentops.manifest.loader import load_project
from agentops.plan import Plan
from agentops.redact import Redactor, plan_secret_values, secret_values
from agentops.render.markdown import COMMENT_LIMIT, marker, render_markdown


def _saved(path: Path) -> Plan:
    saved = load_saved(path)
    if saved is None:
        raise Failure(f"{path} is not a saved plan (make one with `agentops plan --out plan.json`)")
    return saved


@click.command("comment")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--plan", "plan_file", type=click.Path(path_type=Path), help="Post this saved plan instead of planning."
)
@click.option(
    "--pr", type=click.IntRange(min=1), help="Pull request number (default: from the Actions event)."
)
@click.option(
    "--author",
    envvar="AGENTOPS_COMMENT_AUTHOR",
    metavar="LOGIN",
    help="The login the token comments as; only its comment is edited (default: GET /user, "
    "or github-actions[bot] for the Actions token). Needed for a GitHub App token: APP-SLUG[bot].",
)
@base_ref_option
@plan_options
@global_options
@click.pass_obj
def comment(
    opts: GlobalOptions,
    /,
    path: Path,
    plan_file: Path | None,
    pr: int | None,
    author: str | None,
    base_ref: str | None,
    **flags: Any,
) -> None:
    """Post the plan to a pull request, editing this stack's earlier comment in place."""
    try:
        target = target_from_env(os.environ, pr)
    except GitHubError as exc:
        raise Failure(str(exc)) from None
    if plan_file is not None:
        result = _saved(plan_file)
        redact = Redactor((*plan_secret_values(result, os.environ), target.token))
    else:
        project = checked(load_project(path, opts.stack))
        redact = Redactor((*secret_values(project, os.environ), target.token))
        with project_session(project, opts, redact) as api:
            result = plan_against(project, api, plan_options_from(project, **flags), base_ref)
    body = redact(render_markdown(result, COMMENT_LIMIT, run_url(os.environ)))
    try:
        with Comments(target) as comments:
            verb, url = comments.upsert(body, marker(result.stack), author)
    except GitHubError as exc:
        raise Failure(redact(str(exc))) from None
    click.echo(f"{verb} the plan comment for stack {result.stack!r} on pull request #{target.number}: {url}")
