"""The Deployments API semantics: validation, update rules, lifecycle, runs and listing.

Stored documents are the API's own shape plus the write-only secrets; `public` derives
what every endpoint returns from them.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import replace
from typing import Any

from pydantic import BaseModel

from agentops.emulator import bodies, paging
from agentops.emulator.bodies import new_id
from agentops.emulator.clock import Clock, from_ms, rfc3339, to_ms
from agentops.emulator.errors import bad_request, not_found
from agentops.emulator.redaction import WRITE_ONLY
from agentops.emulator.registry import Registry
from agentops.emulator.store import ListQuery, Store, StoredDeployment
from agentops.model import cron, spec

# Stored only: the instant (ms) after which the schedule may fire; creation time when absent.
FIRES_AFTER = "_fires_after_ms"
DEFAULT_MAX_ITERATIONS = 3  # the API reference: "Default 3"
MAX_LIMIT = 100


def validate(model: type[BaseModel], data: Any) -> BaseModel:
    """`bodies.validate`, plus the one rule the shared spec relaxes for manifests."""
    agent = data.get("agent") if isinstance(data, dict) else None
    # The spec defaults `type` so manifests may omit it; the API requires it in an object.
    if isinstance(agent, dict) and "type" not in agent:
        raise bad_request('agent.type: Field required; an agent object needs "type": "agent"')
    return bodies.validate(model, data)


@functools.lru_cache(maxsize=4096)
def _upcoming(expression: str, timezone: str, minute: int) -> tuple[str, ...]:
    # Fire times are whole minutes, so every instant within one minute has the same next runs:
    # a page of a listing computes each distinct schedule once, not once per deployment.
    runs = cron.next_runs(cron.parse(expression), cron.check_timezone(timezone), from_ms(minute * 60_000))
    return tuple(rfc3339(to_ms(run)) for run in runs)


def public(doc: dict[str, Any], now_ms: int) -> dict[str, Any]:
    """The response shape: write-only secrets removed, computed schedule times added.

    Only the parts it changes are copied (a deep copy of every listed document was most of
    the cost of a listing); the rest is shared with `doc`, which callers no longer modify.
    """
    out = {key: value for key, value in doc.items() if not key.startswith("_")}
    out["resources"] = [
        {key: value for key, value in resource.items() if key not in WRITE_ONLY}
        for resource in out["resources"]
    ]
    schedule = out.get("schedule")
    if schedule is not None:
        upcoming: list[str] = []
        if out.get("archived_at") is None:
            upcoming = list(_upcoming(schedule["expression"], schedule["timezone"], now_ms // 60_000))
        out["schedule"] = {**schedule, "upcoming_runs_at": upcoming}
    if out.get("budget") is None:
        out.pop("budget", None)
    return out


def _events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Initial events as stored: an omitted `max_iterations` becomes the documented default."""
    return [
        {**event, "max_iterations": event.get("max_iterations") or DEFAULT_MAX_ITERATIONS}
        if event["type"] == "user.define_outcome" else event
        for event in events
    ]


def _schedule(data: dict[str, Any], last_run_at: str | None) -> dict[str, Any]:
    return {"type": "cron", "expression": data["expression"], "timezone": data["timezone"],
            "last_run_at": last_run_at}


