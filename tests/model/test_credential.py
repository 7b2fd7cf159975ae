"""Where a credential's secrets sit: one table, used by manifests' checks, and the emulator's list of
write-only fields agree on them."""

from __future__ import annotations

from agentops.model import credential
from agentops.model.kinds import CREDENTIAL_SECRET_FIELDS, CREDENTIAL_TYPES


def test_every_write_only_field_has_its_place_in_each_auth_type() -> None:
    assert set(credential.SECRET_PATHS) == set(CREDENTIAL_TYPES)
    assert {path[-1] for paths in credential.SECRET_PATHS.values() for path in paths} == set(CREDENTIAL_SECRET_FIELDS)


def test_secrets_are_found_where_they_are_given_and_only_there() -> None:
    auth = {"type": "mcp_oauth", "access_token": "${A}", "mcp_server_url": "https://x",
            "refresh": {"client_id": "c", "refresh_token": "${R}", "token_endpoint": "https://x/token",
                        "token_endpoint_auth": {"type": "client_secret_post", "client_secret": "${S}"}}}
    assert credential.secrets(auth) == [(("access_token",), "${A}"), (("refresh", "refresh_token"), "${R}"),
                                        (("refresh", "token_endpoint_auth", "client_secret"), "${S}")]
    assert credential.secrets({"type": "mcp_oauth", "access_token": "${A}", "mcp_server_url": "https://x"}) == [
        (("access_token",), "${A}")]
    assert credential.secrets({"type": "static_bearer", "secret_value": "${X}"}) == []
