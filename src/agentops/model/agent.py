"""An agent's API fields (`client.beta.agents.create`) as pydantic models, and the API's rules
across fields: the one place both manifests and the emulator take them from.

Shapes and limits follow the SDK's `agent_create_params` and the types it references.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from agentops.model import spec

MAX_MCP_SERVERS = 20  # "Maximum 20"
MAX_TOOLS = 256  # "Maximum of 256 tools across all toolsets"
MAX_ROSTER = 20  # coordinator agents and predefined_agents: "1–20 entries", "At most 20"
MAX_ROLE_ARN = 2048
AGENT_TOOLSET = "agent_toolset_20260401"
# Permission policy of a toolset without default_config (Managed Agents docs, "Permission
# policies": the agent toolset always_allow, MCP toolsets always_ask).
DEFAULT_PERMISSION = {AGENT_TOOLSET: "always_allow", "mcp_toolset": "always_ask"}
# What the API fills in for a model given as a bare id: effort is "resolved to the per-model
# default at save time"; the docs name no per-model values, so one default stands for all.
DEFAULT_EFFORT = "high"
DEFAULT_SPEED = "standard"
# A model object's other fields as the API stores them when omitted.
MODEL_DEFAULTS: dict[str, Any] = {"inference_geo": None, "speed": DEFAULT_SPEED}
DEFAULT_SKILL_VERSION = "latest"  # a skill reference without a version

Name = Annotated[str, StringConstraints(min_length=1, max_length=spec.MAX_NAME)]
ServerName = Annotated[str, StringConstraints(min_length=1, max_length=255)]
ToolName = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
McpToolName = Annotated[str, StringConstraints(min_length=1, max_length=128)]
EffortLevel = Literal["low", "medium", "high", "xhigh", "max"]
AgentToolName = Literal["bash", "edit", "read", "write", "glob", "grep", "web_fetch", "web_search"]
AGENT_TOOL_NAMES: tuple[str, ...] = AgentToolName.__args__  # type: ignore[attr-defined]


class EffortObject(spec.Strict):
    type: EffortLevel


class ModelConfig(spec.Strict):
    id: Name
    effort: EffortLevel | EffortObject | None = None
    inference_geo: str | None = None
    speed: Literal["standard", "fast"] | None = None


Model = Name | ModelConfig


def model_id(model: str | ModelConfig) -> str:
    return model if isinstance(model, str) else model.id


class PermissionPolicy(spec.Strict):
    type: Literal["always_allow", "always_ask", "auto"]


class DefaultConfig(spec.Strict):
    enabled: bool | None = None
    permission_policy: PermissionPolicy | None = None


class AgentToolConfig(spec.Strict):
    name: AgentToolName
    type: AgentToolName | None = None
    enabled: bool | None = None
    permission_policy: PermissionPolicy | None = None

    @model_validator(mode="after")
    def _type_is_name(self) -> AgentToolConfig:
        if self.type is not None and self.type != self.name:
            raise ValueError(f"type must equal name ({self.name!r})")
        return self


class McpToolConfig(spec.Strict):
    name: McpToolName
    enabled: bool | None = None
    permission_policy: PermissionPolicy | None = None


class AgentToolset(spec.Strict):
    type: Literal["agent_toolset_20260401"]
    configs: list[AgentToolConfig] | None = None
    default_config: DefaultConfig | None = None


class McpToolset(spec.Strict):
    type: Literal["mcp_toolset"]
    mcp_server_name: ServerName
    configs: list[McpToolConfig] | None = None
    default_config: DefaultConfig | None = None


class CustomTool(spec.Strict):
    type: Literal["custom"]
    name: ToolName
    description: str
    input_schema: dict[str, Any]


Tool = Annotated[AgentToolset | McpToolset | CustomTool, Field(discriminator="type")]


class McpServer(spec.Strict):
    type: Literal["url"]
    name: ServerName
    url: spec.NonEmpty


class Skill(spec.Strict):
    type: Literal["anthropic", "custom"]
    skill_id: spec.NonEmpty
    version: str | None = None


class ServiceAccount(spec.Strict):
    type: Literal["service_account"]


class AwsRole(spec.Strict):
    type: Literal["aws_role"]
    role_arn: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ROLE_ARN)]


ExecutionIdentity = Annotated[ServiceAccount | AwsRole, Field(discriminator="type")]
MultiagentType = Literal["coordinator", "multiagent_20261001"]


# --- what the API fills in ---------------------------------------------------------------------

SERVICE_ACCOUNT: dict[str, Any] = {"type": "service_account"}  # execution_identity's default


def toolset_default(kind: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """A toolset's default_config as stored: what was given, the API's defaults for the rest
    (enabled, and the toolset's permission policy)."""
    given = given or {}
    return {
        "enabled": True if given.get("enabled") is None else given["enabled"],
        "permission_policy": given.get("permission_policy") or {"type": DEFAULT_PERMISSION[kind]},
    }


def resolved_tool(value: dict[str, Any]) -> dict[str, Any]:
    """A tool as stored: toolsets get their resolved default_config and per-tool configs."""
    kind = value["type"]
    if kind == "custom":
        return dict(value)
    default = toolset_default(kind, value.get("default_config"))
    configs = []
    for config in value.get("configs") or []:
        resolved = {
            "name": config["name"],
            "enabled": default["enabled"] if config.get("enabled") is None else config["enabled"],
            "permission_policy": config.get("permission_policy") or default["permission_policy"],
        }
        if kind == "agent_toolset_20260401":
            resolved["type"] = config["name"]
        configs.append(resolved)
    out = {"type": kind, "configs": configs, "default_config": default}
    if kind == "mcp_toolset":
        out["mcp_server_name"] = value["mcp_server_name"]
    return out


# Per member and type: the keys an object of that type has (multiagent_20261001's docstring).
MULTIAGENT_TYPES: dict[str, dict[str, tuple[str, ...]]] = {
    "multiagent": {"multiagent_20261001": ("advisor", "subagents", "workflows")},
    "advisor": {"enabled": ("model",), "disabled": ()},
    "subagents": {"enabled": ("inline_agents", "predefined_agents"), "disabled": ()},
    "workflows": {"enabled": ("inline_agents", "predefined_agents"), "disabled": ()},
    "inline_agents": {"enabled": (), "disabled": ()},
}
# "Defaults to disabled" (advisor), "Defaults to enabled" (subagents, workflows, inline agents).
_DEFAULT_TYPE = {"advisor": "disabled", "subagents": "enabled", "workflows": "enabled", "inline_agents": "enabled"}


def multiagent_default(member: str) -> Any:
    """The value the API gives an omitted or null member of a multiagent_20261001 object."""
    if member == "predefined_agents":
        return []  # "Null and an empty list both mean no predefined agents"
    kind = _DEFAULT_TYPE[member]
    return {"type": kind, **{key: multiagent_default(key) for key in MULTIAGENT_TYPES[member][kind]}}


# --- rules across fields ----------------------------------------------------------------------

Loc = tuple[int | str, ...]


def dotted(loc: Loc) -> str:
    """A location as a field path: ("tools", 3, "name") -> "tools[3].name"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def rules(agent: Mapping[str, Any]) -> Iterator[tuple[Loc, str]]:
    """(where, what) for each rule across fields the API enforces: the MCP server and tool limits,
    unique names, every MCP server referenced by exactly one mcp_toolset that names a server.

    `agent` holds plain data (a request body or a stored agent): `tools` and `mcp_servers` are
    lists of mappings already valid in shape, or absent.
    """
    servers: Sequence[Mapping[str, Any]] = agent.get("mcp_servers") or []
    tools: Sequence[Mapping[str, Any]] = agent.get("tools") or []
    if len(servers) > MAX_MCP_SERVERS:
        yield ("mcp_servers",), f"at most {MAX_MCP_SERVERS} MCP servers are allowed, got {len(servers)}"
    # The docs count "256 tools across all toolsets"; a toolset's tools are only known when a
    # session connects, so each entry of `tools` counts as one (a judgement, the emulator's too).
    if len(tools) > MAX_TOOLS:
        yield ("tools",), f"at most {MAX_TOOLS} tools are allowed, got {len(tools)}"
    yield from _duplicates("mcp_servers", [(index, server["name"]) for index, server in enumerate(servers)],
                           "name", "MCP server name")
    toolsets = [(index, item["mcp_server_name"]) for index, item in enumerate(tools) if item["type"] == "mcp_toolset"]
    yield from _duplicates("tools", toolsets, "mcp_server_name", "an mcp_toolset for MCP server")
    customs = [(index, item["name"]) for index, item in enumerate(tools) if item["type"] == "custom"]
    yield from _duplicates("tools", customs, "name", "custom tool name")
    agent_toolsets = [index for index, item in enumerate(tools) if item["type"] == AGENT_TOOLSET]
    for index in agent_toolsets[1:]:
        yield ("tools", index), f"at most one {AGENT_TOOLSET} is allowed"
    for index, item in enumerate(tools):
        if item["type"] != "custom":
            names = [(position, config["name"]) for position, config in enumerate(item.get("configs") or [])]
            yield from _duplicates(("tools", index, "configs"), names, "name", "tool name")
    server_names = {server["name"] for server in servers}
    referenced = {name for _, name in toolsets}
    for index, name in toolsets:
        if name not in server_names:
            yield ("tools", index, "mcp_server_name"), f"no MCP server named {name!r} in mcp_servers"
    for index, server in enumerate(servers):
        if server["name"] not in referenced:
            yield (("mcp_servers", index), f"MCP server {server['name']!r} is not referenced by an mcp_toolset "
                   "in tools; unreferenced servers are rejected")


def _duplicates(path: str | Loc, items: list[tuple[int, str]], field: str, what: str) -> Iterator[tuple[Loc, str]]:
    base: Loc = (path,) if isinstance(path, str) else path
    seen: set[str] = set()
    for index, name in items:
        if name in seen:
            yield (*base, index, field), f"{what} {name!r} is not unique"
        seen.add(name)


def _toolset_default(item: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether a toolset's tools are on and their policy unless a config says otherwise: its
    default_config, else the API's default for the toolset."""
    default = item.get("default_config") or {}
    policy = (default.get("permission_policy") or {}).get("type") or DEFAULT_PERMISSION[item["type"]]
    return default.get("enabled") is not False, policy


def _effective(config: Mapping[str, Any], default_on: bool, default_policy: str) -> str:
    """A tool's effective permission: its policy, or "off" when it is disabled."""
    enabled = default_on if config.get("enabled") is None else config["enabled"]
    return ((config.get("permission_policy") or {}).get("type") or default_policy) if enabled else "off"


def always_allowed(tools: Sequence[Mapping[str, Any]]) -> Iterator[tuple[Loc, str]]:
    """(where it is decided, tool name) for each enabled agent-toolset tool whose effective
    permission policy is always_allow: its own config, else the toolset's default_config, else
    the API's default for the toolset (always_allow)."""
    for index, item in enumerate(tools):
        if item.get("type") != AGENT_TOOLSET:
            continue
        default_on, default_policy = _toolset_default(item)
        configs: dict[str, tuple[int, Mapping[str, Any]]] = {
            config["name"]: (position, config) for position, config in enumerate(item.get("configs") or [])}
        for name in AGENT_TOOL_NAMES:
            position, config = configs.get(name, (-1, {}))
            if _effective(config, default_on, default_policy) != "always_allow":
                continue
            if position >= 0 and config.get("permission_policy") is not None:
                yield ("tools", index, "configs", position, "permission_policy"), name
            elif "default_config" in item:
                yield ("tools", index, "default_config"), name
            else:
                yield ("tools", index), name


def permissions(tools: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each tool's effective permission ("always_allow", "always_ask", "auto" or "off"): agent-toolset
    tools by name (`bash`), an MCP toolset's default as `server/*` and its configured tools as
    `server/tool` (the API lists an MCP server's other tools only at run time)."""
    out: dict[str, str] = {}
    for item in tools:
        if item.get("type") == AGENT_TOOLSET:
            default_on, default_policy = _toolset_default(item)
            configs = {config["name"]: config for config in item.get("configs") or []}
            out.update({name: _effective(configs.get(name, {}), default_on, default_policy)
                        for name in AGENT_TOOL_NAMES})
        elif item.get("type") == "mcp_toolset":
            default_on, default_policy = _toolset_default(item)
            server = item.get("mcp_server_name")
            out[f"{server}/*"] = default_policy if default_on else "off"
            out.update({f"{server}/{config['name']}": _effective(config, default_on, default_policy)
                        for config in item.get("configs") or []})
    return out
