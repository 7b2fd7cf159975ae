"""Credential comparison rules: what is write-only or server-filled, what needs a replacement, and the
update params' `auth` a change sends."""

from __future__ import annotations

from typing import Any

from agentops.engine.normalize import Context
from agentops.engine.resources import RESOURCES
from agentops.model import tags

CREDENTIAL = RESOURCES["credential"]
OAUTH: dict[str, Any] = {
    "type": "mcp_oauth", "mcp_server_url": "https://mcp.example/", "access_token": "${A}",
    "expires_at": "2030-01-01T00:00:00Z",
    "refresh": {"client_id": "c", "refresh_token": "${R}", "token_endpoint": "https://auth.example/token",
                "token_endpoint_auth": {"type": "client_secret_post", "client_secret": "${S}"}, "scope": "read"}}
# What the API returns for it: no secrets, the expiry re-rendered, unset refresh fields null.
LIVE_OAUTH: dict[str, Any] = {
    "type": "mcp_oauth", "mcp_server_url": "https://mcp.example/", "expires_at": "2030-01-01T00:00:00.000Z",
    "refresh": {"client_id": "c", "token_endpoint": "https://auth.example/token", "resource": None,
                "token_endpoint_auth": {"type": "client_secret_post"}, "scope": "read"}}


def shape(auth: dict[str, Any], **metadata: str) -> dict[str, Any]:
    return CREDENTIAL.normalize({"display_name": "x", "auth": auth, "metadata": metadata, "vault_id": "v"}, Context())


def test_secrets_and_server_filled_fields_are_not_compared() -> None:
    assert shape(OAUTH) == shape(LIVE_OAUTH)
    env = {"type": "environment_variable", "secret_name": "N", "secret_value": "${V}",
           "networking": {"type": "unrestricted"}}
    assert shape(env) == shape({**env, "secret_value": None, "injection_location": {"header": True, "body": False}})


def test_an_unset_variable_hides_the_fingerprint_on_both_sides() -> None:
    ctx = Context(secrets_unknown=True)
    body = {"display_name": "x", "auth": OAUTH, "metadata": {tags.SECRETS: "new"}}
    assert CREDENTIAL.normalize(body, ctx)["metadata"] == {}


def test_what_an_update_cannot_change_is_a_replacement() -> None:
    assert CREDENTIAL.replace is not None and CREDENTIAL.clash is not None
    assert CREDENTIAL.replace(shape(LIVE_OAUTH), shape({**OAUTH, "refresh": {**OAUTH["refresh"], "scope": "all"}})) \
        is None  # the scope is the update params'
    moved = shape({**OAUTH, "refresh": {**OAUTH["refresh"], "client_id": "other"}})
    assert CREDENTIAL.replace(shape(LIVE_OAUTH), moved) == "auth.refresh cannot change once created"
    assert CREDENTIAL.clash(shape(LIVE_OAUTH), moved) == "https://mcp.example/"  # same server: cannot create first
    bearer = shape({"type": "static_bearer", "mcp_server_url": "https://other.example/", "token": "${T}"})
    assert CREDENTIAL.replace(shape(LIVE_OAUTH), bearer) == "its auth type cannot change (mcp_oauth -> static_bearer)"
    assert CREDENTIAL.clash(shape(LIVE_OAUTH), bearer) is None
    no_refresh = shape({key: value for key, value in OAUTH.items() if key != "refresh"})
    assert CREDENTIAL.replace(shape(LIVE_OAUTH), no_refresh) == "auth.refresh cannot change once created"


def test_an_update_sends_the_update_params_auth_whole() -> None:
    update = CREDENTIAL.sent["auth"]
    assert update(OAUTH) == {"type": "mcp_oauth", "access_token": "${A}", "expires_at": "2030-01-01T00:00:00Z",
                             "refresh": {"refresh_token": "${R}", "scope": "read", "token_endpoint_auth": {
                                 "type": "client_secret_post", "client_secret": "${S}"}}}
    none = {**OAUTH, "refresh": {**OAUTH["refresh"], "token_endpoint_auth": {"type": "none"}, "scope": None}}
    assert update(none)["refresh"] == {"refresh_token": "${R}", "scope": ""}  # "" clears a stored scope
    assert CREDENTIAL.update.model_validate({"auth": update(OAUTH)}) is not None  # the emulator's body accepts it
