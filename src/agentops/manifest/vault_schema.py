"""The vault manifest: one vault with its credentials, as written in the repository
(`client.beta.vaults.create`'s body, each credential `vaults.credentials.create`'s, plus agentops fields).

A credential is identified inside its vault by its `display_name` (optional in the API, required
here): the planner matches live credentials by it, so a rename is a new credential. Every secret of
its `auth` is a `${VAR}` reference (manifest/checks.py), resolved at apply time only.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from agentops.manifest.schema import EnvironmentList, ignorable, lifecycle_field
from agentops.model import credential, spec
from agentops.model.kinds import MAX_CREDENTIALS_PER_VAULT, ManifestName

# Top-level fields whose live value agentops may leave alone; `metadata.<key>` is allowed too.
IGNORABLE = ("credentials",)


class VaultLifecycle(spec.Strict):
    prevent_archive: bool = False
    ignore_changes: list[ignorable(IGNORABLE)] = Field(default_factory=list)  # type: ignore[valid-type]


class Credential(spec.Strict):
    """One credential of the vault."""

    display_name: ManifestName
    auth: credential.Auth
    metadata: spec.Metadata | None = None


class VaultManifest(spec.Strict):
    """One vault and the credentials it holds (all of them: a live credential not listed is archived)."""

    display_name: ManifestName
    metadata: spec.Metadata | None = None
    credentials: Annotated[list[Credential], Field(max_length=MAX_CREDENTIALS_PER_VAULT)] = Field(default_factory=list)
    lifecycle: VaultLifecycle = lifecycle_field(VaultLifecycle)
    previous_names: list[ManifestName] = Field(default_factory=list)
    environments: EnvironmentList | None = None
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @property
    def name(self) -> str:
        """The name the vault is known and referenced by."""
        return self.display_name
