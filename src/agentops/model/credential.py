"""A vault credential's `auth` as `client.beta.vaults.credentials.create` takes it (the SDK's create
params): the one place manifests and the emulator take its shapes and limits from.

Secret fields are plain strings here: the emulator receives the secrets themselves, a manifest holds
`${VAR}` references, which `manifest/checks.py` requires.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from agentops.model import spec
from agentops.model.kinds import MAX_ALLOWED_HOSTS

Secret = Annotated[str, StringConstraints(min_length=1)]
Text = Annotated[str, StringConstraints(min_length=1)]
# The SDK gives no URL limit; 2048 is the usual bound (judgement).
Url = Annotated[str, StringConstraints(min_length=1, max_length=2048, pattern=r"^https?://\S+$")]
# "a bare hostname, an IPv4 address, or a `*.` wildcard. URLs, ports, paths, and IPv6 addresses aren't accepted."
Host = Annotated[str, StringConstraints(pattern=r"^(\*\.)?([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+$", max_length=253)]
# Judgement: a POSIX environment variable name.
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=256)]


class TokenAuthNone(spec.Strict):
    type: Literal["none"]


class TokenAuthBasic(spec.Strict):
    type: Literal["client_secret_basic"]
    client_secret: Secret


class TokenAuthPost(spec.Strict):
    type: Literal["client_secret_post"]
    client_secret: Secret


class Refresh(spec.Strict):
    client_id: Text
    refresh_token: Secret
    token_endpoint: Url
    token_endpoint_auth: Annotated[TokenAuthNone | TokenAuthBasic | TokenAuthPost, Field(discriminator="type")]
    resource: str | None = None
    scope: str | None = None


class McpOAuth(spec.Strict):
    type: Literal["mcp_oauth"]
    access_token: Secret
    mcp_server_url: Url
    expires_at: str | None = None
    refresh: Refresh | None = None


class StaticBearer(spec.Strict):
    type: Literal["static_bearer"]
    token: Secret
    mcp_server_url: Url


class CredentialUnrestricted(spec.Strict):
    type: Literal["unrestricted"]


class CredentialLimited(spec.Strict):
    type: Literal["limited"]
    allowed_hosts: Annotated[list[Host], Field(min_length=1, max_length=MAX_ALLOWED_HOSTS)]


Networking = Annotated[CredentialUnrestricted | CredentialLimited, Field(discriminator="type")]


class InjectionLocation(spec.Strict):
    body: bool | None = None
    header: bool | None = None


class EnvironmentVariable(spec.Strict):
    type: Literal["environment_variable"]
    secret_name: EnvName
    secret_value: Secret
    networking: Networking
    injection_location: InjectionLocation | None = None


Auth = Annotated[McpOAuth | StaticBearer | EnvironmentVariable, Field(discriminator="type")]


# Where a credential's write-only values sit in its `auth`, by auth type (model.kinds.CREDENTIAL_SECRET_FIELDS).
SECRET_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "mcp_oauth": (("access_token",), ("refresh", "refresh_token"), ("refresh", "token_endpoint_auth", "client_secret")),
    "static_bearer": (("token",),),
    "environment_variable": (("secret_value",),),
}


def secrets(auth: Mapping[str, Any]) -> list[tuple[tuple[str, ...], Any]]:
    """(path inside `auth`, value) of each secret field an auth mapping holds, in a fixed order."""
    found = []
    for path in SECRET_PATHS.get(str(auth.get("type")), ()):
        value: Any = auth
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is not None:
            found.append((path, value))
    return found
