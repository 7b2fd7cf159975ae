"""`agentops plan` and `agentops apply`: the reconcile loop at the command line."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anthropic
import click

from agentops.apply import Executor, Result, describe_error
from agentops.baseref import BaseRefError, label_against
from agentops.cli.app import GlobalOptions, global_options
from agentops.github import run_url
from agentops.live import Api, ClientSetupError
from agentops.manifest.loader import Project, find_root, load_project
from agentops.pipeline import Redactor, connect, make_plan, plan_secret_values, secret_values
from agentops.plan import Options, Plan, stale_targets
from agentops.render.json import render_json
from agentops.render.markdown import COMMENT_LIMIT, SUMMARY_LIMIT, render_apply_markdown, render_markdown
from agentops.render.text import render_text

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


def _project(path: Path, opts: GlobalOptions) -> Project:
    project = load_project(path, stack=opts.stack)
    if project.problems:
        for problem in project.problems:
            click.echo(str(problem), err=True)
        raise Failure(f"{len(project.problems)} problem(s) in the manifests; nothing was planned")
    return project


@contextmanager
def _session(root: Path, workspace: str | None, local: bool, redact: Redactor) -> Iterator[Api]:
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


def _project_session(project: Project, opts: GlobalOptions, redact: Redactor) -> Any:
    workspace = opts.workspace_id or project.config.workspace_id
    return _session(project.root, workspace, opts.local, redact)


def _options(project: Project, **flags: Any) -> Options:
    return Options(
        stack=project.config.stack,
        adopt=flags["adopt"],
        prune=not flags["no_prune"],
        max_archive=flags["max_archive"],
        targets=tuple(flags["targets"]),
        allow_empty=flags["allow_empty"],
    )


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


def step_summary(markdown: str, redact: Redactor) -> None:
    """In GitHub Actions, append to the job summary (GITHUB_STEP_SUMMARY names the file)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(redact(markdown) + "\n")


def _show(plan: Plan, fmt: str, redact: Redactor) -> None:
    if fmt == "json":
        text = render_json(plan)
    elif fmt == "markdown":
        text = render_markdown(plan, COMMENT_LIMIT, run_url(os.environ))
    else:
        text = render_text(plan, color=sys.stdout.isatty())
    click.echo(redact(text), nl=False)
    step_summary(render_markdown(plan, SUMMARY_LIMIT, run_url(os.environ)), redact)


@click.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Save the plan (JSON) for `agentops apply FILE`."
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when none.")
@base_ref_option
@plan_options
@global_options
@click.pass_obj
def plan(
    opts: GlobalOptions,
    /,
    path: Path,
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    base_ref: str | None,
    **flags: Any,
) -> None:
    """Show what apply would change."""
    project = _project(path, opts)
    redact = Redactor(tuple(secret_values(project, os.environ)))
    with _project_session(project, opts, redact) as api:
        result = plan_against(project, api, _options(project, **flags), base_ref)
    _show(result, fmt, redact)
    if out is not None:
        out.write_text(redact(render_json(result)))
        click.echo(f"Saved the plan to {out}; apply it with: agentops apply {out}", err=True)
    if result.errored:
        sys.exit(1)
    if detailed_exitcode and result.has_changes:
        sys.exit(2)


# Past this many actions a terminal gets a progress bar instead of one line per success.
BAR_THRESHOLD = 20


def _line(redact: Redactor, done: int, total: int, result: Result) -> str:
    status = "ok" if result.ok else "FAILED"
    return redact(f"[{done}/{total}] {result.action.action} {result.action.name}: {status}: {result.message}")


def _execute(plan: Plan, api: Api, parallelism: int, redact: Redactor) -> None:
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


def _load_saved(path: Path) -> Plan | None:
    if not path.is_file() or path.suffix != ".json":
        return None
    try:
        return Plan.from_dict(json.loads(path.read_text()))
    except (ValueError, KeyError, TypeError) as exc:
        raise Failure(f"{path} is not a saved agentops plan: {exc}") from None


def _confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise Failure(
            "refusing to apply without --auto-approve: there is no terminal to ask for confirmation"
        )
    if not click.confirm("Apply these changes?", default=False):
        raise Failure("apply cancelled; nothing was changed")


@click.command()
@click.argument("target", type=click.Path(path_type=Path), default=".")
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--parallelism", type=click.IntRange(1, 64), default=4, show_default=True)
@plan_options
@global_options
@click.pass_obj
def apply(opts: GlobalOptions, /, target: Path, auto_approve: bool, parallelism: int, **flags: Any) -> None:
    """Make the workspace match the manifests (or apply a saved plan FILE)."""
    saved = _load_saved(target)
    if saved is not None:
        _apply_saved(saved, target, opts, auto_approve, parallelism)
        return
    project = _project(target, opts)
    redact = Redactor(tuple(secret_values(project, os.environ)))
    with _project_session(project, opts, redact) as api:
        result = make_plan(project, api, _options(project, **flags))
        _show(result, "text", redact)
        if result.errored:
            raise Failure("the plan has blocking problems; nothing was applied")
        if not result.has_changes:
            return
        _confirm(auto_approve)
        _execute(result, api, parallelism, redact)


def _apply_saved(saved: Plan, path: Path, opts: GlobalOptions, auto_approve: bool, parallelism: int) -> None:
    """Apply a plan file as it was reviewed, after checking no target moved since."""
    if opts.stack and opts.stack != saved.stack:
        raise Failure(f"the saved plan is for stack {saved.stack!r}, not {opts.stack!r}")
    if saved.errored:
        raise Failure("the saved plan has blocking problems; nothing was applied")
    root = find_root(path.resolve().parent) or find_root(Path.cwd()) or Path.cwd()
    redact = Redactor(tuple(plan_secret_values(saved, os.environ)))
    with _session(root, opts.workspace_id or saved.workspace_id, opts.local, redact) as api:
        stale = stale_targets(saved, api.list_deployments())
        if stale:
            for line in stale:
                click.echo(f"  {line}", err=True)
            raise Failure(f"the saved plan {path} is stale; run `agentops plan` again")
        _show(saved, "text", redact)
        if not saved.has_changes:
            return
        _confirm(auto_approve)
        _execute(saved, api, parallelism, redact)
