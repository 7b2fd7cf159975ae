"""The agent create and update bodies (`client.beta.agents.create/update`) as pydantic models.

Shapes and per-field limits only; rules across fields (MCP servers referenced by toolsets,
the tool count, unique names) are checked on the resolved agent in `agent_config`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from agentops.model import spec

Name = Annotated[str, StringConstraints(min_length=1, max_length=spec.MAX_NAME)]
ServerName = Annotated[str, StringConstraints(min_length=1, max_length=255)]
ToolName = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
McpToolName = Annotated[str, StringConstraints(min_length=1, max_length=128)]
EffortLevel = Literal["low", "medium", "high", "xhigh", "max"]
AgentToolName = Literal["bash", "edit", "read", "write", "glob", "grep", "web_fetch", "web_search"]
MetadataPatch = Annotated[dict[spec.MetadataKey, spec.MetadataValue | None], Field(max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class EffortObject(_Strict):
    type: EffortLevel


class ModelConfig(_Strict):
    id: Name
    effort: EffortLevel | EffortObject | None = None
    inference_geo: str | None = None
    speed: Literal["standard", "fast"] | None = None


Model = Name | ModelConfig


class Policy(_Strict):
    type: Literal["always_allow", "always_ask", "auto"]


class DefaultConfig(_Strict):
    enabled: bool | None = None
    permission_policy: Policy | None = None


class AgentToolConfig(_Strict):
    name: AgentToolName
    type: AgentToolName | None = None
    enabled: bool | None = None
    permission_policy: Policy | None = None

    @model_validator(mode="after")
    def _type_is_name(self) -> AgentToolConfig:
        if self.type is not None and self.type != self.name:
            raise ValueError(f"type must equal name ({self.name!r})")
        return self


class McpToolConfig(_Strict):
    name: McpToolName
    enabled: bool | None = None
    permission_policy: Policy | None = None


class AgentToolset(_Strict):
    type: Literal["agent_toolset_20260401"]
    configs: list[AgentToolConfig] | None = None
    default_config: DefaultConfig | None = None


class McpToolset(_Strict):
    type: Literal["mcp_toolset"]
    mcp_server_name: ServerName
    configs: list[McpToolConfig] | None = None
    default_config: DefaultConfig | None = None


class CustomTool(_Strict):
    type: Literal["custom"]
    name: ToolName
    description: str
    input_schema: dict[str, Any]


Tool = Annotated[AgentToolset | McpToolset | CustomTool, Field(discriminator="type")]


class McpServer(_Strict):
    type: Literal["url"]
    name: ServerName
    url: Annotated[str, StringConstraints(min_length=1)]


class Skill(_Strict):
    type: Literal["anthropic", "custom"]
    skill_id: Annotated[str, StringConstraints(min_length=1)]
    version: str | None = None


class ServiceAccount(_Strict):
    type: Literal["service_account"]


class AwsRole(_Strict):
    type: Literal["aws_role"]
    role_arn: Annotated[str, StringConstraints(min_length=1, max_length=2048)]


ExecutionIdentity = Annotated[ServiceAccount | AwsRole, Field(discriminator="type")]


class Multiagent(BaseModel):
    """Only the discriminator is modelled here; `agent_config` resolves and merges the rest."""

    model_config = ConfigDict(extra="allow", strict=True)

    type: Literal["coordinator", "multiagent_20261001"]


class CreateBody(_Strict):
    name: Name
    model: Model
    description: str | None = None
    system: str | None = None
    tools: list[Tool] | None = None
    mcp_servers: list[McpServer] | None = None
    skills: list[Skill] | None = None
    multiagent: Multiagent | None = None
    execution_identity: ExecutionIdentity | None = None
    metadata: spec.Metadata | None = None


class UpdateBody(_Strict):
    """Every field optional; `model_fields_set` tells an omitted field from a null one."""

    version: Annotated[int, Field(ge=1)] | None = None
    name: Name | None = None
    model: Model | None = None
    description: str | None = None
    system: str | None = None
    tools: list[Tool] | None = None
    mcp_servers: list[McpServer] | None = None
    skills: list[Skill] | None = None
    multiagent: Multiagent | None = None
    execution_identity: ExecutionIdentity | None = None
    metadata: MetadataPatch | None = None

    @model_validator(mode="after")
    def _not_cleared(self) -> UpdateBody:
        # The SDK: name and model "Cannot be cleared".
        for field in ("name", "model"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be cleared")
        return self
