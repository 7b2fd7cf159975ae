"""The part of a command that talks to the API: a connected session, planning, showing and applying.

Imported only once a command runs, because it pulls in the SDK (over a second of imports).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anthropic
import click

from agentops.apply import Executor, Result, describe_error
from agentops.baseref import BaseRefError, label_against
from agentops.cli.app import GlobalOptions
from agentops.cli.common import Failure, confirm, step_summary
from agentops.github import run_url
from agentops.live import Api, ClientSetupError
from agentops.manifest.loader import Project, find_root
from agentops.pipeline import connect, make_plan
from agentops.plan import Options, Plan, stale_targets
from agentops.redact import Redactor, plan_secret_values
from agentops.render.json import render_json
from agentops.render.markdown import COMMENT_LIMIT, SUMMARY_LIMIT, render_apply_markdown, render_markdown
from agentops.render.text import render_text


@contextmanager
def session(root: Path, workspace: str | None, local: bool, redact: Redactor) -> Iterator[Api]:
    try:
        with connect(local, root, workspace) as api:
            yield api
    except ClientSetupError as exc:
        raise Failure(str(exc)) from None
    except anthropic.APIStatusError as exc:
        raise Failure(redact(describe_error(exc))) from None
    except anthropic.APIConnectionError as exc:
        raise Failure(
            f"cannot reach the API ({type(exc).__name__}); check ANTHROPIC_BASE_URL or the network"
        ) from None
    except anthropic.APIError as exc:  # e.g. an unexpected response: its text may echo the request
        raise Failure(f"unexpected API response ({type(exc).__name__})") from None


def project_session(project: Project, opts: GlobalOptions, redact: Redactor) -> Any:
    workspace = opts.workspace_id or project.config.workspace_id
    return session(project.root, workspace, opts.local, redact)


def plan_against(project: Project, api: Api, options: Options, base_ref: str | None) -> Plan:
    """The plan; with `base_ref`, each change labelled "from this change" or "drift"."""
    if base_ref is None:
        return make_plan(project, api, options)
    live = api.list_deployments()
    result = make_plan(project, api, options, live=live)
    try:
        return label_against(result, project, base_ref, live, options, os.environ)
    except BaseRefError as exc:
        raise Failure(str(exc)) from None


def show(plan: Plan, fmt: str, redact: Redactor) -> None:
    if fmt == "json":
        text = render_json(plan)
    elif fmt == "markdown":
        text = render_markdown(plan, COMMENT_LIMIT, run_url(os.environ))
    else:
        text = render_text(plan, color=sys.stdout.isatty())
    click.echo(redact(text), nl=False)
    step_summary(render_markdown(plan, SUMMARY_LIMIT, run_url(os.environ)), redact)


# Past this many actions a terminal gets a progress bar instead of one line per success.
BAR_THRESHOLD = 20


def _line(redact: Redactor, done: int, total: int, result: Result) -> str:
    status = "ok" if result.ok else "FAILED"
    return redact(f"[{done}/{total}] {result.action.action} {result.action.name}: {status}: {result.message}")


def execute(plan: Plan, api: Api, parallelism: int, redact: Redactor) -> None:
    total = len(plan.writes)
    done = [0]
    with contextlib.ExitStack() as stack:
        bar = None
        if sys.stderr.isatty() and total > BAR_THRESHOLD:
            bar = stack.enter_context(click.progressbar(length=total, label="Applying", file=sys.stderr))

        def report(result: Result) -> None:
            done[0] += 1
            if bar is None or not result.ok:
                click.echo(_line(redact, done[0], total, result), err=True)
            if bar is not None:
                bar.update(1)

        executor = Executor(api, plan.stack, os.environ, parallelism=parallelism, report=report)
        results = executor.run(plan)
    step_summary(render_apply_markdown(plan, results), redact)
    failed = [r for r in results if not r.ok]
    click.echo(f"Apply complete: {len(results) - len(failed)} succeeded, {len(failed)} failed.")
    if failed:
        click.echo("Run `agentops apply` again to finish; failed actions:", err=True)
        for result in failed:
            click.echo(redact(f"  {result.action.action} {result.action.name}: {result.message}"), err=True)
        sys.exit(1)


def apply_saved(saved: Plan, path: Path, opts: GlobalOptions, auto_approve: bool, parallelism: int) -> None:
    """Apply a plan file as it was reviewed, after checking no target moved since."""
    if opts.stack and opts.stack != saved.stack:
        raise Failure(f"the saved plan is for stack {saved.stack!r}, not {opts.stack!r}")
    if saved.errored:
        raise Failure("the saved plan has blocking problems; nothing was applied")
    root = find_root(path.resolve().parent) or find_root(Path.cwd()) or Path.cwd()
    redact = Redactor(tuple(plan_secret_values(saved, os.environ)))
    with session(root, opts.workspace_id or saved.workspace_id, opts.local, redact) as api:
        stale = stale_targets(saved, api.list_deployments())
        if stale:
            for line in stale:
                click.echo(f"  {line}", err=True)
            raise Failure(f"the saved plan {path} is stale; run `agentops plan` again")
        show(saved, "text", redact)
        if not saved.has_changes:
            return
        confirm(auto_approve)
        execute(saved, api, parallelism, redact)
