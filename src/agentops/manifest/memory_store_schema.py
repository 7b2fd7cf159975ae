"""The memory store manifest: one store as written in the repository (`client.beta.memory_stores.create`'s
body plus agentops fields). Seeding memories is not part of it yet."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from agentops.manifest.schema import EnvironmentList, ignorable, lifecycle_field
from agentops.model import spec
from agentops.model.kinds import ManifestName, MemoryStoreDescription

# Top-level fields whose live value agentops may leave alone; `metadata.<key>` is allowed too.
IGNORABLE = ("description",)


class MemoryStoreLifecycle(spec.Strict):
    prevent_archive: bool = False
    ignore_changes: list[ignorable(IGNORABLE)] = Field(default_factory=list)  # type: ignore[valid-type]


class MemoryStoreManifest(spec.Strict):
    """One memory store. A Markdown body is a shorthand for `description`. Its name is printable (which
    refuses the control characters the API refuses) and identifies it in the stack, although the
    API lets two stores share one."""

    name: ManifestName
    description: MemoryStoreDescription | None = None
    metadata: spec.Metadata | None = None
    lifecycle: MemoryStoreLifecycle = lifecycle_field(MemoryStoreLifecycle)
    previous_names: list[ManifestName] = Field(default_factory=list)
    environments: EnvironmentList | None = None
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)
