"""Deployment runs: manual runs, scheduled fires as the clock passes them, failures and auto-pause.

API facts modelled here: a run records its error; a failed *scheduled* run auto-pauses the
deployment with `paused_reason.error.type` equal to the run's error (except rate-limited or
rejected session creations, which keep the schedule firing); manual runs never pause and
work while paused; unpausing does not make up missed fire times.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from agentops.emulator import paging
from agentops.emulator.bodies import new_id
from agentops.emulator.clock import Clock, from_ms, rfc3339, to_ms
from agentops.emulator.deployments import FIRES_AFTER, Deployments
from agentops.emulator.errors import bad_request, not_found, pauses
from agentops.emulator.faults import Faults
from agentops.emulator.registry import Registry
from agentops.emulator.store import RunQuery, Store, StoredDeployment
from agentops.model import cron

MAX_LIMIT = 1000
_WATERMARK = "scheduler_ms"  # the instant up to which every fire time has been handled
_MAX_CATCH_UP = 1000  # fire times one deployment may record in one tick (a clock leaping years)
_BOUNDS = {"created_at[gt]": ">", "created_at[gte]": ">=", "created_at[lt]": "<", "created_at[lte]": "<="}


class Runs:
    def __init__(self, store: Store, registry: Registry, deployments: Deployments, clock: Clock,
                 faults: Callable[[], Faults]) -> None:
        self._store = store
        self._registry = registry
        self._deployments = deployments
        self._clock = clock
        self._faults = faults

    # --- the API ----------------------------------------------------------------------------

    def run(self, workspace: str, deployment_id: str) -> dict[str, Any]:
        """A manual run: recorded, never pauses the deployment, even when it fails."""
        with self._store.atomic():
            found = self._deployments.live(workspace, deployment_id, "run")
            return self._record(workspace, found.doc, {"type": "manual"}, to_ms(self._clock()))

    def retrieve(self, workspace: str, run_id: str) -> dict[str, Any]:
        run = self._store.get_run(workspace, run_id)
        if run is None:
            raise not_found(f"deployment run {run_id!r} not found")
        return run

    # --- the scheduler ----------------------------------------------------------------------

    def fire(self, workspace: str, deployment_id: str) -> dict[str, Any]:
        """Fire the deployment's schedule now, whatever its cron says (a test control)."""
        with self._store.atomic():
            found = self._deployments.live(workspace, deployment_id, "fired")
            if found.doc["schedule"] is None:
                raise bad_request(f"deployment {deployment_id!r} has no schedule")
            if found.doc["status"] == "paused":
                raise bad_request(f"deployment {deployment_id!r} is paused; its schedule does not fire")
            now_ms = to_ms(self._clock())
            return self._fire(workspace, found, now_ms - now_ms % 60_000, now_ms)

    def tick(self) -> list[dict[str, Any]]:
        """Record every scheduled run whose fire time the clock has passed since the last tick."""
        fired: list[dict[str, Any]] = []
        with self._store.atomic():
            now_ms = to_ms(self._clock())
            watermark = self._store.get_meta(_WATERMARK) or 0
            for workspace, found in self._store.scheduled_deployments():
                start_ms = max(watermark, found.doc.get(FIRES_AFTER, found.created_ms))
                for scheduled_ms in _fire_times(found.doc["schedule"], start_ms, now_ms):
                    run = self._fire(workspace, found, scheduled_ms, scheduled_ms)
                    fired.append(run)
                    current = self._store.get_deployment(workspace, found.doc["id"])
                    if current is None or current.doc["status"] != "active":
                        break  # auto-paused: the rest of the schedule does not fire
                    found = current
            self._store.set_meta(_WATERMARK, max(watermark, now_ms))
        return fired

    def _fire(self, workspace: str, found: StoredDeployment, scheduled_ms: int, at_ms: int) -> dict[str, Any]:
        trigger = {"type": "schedule", "scheduled_at": rfc3339(scheduled_ms)}
        run = self._record(workspace, found.doc, trigger, at_ms)
        doc = copy.deepcopy(found.doc)
        doc["schedule"]["last_run_at"] = run["created_at"]
        error = run["error"]
        if error is not None and pauses(error["type"]):
            doc["status"] = "paused"
            doc["paused_reason"] = {"type": "error", "error": {"type": error["type"]}}
            self._deployments.save(workspace, found, doc)
        else:
            # A schedule tick is no user write: updated_at (the staleness token) stays.
            self._store.put_deployment(workspace, doc, found.created_ms, found.updated_ms)
        return run

    # --- records ----------------------------------------------------------------------------

    def _record(self, workspace: str, doc: dict[str, Any], trigger: dict[str, Any], at_ms: int) -> dict[str, Any]:
        error = self._error(workspace, doc)
        hostile = self._faults().hostile_text
        if error is not None and hostile:
            error = {**error, "message": error["message"] + hostile}
        run = {
            "id": new_id("drun_") + hostile,
            "type": "deployment_run",
            "deployment_id": doc["id"],
            "agent": doc["agent"],
            "created_at": rfc3339(at_ms),
            "session_id": None if error else new_id("sesn_") + hostile,
            "error": error,
            "trigger_context": trigger,
        }
        self._store.add_run(workspace, run, at_ms)
        return run

    def _error(self, workspace: str, doc: dict[str, Any]) -> dict[str, str] | None:
        """What the referenced objects say first, else the run-error fault for this deployment."""
        error = self._registry.run_error(workspace, doc)
        if error is not None:
            return error
        errors = self._faults().run_errors
        error_type = errors.get(doc["id"]) or errors.get("*")
        return None if error_type is None else {"type": error_type, "message": f"{error_type} (emulated fault)"}


    # Last: a method named `list` would shadow the builtin in the annotations below it.
    def list(self, workspace: str, params: dict[str, str]) -> dict[str, Any]:
        trigger_type = params.get("trigger_type")
        if trigger_type is not None and trigger_type not in ("schedule", "manual"):
            raise bad_request(f"trigger_type: must be 'schedule' or 'manual', got {trigger_type!r}")
        bounds = paging.instants(params, *_BOUNDS)
        query = RunQuery(
            limit=paging.limit(params, MAX_LIMIT) + 1,  # the extra row only says "more pages"
            after=paging.after(params),
            deployment_id=params.get("deployment_id") or None,
            has_error=paging.flag(params, "has_error"),
            trigger_type=trigger_type,
            created=tuple((_BOUNDS[name], value) for name, value in bounds.items() if value is not None),
        )
        return paging.page(self._store.list_runs(workspace, query), query.limit - 1)


def _fire_times(schedule: dict[str, Any], start_ms: int, end_ms: int) -> list[int]:
    """Fire times in (start, end], oldest first, at most `_MAX_CATCH_UP`."""
    spec, zone = cron.parse(schedule["expression"]), cron.check_timezone(schedule["timezone"])
    times: list[int] = []
    while len(times) < _MAX_CATCH_UP:
        batch = [to_ms(run) for run in cron.next_runs(spec, zone, from_ms(start_ms), count=100)]
        due = [ms for ms in batch if ms <= end_ms]
        times += due
        if len(due) < len(batch) or not batch:
            break
        start_ms = batch[-1]
    return times[:_MAX_CATCH_UP]
