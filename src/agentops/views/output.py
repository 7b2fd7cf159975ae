"""A command's results in the format it was given, chosen once: `view(fmt)`.

Like Terraform's `views.NewPlan(viewType)`: a command asks for its view once and calls the
method for each result, with the console it prints through (which redacts the command's
secrets); it never tests the format itself. `JsonView` prints one document per
result on stdout (views/json.py); `TextView` prints for a person (stdout for the result,
stderr for problems and notes); `MarkdownView` is the text view with the plan in Markdown.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from agentops.engine.fleet.section import Fleet
from agentops.engine.health import Health
from agentops.engine.plan import Plan
from agentops.engine.resources import ORDER
from agentops.manifest.config_schema import CONFIG_FILE
from agentops.manifest.loader import Project
from agentops.model.problems import Problem
from agentops.model.words import plural
from agentops.views import json
from agentops.views.fleet import render_fleet_text
from agentops.views.health import render_health_text, with_health
from agentops.views.markdown import COMMENT_LIMIT, escape, render_markdown
from agentops.views.status import render_agent_lines, render_table
from agentops.views.terminal import Console
from agentops.views.text import render_text


def validation_summary(project: Project, warnings: Sequence[Problem]) -> str:
    """`validate`'s last line: how many manifests are valid, or how many problems in how many files."""
    counts = [(warnings, "warning"), (project.notices, "notice")]
    warned = "".join(f", {plural(len(items), noun)}" for items, noun in counts if items)
    if not project.problems:
        per_kind = project.counts()
        total = sum(per_kind.values())
        # Per kind only when there is more than deployments: the line stays as it was for those.
        kinds = f" ({', '.join(plural(n, kind.replace('_', ' ')) for kind, n in per_kind.items() if n)})" if (
            total > len(project.manifests)) else ""
        return f"{plural(total, 'manifest')} valid{kinds}{warned}"
    # agentops.yaml is named, not counted among the manifest files.
    bad = {problem.file for problem in project.problems}
    manifests = len(bad - {CONFIG_FILE})
    total = max(len([f for f in project.files if f != CONFIG_FILE]), manifests)
    where = [f"{manifests} of {plural(total, 'manifest file')}"] if manifests else []
    where += [CONFIG_FILE] if CONFIG_FILE in bad else []
    return f"{plural(len(project.problems), 'problem')} in {' and '.join(where)}{warned}"


def validation_markdown(project: Project, warnings: Sequence[Problem]) -> str:
    """The CI step summary of `validate`: the summary line, then each problem and warning."""
    lines = [f"### agentops validate: {escape(validation_summary(project, warnings))}", ""]
    lines += [f"- ✗ {escape(str(problem))}" for problem in project.problems]
    lines += [f"- ⚠ {escape(str(warning))}" for warning in warnings]
    return "\n".join(lines) + "\n"


def _import_steps(record: Mapping[str, Any], dry_run: bool) -> str:
    would = "would " if dry_run else ""
    steps = [f"{would}write {record['file']}" if record["wrote_file"] else f"manifest already in {record['file']}"]
    kind = record.get("kind", "deployment")
    # A skill carries no tags: they are recorded in a new version of it (commands/import_skills.py).
    tag = f"{would}upload a version recording " if kind == "skill" else f"{would}tag "
    steps.append(tag + ", ".join(record["tags"]) if record["tags"] else "already tagged")
    if record.get("system_file"):
        steps.insert(1, f"{would}write its system prompt to {record['system_file']}")
    if record.get("version") is not None and record["tags"]:
        steps.append(f"now at version {record['version']}")  # the API versions every change of an agent
    label = record["name"] if kind == "deployment" else f"{kind} {record['name']}"
    return f"{label} ({record.get('deployment_id') or record['id']}): " + "; ".join(steps)


def _counted(records: Sequence[Mapping[str, Any]]) -> str:
    """"1 agent, 3 deployments": how many of each kind were imported (or "0 deployments")."""
    counts = Counter(record.get("kind", "deployment") for record in records)
    return ", ".join(plural(counts[r.kind], r.kind.replace("_", " ")) for r in ORDER
                     if counts[r.kind]) or plural(0, "deployment")


