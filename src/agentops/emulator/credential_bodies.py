"""Request bodies of `client.beta.vaults.credentials` create and update, as the SDK's params define them.

Secret fields are plain strings here; `credentials` splits them off before anything is stored or shown.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from agentops.emulator.agent_bodies import MetadataPatch
from agentops.model import spec
from agentops.model.kinds import MAX_ALLOWED_HOSTS, MAX_DISPLAY_NAME

Secret = Annotated[str, StringConstraints(min_length=1)]
Text = Annotated[str, StringConstraints(min_length=1)]
# The SDK gives no URL limit; 2048 is the usual bound (judgement).
Url = Annotated[str, StringConstraints(min_length=1, max_length=2048, pattern=r"^https?://\S+$")]
# "a bare hostname, an IPv4 address, or a `*.` wildcard. URLs, ports, paths, and IPv6 addresses aren't accepted."
Host = Annotated[str, StringConstraints(pattern=r"^(\*\.)?([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+$", max_length=253)]
# Judgement: a POSIX environment variable name.
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=256)]
DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_DISPLAY_NAME)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class TokenAuthNone(_Strict):
    type: Literal["none"]


class TokenAuthBasic(_Strict):
    type: Literal["client_secret_basic"]
    client_secret: Secret


class TokenAuthPost(_Strict):
    type: Literal["client_secret_post"]
    client_secret: Secret


class RefreshCreate(_Strict):
    client_id: Text
    refresh_token: Secret
    token_endpoint: Url
    token_endpoint_auth: Annotated[TokenAuthNone | TokenAuthBasic | TokenAuthPost, Field(discriminator="type")]
    resource: str | None = None
    scope: str | None = None


class McpOAuthCreate(_Strict):
    type: Literal["mcp_oauth"]
    access_token: Secret
    mcp_server_url: Url
    expires_at: str | None = None
    refresh: RefreshCreate | None = None


class StaticBearerCreate(_Strict):
    type: Literal["static_bearer"]
    token: Secret
    mcp_server_url: Url


class Unrestricted(_Strict):
    type: Literal["unrestricted"]


class Limited(_Strict):
    type: Literal["limited"]
    allowed_hosts: Annotated[list[Host], Field(min_length=1, max_length=MAX_ALLOWED_HOSTS)]


Networking = Annotated[Unrestricted | Limited, Field(discriminator="type")]


class InjectionLocation(_Strict):
    body: bool | None = None
    header: bool | None = None


class EnvironmentVariableCreate(_Strict):
    type: Literal["environment_variable"]
    secret_name: EnvName
    secret_value: Secret
    networking: Networking
    injection_location: InjectionLocation | None = None


class CreateBody(_Strict):
    auth: Annotated[McpOAuthCreate | StaticBearerCreate | EnvironmentVariableCreate, Field(discriminator="type")]
    display_name: DisplayName | None = None
    metadata: spec.Metadata | None = None


class TokenAuthBasicUpdate(_Strict):
    type: Literal["client_secret_basic"]
    client_secret: Secret | None = None


class TokenAuthPostUpdate(_Strict):
    type: Literal["client_secret_post"]
    client_secret: Secret | None = None


class RefreshUpdate(_Strict):
    refresh_token: Secret | None = None
    scope: str | None = None
    token_endpoint_auth: Annotated[TokenAuthBasicUpdate | TokenAuthPostUpdate, Field(discriminator="type")] | None = None


class McpOAuthUpdate(_Strict):
    type: Literal["mcp_oauth"]
    access_token: Secret | None = None
    expires_at: str | None = None
    refresh: RefreshUpdate | None = None


class StaticBearerUpdate(_Strict):
    type: Literal["static_bearer"]
    token: Secret | None = None


class EnvironmentVariableUpdate(_Strict):
    type: Literal["environment_variable"]
    injection_location: InjectionLocation | None = None
    networking: Networking | None = None
    secret_value: Secret | None = None


class UpdateBody(_Strict):
    auth: Annotated[McpOAuthUpdate | StaticBearerUpdate | EnvironmentVariableUpdate,
                    Field(discriminator="type")] | None = None
    display_name: DisplayName | None = None
    metadata: MetadataPatch | None = None
