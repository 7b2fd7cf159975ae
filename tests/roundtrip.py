"""The round trip of an imported agent or environment, without the planner: a loaded manifest as
the create body it stands for, and that body as the API stores it (the emulator's own rules)."""

from __future__ import annotations

from typing import Any

from agentops.emulator import agent_config, environments
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.environment_schema import EnvironmentManifest
from agentops.model import tags

# Manifest fields that are agentops's own, not the API's.
AGENTOPS_FIELDS = {"system_file", "lifecycle", "previous_names", "environments", "overrides"}
# What the API adds to a stored object that no create body holds.
SERVER_ONLY = {"id", "type", "created_at", "updated_at", "archived_at", "version"}


def create_body(manifest: AgentManifest | EnvironmentManifest) -> dict[str, Any]:
    """The create body a loaded manifest asks for (its `system_file` already read into `system`)."""
    return manifest.model_dump(mode="json", exclude_none=True, exclude=AGENTOPS_FIELDS)


def stored_agent(body: dict[str, Any], agent_id: str) -> dict[str, Any]:
    """What the API stores for an agent created with `body` (roster agents taken at version 1)."""
    return agent_config.apply(agent_config.blank(agent_id), body, body.keys(),
                              lookup=lambda referenced, path: 1, agent_id=agent_id, version=1)


def stored_environment(body: dict[str, Any]) -> dict[str, Any]:
    return {"name": body["name"], "description": body.get("description"), "metadata": body.get("metadata", {}),
            "scope": body.get("scope", "organization"), "config": environments.config(body.get("config"), None)}


def comparable(live: dict[str, Any]) -> dict[str, Any]:
    """A live object without server-only fields and agentops's tags: what a manifest can say."""
    out = {key: value for key, value in live.items() if key not in SERVER_ONLY}
    out["metadata"] = {key: value for key, value in (live.get("metadata") or {}).items() if not tags.is_reserved(key)}
    return out