class TextView:
    """Results for a person at a terminal or reading a CI log."""

    def __init__(self, link: str | None = None) -> None:
        self.link = link  # the CI run a Markdown plan links to

    def problems(self, console: Console, problems: Sequence[Problem]) -> None:
        """Problems in the manifests: the one error line lists them (cli/app.py)."""

    def error(self, console: Console, message: str, details: Sequence[str], data: Mapping[str, Any]) -> None:
        """A failure: the one error line says it (cli/app.py)."""

    def plan(self, console: Console, plan: Plan, health: Health | None, now: datetime) -> None:
        if console.quiet:  # -q: the summary line and what blocks it, nothing else
            for blocker in plan.blockers:
                console.error(f"error: {blocker}")
            console.line(plan.summary())
            return
        text = render_text(plan, color=console.color, verbose=console.verbose, now=now)
        console.out(text + (render_health_text(health) if health else ""), nl=False)

    def applying(self, console: Console, plan: Plan, now: datetime) -> None:
        """The plan `apply` is about to carry out, for the person who confirms it."""
        self.plan(console, plan, None, now)

    def results(self, console: Console, plan: Plan, results: Sequence[json.Outcome], not_started: int,
                interrupted: bool) -> None:
        ok, failed = plan.settled((r.action, r.ok) for r in results)
        console.out(f"Apply complete: {ok} succeeded, {failed} failed.")

    def validation(self, console: Console, project: Project, warnings: Sequence[Problem]) -> None:
        for problem in project.problems:
            for line in problem.with_excerpt().split("\n"):  # the Console prints one line per call
                console.error(line)
        for warning in () if console.quiet else warnings:  # -q: problems and the summary line only
            console.error(f"warning: {warning}")
        for notice in project.notices:
            console.info(f"notice: {notice}")
        for loaded in project.manifests if console.verbose else ():  # -v: each manifest that passed
            console.info(f"valid: {loaded.file}:{loaded.line}: {loaded.manifest.name}")
        console.out(validation_summary(project, warnings))

    def status(self, console: Console, stack: str, env: str | None, table: list[dict[str, Any]], health: Health,
               agents: Sequence[dict[str, Any]] = ()) -> None:
        if not table:
            console.line(f"Stack {stack!r} has no manifests and no deployments.")
            return
        # A terminal (or COLUMNS) sets the width; piped output keeps whole cells for grep and scripts.
        fit = sys.stdout.isatty() or "COLUMNS" in os.environ
        console.out(render_table(table, shutil.get_terminal_size().columns if fit else None), nl=False)
        if agents:
            console.out(render_agent_lines(list(agents)), nl=False)
        console.out(render_health_text(health), nl=False)

    def fleet(self, console: Console, fleet: Fleet) -> None:
        console.out(render_fleet_text(fleet), nl=False)
        for violation in fleet.violations:
            console.error(str(violation))

    def run(self, console: Console, name: str, deployment_id: str, run: Mapping[str, Any],
            fix: str | None = None) -> None:
        """A run that started a session (a failed one leaves as the error line, with its fix)."""
        if not run.get("error"):
            console.line(f"run {run.get('id')} of {name!r} ({deployment_id}) started session "
                             f"{run.get('session_id')}")

    def run_stopped(self, console: Console, name: str, deployment_id: str, run: Mapping[str, Any], why: str) -> None:
        console.error(f"Stopped waiting ({why}): run {run.get('id')} of {name!r} goes on; "
                           "see `agentops status` for its outcome.")

    def imported(self, console: Console, stack: str, dry_run: bool, records: list[dict[str, Any]], notes: list[str],
                 warnings: list[str]) -> None:
        for record in records:
            console.line(_import_steps(record, dry_run))
        for note in notes:
            console.line(f"note: {note}")
        for warning in warnings:
            console.error(f"warning: {warning}")
        if dry_run:
            console.line(f"Dry run: {_counted(records)} would be imported into stack {stack!r}; "
                             "nothing was written and nothing was changed.")
        else:
            console.line(f"Imported {_counted(records)} into stack {stack!r}. "
                             "Run `agentops plan` next: it should show no changes.")


class MarkdownView(TextView):
    """The text view, with the plan as the Markdown of a PR comment."""

    def plan(self, console: Console, plan: Plan, health: Health | None, now: datetime) -> None:
        console.out(with_health(render_markdown(plan, COMMENT_LIMIT, self.link, now), health),
                         nl=False)


class JsonView(TextView):
    """One JSON document per result on stdout, for scripts; the human lines still go to stderr."""

    def problems(self, console: Console, problems: Sequence[Problem]) -> None:
        console.out(json.render_problems(problems), nl=False)

    def error(self, console: Console, message: str, details: Sequence[str], data: Mapping[str, Any]) -> None:
        console.out(json.render_error(message, details, data), nl=False)

    def plan(self, console: Console, plan: Plan, health: Health | None, now: datetime) -> None:
        console.out(json.render_json(plan, health), nl=False)

    def applying(self, console: Console, plan: Plan, now: datetime) -> None:
        """`apply --format json` prints its results, not the plan."""

    def results(self, console: Console, plan: Plan, results: Sequence[json.Outcome], not_started: int,
                interrupted: bool) -> None:
        console.out(json.render_results(results, not_started, interrupted), nl=False)

    def validation(self, console: Console, project: Project, warnings: Sequence[Problem]) -> None:
        console.out(json.render_validation(project.problems, warnings, project.notices, project.counts()),
                         nl=False)

    def status(self, console: Console, stack: str, env: str | None, table: list[dict[str, Any]], health: Health,
               agents: Sequence[dict[str, Any]] = ()) -> None:
        console.out(json.render_status(stack, env, table, health, agents), nl=False)

    def fleet(self, console: Console, fleet: Fleet) -> None:
        console.out(json.render_fleet(fleet), nl=False)

    def run(self, console: Console, name: str, deployment_id: str, run: Mapping[str, Any],
            fix: str | None = None) -> None:
        console.out(json.render_run(name, deployment_id, run, fix=fix), nl=False)

    def run_stopped(self, console: Console, name: str, deployment_id: str, run: Mapping[str, Any], why: str) -> None:
        # A script still gets the run, marked as not settled; a person reading stderr the line.
        console.out(json.render_run(name, deployment_id, run, stopped=why), nl=False)
        super().run_stopped(console, name, deployment_id, run, why)

    def imported(self, console: Console, stack: str, dry_run: bool, records: list[dict[str, Any]], notes: list[str],
                 warnings: list[str]) -> None:
        console.out(json.render_import(stack, dry_run, records, notes, warnings), nl=False)


def view(fmt: str, link: str | None = None) -> TextView:
    """The view of `--format fmt` (`link`: the CI run a Markdown plan names): the one place a
    command's format is looked at."""
    views: dict[str, type[TextView]] = {"text": TextView, "json": JsonView, "markdown": MarkdownView}
    return views[fmt](link)
