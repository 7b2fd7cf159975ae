"""The manifest: one deployment as written in the repository (the API create body plus agentops fields)."""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

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


class Manifest(spec.Strict):
    """One deployment. `prompt`, `prompt_file` and a Markdown body are shorthands for `initial_events`."""

    name: spec.Name
    description: str | None = None
    agent: spec.Agent
    environment_id: spec.NonEmpty
    initial_events: spec.InitialEvents | None = None
    prompt: str | None = None
    prompt_file: str | None = None
    schedule: spec.Schedule | None = None
    resources: spec.Resources | None = None
    vault_ids: spec.VaultIds | None = None
    metadata: spec.Metadata | None = None
    budget: spec.Budget | None = None
    status: Literal["active", "paused"] = "active"
    lifecycle: Lifecycle = Lifecycle()
    previous_names: list[spec.Name] = Field(default_factory=list)

    @field_validator("initial_events")
    @classmethod
    def _order(cls, value: list[Any] | None) -> list[Any] | None:
        return None if value is None else spec.check_event_order(value)


# Fields a manifest may take from `defaults:` in agentops.yaml; identity and events stay per manifest.
DEFAULTABLE = tuple(
    field
    for field in Manifest.model_fields
    if field not in {"name", "previous_names", "prompt", "prompt_file", "initial_events"}
)
