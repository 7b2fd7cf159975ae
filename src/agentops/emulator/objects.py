"""Registry objects as the SDK sees them: agents, environments, vaults, memory stores and skills.

Bodies and update rules live in each kind's module (`agent_bodies`/`agent_config`, `environments`,
`vaults`, `memory_stores`, `skills`); this module only renders what the store holds.
"""

from __future__ import annotations

from typing import Any

from agentops.emulator import agent_config
from agentops.emulator.clock import rfc3339
from agentops.emulator.store import AgentVersion, RegistryEntry
from agentops.model import environment

PACKAGE_MANAGERS = environment.PACKAGE_MANAGERS
default_config = environment.default_config


def render(entry: RegistryEntry, snapshot: AgentVersion) -> dict[str, Any]:
    """BetaManagedAgentsAgent (at the snapshot's version), BetaEnvironment, BetaManagedAgentsVault,
    BetaManagedAgentsMemoryStore or Skill; unnamed objects (registered by id only) are named after their id."""
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
    if entry.kind == "memory_store":
        return {**common, "name": given.get("name") or entry.id, "description": given.get("description") or ""}
    if entry.kind == "skill":
        # Skills have no metadata and are never archived (only deleted).
        return {"id": entry.id, "type": "skill", "display_name": given["display_name"], "source": {"type": "custom"},
                "latest_version_id": given["latest_version_id"], "created_at": common["created_at"],
                "updated_at": common["updated_at"]}
    if entry.kind == "agent":
        return {**agent_config.stored(entry.id, given), **common, "version": snapshot.version}
    return {"scope": environment.DEFAULT_SCOPE, "config": default_config(), "description": None,
            **given, **common, "name": given.get("name") or entry.id}
