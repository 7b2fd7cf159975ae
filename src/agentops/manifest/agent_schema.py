"""The agent manifest: one agent as written in the repository (`client.beta.agents.create`'s body
plus agentops fields), and its multiagent roster, whose entries may name agents by reference."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    model_validator,
)

from agentops.manifest.schema import (
    PATH_SCHEMA,
    AgentByName,
    AgentByPath,
    AgentId,
    AgentPath,
    EnvironmentList,
    SkillByName,
    SkillByPath,
    as_path,
    ignorable,
    is_path,
    lifecycle_field,
)
from agentops.model import agent, spec

# Top-level fields whose live value agentops may leave alone; `metadata.<key>` is allowed too.
IGNORABLE = ("description", "system", "model", "tools", "mcp_servers", "skills", "multiagent", "execution_identity")


class AgentLifecycle(spec.Strict):
    prevent_archive: bool = False
    ignore_changes: list[ignorable(IGNORABLE)] = Field(default_factory=list)  # type: ignore[valid-type]


def _skill_kind(value: Any) -> str:
    if is_path(value) or isinstance(value, SkillByPath):
        return "tag:path"
    if isinstance(value, SkillByName) or (isinstance(value, dict) and "name" in value and "skill_id" not in value):
        return "tag:name"
    return "tag:ref"


# The API's {type, skill_id, version}, a skill by the name in its SKILL.md, or the path of a skill folder.
Skill = Annotated[
    Annotated[agent.Skill, Tag("tag:ref")] | Annotated[SkillByName, Tag("tag:name")]
    | Annotated[SkillByPath, BeforeValidator(as_path), WithJsonSchema(PATH_SCHEMA), Tag("tag:path")],
    Discriminator(_skill_kind),
]


class SelfEntry(spec.Strict):
    type: Literal["self"]


class AdvisorEntry(spec.Strict):
    type: Literal["advisor"]
    model: spec.NonEmpty


def _entry_kind(value: Any) -> str:
    if is_path(value) or isinstance(value, AgentByPath):
        return "tag:path"
    if isinstance(value, str):
        return "tag:id"
    if isinstance(value, AgentByName) or (isinstance(value, dict) and "name" in value and "type" not in value):
        return "tag:name"
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return {"self": "tag:self", "advisor": "tag:advisor"}.get(str(kind), "tag:ref")


_AGENT_ENTRY = (Annotated[AgentId, Tag("tag:id")] | Annotated[spec.AgentRef, Tag("tag:ref")]
                | Annotated[AgentByName, Tag("tag:name")] | AgentPath | Annotated[SelfEntry, Tag("tag:self")])
# "an agent ID string, a versioned agent reference, or self", or an agent of this repository.
PredefinedEntry = Annotated[_AGENT_ENTRY, Discriminator(_entry_kind)]
# A coordinator's roster also takes the platform advisor.
RosterEntry = Annotated[_AGENT_ENTRY | Annotated[AdvisorEntry, Tag("tag:advisor")], Discriminator(_entry_kind)]


def _distinct(entries: list[Any]) -> list[Any]:
    """"Entries must reference distinct agents ... at most one self" (and one advisor)."""
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(entries):
        key: tuple[str, str]
        if isinstance(entry, SelfEntry | AdvisorEntry):
            key = (entry.type, "")
        elif isinstance(entry, str):
            key = ("id", entry)
        elif isinstance(entry, spec.AgentRef):
            key = ("id", entry.id)
        else:
            key = ("path", entry.path) if isinstance(entry, AgentByPath) else ("name", entry.name)
        if key in seen:
            raise ValueError(f"entry {index} names the same agent as an earlier one; entries must be distinct")
        seen.add(key)
    return entries


Roster = Annotated[list[RosterEntry], Field(min_length=1, max_length=agent.MAX_ROSTER), AfterValidator(_distinct)]
Predefined = Annotated[list[PredefinedEntry], Field(max_length=agent.MAX_ROSTER), AfterValidator(_distinct)]


class Coordinator(spec.Strict):
    type: Literal["coordinator"]
    agents: Roster


class Switch(spec.Strict):
    type: Literal["enabled", "disabled"]


class AdvisorEnabled(spec.Strict):
    type: Literal["enabled"]
    model: spec.NonEmpty


class Disabled(spec.Strict):
    type: Literal["disabled"]


class TeamEnabled(spec.Strict):
    """Subagents or workflows: predefined agents and/or inline agents (enabled by default)."""

    type: Literal["enabled"]
    inline_agents: Switch | None = None
    predefined_agents: Predefined | None = None

    @model_validator(mode="after")
    def _someone(self) -> TeamEnabled:
        if self.inline_agents is not None and self.inline_agents.type == "disabled" and not self.predefined_agents:
            raise ValueError("with inline_agents disabled, predefined_agents must name at least one agent")
        return self


Advisor = Annotated[AdvisorEnabled | Disabled, Field(discriminator="type")]
Team = Annotated[TeamEnabled | Disabled, Field(discriminator="type")]


class Multiagent20261001(spec.Strict):
    type: Literal["multiagent_20261001"]
    advisor: Advisor | None = None
    subagents: Team | None = None
    workflows: Team | None = None


Multiagent = Annotated[Coordinator | Multiagent20261001, Field(discriminator="type")]


class AgentManifest(spec.Strict):
    """One agent. `system_file` and a Markdown body are shorthands for `system`."""

    name: spec.Name
    model: agent.Model
    description: str | None = None
    system: str | None = None
    system_file: str | None = None
    tools: list[agent.Tool] | None = None
    mcp_servers: list[agent.McpServer] | None = None
    skills: list[Skill] | None = None
    multiagent: Multiagent | None = None
    execution_identity: agent.ExecutionIdentity | None = None
    metadata: spec.Metadata | None = None
    lifecycle: AgentLifecycle = lifecycle_field(AgentLifecycle)
    previous_names: list[spec.Name] = Field(default_factory=list)
    environments: EnvironmentList | None = None
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def references(self) -> list[tuple[tuple[int | str, ...], Any]]:
        """(where, entry) for every roster and predefined-agent entry."""
        found: list[tuple[tuple[int | str, ...], Any]] = []
        team = self.multiagent
        if isinstance(team, Coordinator):
            found.extend((("multiagent", "agents", index), entry) for index, entry in enumerate(team.agents))
        elif isinstance(team, Multiagent20261001):
            for member in ("subagents", "workflows"):
                value = getattr(team, member)
                if isinstance(value, TeamEnabled):
                    found.extend((("multiagent", member, "predefined_agents", index), entry)
                                 for index, entry in enumerate(value.predefined_agents or []))
        return found
