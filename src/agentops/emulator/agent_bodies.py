"""The agent create and update bodies (`client.beta.agents.create/update`) as pydantic models.

Field shapes and limits are `model.agent`'s (manifests use the same ones); rules across fields
(MCP servers referenced by toolsets, the tool count, unique names) are checked on the resolved
agent in `agent_config`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agentops.model import agent, spec

MetadataPatch = Annotated[dict[spec.MetadataKey, spec.MetadataValue | None], Field(max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Multiagent(BaseModel):
    """Only the discriminator is modelled here; `agent_config` resolves and merges the rest."""

    model_config = ConfigDict(extra="allow", strict=True)

    type: agent.MultiagentType


class CreateBody(_Strict):
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


class UpdateBody(_Strict):
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
    def _not_cleared(self) -> UpdateBody:
        # The SDK: name and model "Cannot be cleared".
        for field in ("name", "model"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be cleared")
        return self