class Deployments:
    def __init__(self, store: Store, registry: Registry, clock: Clock) -> None:
        self._store = store
        self._registry = registry
        self._clock = clock

    def _now(self) -> int:
        return to_ms(self._clock())

    def _get(self, workspace: str, deployment_id: str) -> StoredDeployment:
        found = self._store.get_deployment(workspace, deployment_id)
        if found is None:
            raise not_found(f"deployment {deployment_id!r} not found")
        return found

    def live(self, workspace: str, deployment_id: str, action: str) -> StoredDeployment:
        found = self._get(workspace, deployment_id)
        if found.doc.get("archived_at") is not None:
            raise bad_request(f"deployment {deployment_id!r} is archived; an archived deployment cannot be {action}")
        return found

    def save(self, workspace: str, found: StoredDeployment, doc: dict[str, Any]) -> dict[str, Any]:
        # Strictly increasing even within one millisecond: saved plans detect staleness by it.
        updated_ms = max(self._now(), found.updated_ms + 1)
        doc["updated_at"] = rfc3339(updated_ms)
        self._store.put_deployment(workspace, doc, found.created_ms, updated_ms)
        return public(doc, self._now())

    # --- endpoints --------------------------------------------------------------------------

    def create(self, workspace: str, data: Any) -> dict[str, Any]:
        validate(spec.CreateBody, data)
        with self._store.atomic():
            self._registry.check_references(workspace, data)
            now_ms = self._now()
            schedule = data.get("schedule")
            doc: dict[str, Any] = {
                "id": new_id("depl_"),
                "type": "deployment",
                "name": data["name"],
                "description": data.get("description") or None,
                "agent": self._registry.resolve_agent(workspace, data["agent"]),
                "environment_id": data["environment_id"],
                "initial_events": _events(data["initial_events"]),
                "metadata": data.get("metadata") or {},
                "resources": data.get("resources") or [],
                "vault_ids": data.get("vault_ids") or [],
                "schedule": None if schedule is None else _schedule(schedule, None),
                "status": "active",
                "paused_reason": None,
                "budget": data.get("budget"),
                "created_at": rfc3339(now_ms),
                "updated_at": rfc3339(now_ms),
                "archived_at": None,
            }
            self._store.put_deployment(workspace, doc, now_ms, now_ms)
        return public(doc, now_ms)

    def retrieve(self, workspace: str, deployment_id: str) -> dict[str, Any]:
        return public(self._get(workspace, deployment_id).doc, self._now())

    def update(self, workspace: str, deployment_id: str, data: Any) -> dict[str, Any]:
        validate(spec.UpdateBody, data)
        with self._store.atomic():
            found = self.live(workspace, deployment_id, "updated")
            references = {key: data[key] for key in ("agent", "environment_id", "vault_ids", "resources")
                          if data.get(key) is not None}
            self._registry.check_references(workspace, references)
            doc = copy.deepcopy(found.doc)
            for key in ("name", "environment_id", "budget"):
                if key in data:
                    doc[key] = data[key]
            if "initial_events" in data:
                doc["initial_events"] = _events(data["initial_events"])
            if "agent" in data:
                doc["agent"] = self._registry.resolve_agent(workspace, data["agent"])
            if "description" in data:
                doc["description"] = data["description"] or None
            for key in ("resources", "vault_ids"):
                if key in data:
                    doc[key] = data[key] or []
            if "schedule" in data:
                doc[FIRES_AFTER] = self._now()  # a new schedule fires from now on
                last_run_at = (doc["schedule"] or {}).get("last_run_at")
                doc["schedule"] = None if data["schedule"] is None else _schedule(data["schedule"], last_run_at)
            if data.get("metadata") is not None:
                doc["metadata"] = bodies.merge_metadata(doc["metadata"], data["metadata"])
            return self.save(workspace, found, doc)

    def archive(self, workspace: str, deployment_id: str) -> dict[str, Any]:
        with self._store.atomic():
            found = self.live(workspace, deployment_id, "archived again")
            doc = copy.deepcopy(found.doc)
            doc["archived_at"] = rfc3339(max(self._now(), found.updated_ms + 1))
            return self.save(workspace, found, doc)

    def pause(self, workspace: str, deployment_id: str) -> dict[str, Any]:
        return self._set_status(workspace, deployment_id, "paused", {"type": "manual"})

    def unpause(self, workspace: str, deployment_id: str) -> dict[str, Any]:
        return self._set_status(workspace, deployment_id, "active", None)

    def _set_status(
        self, workspace: str, deployment_id: str, status: str, reason: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Idempotent: asking for the status a deployment already has changes nothing."""
        with self._store.atomic():
            found = self.live(workspace, deployment_id, "paused" if status == "paused" else "unpaused")
            if found.doc["status"] == status:
                return public(found.doc, self._now())
            doc = {**copy.deepcopy(found.doc), "status": status, "paused_reason": reason}
            if status == "active":
                doc[FIRES_AFTER] = self._now()  # unpausing does not make up missed runs
            return self.save(workspace, found, doc)

    def list(self, workspace: str, params: dict[str, str]) -> dict[str, Any]:
        query = self._list_query(params)
        # One extra row tells whether another page exists without a second query.
        rows = self._store.list_deployments(workspace, replace(query, limit=query.limit + 1))
        result = paging.page(rows, query.limit)
        now_ms = self._now()
        return {**result, "data": [public(doc, now_ms) for doc in result["data"]]}

    @staticmethod
    def _list_query(params: dict[str, str]) -> ListQuery:
        include_archived = paging.flag(params, "include_archived") or False
        status = params.get("status")
        if status is not None and status not in ("active", "paused"):
            raise bad_request(f"status: must be 'active' or 'paused', got {status!r}")
        if status is not None and include_archived:
            raise bad_request("status and include_archived cannot be combined")
        bounds = paging.instants(params, "created_at[gte]", "created_at[lte]")
        return ListQuery(
            limit=paging.limit(params, MAX_LIMIT),
            after=paging.after(params),
            agent_id=params.get("agent_id") or None,
            status=status,
            include_archived=include_archived,
            created_gte_us=bounds["created_at[gte]"],
            created_lte_us=bounds["created_at[lte]"],
        )
