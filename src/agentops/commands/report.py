"""`agentops report`: tell the team about drift and failing deployments through one sticky GitHub issue.

Detection only: the report plans and reads run health, it never writes to the API. One open
issue per stack, found by its hidden marker and its author (the token's identity, as for the
PR comment): opened when something is wrong, updated while it stays wrong, closed with a
comment once all is clean again.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from agentops.adapters.github import GitHubError, Issues, repo_from_env, run_url
from agentops.engine.plan import Flags
from agentops.plumbing.failure import CHANGES, OK, Failure
from agentops.plumbing.health import read_health
from agentops.plumbing.reconcile import plan_and_live
from agentops.plumbing.target import Target
from agentops.plumbing.workspace import project_against_workspace
from agentops.views.markdown import COMMENT_LIMIT
from agentops.views.report import is_clean, render_closing, render_report, report_marker, report_title
from agentops.views.terminal import Console, step_summary


def report(
    path: Path,
    target: Target,
    console: Console,
    flags: Flags,
    *,
    author: str | None = None,
    detailed_exitcode: bool = False,
) -> int:
    """Open, update or close this stack's report issue; exit 2 (with `detailed_exitcode`) while it is open."""
    try:
        repo = repo_from_env(os.environ)
    except GitHubError as exc:
        raise Failure(str(exc)) from None
    with project_against_workspace(path, target, console, secrets=(repo.token,)) as workspace:
        project, console = workspace.project, workspace.console
        planned = plan_and_live(project, workspace.api, flags, live=workspace.live)
        health = read_health(project, workspace.api, planned.live, planned.desired)
    plan = planned.plan
    url = run_url(os.environ)
    clean = is_clean(plan, health)
    stack = project.config.stack + (f" ({target.env})" if target.env else "")
    try:
        with Issues(repo) as issues:
            existing = issues.find(report_marker(project.config.stack, target.env), author or issues.login())
            if clean and existing is None:
                said = f"stack {stack!r} is clean; no report issue is open"
            elif clean:
                assert existing is not None
                issues.close(int(existing["number"]), console.redact(render_closing(plan, url)))
                said = f"stack {stack!r} is clean again; closed issue #{existing['number']}"
            else:
                body = console.redact(render_report(plan, health, COMMENT_LIMIT, url, datetime.now(UTC)))
                step_summary(body, console.redact)
                title = console.redact(report_title(plan, health))
                if existing is None:
                    issue = issues.create(title, body)
                    verb = "opened"
                else:
                    issue = issues.edit(int(existing["number"]), title=title, body=body)
                    verb = "updated"
                said = f"{verb} issue #{issue.get('number')} for stack {stack!r}: {issue.get('html_url', '')}"
    except GitHubError as exc:
        raise Failure(console.redact(str(exc))) from None
    console.line(said)
    # A blocked plan is something to report, like drift: the report itself succeeded.
    return CHANGES if detailed_exitcode and not clean else OK
