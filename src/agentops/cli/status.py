"""`agentops status`: what the stack runs, when it runs next, and whether it matches its manifests.

Drift is the planner's verdict (`plan.build_plan`), so status and plan never disagree.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from agentops import tags
from agentops.cli.app import GlobalOptions, global_options
from agentops.cli.common import checked
from agentops.cli.session import project_session
from agentops.identity import Live, match
from agentops.manifest.loader import Project, load_project
from agentops.manifest.secrets import missing_secrets
from agentops.pipeline import desired_state
from agentops.plan import Options, Plan, build_plan, describe_pause
from agentops.redact import Redactor, secret_values

COLUMNS = ("NAME", "STATUS", "SCHEDULE", "NEXT RUN", "LAST RUN", "DRIFT")


def _schedule(live: Live | None) -> dict[str, Any]:
    schedule = (live.body.get("schedule") if live else None) or {}
    upcoming = schedule.get("upcoming_runs_at") or []
    return {
        "schedule": {"expression": schedule["expression"], "timezone": schedule["timezone"]}
        if schedule
        else None,
        "next_run": upcoming[0] if upcoming else None,
        "last_run": schedule.get("last_run_at"),
    }


def _live_row(name: str, live: Live, state: str, drift: list[str] | None, file: str | None) -> dict[str, Any]:
    return {
        "name": name,
        "state": state,
        "deployment_id": live.id,
        "file": file,
        "status": live.status,
        "paused_reason": dict(live.paused_reason) if live.paused_reason else None,
        "status_text": describe_pause(live.paused_reason) if live.status == "paused" else live.status,
        **_schedule(live),
        "drifted": None if drift is None else bool(drift),
        "drift": drift or [],
    }


def _drift(plan: Plan, name: str) -> list[str]:
    """What plan would change for `name`: changed fields, and status for a pause or unpause."""
    found: list[str] = []
    for action in plan.actions:
        if action.name != name or action.action in ("noop", "archive", "create"):
            continue
        fields = sorted({change.path.split(".")[0].split("[")[0] for change in action.changes})
        found.extend(fields if action.action in ("update", "adopt") else ["status"])
    return sorted(set(found))


def rows(project: Project, live: list[Live], stack: str, environ: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per manifest or managed deployment of the stack, sorted by name."""
    unset = {problem.file for problem in missing_secrets(project, environ)}
    wants = [
        # An unset token variable says nothing about the live token: leave the fingerprint out.
        dataclasses.replace(w, ignore_changes=(*w.ignore_changes, f"metadata.{tags.SECRETS}"))
        if w.file in unset
        else w
        for w in desired_state(project, stack, environ)
    ]
    plan = build_plan(wants, live, Options(stack=stack, allow_empty=True))
    matching = match(wants, live, stack)
    out = []
    for item in matching.matches:
        if item.live is None:
            out.append(
                {
                    "name": item.desired.name,
                    "state": "not_deployed",
                    "file": item.desired.file,
                    "deployment_id": None,
                    "status": None,
                    "paused_reason": None,
                    "status_text": "-",
                    **_schedule(None),
                    "drifted": None,
                    "drift": [],
                }
            )
        else:
            drift = _drift(plan, item.desired.name)
            out.append(_live_row(item.desired.name, item.live, "managed", drift, item.desired.file))
    for want, other in matching.conflicts:
        out.append(_live_row(want.name, other, "untagged", None, want.file))
    for orphan in matching.orphans:
        out.append(_live_row(orphan.tag_name or orphan.name, orphan, "no_manifest", None, None))
    for extra, _kept in matching.duplicates:
        out.append(_live_row(extra.tag_name or extra.name, extra, "duplicate", None, None))
    return sorted(out, key=lambda r: (r["name"], r["deployment_id"] or ""))


def _drift_text(row: dict[str, Any]) -> str:
    if row["state"] == "not_deployed":
        return "no deployment (apply creates it)"
    if row["state"] == "no_manifest":
        return "no manifest (apply archives it)"
    if row["state"] == "untagged":
        return "not managed yet (agentops import or plan --adopt)"
    if row["state"] == "duplicate":
        return "duplicate (apply archives it)"
    return "drifted: " + ", ".join(row["drift"]) if row["drifted"] else "in sync"


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    schedule = row["schedule"]
    when = f"{schedule['expression']} ({schedule['timezone']})" if schedule else "-"
    return (
        row["name"],
        row["status_text"],
        when,
        row["next_run"] or "-",
        row["last_run"] or "-",
        _drift_text(row),
    )


def render_table(table: list[dict[str, Any]]) -> str:
    lines = [COLUMNS, *(_cells(row) for row in table)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    text = "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
    return text + "\n"


@click.command("status")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@global_options
@click.pass_obj
def status(opts: GlobalOptions, /, path: Path, fmt: str) -> None:
    """Show the stack's deployments: status, schedule, next and last run, drift."""
    project = checked(load_project(path, opts.stack))
    redact = Redactor(tuple(secret_values(project, os.environ)))
    with project_session(project, opts, redact) as api:
        live = api.list_deployments()
    table = rows(project, live, project.config.stack, os.environ)
    if fmt == "json":
        click.echo(redact(json.dumps({"stack": project.config.stack, "deployments": table}, indent=2)))
    elif not table:
        click.echo(f"Stack {project.config.stack!r} has no manifests and no deployments.")
    else:
        click.echo(redact(render_table(table)), nl=False)
