"""Every JSON document agentops prints: one serializer, one `format_version`, stable sorted keys.

Each command's `--format json` output is built here (and described by a JSON Schema in
views/schemas.py); nothing else calls `json.dumps` for output. Secret values never reach a
document: the console that prints it redacts, and bodies hold `${VAR}` references only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from agentops.engine import planfile
from agentops.engine.fleet.section import Fleet
from agentops.engine.health import Health
from agentops.engine.plan import FORMAT_VERSION, Action, Plan
from agentops.model.problems import Problem


def dump(data: Any) -> str:
    """The one serializer: two-space indents, sorted keys, UTF-8 text as is, a final newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def document(data: Mapping[str, Any]) -> str:
    """`data` as a versioned document: `format_version` is the same in every one."""
    return dump({**data, "format_version": FORMAT_VERSION})


def render_json(plan: Plan, health: Health | None = None) -> str:
    """The JSON plan; `plan --health` adds a `health` key (and nothing else changes)."""
    data = plan.to_dict()
    if health is not None:
        data["health"] = health.to_dict()
    return document(data)


def render_saved(plan: Plan) -> str:
    """The plan file `plan --out` writes: the JSON plan plus the digest `apply FILE` checks."""
    return dump(planfile.dump(plan))


class Outcome(Protocol):
    """One executed action (executor.Result has this shape)."""

    @property
    def action(self) -> Action: ...
    @property
    def ok(self) -> bool: ...
    @property
    def message(self) -> str: ...
    @property
    def id(self) -> str | None: ...
    @property
    def error_code(self) -> str | None: ...


def render_results(results: Sequence[Outcome], not_started: int, interrupted: bool) -> str:
    """What `apply --format json` reports: one entry per action run, and the totals."""
    return document(
        {
            "results": [
                {
                    "name": r.action.name,
                    "resource": r.action.resource,
                    "action": r.action.kind.value,
                    "verb": r.action.verb,
                    "ok": r.ok,
                    "message": r.message,
                    "id": r.id,
                    "deployment_id": r.id if r.action.resource == "deployment" else None,
                    "error_code": r.error_code,
                }
                for r in results
            ],
            "succeeded": sum(1 for r in results if r.ok),
            "failed": sum(1 for r in results if not r.ok),
            "not_started": not_started,
            "interrupted": interrupted,
        }
    )


def render_validation(
    problems: Iterable[Problem], warnings: Iterable[Problem], notices: Iterable[Problem], kinds: Mapping[str, int]
) -> str:
    """`validate --format json`: valid or not, the manifests per kind, and every problem, warning and
    notice with its place."""
    found = [problem.to_dict() for problem in problems]
    return document({
        "valid": not found,
        "manifests": sum(kinds.values()),
        "kinds": dict(kinds),
        "problems": found,
        "warnings": [warning.to_dict() for warning in warnings],
        "notices": [notice.to_dict() for notice in notices],
    })


def render_status(stack: str, env: str | None, table: list[dict[str, Any]], health: Health,
                  agents: Sequence[Mapping[str, Any]] = ()) -> str:
    """`status --format json`: one row per manifest or deployment, each agent's newest version and the
    deployments on each of its versions, and the stack's run health."""
    return document({"stack": stack, "env": env, "deployments": table, "agents": list(agents),
                     "health": health.to_dict()})


def render_fleet(fleet: Fleet) -> str:
    """`fleet --format json`: the plan's fleet section as a document of its own.

    The section's own `version` key stays in the JSON plan (its contract only gains keys);
    here the document's `format_version` says which shape it has."""
    return document({key: value for key, value in fleet.to_dict().items() if key != "version"})


def render_run(
    name: str, deployment_id: str, run: Mapping[str, Any], stopped: str | None = None, fix: str | None = None
) -> str:
    """`run --format json`: the run as the API returned it, with a failed run's `fix`; `stopped` says why
    waiting ended early."""
    data: dict[str, Any] = {"name": name, "deployment_id": deployment_id, "run": run,
                            "errored": stopped is None and bool(run.get("error")), "fix": fix}
    if stopped is not None:
        data.update(settled=False, stopped=stopped)
    return document(data)


def render_import(
    stack: str, dry_run: bool, records: list[dict[str, Any]], notes: list[str], warnings: list[str]
) -> str:
    """`import --format json`: what was (or would be) written and tagged, and what to know."""
    return document({"errored": False, "stack": stack, "dry_run": dry_run, "imported": records, "refused": [],
                     "notes": notes, "warnings": warnings})


def render_problems(problems: Iterable[Problem]) -> str:
    """Any command's `--format json` when the manifests have problems: nothing was planned."""
    return document({"errored": True, "applyable": False, "problems": [p.to_dict() for p in problems]})


def render_error(message: str, details: Sequence[str], data: Mapping[str, Any]) -> str:
    """Any command's `--format json` when it fails: the one-line error, its details and extra keys."""
    return document({**data, "errored": True, "error": message, "details": list(details)})
