"""`client.beta.vaults.credentials`: create, retrieve, update, list, archive, delete and `mcp_oauth_validate`.

Secrets (access and refresh tokens, client secrets, bearer tokens, secret values) are split off the
request before anything else happens to it: they are stored in their own column, never rendered, never
put in a message, and dropped when the credential is archived (it can never be used again).

Update rules are the SDK's update params: the auth `type` cannot change; `mcp_server_url`,
`secret_name` and the refresh `client_id` (also `token_endpoint` and `resource`, which the update
params lack) are immutable, and sending one is refused rather than ignored. A secret sent as null (or
left out) is kept. Judgement where the docs are silent: `expires_at: null` clears the expiry,
`refresh: null` removes the refresh configuration, `networking: null` keeps it, `display_name: null`
clears it; an archived credential cannot be updated or validated; injection defaults to the header only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from agentops.emulator import bodies, credential_bodies, paging
from agentops.emulator.clock import Clock, parse_instant, rfc3339, to_ms
from agentops.emulator.errors import bad_request, not_found
from agentops.emulator.faults import Faults
from agentops.emulator.registry import Registry
from agentops.emulator.store import ListQuery, Store, StoredCredential
from agentops.model.kinds import CREDENTIAL_IMMUTABLE, MAX_CREDENTIALS_PER_VAULT

MAX_LIMIT = 100  # "Defaults to 20, maximum 100"
_IMMUTABLE = sorted({path for paths in CREDENTIAL_IMMUTABLE.values() for path in paths})


class Credentials:
    def __init__(self, store: Store, registry: Registry, clock: Clock, faults: Callable[[], Faults]) -> None:
        self._store = store
        self._registry = registry
        self._clock = clock
        self._faults = faults

    def _now(self) -> int:
        return to_ms(self._clock())

    def _get(self, workspace: str, vault_id: str, credential_id: str) -> StoredCredential:
        self._registry.get(workspace, "vault", vault_id)
        found = self._store.get_credential(workspace, vault_id, credential_id)
        if found is None:
            raise not_found(f"credential {credential_id!r} not found in vault {vault_id!r}")
        return found

    # --- endpoints --------------------------------------------------------------------------

    def create(self, workspace: str, vault_id: str, data: Any) -> dict[str, Any]:
        body = bodies.validate(credential_bodies.CreateBody, data).model_dump(mode="json", exclude_unset=True)
        with self._store.atomic():
            vault = self._registry.get(workspace, "vault", vault_id)
            if vault.archived_ms is not None:
                raise bad_request(f"vault {vault_id!r} is archived; an archived vault takes no new credentials")
            now_ms = self._now()
            auth, secrets = self._created_auth(body["auth"], now_ms)
            self._check_vault_room(workspace, vault_id, auth)
            credential = StoredCredential(
                id=bodies.new_id("vcrd_"), vault_id=vault_id, created_ms=now_ms, updated_ms=now_ms, archived_ms=None,
                doc={"display_name": body.get("display_name"), "metadata": body.get("metadata") or {}, "auth": auth},
                secrets=secrets,
            )
            self._store.put_credential(workspace, credential)
        return render(credential)

    def retrieve(self, workspace: str, vault_id: str, credential_id: str) -> dict[str, Any]:
        return render(self._get(workspace, vault_id, credential_id))

    def update(self, workspace: str, vault_id: str, credential_id: str, data: Any) -> dict[str, Any]:
        with self._store.atomic():
            found = self._get(workspace, vault_id, credential_id)
            if found.archived_ms is not None:
                raise bad_request(f"credential {credential_id!r} is archived; an archived credential cannot be updated")
            _refuse_immutable(data, found.doc["auth"]["type"])
            body = bodies.validate(credential_bodies.UpdateBody, data).model_dump(mode="json", exclude_unset=True)
            doc, secrets = dict(found.doc), dict(found.secrets)
            if body.get("auth") is not None:
                doc["auth"], secrets = self._updated_auth(found.doc["auth"], found.secrets, body["auth"])
            if "display_name" in body:
                doc["display_name"] = body["display_name"]
            if body.get("metadata") is not None:
                doc["metadata"] = bodies.merge_metadata(doc["metadata"], body["metadata"])
            if doc == found.doc and secrets == found.secrets:
                return render(found)
            # A rotated secret is a change too: updated_at moves although nothing shown differs.
            updated = replace(found, doc=doc, secrets=secrets, updated_ms=max(self._now(), found.updated_ms + 1))
            self._store.put_credential(workspace, updated)
        return render(updated)

    def archive(self, workspace: str, vault_id: str, credential_id: str) -> dict[str, Any]:
        """Idempotent; the secrets are dropped, as an archived credential is never used again."""
        with self._store.atomic():
            found = self._get(workspace, vault_id, credential_id)
            if found.archived_ms is not None:
                return render(found)
            now_ms = max(self._now(), found.updated_ms + 1)
            archived = replace(found, archived_ms=now_ms, updated_ms=now_ms, secrets={})
            self._store.put_credential(workspace, archived)
        return render(archived)

    def delete(self, workspace: str, vault_id: str, credential_id: str) -> dict[str, str]:
        with self._store.atomic():
            self._get(workspace, vault_id, credential_id)
            self._store.delete_credentials(workspace, vault_id, credential_id)
        return {"id": credential_id, "type": "vault_credential_deleted"}

    def validate(self, workspace: str, vault_id: str, credential_id: str) -> dict[str, Any]:
        """`mcp_oauth_validate`: the probe's verdict is `Faults.credential_validation` for this credential
        (or `*`), `valid` by default; no probe leaves loopback."""
        found = self._get(workspace, vault_id, credential_id)
        if found.doc["auth"]["type"] != "mcp_oauth":
            raise bad_request(f"credential {credential_id!r} is {found.doc['auth']['type']}; "
                              f"only mcp_oauth credentials can be validated")
        if found.archived_ms is not None:
            raise bad_request(f"credential {credential_id!r} is archived; an archived credential cannot be validated")
        outcomes = self._faults().credential_validation
        status = outcomes.get(credential_id) or outcomes.get("*") or "valid"
        has_refresh = bool(found.secrets.get("refresh_token"))
        return {
            "type": "vault_credential_validation",
            "credential_id": credential_id,
            "vault_id": vault_id,
            "status": status,
            "has_refresh_token": has_refresh,
            "validated_at": rfc3339(self._now()),
            **_probe(status, has_refresh),
        }

    # --- auth objects -----------------------------------------------------------------------

    def _expiry(self, text: str | None, path: str) -> int | None:
        if text is None:
            return None
        try:
            expires_ms = parse_instant(text) // 1000
        except ValueError:
            raise bad_request(f"{path}: not an RFC 3339 timestamp") from None
        if expires_ms <= self._now():
            raise bad_request(f"{path}: must be in the future")
        return expires_ms

    def _created_auth(self, sent: dict[str, Any], now_ms: int) -> tuple[dict[str, Any], dict[str, str]]:
        """The shown auth object and the secrets of a create body's `auth`."""
        kind = sent["type"]
        if kind == "static_bearer":
            return {"type": kind, "mcp_server_url": sent["mcp_server_url"]}, {"token": sent["token"]}
        if kind == "environment_variable":
            location = {"header": True, "body": False, **(sent.get("injection_location") or {})}
            auth = {"type": kind, "secret_name": sent["secret_name"], "networking": sent["networking"],
                    "injection_location": _location(location)}
            return auth, {"secret_value": sent["secret_value"]}
        auth = {"type": kind, "mcp_server_url": sent["mcp_server_url"]}
        secrets = {"access_token": sent["access_token"]}
        expires_ms = self._expiry(sent.get("expires_at"), "auth.expires_at")
        if expires_ms is not None:
            auth["expires_at"] = rfc3339(expires_ms)
        refresh = sent.get("refresh")
        if refresh is not None:
            endpoint_auth = refresh["token_endpoint_auth"]
            auth["refresh"] = {"client_id": refresh["client_id"], "token_endpoint": refresh["token_endpoint"],
                               "token_endpoint_auth": {"type": endpoint_auth["type"]},
                               "resource": refresh.get("resource"), "scope": refresh.get("scope") or None}
            secrets["refresh_token"] = refresh["refresh_token"]
            if endpoint_auth.get("client_secret") is not None:
                secrets["client_secret"] = endpoint_auth["client_secret"]
        return auth, secrets

    def _updated_auth(self, current: dict[str, Any], stored: dict[str, str],
                      sent: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """The auth object and secrets after an update's `auth` (its type already checked)."""
        auth, secrets = dict(current), dict(stored)
        for name in ("token", "access_token", "secret_value"):
            if sent.get(name) is not None:
                secrets[name] = sent[name]
        if "expires_at" in sent:
            expires_ms = self._expiry(sent["expires_at"], "auth.expires_at")
            auth.pop("expires_at", None)
            if expires_ms is not None:
                auth["expires_at"] = rfc3339(expires_ms)
        if sent.get("networking") is not None:
            auth["networking"] = sent["networking"]
        if sent.get("injection_location") is not None:
            changes = {key: value for key, value in sent["injection_location"].items() if value is not None}
            auth["injection_location"] = _location({**current["injection_location"], **changes})
        if "refresh" in sent:
            auth["refresh"], secrets = _refresh(current.get("refresh"), secrets, sent["refresh"])
        return auth, secrets

    def _check_vault_room(self, workspace: str, vault_id: str, auth: dict[str, Any]) -> None:
        active = [c for c in self._store.vault_credentials(workspace, vault_id) if c.archived_ms is None]
        if len(active) >= MAX_CREDENTIALS_PER_VAULT:
            raise bad_request(f"vault {vault_id!r} already holds {MAX_CREDENTIALS_PER_VAULT} credentials, the most "
                              f"it can; archive or delete one first")
        url = auth.get("mcp_server_url")
        clash = next((c for c in active if url is not None and c.doc["auth"].get("mcp_server_url") == url), None)
        if clash is not None:
            raise bad_request(f"auth.mcp_server_url: vault {vault_id!r} already has an active credential for this "
                              f"MCP server ({clash.id}); archive it first")

    # Last: a method named `list` would shadow the builtin in the annotations above it.
    def list(self, workspace: str, vault_id: str, params: dict[str, str]) -> dict[str, Any]:
        self._registry.get(workspace, "vault", vault_id)
        query = ListQuery(limit=paging.limit(params, MAX_LIMIT) + 1, after=paging.after(params),
                          include_archived=paging.flag(params, "include_archived") or False)
        rows = [render(c) for c in self._store.list_credentials(workspace, vault_id, query)]
        return paging.page(rows, query.limit - 1)


def render(credential: StoredCredential) -> dict[str, Any]:
    """`BetaManagedAgentsCredential`: the stored document (no secret is in it) and its timestamps."""
    return {
        "id": credential.id,
        "type": "vault_credential",
        "vault_id": credential.vault_id,
        **credential.doc,
        "created_at": rfc3339(credential.created_ms),
        "updated_at": rfc3339(credential.updated_ms),
        "archived_at": None if credential.archived_ms is None else rfc3339(credential.archived_ms),
    }


def _location(location: dict[str, Any]) -> dict[str, bool]:
    if not (location["header"] or location["body"]):
        raise bad_request("auth.injection_location: at least one of header and body must be enabled")
    return {"body": bool(location["body"]), "header": bool(location["header"])}


def _refresh(current: dict[str, Any] | None, stored: dict[str, str],
             sent: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """A refresh configuration after an update: null removes it (and its secrets); an object changes
    the refresh token, the scope ("" clears it) and the client secret of the stored configuration."""
    secrets = dict(stored)
    if sent is None:
        secrets.pop("refresh_token", None)
        secrets.pop("client_secret", None)
        return None, secrets
    if current is None:
        raise bad_request("auth.refresh: the credential has no refresh configuration; client_id and "
                          "token_endpoint can only be set when a credential is created")
    refresh = dict(current)
    if sent.get("refresh_token") is not None:
        secrets["refresh_token"] = sent["refresh_token"]
    if "scope" in sent and sent["scope"] is not None:
        refresh["scope"] = sent["scope"] or None
    endpoint_auth = sent.get("token_endpoint_auth")
    if endpoint_auth is not None:
        # "The credential must already use client_secret_basic or client_secret_post. It keeps its
        # current token_endpoint_auth type, even if the type sent with this secret is the other one."
        if current["token_endpoint_auth"]["type"] == "none":
            raise bad_request("auth.refresh.token_endpoint_auth: the credential's token endpoint uses no client "
                              "authentication, so it has no client secret to replace")
        if endpoint_auth.get("client_secret") is not None:
            secrets["client_secret"] = endpoint_auth["client_secret"]
    return refresh, secrets


def _refuse_immutable(data: Any, current_type: str) -> None:
    """400 for an update that tries to change the auth type or an immutable field (named, never echoed)."""
    auth = data.get("auth") if isinstance(data, dict) else None
    if not isinstance(auth, dict):
        return
    if "type" in auth and auth["type"] != current_type:
        raise bad_request(f"auth.type: the credential is {current_type} and its type cannot change; create a new "
                          f"credential instead")
    for path in _IMMUTABLE:
        parent, _, leaf = path.rpartition(".")
        holder = auth.get(parent) if parent else auth
        if isinstance(holder, dict) and leaf in holder:
            raise bad_request(f"auth.{path}: immutable after the credential is created; create a new credential "
                              f"(and archive this one) to change it")


_REJECTED = {"status_code": 401, "content_type": "application/json",
             "body": '{"error":"invalid_token"}', "body_truncated": False}


def _probe(status: str, has_refresh: bool) -> dict[str, Any]:
    """The probe details of a verdict: `invalid` is a 401 from `initialize` (and a failed refresh when a
    refresh token is stored), `unknown` a connection that never answered."""
    if status == "invalid":
        refresh = ({"status": "failed", "http_response": {**_REJECTED, "status_code": 400,
                                                           "body": '{"error":"invalid_grant"}'}}
                   if has_refresh else {"status": "no_refresh_token", "http_response": None})
        return {"mcp_probe": {"method": "initialize", "http_response": _REJECTED}, "refresh": refresh}
    if status == "unknown":
        return {"mcp_probe": {"method": "initialize", "http_response": None}, "refresh": None}
    return {"mcp_probe": None, "refresh": None}
