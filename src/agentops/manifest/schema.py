"""The manifest: one deployment as written in the repository (the API create body plus agentops fields)."""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    WithJsonSchema,
    model_validator,
)

from agentops.model import spec, tags

# Top-level fields whose live value agentops may leave alone; `metadata.<key>` is allowed too.
IGNORABLE = (
    "description",
    "schedule",
    "resources",
    "initial_events",
    "vault_ids",
    "budget",
    "agent",
    "environment_id",
    "status",
)


def ignorable(fields: tuple[str, ...]) -> Any:
    """A field path type for `ignore_changes`: one of `fields` or `metadata.<key>`."""

    def check(path: str) -> str:
        if path.startswith("metadata.") and tags.is_reserved(path[len("metadata."):]):
            raise ValueError(f"{tags.PREFIX}* tags are agentops's own ownership records and cannot be ignored")
        if path in fields or (path.startswith("metadata.") and len(path) > len("metadata.")):
            return path
        close = difflib.get_close_matches(path, fields, n=1)
        suggestion = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"expected a top-level field or 'metadata.<key>'{suggestion}")

    return Annotated[str, AfterValidator(check)]


class Lifecycle(spec.Strict):
    prevent_archive: bool = False
    ignore_changes: list[ignorable(IGNORABLE)] = Field(default_factory=list)  # type: ignore[valid-type]


def lifecycle_field(model: type[spec.Strict]) -> Any:
    """A `lifecycle` field of `model`: a factory, not a default instance, since pydantic deep-copies
    a model default on every validation (a fifth of validating a plain manifest). The schema
    still shows the default."""
    return Field(default_factory=model, json_schema_extra={"default": model().model_dump()})


# A relative path as `ant apply` writes references: to a file of this repository, from the file
# that holds the reference. Anything else is an id.
PATH_PREFIXES = ("./", "../")
PATH_SCHEMA = {"type": "string", "pattern": "^\\.\\.?/"}


def is_path(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PATH_PREFIXES)


def as_path(value: Any) -> Any:
    return {"path": value} if isinstance(value, str) else value


class AgentByName(spec.Strict):
    """An agent named as in the workspace: its latest version, or `version`. Resolved at plan time."""

    name: spec.NonEmpty
    version: Annotated[int, Field(ge=1)] | None = None


class AgentByPath(AgentByName):
    """An agent manifest of this repository named by its path (`./agents/triage.md`); the loader
    reads the agent's `name` from that file, so the planner resolves it like `{name: ...}`."""

    path: spec.NonEmpty
    name: str = ""


class ByName(spec.Strict):
    """An environment (by `name`) or vault (by `display_name`) of the workspace. Resolved at plan time."""

    name: spec.NonEmpty


class EnvironmentByPath(ByName):
    """An environment manifest of this repository named by its path; the loader fills in `name`."""

    path: spec.NonEmpty
    name: str = ""


class VaultByPath(ByName):
    """A vault manifest of this repository named by its path; the loader fills in `name` (its display_name)."""

    path: spec.NonEmpty
    name: str = ""


class MemoryStoreByPath(ByName):
    """A memory store manifest of this repository named by its path; the loader fills in `name`."""

    path: spec.NonEmpty
    name: str = ""


class SkillByName(spec.Strict):
    """A skill by the `name` in its SKILL.md (this repository's, else the workspace's), following its
    latest version, or pinned to `version` (a version id). Resolved at plan time."""

    name: spec.NonEmpty
    version: spec.NonEmpty | None = None


class SkillByPath(SkillByName):
    """A skill folder of this repository (`./skills/triage/`, or its SKILL.md) named by its path; the
    loader fills in `name` from its SKILL.md."""

    path: spec.NonEmpty
    name: str = ""


# A path string validated as its reference model, shown to editors as the string it is written as.
AgentPath = Annotated[AgentByPath, BeforeValidator(as_path), WithJsonSchema(PATH_SCHEMA), Tag("tag:path")]
EnvironmentPath = Annotated[EnvironmentByPath, BeforeValidator(as_path), WithJsonSchema(PATH_SCHEMA)]


def _path_or_name(by_path: type[ByName]) -> Any:
    """The discriminator of a reference written as a relative path (validated as `by_path`) or {name: ...}."""

    def kind(value: Any) -> str:
        return "tag:path" if is_path(value) or isinstance(value, by_path) else "tag:name"

    return Discriminator(kind)


