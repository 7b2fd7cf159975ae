"""`agentops comment`: post the markdown plan to a pull request as one sticky comment per stack."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from agentops.adapters.github import Comments, GitHubError, run_url, target_from_env
from agentops.cli.app import GlobalOptions, global_options
from agentops.cli.options import base_ref_option, plan_flags, plan_options
from agentops.commands.failure import Failure
from agentops.commands.reconcile import checked, plan_project, project_session, read_saved
from agentops.engine.plan import Plan
from agentops.engine.secrets import Redactor
from agentops.manifest.loader import load_project
from agentops.views.markdown import COMMENT_LIMIT, marker, render_markdown


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
        result: Plan = read_saved(plan_file)
        scrub = Redactor.for_bodies((a.body or a.patch for a in result.actions), os.environ)
        redact = Redactor((*scrub.values, target.token))
    else:
        project = checked(load_project(path, opts.stack))
        redact = Redactor((*Redactor.for_manifests(project.manifests, os.environ).values, target.token))
        with project_session(project, opts.target, redact) as api:
            result = plan_project(project, api, plan_flags(flags).options(project), base_ref=base_ref)
    body = redact(render_markdown(result, COMMENT_LIMIT, run_url(os.environ)))
    try:
        with Comments(target) as comments:
            verb, url = comments.upsert(body, marker(result.stack), author)
    except GitHubError as exc:
        raise Failure(redact(str(exc))) from None
    click.echo(f"{verb} the plan comment for stack {result.stack!r} on pull request #{target.number}: {url}")
