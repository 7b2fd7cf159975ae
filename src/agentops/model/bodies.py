"""The agent, environment and memory store create and update bodies (`client.beta.agents.create/update`,
`client.beta.environments.create/update`, `client.beta.memory_stores.create/update`) as pydantic models: the emulator validates requests
with them and a saved plan's writes are checked against them, so both read one definition.

Field shapes and limits are `model.agent`'s and `model.environment`'s (manifests use the same
ones); an agent's rules across fields are checked on the resolved agent (`agent.rules`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agentops.model import agent, environment, kinds, spec

MetadataPatch = Annotated[dict[spec.MetadataKey, spec.MetadataValue | None], Field(max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Multiagent(BaseModel):
    """Only the discriminator is modelled here; the API resolves and merges the rest."""

    model_config = ConfigDict(extra="allow", strict=True)

    type: agent.MultiagentType


class AgentCreate(_Strict):
    name: agent.Name
    model: agent.Model
    description: str | None = None
    system: str | None = None
    tools: list[agent.Tool] | None = None
    mcp_servers: list[agent.McpServer] | None = None
    skills: list[agent.Skill] | None = None
    multiagent: Multiagent | None = None
    execution_identity: agent.ExecutionIdentity | None = None
    metadata: spec.Metadata | None = None


class AgentUpdate(_Strict):
    """Every field optional; `model_fields_set` tells an omitted field from a null one."""

    version: Annotated[int, Field(ge=1)] | None = None
    name: agent.Name | None = None
    model: agent.Model | None = None
    description: str | None = None
    system: str | None = None
    tools: list[agent.Tool] | None = None
    mcp_servers: list[agent.McpServer] | None = None
    skills: list[agent.Skill] | None = None
    multiagent: Multiagent | None = None
    execution_identity: agent.ExecutionIdentity | None = None
    metadata: MetadataPatch | None = None

    @model_validator(mode="after")
    def _not_cleared(self) -> AgentUpdate:
        # The SDK: name and model "Cannot be cleared".
        for field in ("name", "model"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be cleared")
        return self


class EnvironmentCreate(_Strict):
    name: environment.Name
    config: environment.Config | None = None
    description: str | None = None
    metadata: spec.Metadata | None = None
    scope: environment.Scope | None = None


class EnvironmentUpdate(_Strict):
    name: environment.Name | None = None
    config: environment.Config | None = None
    description: str | None = None
    metadata: MetadataPatch | None = None
    scope: environment.Scope | None = None


class SkillUpload(_Strict):
    """A skill write as a plan holds it: its folder (relative to the project root) is read and uploaded
    at apply time with agentops's record of `digest` and `metadata` (model/skillfiles.py); a create
    and a new version (the only update a skill has) carry the same."""

    name: str
    folder: str
    digest: str
    metadata: spec.Metadata


class MemoryStoreCreate(_Strict):
    name: kinds.MemoryStoreName
    description: kinds.MemoryStoreDescription | None = None
    metadata: spec.Metadata | None = None


class MemoryStoreUpdate(_Strict):
    name: kinds.MemoryStoreName | None = None
    description: kinds.MemoryStoreDescription | None = None
    metadata: MetadataPatch | None = None
