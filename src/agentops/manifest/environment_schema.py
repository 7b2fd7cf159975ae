"""The environment manifest: one environment as written in the repository
(`client.beta.environments.create`'s body plus agentops fields)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from agentops.manifest.schema import EnvironmentList, ignorable, lifecycle_field
from agentops.model import environment, spec

# Top-level fields whose live value agentops may leave alone; `metadata.<key>` is allowed too.
IGNORABLE = ("description", "config")


class EnvironmentLifecycle(spec.Strict):
    prevent_archive: bool = False
    ignore_changes: list[ignorable(IGNORABLE)] = Field(default_factory=list)  # type: ignore[valid-type]


class EnvironmentManifest(spec.Strict):
    """One environment. A Markdown body is a shorthand for `description`, as in `ant apply`."""

    name: spec.Name
    description: str | None = None
    config: environment.Config | None = None
    metadata: spec.Metadata | None = None
    scope: environment.Scope | None = None
    lifecycle: EnvironmentLifecycle = lifecycle_field(EnvironmentLifecycle)
    previous_names: list[spec.Name] = Field(default_factory=list)
    environments: EnvironmentList | None = None
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def networking(self) -> environment.Unrestricted | environment.Limited | None:
        """The networking sessions get: a cloud config's (unrestricted when not given), None when self-hosted."""
        config = self.config
        if isinstance(config, environment.SelfHosted):
            return None
        if config is None or config.networking is None:
            return environment.Unrestricted(type="unrestricted")
        return config.networking
