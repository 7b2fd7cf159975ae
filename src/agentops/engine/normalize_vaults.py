"""Vaults and their credentials in one comparable shape (see engine/normalize.py for the contract:
the same steps on both sides, field-local), and the credential update rules.

What the server fills in or never returns, and the diff must not report:

- a credential's secrets (`token`, `access_token`, `refresh.refresh_token`, the client secret,
  `secret_value`) are write-only: compared through the fingerprint in its metadata only;
- `expires_at` travels with the access token it dates (the SDK: "send its expires_at too"), and the
  server stores it re-rendered: sent with the token, never compared;
- `injection_location` defaults to the header only; a refresh's `resource` and `scope` to null,
  its `token_endpoint_auth` comes back as its `type` alone.

A change the update params cannot make (model/kinds.py CREDENTIAL_IMMUTABLE, the auth `type`, a
refresh configuration added, removed or given another client authentication) replaces the credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentops.engine.normalize import Context, Normalizer, Shape, ignored
from agentops.model import tags

VAULT_FIELDS = ("display_name", "metadata")
CREDENTIAL_FIELDS = ("display_name", "auth", "metadata")
_INJECTION_DEFAULT = {"body": False, "header": True}
# Per auth type, the normalized keys an update can change (besides the secrets): everything else is fixed.
_MUTABLE = {"mcp_oauth": ("refresh.scope",), "static_bearer": (),
            "environment_variable": ("networking", "injection_location")}


def _fields(names: tuple[str, ...]) -> Normalizer:
    def keep(shape: Shape, context: Context) -> Shape:
        return {name: shape.get(name) for name in names}

    return keep


def _metadata(shape: Shape, context: Context) -> Shape:
    metadata = dict(shape.get("metadata") or {})
    if context.secrets_unknown:  # a referenced variable is unset: the fingerprint says nothing
        metadata.pop(tags.SECRETS, None)
    return {**shape, "metadata": metadata}


def _refresh(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return None
    endpoint = value.get("token_endpoint_auth")
    return {"client_id": value.get("client_id"), "token_endpoint": value.get("token_endpoint"),
            "resource": value.get("resource") or None, "scope": value.get("scope") or None,
            "token_endpoint_auth": {"type": endpoint.get("type") if isinstance(endpoint, Mapping) else None}}


def auth_shape(value: Any) -> Any:
    """A credential's `auth` without its secrets, the server's defaults filled in."""
    if not isinstance(value, Mapping):
        return value
    kind = value.get("type")
    if kind == "mcp_oauth":
        return {"type": kind, "mcp_server_url": value.get("mcp_server_url"), "refresh": _refresh(value.get("refresh"))}
    if kind == "static_bearer":
        return {"type": kind, "mcp_server_url": value.get("mcp_server_url")}
    if kind == "environment_variable":
        return {"type": kind, "secret_name": value.get("secret_name"), "networking": value.get("networking"),
                "injection_location": {**_INJECTION_DEFAULT, **(value.get("injection_location") or {})}}
    return dict(value)


def _auth(shape: Shape, context: Context) -> Shape:
    return {**shape, "auth": auth_shape(shape.get("auth"))}


VAULT_NORMALIZERS: tuple[Normalizer, ...] = (_fields(VAULT_FIELDS), _metadata, ignored)
CREDENTIAL_NORMALIZERS: tuple[Normalizer, ...] = (_fields(CREDENTIAL_FIELDS), _auth, _metadata, ignored)


def _without(value: Mapping[str, Any], dotted: tuple[str, ...]) -> dict[str, Any]:
    out = dict(value)
    for path in dotted:
        head, _, rest = path.partition(".")
        if rest and isinstance(out.get(head), Mapping):
            out[head] = _without(out[head], (rest,))
        elif not rest:
            out.pop(head, None)
    return out


def fixed(auth: Any) -> Any:
    """What of a normalized `auth` no update can change."""
    if not isinstance(auth, Mapping):
        return auth
    return _without(auth, _MUTABLE.get(str(auth.get("type")), ()))


def replaced_by(before: Shape, after: Shape) -> str | None:
    """Why the live credential (`before`) cannot be updated into `after` (normalized), or None."""
    old, new = before.get("auth") or {}, after.get("auth") or {}
    if fixed(old) == fixed(new):
        return None
    if old.get("type") != new.get("type"):
        return f"its auth type cannot change ({old.get('type')} -> {new.get('type')})"
    keys = [key for key in dict.fromkeys([*old, *new]) if fixed(old).get(key) != fixed(new).get(key)]
    return f"auth.{', auth.'.join(keys)} cannot change once created"


def same_server(before: Shape, after: Shape) -> str | None:
    """The MCP server a replacement keeps: the API holds one active credential per server in a vault,
    so the new one could not be created before the old one is archived (None: no such clash)."""
    old, new = before.get("auth") or {}, after.get("auth") or {}
    url = new.get("mcp_server_url")
    return url if url is not None and url == old.get("mcp_server_url") else None


def update_auth(auth: Mapping[str, Any]) -> dict[str, Any]:
    """The update params' `auth` of a desired create `auth`: every field an update may send (secrets as
    written, `${VAR}`), none it refuses. Sent whole: the stored secrets are then the manifest's."""
    kind = auth.get("type")
    if kind == "static_bearer":
        return {"type": kind, "token": auth.get("token")}
    if kind == "environment_variable":
        # Filled, every key explicit: the API merges a sent location into the stored one, so a key left
        # out (or the whole location, removed from the manifest) would keep its live value.
        location = {**_INJECTION_DEFAULT, **(auth.get("injection_location") or {})}
        return {"type": kind, "secret_value": auth.get("secret_value"), "networking": auth.get("networking"),
                "injection_location": location}
    out: dict[str, Any] = {"type": kind, "access_token": auth.get("access_token"),
                           **({"expires_at": auth["expires_at"]} if auth.get("expires_at") else {})}
    refresh = auth.get("refresh")
    if isinstance(refresh, Mapping):
        endpoint = refresh.get("token_endpoint_auth") or {}
        out["refresh"] = {"refresh_token": refresh.get("refresh_token"), "scope": refresh.get("scope") or "",
                          **({"token_endpoint_auth": dict(endpoint)} if endpoint.get("type") != "none" else {})}
    return out

