"""`agentops comment`: post the markdown plan to a pull request as one sticky comment per stack,
stamped with the commit it shows, when it was made and the run that made it."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from agentops.adapters.github import Comments, GitHubError, commit_url, head_commit, run_url, target_from_env
from agentops.engine.plan import Flags, Plan
from agentops.engine.secrets import Redactor
from agentops.files import read_capped
from agentops.manifest.config import load_config
from agentops.manifest.loader import find_root
from agentops.plumbing.failure import OK, Failure
from agentops.plumbing.reconcile import base_config, plan_and_live, read_saved
from agentops.plumbing.stacks import clashes
from agentops.plumbing.target import Target
from agentops.plumbing.workspace import project_against_workspace
from agentops.views.markdown import COMMENT_LIMIT, code_span, fenced, marker, render_markdown
from agentops.views.terminal import Console

# The most of a problems file a stale comment quotes (a comment holds 65,536 characters).
PROBLEMS_LIMIT = 60_000


def stamp(environ: Mapping[str, str], now: datetime) -> str:
    """The line under the marker: which commit the comment shows, when, and the run that wrote it."""
    sha = head_commit(environ)
    commit = "an unknown commit"
    if sha:
        url = commit_url(environ, sha)
        commit = f"[{code_span(sha[:12])}]({url})" if url else code_span(sha[:12])
    run = run_url(environ)
    return (f"<sub>Commit {commit} · {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
            + (f" · [workflow run]({run})" if run else "") + "</sub>")


def _stamped(body: str, line: str) -> str:
    """`body` with `line` right under its first line, the marker the sticky comment is found by."""
    first, _, rest = body.partition("\n")
    return f"{first}\n{line}\n\n{rest}"


def _stale(path: Path, target: Target, problems_file: str) -> tuple[str, str | None, str]:
    """The stack, environment and problems of a comment that says the plan is not current: from
    agentops.yaml as far as it reads (it may be what failed), without any API call."""
    try:
        raw = sys.stdin.buffer.read(PROBLEMS_LIMIT + 1) if problems_file == "-" else read_capped(problems_file,
                                                                                                  PROBLEMS_LIMIT)
    except OSError as exc:
        raise Failure(f"--stale-because {problems_file}: cannot read it ({exc.strerror or exc}); "
                      "no comment was posted") from None
    if isinstance(raw, str):
        raise Failure(f"--stale-because {problems_file}: it is {raw}, not a file; no comment was posted")
    # Longer than the limit: the end is cut (with a line saying so); broken UTF-8 is shown replaced.
    problems = raw.decode("utf-8", errors="replace")
    root = find_root(path.resolve() if path.exists() else Path.cwd())
    stack = target.stack or (load_config(root).config.stack if root is not None else "")
    if not stack:
        raise Failure("--stale-because: agentops.yaml names no stack here; pass --stack NAME so the right "
                      "comment is marked; no comment was posted")
    return stack, target.env, problems


def _stale_body(stack: str, env: str | None, problems: str, environ: Mapping[str, str]) -> str:
    sha = head_commit(environ)
    which = f"commit {code_span(sha[:12])}" if sha else "the latest commit"
    lines = problems.splitlines() or ["(validation failed without a message; see the workflow run)"]
    if len(problems) > PROBLEMS_LIMIT:
        lines = [*lines[:-1], "… (cut; the workflow run has every line)"]
    return "\n".join([
        marker(stack, env),
        "> [!WARNING]",
        f"> **No current plan.** Validation of {which} failed, so nothing was planned and the plan this "
        "comment showed for an earlier commit was removed. Fix these problems and push again:",
        "",
        *fenced(lines, "text"),
        "",
    ])


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
    stale_because: str | None = None,
    now: datetime | None = None,
) -> int:
    try:
        pull = target_from_env(os.environ, pr)
    except GitHubError as exc:
        raise Failure(str(exc)) from None
    line = stamp(os.environ, now or datetime.now(UTC))
    if stale_because is not None:
        stack, env, problems = _stale(path, target, stale_because)
        console = console.redacting(Redactor((pull.token,)))
        body, what = _stale_body(stack, env, problems, os.environ), "marked the plan comment as not current"
    else:
        result = _plan(path, target, console, flags, plan_file, base_ref, pull.token)
        stack, env, console = result[0].stack, result[0].env, result[1]
        shared = clashes(path if path.exists() else Path.cwd(), only=(stack, env))
        if shared:
            raise Failure(f"{shared[0]}; no comment was posted")
        body = render_markdown(result[0], COMMENT_LIMIT - len(line) - 2, run_url(os.environ))
        what = "the plan comment"
    body = console.redact(_stamped(body, line))
    try:
        with Comments(pull) as comments:
            verb, url = comments.upsert(body, marker(stack, env), author)
    except GitHubError as exc:
        raise Failure(console.redact(str(exc))) from None
    console.line(f"{verb} {what} for stack {stack!r} on pull request #{pull.number}: {url}")
    return OK


def _plan(path: Path, target: Target, console: Console, flags: Flags, plan_file: Path | None,
          base_ref: str | None, token: str) -> tuple[Plan, Console]:
    """The plan to post (saved, or made now) and the console that scrubs its secret values."""
    if plan_file is not None:
        result: Plan = read_saved(plan_file)
        scrub = Redactor.for_bodies((a.body or a.patch for a in result.actions), os.environ)
        return result, console.redacting(Redactor((*scrub.values, token)))
    guards = base_config(path, base_ref, target.stack) if base_ref is not None else None
    with project_against_workspace(path, target, console, secrets=(token,), guards=guards) as workspace:
        project, console = workspace.project, workspace.console
        result = plan_and_live(project, workspace.api, flags, base_ref=base_ref, live=workspace.live).plan
    return result, console
