"""An environment's API fields (`client.beta.environments.create`) as pydantic models: the one
place both manifests and the emulator take them from (the SDK's `environment_create_params`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from agentops.model import spec

PACKAGE_MANAGERS = ("apt", "cargo", "gem", "go", "npm", "pip")

Name = Annotated[str, StringConstraints(min_length=1, max_length=spec.MAX_NAME)]
Hosts = list[spec.NonEmpty]
Packages = list[spec.NonEmpty]


class Unrestricted(spec.Strict):
    type: Literal["unrestricted"]


class Limited(spec.Strict):
    type: Literal["limited"]
    allowed_hosts: Hosts | None = None
    allow_mcp_servers: bool | None = None
    allow_package_managers: bool | None = None


Networking = Annotated[Unrestricted | Limited, Field(discriminator="type")]


class PackageLists(spec.Strict):
    type: Literal["packages"] | None = None
    apt: Packages | None = None
    cargo: Packages | None = None
    gem: Packages | None = None
    go: Packages | None = None
    npm: Packages | None = None
    pip: Packages | None = None

    def any(self) -> bool:
        return any(getattr(self, manager) for manager in PACKAGE_MANAGERS)


class Cloud(spec.Strict):
    type: Literal["cloud"]
    networking: Networking | None = None
    packages: PackageLists | None = None


class SelfHosted(spec.Strict):
    type: Literal["self_hosted"]


Config = Annotated[Cloud | SelfHosted, Field(discriminator="type")]
# "API organizations support only 'organization'; 'account' is rejected."
Scope = Literal["organization"]


# What the API fills in (the SDK's BetaCloudConfig and BetaLimitedNetwork): the emulator stores
# these and the planner compares against them, so neither reports a default as a change.
LIMITED_DEFAULTS: dict[str, object] = {"allowed_hosts": [], "allow_mcp_servers": False,
                                       "allow_package_managers": False}
DEFAULT_SCOPE = "organization"


def default_config() -> dict[str, Any]:
    """A cloud environment's config when none was given: unrestricted, no packages."""
    return {"type": "cloud", "networking": {"type": "unrestricted"},
            "packages": {"type": "packages", **{name: [] for name in PACKAGE_MANAGERS}}}