EnvironmentField = Annotated[
    Annotated[EnvironmentPath, Tag("tag:path")] | Annotated[ByName, Tag("tag:name")], _path_or_name(EnvironmentByPath)
]
VaultField = Annotated[
    Annotated[VaultByPath, BeforeValidator(as_path), WithJsonSchema(PATH_SCHEMA), Tag("tag:path")]
    | Annotated[ByName, Tag("tag:name")],
    _path_or_name(VaultByPath),
]
MemoryStoreField = Annotated[
    Annotated[MemoryStoreByPath, BeforeValidator(as_path), WithJsonSchema(PATH_SCHEMA), Tag("tag:path")]
    | Annotated[ByName, Tag("tag:name")],
    _path_or_name(MemoryStoreByPath),
]


class MemoryStoreByName(spec.Strict):
    """A memory store resource naming its store (`memory_store: {name: X}` or a path) instead of its id."""

    type: Literal["memory_store"]
    memory_store: MemoryStoreField
    access: Literal["read_write", "read_only"] | None = None
    instructions: Annotated[str, StringConstraints(max_length=spec.MAX_INSTRUCTIONS)] | None = None


def _resource_kind(value: Any) -> str:
    if isinstance(value, MemoryStoreByName) or (
            isinstance(value, dict) and value.get("type") == "memory_store" and "memory_store" in value):
        return "memory_store_ref"
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return str(kind)


# The API's resources, and a memory store by name or path.
Resource = Annotated[
    Annotated[spec.GitHubRepositoryResource, Tag("github_repository")] | Annotated[spec.FileResource, Tag("file")]
    | Annotated[spec.MemoryStoreResource, Tag("memory_store")] | Annotated[MemoryStoreByName, Tag("memory_store_ref")],
    Discriminator(_resource_kind),
]


def _agent_kind(value: Any) -> str:
    # Serialising calls this with the parsed model, validating with the raw value.
    if is_path(value) or isinstance(value, AgentByPath):
        return "tag:path"
    if isinstance(value, str):
        return "tag:id"
    if isinstance(value, AgentByName):
        return "tag:name"
    return "tag:name" if isinstance(value, dict) and "name" in value and "id" not in value else "tag:ref"


# An id is any other non-empty string: the schema says so, or a path would match two members.
AgentId = Annotated[spec.NonEmpty, WithJsonSchema({"type": "string", "minLength": 1, "pattern": "^(?!\\.\\.?/)"})]
AgentField = Annotated[
    Annotated[AgentId, Tag("tag:id")]
    | Annotated[spec.AgentRef, Tag("tag:ref")]
    | Annotated[AgentByName, Tag("tag:name")]
    | AgentPath,
    Discriminator(_agent_kind),
]
EnvironmentList = Annotated[list[spec.NonEmpty], Field(min_length=1)]


def _an_id(value: str) -> str:
    if is_path(value):
        raise ValueError("is a relative path, and vault_ids takes ids; write the vault under vaults:, which takes "
                         "paths and names")
    return value


# The API's vault ids; a path written here (as `ant apply` users do) is pointed to `vaults:`.
VaultIds = Annotated[list[Annotated[spec.NonEmpty, AfterValidator(_an_id)]], Field(max_length=spec.MAX_VAULTS)]


class Manifest(spec.Strict):
    """One deployment. `prompt`, `prompt_file` and a Markdown body are shorthands for `initial_events`."""

    name: spec.Name
    description: str | None = None
    agent: AgentField
    environment_id: spec.NonEmpty | None = None
    environment: EnvironmentField | None = None
    initial_events: spec.InitialEvents | None = None
    prompt: str | None = None
    prompt_file: str | None = None
    schedule: spec.Schedule | None = None
    resources: Annotated[list[Resource], Field(max_length=spec.MAX_RESOURCES)] | None = None
    vault_ids: VaultIds | None = None
    vaults: Annotated[list[VaultField], Field(max_length=spec.MAX_VAULTS)] | None = None
    metadata: spec.Metadata | None = None
    budget: spec.Budget | None = None
    status: Literal["active", "paused"] = "active"
    lifecycle: Lifecycle = lifecycle_field(Lifecycle)
    previous_names: list[spec.Name] = Field(default_factory=list)
    # Environments (of agentops.yaml) this deployment exists in; all of them when absent.
    environments: EnvironmentList | None = None
    # Per environment, fields merged over this manifest like `defaults` (the override wins).
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_environment(self) -> Manifest:
        if self.environment_id is None and self.environment is None:
            raise ValueError("expected environment_id, or environment: {name: ...}")
        if len(self.vault_ids or []) + len(self.vaults or []) > spec.MAX_VAULTS:
            raise ValueError(f"vault_ids and vaults together name more than {spec.MAX_VAULTS} vaults")
        return self


# Fields a manifest may take from `defaults:` in agentops.yaml; identity and events stay per manifest.
DEFAULTABLE = tuple(
    field
    for field in Manifest.model_fields
    if field not in {"name", "previous_names", "prompt", "prompt_file", "initial_events", "environments", "overrides"}
)
