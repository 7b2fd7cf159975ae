"""Vault and credential request bodies (`client.beta.vaults` and `.vaults.credentials` create and
update, as the SDK's params define them): the emulator validates requests with them and a saved
plan's writes are checked against them, so both read one definition.

A credential's create `auth` is `model.credential`'s, which manifests share. Secret fields are plain
strings here; a plan holds `${VAR}` references in them, the emulator the secrets themselves.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from agentops.model import spec
from agentops.model.bodies import MetadataPatch
from agentops.model.credential import Auth, InjectionLocation, Networking, Secret
from agentops.model.kinds import DisplayName


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class VaultCreate(_Strict):
    display_name: DisplayName
    metadata: spec.Metadata | None = None


class VaultUpdate(_Strict):
    display_name: DisplayName | None = None
    metadata: MetadataPatch | None = None


class CredentialCreate(_Strict):
    auth: Auth
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


class CredentialUpdate(_Strict):
    auth: Annotated[McpOAuthUpdate | StaticBearerUpdate | EnvironmentVariableUpdate,
                    Field(discriminator="type")] | None = None
    display_name: DisplayName | None = None
    metadata: MetadataPatch | None = None


# A plan's credential writes name their vault (the SDK's `vault_id` argument): a pending id when the
# same apply creates the vault.
class PlannedCredentialCreate(CredentialCreate):
    vault_id: str
