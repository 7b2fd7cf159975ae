"""`agentops comment`: post the markdown plan to a pull request as one sticky comment per stack."""

from __future__ import annotations

import os
from pathlib import Path

from agentops.adapters.github import Comments, GitHubError, run_url, target_from_env
from agentops.commands.failure import OK, Failure
from agentops.commands.reconcile import base_config, checked, plan_and_live, read_saved
from agentops.commands.session import project_session
from agentops.commands.stacks import clashes
from agentops.commands.target import Target
from agentops.engine.plan import Flags, Plan
from agentops.engine.secrets import Redactor
from agentops.manifest.loader import start_load
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
    else:
        guards = base_config(path, base_ref, target.stack) if base_ref is not None else None
        project = checked(start_load(path, target.stack, env=target.env, guards=guards)())
        scrub = Redactor.for_manifests(project.manifests, os.environ)
        with project_session(project, target, Redactor((*scrub.values, pull.token))) as api:
            result = plan_and_live(project, api, flags, base_ref=base_ref)[0]
    console.redact = Redactor((*scrub.values, pull.token))
    shared = clashes(path if path.exists() else Path.cwd(), only=(result.stack, result.env))
    if shared:
        raise Failure(f"{shared[0]}; no comment was posted")
    body = console.redact(render_markdown(result, COMMENT_LIMIT, run_url(os.environ)))
    try:
        with Comments(pull) as comments:
            verb, url = comments.upsert(body, marker(result.stack, result.env), author)
    except GitHubError as exc:
        raise Failure(console.redact(str(exc))) from None
    console.out(f"{verb} the plan comment for stack {result.stack!r} on pull request #{pull.number}: {url}")
    return OK
