"""`client.beta.agents`: create, update (immutable integer versions, optimistic concurrency) and
`versions.list`; retrieve, list and archive are the registry's.

Judgement where the docs are silent: versions increase "when the agent is modified", so an
update whose result equals the stored agent creates no version (and leaves updated_at). Any
changed field counts, metadata and name included. An archived agent cannot be updated, and
only stored agents can be updated (default mode presumes unknown ids exist for reads and
references only, as before).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from agentops.emulator import agent_bodies, agent_config, bodies, objects, paging
from agentops.emulator.clock import Clock, to_ms
from agentops.emulator.errors import ApiError, bad_request
from agentops.emulator.registry import Registry
from agentops.emulator.store import AgentVersion, RegistryEntry, Store

MAX_LIMIT = 100  # agents.list and versions.list: "Default 20, maximum 100"


class Agents:
    def __init__(self, store: Store, registry: Registry, clock: Clock) -> None:
        self._store = store
        self._registry = registry
        self._clock = clock

    def create(self, workspace: str, data: Any) -> dict[str, Any]:
        body = bodies.validate(agent_bodies.CreateBody, data)
        values = body.model_dump(mode="json")
        agent_id = bodies.new_id("agent_")
        with self._store.atomic():
            self._pin_skills(workspace, values)
            fields = self._apply(workspace, agent_config.blank(agent_id), values, body.model_fields_set, agent_id, 1)
            self._registry.register(workspace, "agent", agent_id, 1, fields)
            entry = self._registry.get(workspace, "agent", agent_id)
            self._store.put_agent_version(workspace, agent_id, AgentVersion(1, entry.created_ms, fields))
            return self._registry.view(workspace, "agent", agent_id)

    def update(self, workspace: str, agent_id: str, data: Any) -> dict[str, Any]:
        body = bodies.validate(agent_bodies.UpdateBody, data)
        values = body.model_dump(mode="json")
        keys = body.model_fields_set - {"version"}
        with self._store.atomic():
            entry = self._registry.get(workspace, "agent", agent_id)
            if entry.archived_ms is not None:
                raise bad_request(f"agent {agent_id!r} is archived; an archived agent cannot be updated")
            if body.version is not None and body.version != entry.versions:
                # "the request fails if it does not match the server's current version"
                raise ApiError(409, f"version: the update was made against version {body.version}, "
                                    f"but agent {agent_id!r} is at version {entry.versions}", "conflict_error")
            self._pin_skills(workspace, values)
            current = agent_config.stored(agent_id, entry.fields)
            new = self._apply(workspace, current, values, keys, agent_id, entry.versions)
            if new == current:
                return self._registry.view(workspace, "agent", agent_id)
            # Changed: resolve again so a `self` roster entry pins the version being written.
            new = self._apply(workspace, current, values, keys, agent_id, entry.versions + 1)
            self._save(workspace, entry, new)
            return self._registry.view(workspace, "agent", agent_id)

    def _apply(self, workspace: str, current: dict[str, Any], values: dict[str, Any], keys: set[str],
               agent_id: str, version: int) -> dict[str, Any]:
        def lookup(referenced: str, path: str) -> int:
            return self._referenceable(workspace, referenced, agent_id, path)

        return agent_config.apply(current, values, keys, lookup=lookup, agent_id=agent_id, version=version)

    def _pin_skills(self, workspace: str, values: dict[str, Any]) -> None:
        """Custom skills must exist (400 for a missing or deleted skill or version); one sent without a
        version pins the skill's latest version, as the API stores "a resolved" skill."""
        for index, skill in enumerate(values.get("skills") or []):
            if skill["type"] == "custom":
                skill["version"] = self._registry.skill_version(workspace, skill["skill_id"], skill.get("version"),
                                                                f"skills[{index}]")

    def _referenceable(self, workspace: str, referenced: str, owner: str, path: str) -> int:
        """The latest version of an agent a multiagent roster may name: it "must exist, must not be
        archived, and must not themselves have `multiagent` set (depth limit 1)"."""
        entry = self._registry.check(workspace, "agent", referenced, path)
        if entry is None:
            return 1  # default mode presumes unregistered agents exist, at version 1
        if referenced != owner and entry.fields.get("multiagent") is not None:
            raise bad_request(f"{path}: agent {referenced!r} has multiagent set itself (depth limit 1)")
        return entry.versions

    def _save(self, workspace: str, entry: RegistryEntry, fields: dict[str, Any]) -> None:
        """Store `fields` as version N+1, keeping version N readable."""
        updated_ms = entry.updated_ms or entry.created_ms
        if not self._store.agent_versions(workspace, entry.id, entry.versions, entry.versions):
            # A seeded or registered version has no snapshot yet: keep what it reads as now.
            self._store.put_agent_version(workspace, entry.id, AgentVersion(entry.versions, updated_ms, entry.fields))
        now_ms = max(to_ms(self._clock()), updated_ms + 1)
        self._store.put_agent_version(workspace, entry.id, AgentVersion(entry.versions + 1, now_ms, fields))
        self._store.update_entry(workspace, "agent", entry.id, entry.versions + 1, fields, now_ms)

    def versions(self, workspace: str, agent_id: str, params: dict[str, str]) -> dict[str, Any]:
        """`agents.versions.list`: every version, newest first, paged by version number."""
        size = paging.limit(params, MAX_LIMIT)
        entry = self._registry.get(workspace, "agent", agent_id)
        below = _after_version(params.get("page"), entry.versions)
        high = min(entry.versions, below - 1)
        low = max(1, high - size + 1)
        data = [objects.render(entry, snapshot) for snapshot in self._registry.snapshots(workspace, entry, low, high)]
        return {"data": data, "next_page": _cursor(low) if low > 1 else None}


def _cursor(version: int) -> str:
    return base64.urlsafe_b64encode(f"v{version}".encode()).decode().rstrip("=")


def _after_version(token: str | None, latest: int) -> int:
    """The version a `page` cursor points below; `latest + 1` for the first page."""
    if not token:
        return latest + 1
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        version = int(text.removeprefix("v")) if text.startswith("v") else -1
    except (ValueError, binascii.Error, UnicodeDecodeError):
        version = -1
    if not 1 <= version <= latest + 1:
        raise bad_request("page: invalid pagination cursor")
    return version
