"""Agents, environments and vaults a deployment may reference, and the checks against them.

Default mode presumes any unregistered id exists (so the emulator works without setup);
strict mode requires registration. A registered object that was archived is refused in
both modes, because that state was set on purpose.
"""

from __future__ import annotations

from typing import Any, Literal

from agentops.emulator import bodies, objects, paging
from agentops.emulator.clock import Clock, to_ms
from agentops.emulator.errors import bad_request, not_found
from agentops.emulator.store import ListQuery, RegistryEntry, Store

Kind = Literal["agent", "environment", "vault"]
KINDS: tuple[Kind, ...] = ("agent", "environment", "vault")
MAX_LIMIT = 100


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

    def archive(self, workspace: str, kind: Kind, entry_id: str) -> None:
        if not self._store.archive_entry(workspace, kind, entry_id, to_ms(self._clock())):
            raise not_found(f"{kind} {entry_id!r} not found")

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
            entry = self._check(workspace, "agent", agent_id, "agent")
            version = None if isinstance(agent, str) else agent.get("version")
            if entry is not None and version is not None and version > entry.versions:
                raise bad_request(
                    f"agent.version: agent {agent_id!r} has no version {version} "
                    f"(latest is {entry.versions})"
                )
        if "environment_id" in body:
            self._check(workspace, "environment", body["environment_id"], "environment_id")
        for index, vault_id in enumerate(body.get("vault_ids") or []):
            self._check(workspace, "vault", vault_id, f"vault_ids[{index}]")

    def _check(self, workspace: str, kind: Kind, entry_id: str, field: str) -> RegistryEntry | None:
        entry = self._store.get_entry(workspace, kind, entry_id)
        if entry is None and self.strict:
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
        ]
        for kind, entry_id in checks:
            entry = self._store.get_entry(workspace, kind, entry_id)
            if entry is not None and entry.archived_ms is not None:
                return {"type": f"{kind}_archived_error", "message": f"{kind} {entry_id!r} is archived"}
            if entry is None and self.strict:
                # Agents cannot be deleted in the API, so there is no agent_not_found_error.
                error_type = "unknown_error" if kind == "agent" else f"{kind}_not_found_error"
                return {"type": error_type, "message": f"{kind} {entry_id!r} not found"}
        return None

    def view(self, workspace: str, kind: Kind, entry_id: str, version: int | None = None) -> dict[str, Any]:
        """The SDK-shaped object (BetaManagedAgentsAgent, BetaEnvironment, BetaManagedAgentsVault)."""
        entry = self._store.get_entry(workspace, kind, entry_id)
        if entry is None and not self.strict:
            # Default mode presumes unregistered ids exist; lookups must agree with creates.
            entry = RegistryEntry(kind=kind, id=entry_id, versions=1, created_ms=0, archived_ms=None)
        if entry is None or (version is not None and not 1 <= version <= entry.versions):
            raise not_found(f"{kind} {entry_id!r}" + (f" version {version}" if version else "") + " not found")
        return objects.render(entry, version)

    def create(self, workspace: str, kind: Kind, data: Any) -> dict[str, Any]:
        """`client.beta.{agents,environments,vaults}.create`: a new object (an agent at version 1)."""
        body = bodies.validate(objects.BODIES[kind], data).model_dump(mode="json")
        entry_id = bodies.new_id(objects.PREFIXES[kind])
        self.register(workspace, kind, entry_id, 1, objects.fields(kind, body))
        return self.view(workspace, kind, entry_id)

    def list(self, workspace: str, kind: Kind, params: dict[str, str]) -> dict[str, Any]:
        """Registered objects, newest first, in cursor pages (only agents filter by created_at)."""
        names = ("created_at[gte]", "created_at[lte]") if kind == "agent" else ()
        bounds = paging.instants(params, *names)
        query = ListQuery(
            limit=paging.limit(params, MAX_LIMIT) + 1,  # the extra row only says "more pages"
            after=paging.after(params),
            include_archived=paging.flag(params, "include_archived") or False,
            created_gte_us=bounds.get("created_at[gte]"),
            created_lte_us=bounds.get("created_at[lte]"),
        )
        rows = [objects.render(entry) for entry in self._store.list_entries(workspace, kind, query)]
        return paging.page(rows, query.limit - 1)
