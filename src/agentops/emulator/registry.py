"""Agents, environments, vaults, skills and memory stores a deployment (or an agent) may reference,
and the checks against them.

Default mode presumes any unregistered id exists (so the emulator works without setup);
strict mode requires registration. A registered object that was archived (or an environment
that was deleted) is refused in both modes, because that state was set on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from agentops.emulator import agent_config, objects, paging
from agentops.emulator.clock import Clock, to_ms
from agentops.emulator.errors import bad_request, not_found
from agentops.emulator.store import AgentVersion, ListQuery, RegistryEntry, Store

Kind = Literal["agent", "environment", "vault", "memory_store", "skill"]
KINDS: tuple[Kind, ...] = ("agent", "environment", "vault", "memory_store", "skill")
# Kinds whose list, retrieve and archive are this module's alone (memory stores and skills have more).
GENERIC: tuple[Kind, ...] = ("agent", "environment", "vault")
# Kinds a seed may register by id: a skill needs uploaded files, so it is only made through the API.
SEEDABLE: tuple[Kind, ...] = ("agent", "environment", "vault", "memory_store")
MAX_LIMIT = 100
# An id no one would give a real object: what a template asks to be replaced (`agent_REPLACE_WITH_YOUR_AGENT_ID`,
# `<your-agent-id>`). Only as a word's start, so a random id's letters never read as one.
PLACEHOLDER = re.compile("(?:^|[^a-z0-9])(?:replace|your)", re.IGNORECASE)
# The field a seeded object is named by (vaults have a display name); skills are never seeded.
SEED_NAME: dict[Kind, str] = {"agent": "name", "environment": "name", "vault": "display_name", "memory_store": "name"}
# The API has no memory_store_not_found_error: a deleted store is a resource "whose kind was not reported".
_NOT_FOUND = {"agent": "unknown_error", "memory_store": "session_resource_not_found_error"}


class Registry:
    def __init__(self, store: Store, clock: Clock, *, strict: bool) -> None:
        self._store = store
        self._clock = clock
        self.strict = strict

    def register(self, workspace: str, kind: Kind, entry_id: str, versions: int = 1,
                 fields: dict[str, Any] | None = None, *, replace: bool = True) -> None:
        """Add an object by id (or set its latest version); `fields` (name, metadata, ...) replace
        the stored ones when given."""
        if not entry_id or not 1 <= versions < 2**31:
            raise bad_request(f"{kind}: an id and versions between 1 and 2**31 - 1 are required")
        self._store.upsert_entry(workspace, kind, entry_id, versions, to_ms(self._clock()), fields, replace=replace)

    def register_given(self, workspace: str, kind: Kind, entry_id: str, versions: int = 1,
                       fields: dict[str, Any] | None = None, *, replace: bool = True) -> None:
        """`register` for fields a seed or `/_emulator/{kind}` gives: an agent's are stored as a
        create would store them (model object, skill versions, resolved toolsets)."""
        if kind == "agent" and fields:
            fields = agent_config.registered(entry_id, fields)
        self.register(workspace, kind, entry_id, versions, fields, replace=replace)

    def archive(self, workspace: str, kind: Kind, entry_id: str) -> dict[str, Any]:
        """Archive (idempotent: the first archived_at stays); deployments referencing an archived
        object keep it, and their runs fail (`runs.py`) as the API's run errors describe."""
        self.get(workspace, kind, entry_id)
        self._store.archive_entry(workspace, kind, entry_id, to_ms(self._clock()))
        return self.view(workspace, kind, entry_id)

    def update(self, workspace: str, kind: Kind, entry_id: str,
               change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        """Replace a stored object's fields with `change(fields)`: 404 when there is none, 400 when it is
        archived (the SDK says so of memory stores; the emulator holds vaults to it too). An update that
        changes nothing leaves updated_at alone."""
        with self._store.atomic():
            entry = self.get(workspace, kind, entry_id)
            if entry.archived_ms is not None:
                raise bad_request(f"{kind} {entry_id!r} is archived; an archived {kind} cannot be updated")
            new = change(dict(entry.fields))
            if new != entry.fields:
                now_ms = max(to_ms(self._clock()), (entry.updated_ms or entry.created_ms) + 1)
                self._store.update_entry(workspace, kind, entry_id, entry.versions, new, now_ms)
            return self.view(workspace, kind, entry_id)

    def delete(self, workspace: str, kind: Kind, entry_id: str) -> dict[str, str]:
        """Delete (a tombstone: runs that still reference it fail); `{id, type: <kind>_deleted}`."""
        with self._store.atomic():
            self.get(workspace, kind, entry_id)
            self._store.delete_entry(workspace, kind, entry_id, to_ms(self._clock()))
        return {"id": entry_id, "type": f"{kind}_deleted"}

    def get(self, workspace: str, kind: Kind, entry_id: str) -> RegistryEntry:
        """A stored object, 404 when there is none (or it was deleted)."""
        entry = self._store.get_entry(workspace, kind, entry_id)
        if entry is None or entry.deleted_ms is not None:
            raise not_found(f"{kind} {entry_id!r} not found")
        return entry

    def resolve_agent(self, workspace: str, agent: str | dict[str, Any]) -> dict[str, Any]:
        """A bare id pins the latest registered version (1 when unregistered)."""
        agent_id = agent if isinstance(agent, str) else str(agent["id"])
        entry = self._store.get_entry(workspace, "agent", agent_id)
        latest = entry.versions if entry else 1
        version = latest if isinstance(agent, str) or agent.get("version") is None else agent["version"]
        return {"id": agent_id, "type": "agent", "version": version}

    def check_references(self, workspace: str, body: dict[str, Any]) -> None:
        """400 for a referenced agent/environment/vault the API would refuse."""
        if "agent" in body:
            agent = body["agent"]
            agent_id = agent if isinstance(agent, str) else agent["id"]
            entry = self.check(workspace, "agent", agent_id, "agent")
            version = None if isinstance(agent, str) else agent.get("version")
            if entry is not None and version is not None and version > entry.versions:
                raise bad_request(
                    f"agent.version: agent {agent_id!r} has no version {version} "
                    f"(latest is {entry.versions})"
                )
        if "environment_id" in body:
            self.check(workspace, "environment", body["environment_id"], "environment_id")
        for index, vault_id in enumerate(body.get("vault_ids") or []):
            self.check(workspace, "vault", vault_id, f"vault_ids[{index}]")
        for index, resource in enumerate(body.get("resources") or []):
            if resource.get("type") == "memory_store":
                self.check(workspace, "memory_store", resource["memory_store_id"], f"resources[{index}].memory_store_id")

    def skill_version(self, workspace: str, skill_id: str, version: str | None, path: str) -> str:
        """The version an agent's custom skill entry pins: the one given, else the skill's latest (the
        API stores "a resolved" skill); "latest" for a skill default mode presumes to exist. 400 for a
        skill or version that is missing or deleted."""
        entry = self._store.get_entry(workspace, "skill", skill_id)
        if (entry is None and self.strict) or (entry is not None and entry.deleted_ms is not None):
            raise bad_request(f"{path}: skill {skill_id!r} not found")
        if entry is None:
            return version or "latest"
        if version is None or version == "latest":
            return str(entry.fields["latest_version_id"])
        found = self._store.get_skill_version(workspace, skill_id, version)
        if found is None or found.deleted_ms is not None:
            raise bad_request(f"{path}.version: skill {skill_id!r} has no version {version!r}")
        return version

    def check(self, workspace: str, kind: Kind, entry_id: str, field: str) -> RegistryEntry | None:
        """The object `field` references; 400 when it may not be referenced."""
        entry = self._store.get_entry(workspace, kind, entry_id)
        if entry is None and not self.strict and PLACEHOLDER.search(entry_id):
            # Default mode presumes an unknown id exists; one left from a template surely does not.
            raise bad_request(
                f"{field}: {kind} {entry_id!r} is a placeholder, not a real {kind} id; replace it with one, or "
                f"seed the emulator with it (`agentops emulator --seed FILE`, or `local: {{seed: FILE}}` in "
                f"agentops.yaml for --local), a file like `{kind}s: [{{id: {entry_id}, {SEED_NAME[kind]}: NAME}}]`"
            )
        if (entry is None and self.strict) or (entry is not None and entry.deleted_ms is not None):
            raise bad_request(f"{field}: {kind} {entry_id!r} not found; "
                              f"the {kind} must exist and not be archived")
        if entry is not None and entry.archived_ms is not None:
            raise bad_request(f"{field}: {kind} {entry_id!r} is archived; "
                              f"the {kind} must exist and not be archived")
        return entry

    def run_error(self, workspace: str, deployment: dict[str, Any]) -> dict[str, str] | None:
        """The error a session creation for `deployment` would fail with, if any."""
        checks: list[tuple[Kind, str]] = [
            ("agent", deployment["agent"]["id"]),
            ("environment", deployment["environment_id"]),
            *(("vault", vault_id) for vault_id in deployment.get("vault_ids") or []),
            *(("memory_store", resource["memory_store_id"]) for resource in deployment.get("resources") or []
              if resource.get("type") == "memory_store"),
        ]
        for kind, entry_id in checks:
            entry = self._store.get_entry(workspace, kind, entry_id)
            deleted = entry is not None and entry.deleted_ms is not None
            if entry is not None and entry.archived_ms is not None and not deleted:
                return {"type": f"{kind}_archived_error", "message": f"{kind} {entry_id!r} is archived"}
            if (entry is None and self.strict) or deleted:
                # Agents cannot be deleted in the API, so there is no agent_not_found_error.
                error_type = _NOT_FOUND.get(kind, f"{kind}_not_found_error")
                return {"type": error_type, "message": f"{kind} {entry_id!r} not found"}
        return self._skill_error(workspace, deployment["agent"])

    def _skill_error(self, workspace: str, agent: dict[str, Any]) -> dict[str, str] | None:
        """`skill_not_found_error` when a custom skill of the pinned agent version, or the skill version
        it pins, was deleted (anthropic skills are the API's own and always exist)."""
        entry = self._store.get_entry(workspace, "agent", agent["id"])
        if entry is None:
            return None
        for skill in self.snapshot(workspace, entry, min(agent["version"], entry.versions)).fields.get("skills") or []:
            if skill.get("type") != "custom":
                continue
            found = self._store.get_entry(workspace, "skill", skill["skill_id"])
            pinned = skill.get("version")
            version = None if found is None or pinned in (None, "latest") else \
                self._store.get_skill_version(workspace, skill["skill_id"], pinned)
            if ((found is None and self.strict) or (found is not None and found.deleted_ms is not None)
                    or (version is not None and version.deleted_ms is not None)):
                return {"type": "skill_not_found_error",
                        "message": f"skill {skill['skill_id']!r} of agent {agent['id']!r} not found"}
        return None

    def view(self, workspace: str, kind: Kind, entry_id: str, version: int | None = None) -> dict[str, Any]:
        """The SDK-shaped object (BetaManagedAgentsAgent, BetaEnvironment, BetaManagedAgentsVault);
        an agent at `version` (default: its latest)."""
        entry = self._store.get_entry(workspace, kind, entry_id)
        if entry is None and not self.strict:
            # Default mode presumes unregistered ids exist; lookups must agree with creates.
            entry = RegistryEntry(kind=kind, id=entry_id, versions=1, created_ms=0, archived_ms=None)
        if entry is None or entry.deleted_ms is not None or (version is not None and not 1 <= version <= entry.versions):
            raise not_found(f"{kind} {entry_id!r}" + (f" version {version}" if version else "") + " not found")
        return objects.render(entry, self.snapshot(workspace, entry, version))

    def snapshot(self, workspace: str, entry: RegistryEntry, version: int | None = None) -> AgentVersion:
        """An agent's fields at `version` (default: the latest)."""
        wanted = entry.versions if version is None else version
        return self.snapshots(workspace, entry, wanted, wanted)[0]

    def snapshots(self, workspace: str, entry: RegistryEntry, low: int, high: int) -> list[AgentVersion]:
        """An agent's versions `high` down to `low`. Versions from before the first update through
        the API (a seed's `versions: n`) have no snapshot: they read as the next one stored, else
        as the latest."""
        latest = AgentVersion(entry.versions, entry.updated_ms or entry.created_ms, entry.fields)
        old = entry.kind == "agent" and low < entry.versions
        stored = self._store.agent_versions(workspace, entry.id, low, high) if old else []
        out = []
        for version in range(high, low - 1, -1):
            later = next((snap for snap in stored if snap.version >= version), None)
            if version >= entry.versions or later is None or later.version >= entry.versions:
                later = latest
            out.append(later if later.version == version else AgentVersion(version, entry.created_ms, later.fields))
        return out

    def list(self, workspace: str, kind: Kind, params: dict[str, str], *, maximum: int = MAX_LIMIT) -> dict[str, Any]:
        """Registered objects, newest first, in cursor pages (agents and memory stores filter by created_at)."""
        names = ("created_at[gte]", "created_at[lte]") if kind in ("agent", "memory_store") else ()
        bounds = paging.instants(params, *names)
        query = ListQuery(
            limit=paging.limit(params, maximum) + 1,  # the extra row only says "more pages"
            after=paging.after(params),
            include_archived=paging.flag(params, "include_archived") or False,
            created_gte_us=bounds.get("created_at[gte]"),
            created_lte_us=bounds.get("created_at[lte]"),
        )
        rows = [objects.render(entry, self.snapshot(workspace, entry)) for entry in self._store.list_entries(workspace, kind, query)]
        return paging.page(rows, query.limit - 1)
