"""`client.beta.vaults`: create, update and delete (retrieve, list and archive are the registry's).

Judgement where the docs are silent: an update sending `display_name: null` keeps the name (a vault
always has one); an archived vault cannot be updated or take new credentials; deleting a vault
deletes its credentials, and deployments that still list it fail their runs with
`vault_not_found_error`.
"""

from __future__ import annotations

from typing import Any

from agentops.emulator import bodies
from agentops.emulator.registry import Registry
from agentops.emulator.store import Store
from agentops.model.vault_bodies import VaultCreate as CreateBody
from agentops.model.vault_bodies import VaultUpdate as UpdateBody


class Vaults:
    def __init__(self, store: Store, registry: Registry) -> None:
        self._store = store
        self._registry = registry

    def create(self, workspace: str, data: Any) -> dict[str, Any]:
        body = bodies.validate(CreateBody, data)
        vault_id = bodies.new_id("vlt_")
        with self._store.atomic():
            self._registry.register(workspace, "vault", vault_id, 1,
                                    {"display_name": body.display_name, "metadata": body.metadata or {}})
            return self._registry.view(workspace, "vault", vault_id)

    def update(self, workspace: str, vault_id: str, data: Any) -> dict[str, Any]:
        body = bodies.validate(UpdateBody, data)

        return self._registry.update(workspace, "vault", vault_id,
                                     lambda fields: bodies.patch_fields(fields, body, ("display_name",)))

    def delete(self, workspace: str, vault_id: str) -> dict[str, str]:
        """`BetaManagedAgentsDeletedVault`; the vault's credentials (and their secrets) go with it."""
        with self._store.atomic():
            deleted = self._registry.delete(workspace, "vault", vault_id)
            self._store.delete_credentials(workspace, vault_id)
        return deleted
