"""`agentops comment`: post the markdown plan to a pull request as one sticky comment per stack."""

from __future__ import annotations

import os
from pathlib import Path

from agentops.adapters.github import Comments, GitHubError, run_url, target_from_env
from agentops.engine.plan import Flags, Plan
from agentops.engine.secrets import Redactor
from agentops.plumbing.failure import OK, Failure
from agentops.plumbing.reconcile import base_config, plan_and_live, read_saved
from agentops.plumbing.stacks import clashes
from agentops.plumbing.target import Target
from agentops.plumbing.workspace import project_against_workspace
from agentops.views.markdown import COMMENT_LIMIT, marker, render_markdown
from agentops.views.terminal import Console


def comment(
    path: Path,
    target: Target,
    console: Console,
    flags: Flags,
    *,
    plan_file: Path | None = None,
    pr: int | None = None,
    author: str | None = None,
    base_ref: str | None = None,
) -> int:
    try:
        pull = target_from_env(os.environ, pr)
    except GitHubError as exc:
        raise Failure(str(exc)) from None
    if plan_file is not None:
        result: Plan = read_saved(plan_file)
        scrub = Redactor.for_bodies((a.body or a.patch for a in result.actions), os.environ)
        console = console.redacting(Redactor((*scrub.values, pull.token)))
    else:
        guards = base_config(path, base_ref, target.stack) if base_ref is not None else None
        with project_against_workspace(path, target, console, secrets=(pull.token,), guards=guards) as workspace:
            project, console = workspace.project, workspace.console
            result = plan_and_live(project, workspace.api, flags, base_ref=base_ref,
                                   live=workspace.live).plan
    shared = clashes(path if path.exists() else Path.cwd(), only=(result.stack, result.env))
    if shared:
        raise Failure(f"{shared[0]}; no comment was posted")
    body = console.redact(render_markdown(result, COMMENT_LIMIT, run_url(os.environ)))
    try:
        with Comments(pull) as comments:
            verb, url = comments.upsert(body, marker(result.stack, result.env), author)
    except GitHubError as exc:
        raise Failure(console.redact(str(exc))) from None
    console.line(f"{verb} the plan comment for stack {result.stack!r} on pull request #{pull.number}: {url}")
    return OK
