"""`agentops status` as data: one row per manifest or managed deployment of the stack.

Drift is the planner's verdict (`plan.build_plan`), so status and plan never disagree.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from agentops.engine import versions
from agentops.engine.desired import Desired
from agentops.engine.identity import Live, match
from agentops.engine.plan import ActionKind, Plan
from agentops.engine.terms import topic
from agentops.model.errors import pause_error


def _schedule(live: Live | None) -> dict[str, Any]:
    schedule = (live.body.get("schedule") if live else None) or {}
    upcoming = schedule.get("upcoming_runs_at") or []
    # A paused deployment does not run: whatever the API still lists as upcoming will not fire.
    running = live is not None and live.status != "paused"
    return {
        "schedule": {"expression": schedule["expression"], "timezone": schedule["timezone"]}
        if schedule
        else None,
        "next_run": upcoming[0] if upcoming and running else None,
        "last_run": schedule.get("last_run_at"),
    }


def status_text(live: Live, wanted: str | None) -> str:
    """Why a deployment is in its state: the manifest's pause, a pause by hand, or an auto-pause's error."""
    if live.status != "paused":
        return live.status
    error = pause_error(live.paused_reason)
    if error is not None:
        return f"auto-paused: {error}"
    return "paused (manifest)" if wanted == "paused" else "paused (by hand)"


def _live_row(
    name: str, live: Live, state: str, drift: list[str] | None, file: str | None, wanted: str | None = None
) -> dict[str, Any]:
    return {
        "name": name,
        "state": state,
        "deployment_id": live.id,
        "file": file,
        "status": live.status,
        "paused_reason": dict(live.paused_reason) if live.paused_reason else None,
        "status_text": status_text(live, wanted),
        **_schedule(live),
        "drifted": None if drift is None else bool(drift),
        "drift": drift or [],
    }


def drift_fields(plan: Plan, name: str) -> list[str]:
    """What plan would change for `name`: changed fields, and status for a pause or unpause."""
    found: list[str] = []
    for action in plan.deployment_actions:
        if action.name != name or action.kind in (ActionKind.NOOP, ActionKind.ARCHIVE, ActionKind.CREATE):
            continue
        fields = sorted({topic(change) for change in action.changes})
        found.extend(fields if action.kind in (ActionKind.UPDATE, ActionKind.ADOPT) else ["status"])
    return sorted(set(found))


def verdict(plan: Plan, row: dict[str, Any]) -> str:
    """What `apply` would do to this row, in words, read from the plan alone."""
    if row["state"] == "untagged":
        return f"not managed yet: agentops import {shlex.quote(row['name'])} (or plan --adopt)"
    if row["blockers"]:
        return "; ".join(f"blocked: {b['message']} ({b['file']})" + (f"; {b['hint']}" if b["hint"] else "")
                         for b in row["blockers"])
    if row["deployment_id"] is None:
        steps = [a for a in plan.deployment_actions if a.name == row["name"] and a.deployment_id is None]
    else:
        steps = [a for a in plan.deployment_actions if a.deployment_id == row["deployment_id"]]
    kinds = {a.kind for a in steps}
    kept = dict(plan.kept)
    if ActionKind.CREATE in kinds:
        said = "no deployment (apply creates it" + (" paused)" if ActionKind.PAUSE in kinds else ")")
    elif ActionKind.ARCHIVE in kinds:
        said = ("duplicate" if row["state"] == "duplicate" else "no manifest") + " (apply archives it)"
    elif row["deployment_id"] in kept:
        said = f"no manifest, kept ({kept[row['deployment_id']]})"
    elif kinds - {ActionKind.NOOP}:
        said = "drifted: " + ", ".join(row["drift"] or ["status"])
    elif kinds:
        said = "in sync"
    else:
        said = "not in this plan"
    # Any blocker stops every write of the plan: a plan-wide one (too many archives, an empty
    # folder) is said in full, another manifest's by its name.
    if plan.blockers and kinds - {ActionKind.NOOP}:
        stopped = [b.message for b in plan.blockers if b.name is None]
        stopped.append(_by_name(sorted({b.name for b in plan.blockers if b.name is not None})))
        said += "; apply is blocked: " + "; ".join(part for part in stopped if part)
    return said


def _by_name(names: list[str]) -> str:
    return f"by the problems of {', '.join(names)}" if names else ""


def rows(
    plan: Plan,
    wants: list[Desired],
    live: list[Live],
    last_runs: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per manifest or managed deployment of the plan's stack (in its environment), sorted by name.

    Every verdict is the plan's (`plan` is what `agentops plan` makes of `wants` and `live`), so
    status and plan never disagree. `last_runs` (deployment id -> when its newest run started,
    from the API's runs) is the last run: it counts runs started by hand too; the schedule's
    `last_run_at` is the fallback."""
    matching = match(wants, live, plan.stack, env=plan.env)
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
            drift = drift_fields(plan, item.desired.name)
            out.append(
                _live_row(item.desired.name, item.live, "managed", drift, item.desired.file, item.desired.status)
            )
    for want, other in matching.conflicts:
        out.append(_live_row(want.name, other, "untagged", None, want.file, want.status))
    for orphan in matching.orphans:
        out.append(_live_row(orphan.tag_name or orphan.name, orphan, "no_manifest", None, None))
    for extra, _kept in matching.duplicates:
        out.append(_live_row(extra.tag_name or extra.name, extra, "duplicate", None, None))
    # What blocks the plan for a manifest (an unset secret, a name that does not resolve) is its
    # verdict in status too: never "in sync" while plan refuses to apply it.
    for row in out:
        row["last_run"] = (last_runs or {}).get(row["deployment_id"] or "", row["last_run"])
        row["blockers"] = [b.to_dict() for b in plan.blockers if b.name == row["name"]] if row["file"] else []
        row["verdict"] = verdict(plan, row)
    return sorted(out, key=lambda r: (r["name"], r["deployment_id"] or ""))


