"""The manifest: one deployment as written in the repository (the API create body plus agentops fields)."""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag, model_validator

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


def _ignorable(path: str) -> str:
    if path.startswith("metadata.") and tags.is_reserved(path[len("metadata."):]):
        raise ValueError(f"{tags.PREFIX}* tags are agentops's own ownership records and cannot be ignored")
    if path in IGNORABLE or (path.startswith("metadata.") and len(path) > len("metadata.")):
        return path
    close = difflib.get_close_matches(path, IGNORABLE, n=1)
    suggestion = f"; did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"expected a top-level field or 'metadata.<key>'{suggestion}")


IgnorablePath = Annotated[str, AfterValidator(_ignorable)]


class Lifecycle(spec.Strict):
    prevent_archive: bool = False
    ignore_changes: list[IgnorablePath] = Field(default_factory=list)


class AgentByName(spec.Strict):
    """An agent named as in the workspace: its latest version, or `version`. Resolved at plan time."""

    name: spec.NonEmpty
    version: Annotated[int, Field(ge=1)] | None = None


class ByName(spec.Strict):
    """An environment (by `name`) or vault (by `display_name`) of the workspace. Resolved at plan time."""

    name: spec.NonEmpty


def _agent_kind(value: Any) -> str:
    # Serialising calls this with the parsed model, validating with the raw value.
    if isinstance(value, str):
        return "tag:id"
    if isinstance(value, AgentByName):
        return "tag:name"
    return "tag:name" if isinstance(value, dict) and "name" in value and "id" not in value else "tag:ref"


AgentField = Annotated[
    Annotated[spec.NonEmpty, Tag("tag:id")]
    | Annotated[spec.AgentRef, Tag("tag:ref")]
    | Annotated[AgentByName, Tag("tag:name")],
    Discriminator(_agent_kind),
]
EnvironmentList = Annotated[list[spec.NonEmpty], Field(min_length=1)]


class Manifest(spec.Strict):
    """One deployment. `prompt`, `prompt_file` and a Markdown body are shorthands for `initial_events`."""

    name: spec.Name
    description: str | None = None
    agent: AgentField
    environment_id: spec.NonEmpty | None = None
    environment: ByName | None = None
    initial_events: spec.InitialEvents | None = None
    prompt: str | None = None
    prompt_file: str | None = None
    schedule: spec.Schedule | None = None
    resources: spec.Resources | None = None
    vault_ids: spec.VaultIds | None = None
    vaults: Annotated[list[ByName], Field(max_length=spec.MAX_VAULTS)] | None = None
    metadata: spec.Metadata | None = None
    budget: spec.Budget | None = None
    status: Literal["active", "paused"] = "active"
    # A factory, not a Lifecycle() default: pydantic deep-copies a model default on every validation,
    # a fifth of validating a plain manifest. The schema still shows the default.
    lifecycle: Lifecycle = Field(default_factory=Lifecycle, json_schema_extra={"default": Lifecycle().model_dump()})
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
