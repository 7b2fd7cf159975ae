"""Agents, environments and vaults as the SDK sees them: create bodies and response objects.

Only what a deployment tool reads is modelled strictly (names, metadata, the agent's model);
other create fields are kept as sent and echoed back.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from agentops.emulator.clock import rfc3339
from agentops.emulator.store import RegistryEntry

Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Metadata = dict[Annotated[str, StringConstraints(min_length=1, max_length=64)],
                Annotated[str, StringConstraints(max_length=512)]]


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow")

    metadata: Metadata | None = None


class ModelConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: Name


class AgentBody(_Body):
    name: Name
    model: Name | ModelConfig
    description: str | None = None
    system: str | None = None


class EnvironmentBody(_Body):
    name: Name
    description: str | None = None
    scope: Literal["organization", "account"] | None = None


class VaultBody(_Body):
    display_name: Name


BODIES: dict[str, type[_Body]] = {"agent": AgentBody, "environment": EnvironmentBody, "vault": VaultBody}
PREFIXES = {"agent": "agent_", "environment": "env_", "vault": "vlt_"}


def fields(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """What to store from a validated create body (the agent's model as a config object)."""
    stored = {key: value for key, value in body.items() if value is not None}
    if kind == "agent" and isinstance(stored["model"], str):
        stored["model"] = {"id": stored["model"]}
    return stored


def render(entry: RegistryEntry, version: int | None = None) -> dict[str, Any]:
    """BetaManagedAgentsAgent, BetaEnvironment or BetaManagedAgentsVault; unnamed objects
    (registered by id only) are named after their id."""
    given = entry.fields
    common: dict[str, Any] = {
        "id": entry.id,
        "type": entry.kind,
        "metadata": given.get("metadata") or {},
        "created_at": rfc3339(entry.created_ms),
        "updated_at": rfc3339(entry.created_ms),
        "archived_at": None if entry.archived_ms is None else rfc3339(entry.archived_ms),
    }
    if entry.kind == "vault":
        return {**common, "display_name": given.get("display_name") or entry.id}
    named = {**common, "name": given.get("name") or entry.id, "description": given.get("description")}
    if entry.kind == "agent":
        return {
            "system": None, "multiagent": None, "mcp_servers": [], "skills": [], "tools": [],
            "execution_identity": {"type": "service_account"}, "model": {"id": "claude-sonnet-4-6"},
            **given, **named, "version": version or entry.versions,
        }
    packages: dict[str, Any] = {name: [] for name in ("apt", "cargo", "gem", "go", "npm", "pip")}
    return {
        "scope": "organization",
        "config": {"type": "cloud", "networking": {"type": "unrestricted"},
                   "packages": {"type": "packages", **packages}},
        **given, **named,
    }
