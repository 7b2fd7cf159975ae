"""`client.beta.memory_stores`: create, update, archive and delete (retrieve and list are the registry's).

The SDK's rules: names are 1-255 characters without control characters and need not be unique; the
description is at most 1,024 characters ("" when unset, "" clears it); metadata is a per-key patch;
an archived store cannot be updated (400) and archiving again returns it unchanged; archiving moves
updated_at. Judgement: `name: null` and `description: null` on update keep the stored value.
Deleting a store makes the runs of deployments that still mount it fail with
`session_resource_not_found_error` (the API has no memory-store-specific not-found type).
"""

from __future__ import annotations

from typing import Any

from agentops.emulator import bodies
from agentops.emulator.clock import Clock, to_ms
from agentops.emulator.registry import Registry
from agentops.emulator.store import Store
from agentops.model.bodies import MemoryStoreCreate as CreateBody
from agentops.model.bodies import MemoryStoreUpdate as UpdateBody


class MemoryStores:
    def __init__(self, store: Store, registry: Registry, clock: Clock) -> None:
        self._store = store
        self._registry = registry
        self._clock = clock

    def create(self, workspace: str, data: Any) -> dict[str, Any]:
        body = bodies.validate(CreateBody, data)
        store_id = bodies.new_id("memstore_")
        fields = {"name": body.name, "description": body.description or "", "metadata": body.metadata or {}}
        with self._store.atomic():
            self._registry.register(workspace, "memory_store", store_id, 1, fields)
            return self._registry.view(workspace, "memory_store", store_id)

    def update(self, workspace: str, store_id: str, data: Any) -> dict[str, Any]:
        body = bodies.validate(UpdateBody, data)

        return self._registry.update(workspace, "memory_store", store_id,
                                     lambda fields: bodies.patch_fields(fields, body, ("name", "description")))

    def archive(self, workspace: str, store_id: str) -> dict[str, Any]:
        with self._store.atomic():
            entry = self._registry.get(workspace, "memory_store", store_id)
            if entry.archived_ms is None:
                now_ms = max(to_ms(self._clock()), (entry.updated_ms or entry.created_ms) + 1)
                self._store.archive_entry(workspace, "memory_store", store_id, now_ms)
                self._store.update_entry(workspace, "memory_store", store_id, entry.versions, entry.fields, now_ms)
            return self._registry.view(workspace, "memory_store", store_id)

    def delete(self, workspace: str, store_id: str) -> dict[str, str]:
        return self._registry.delete(workspace, "memory_store", store_id)
