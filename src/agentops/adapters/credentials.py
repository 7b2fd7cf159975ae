"""`client.beta.vaults.credentials` behind the one-id calls the executor makes for every kind: a
credential's id in a plan is `<vault id>/<credential id>` (engine/vaults.py), as each call needs both;
a create names its vault in its body (`vault_id`, the SDK's first argument)."""

from __future__ import annotations

from typing import Any

from agentops.engine.vaults import split_id


class CredentialCalls:
    """The raw-response credential methods, taking a plan's credential id."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    @property
    def with_raw_response(self) -> CredentialCalls:
        return self  # already raw: `Api._resource` asks every SDK resource for it

    def create(self, **body: Any) -> Any:
        return self._raw.create(**body)

    def retrieve(self, object_id: str, **params: Any) -> Any:
        vault_id, credential_id = split_id(object_id)
        return self._raw.retrieve(credential_id, vault_id=vault_id, **params)

    def update(self, object_id: str, **body: Any) -> Any:
        vault_id, credential_id = split_id(object_id)
        return self._raw.update(credential_id, vault_id=vault_id, **body)

    def archive(self, object_id: str, **params: Any) -> Any:
        vault_id, credential_id = split_id(object_id)
        return self._raw.archive(credential_id, vault_id=vault_id, **params)

    def validate(self, object_id: str, **params: Any) -> Any:
        vault_id, credential_id = split_id(object_id)
        return self._raw.mcp_oauth_validate(credential_id, vault_id=vault_id, **params)