def _agent_ref(live: Live) -> tuple[str, int | None] | None:
    """(agent id, version) a live deployment runs: the API answers `{type, id, version}`."""
    agent = live.body.get("agent")
    found = versions.agent_id(agent)
    return None if found is None else (found, versions.version(agent))


def agent_versions(agents: Sequence[Mapping[str, Any]], live: Sequence[Live], stack: str,
                   env: str | None) -> list[dict[str, Any]]:
    """One row per agent the stack's deployments run (and per agent the stack owns): its newest
    version from the agents listing, and how many of the stack's deployments are on each version,
    newest first; those on an older one are behind (the next apply re-pins a following deployment:
    engine/versions.py)."""
    listed = {str(item["id"]): item for item in agents if "id" in item}
    pinned: dict[str, dict[int | None, list[str]]] = {}
    for deployment in live:
        ref = _agent_ref(deployment) if deployment.owned_by(stack, env) else None
        if ref is not None:
            pinned.setdefault(ref[0], {}).setdefault(ref[1], []).append(deployment.tag_name or deployment.name)
    owned = [agent_id for agent_id, item in listed.items()
             if Live.from_json(item).owned_by(stack, env) and not item.get("archived_at")]
    out = []
    for agent_id in sorted({*pinned, *owned}):
        item = listed.get(agent_id, {})
        newest = item.get("version") if isinstance(item.get("version"), int) else None
        on = pinned.get(agent_id, {})
        behind = {version for version in on if newest is not None and version is not None and version < newest}
        versions = [{"version": version, "deployments": sorted(names), "behind": version in behind}
                    for version, names in sorted(on.items(), key=lambda pair: -(pair[0] or 0))]
        out.append({
            "name": str(item.get("name") or agent_id),
            "agent_id": agent_id,
            "version": newest,
            "found": bool(item),
            "archived": bool(item.get("archived_at")),
            "versions": versions,
            "behind": sum(len(on[version]) for version in behind),
        })
    return sorted(out, key=lambda row: (row["name"], row["agent_id"]))
