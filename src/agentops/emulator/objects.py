"""Agents, environments and vaults as the SDK sees them: response objects, and the vault body.

Agent and environment bodies and their rules live in `agent_bodies`/`agent_config` and
`environments`; this module only renders what the store holds.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from agentops.emulator import agent_config
from agentops.emulator.clock import rfc3339
from agentops.emulator.store import AgentVersion, RegistryEntry
from agentops.model import environment, spec

PACKAGE_MANAGERS = environment.PACKAGE_MANAGERS


class VaultBody(BaseModel):
    # Other vault fields are accepted and stored, not echoed (vaults are not modelled further).
    model_config = ConfigDict(extra="allow")

    display_name: Annotated[str, StringConstraints(min_length=1, max_length=spec.MAX_NAME)]
    metadata: spec.Metadata | None = None


def default_config() -> dict[str, Any]:
    """A cloud environment's config when none was given: unrestricted, no packages."""
    return {"type": "cloud", "networking": {"type": "unrestricted"},
            "packages": {"type": "packages", **{name: [] for name in PACKAGE_MANAGERS}}}


def render(entry: RegistryEntry, snapshot: AgentVersion) -> dict[str, Any]:
    """BetaManagedAgentsAgent (at the snapshot's version), BetaEnvironment or
    BetaManagedAgentsVault; unnamed objects (registered by id only) are named after their id."""
    given = snapshot.fields
    common: dict[str, Any] = {
        "id": entry.id,
        "type": entry.kind,
        "metadata": given.get("metadata") or {},
        "created_at": rfc3339(entry.created_ms),
        "updated_at": rfc3339(snapshot.updated_ms),
        "archived_at": None if entry.archived_ms is None else rfc3339(entry.archived_ms),
    }
    if entry.kind == "vault":
        return {**common, "display_name": given.get("display_name") or entry.id}
    if entry.kind == "agent":
        return {**agent_config.stored(entry.id, given), **common, "version": snapshot.version}
    return {"scope": "organization", "config": default_config(), "description": None,
            **given, **common, "name": given.get("name") or entry.id}
