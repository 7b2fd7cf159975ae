"""A live vault and its credentials as a manifest for `agentops import`. Pure data in and out.

The API never returns a secret, so each secret field is written as a `${VAR}` placeholder with a
deterministic name (`VAULT_<VAULT>_<CREDENTIAL>_<FIELD>`, e.g. VAULT_TOOLS_GITHUB_TOKEN), and the
manifest's leading comments name every variable to set. Left out as server defaults: a header-only
`injection_location`, a null refresh `resource` or `scope`, and `expires_at` (it travels with the
access token that a placeholder now stands for).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from agentops.engine.secrets import credential_refs
from agentops.engine.vaults import SEPARATOR, credential_fingerprint, credential_name
from agentops.model import tags
from agentops.model.credential import SECRET_PATHS

VAULT_ORDER = ("display_name", "metadata", "credentials", "lifecycle")
_DEFAULT_INJECTION = {"body": False, "header": True}


def variable_name(vault: str, credential: str, field: str) -> str:
    """The placeholder's variable: upper case, every other character an underscore."""
    return re.sub(r"[^A-Z0-9]+", "_", f"VAULT_{vault}_{credential}_{field}".upper()).strip("_")


def _set(target: dict[str, Any], path: tuple[str, ...], value: str) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _auth(live: Mapping[str, Any], vault: str, credential: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The create `auth` of a live one, each secret a placeholder; and (variable, secret path) of each."""
    kind = live.get("type")
    out: dict[str, Any] = {key: value for key, value in live.items() if value is not None and key != "expires_at"}
    if kind == "environment_variable" and out.get("injection_location") == _DEFAULT_INJECTION:
        del out["injection_location"]
    if isinstance(out.get("refresh"), Mapping):
        out["refresh"] = {key: value for key, value in out["refresh"].items() if value is not None}
        out["refresh"]["token_endpoint_auth"] = dict(out["refresh"].get("token_endpoint_auth") or {"type": "none"})
    placed = []
    for path in SECRET_PATHS.get(str(kind), ()):
        parent: Any = out
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, Mapping) else None
        if not isinstance(parent, Mapping) or (path[-1] == "client_secret" and parent.get("type") == "none"):
            continue
        name = variable_name(vault, credential, path[-1])
        _set(out, path, f"${{{name}}}")
        placed.append((name, ".".join(path)))
    return out, placed


def vault_manifest(live: Mapping[str, Any], credentials: list[Mapping[str, Any]],
                   name: str) -> tuple[dict[str, Any], list[str]]:
    """The manifest of a live vault with its (active) credentials, and its leading comment lines."""
    data: dict[str, Any] = {"display_name": name}
    metadata = live.get("metadata") or {}
    user = {key: value for key, value in metadata.items() if not tags.is_reserved(key)}
    if user:
        data["metadata"] = user
    notes: list[str] = []
    items = []
    for credential in sorted(credentials, key=lambda c: str(c.get("created_at", ""))):
        display = str(credential.get("display_name") or credential["id"])
        auth, placed = _auth(credential.get("auth") or {}, name, display)
        item: dict[str, Any] = {"display_name": display, "auth": auth}
        own = {k: v for k, v in (credential.get("metadata") or {}).items() if not tags.is_reserved(k)}
        if own:
            item["metadata"] = own
        items.append(item)
        notes.extend(f"Set {variable}: credential {display}'s {path} (the API never returns it)"
                     for variable, path in placed)
    if items:
        data["credentials"] = items
    if metadata.get(tags.PREVENT_ARCHIVE) == "true":
        data["lifecycle"] = {"prevent_archive": True}
    return {key: data[key] for key in VAULT_ORDER if key in data}, notes


def fingerprints(manifest: Mapping[str, Any], credentials: list[Mapping[str, Any]], stack: str,
                 environ: Mapping[str, str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(credential id, fingerprint) to record on each imported credential whose variables are all set,
    so a plan sees no rotation; and the variables still unset (their credential's first apply resends)."""
    by_name = {str(c.get("display_name") or c["id"]): c for c in credentials}
    found, unset = [], []
    for item in manifest.get("credentials") or []:
        auth = item["auth"]
        missing = [ref for ref in credential_refs(auth) if not environ.get(ref)]
        if missing:
            unset.extend(missing)
            continue
        fingerprint = credential_fingerprint(stack, credential_name(manifest["display_name"], item["display_name"]),
                                             auth, environ)
        live = by_name[item["display_name"]]
        if fingerprint is not None:
            found.append((f"{live['vault_id']}{SEPARATOR}{live['id']}", fingerprint))
    return found, unset
