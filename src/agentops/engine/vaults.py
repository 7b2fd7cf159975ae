"""Vaults and their credentials as the planner takes them: each vault manifest as its create body,
tagged for ownership like every managed object, and each of its credentials as one more object.

A credential has no ownership tags of its own (its metadata keeps one agentops slot, for the
fingerprint of its secrets): it is known by its `display_name` inside its vault, and a live one
is read with its vault's tags, under the name `<vault>/<display_name>`. So the planner matches,
adopts, renames (a vault's previous names) and prunes credentials like any other object, and never
touches one in another stack's vault. Its id in a plan is `<vault id>/<credential id>`: every
credential call names both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agentops.engine import secrets
from agentops.engine.desired import Desired, owned
from agentops.engine.identity import Live
from agentops.engine.resolve import Ref
from agentops.engine.resources import CREDENTIAL
from agentops.manifest.loader import LoadedVault
from agentops.manifest.vault_schema import Credential
from agentops.model import tags

SEPARATOR = "/"
# The vault's tags a credential is read with: its owner, and the guard against archiving.
_INHERITED = (tags.STACK, tags.ENV, tags.PREVENT_ARCHIVE)


def credential_name(vault: str, display_name: str) -> str:
    return f"{vault}{SEPARATOR}{display_name}"


def split_id(composite: str) -> tuple[str, str]:
    """(vault id, credential id) of a credential's id in a plan."""
    vault_id, _, credential_id = composite.partition(SEPARATOR)
    return vault_id, credential_id


def vault_desired(loaded: LoadedVault, stack: str, env: str | None) -> Desired:
    manifest = loaded.manifest
    body = {"display_name": manifest.display_name,
            "metadata": owned(manifest.metadata, stack, manifest.name, env, manifest.lifecycle.prevent_archive)}
    return Desired(
        name=manifest.name, file=loaded.file, line=loaded.line, body=body, status="active", agent_pinned=False,
        prevent_archive=manifest.lifecycle.prevent_archive,
        ignore_changes=tuple(path for path in manifest.lifecycle.ignore_changes if path != "credentials"),
        previous_names=tuple(manifest.previous_names), kind="vault",
    )


def credential_fingerprint(stack: str, name: str, auth: Mapping[str, Any], environ: Mapping[str, str]) -> str | None:
    """The fingerprint of a credential's secrets as `environ` holds them (recorded in its metadata)."""
    return secrets.fingerprint_refs(stack, name, [f"${{{ref}}}" for ref in secrets.credential_refs(auth)], environ)


def _secrets_at(loaded: LoadedVault, index: int, refs: Mapping[str, str]) -> dict[str, tuple[str, int, int]]:
    return {ref: loaded.secrets_at.get(f"credentials[{index}].auth.{path}", (loaded.file, loaded.line, 1))
            for ref, path in refs.items()}


def credential_line(loaded: LoadedVault, index: int) -> int:
    """The line a credential's problems point at: its first secret's (the loader records where secrets
    are written), else its vault's."""
    refs = secrets.credential_refs(loaded.manifest.credentials[index].auth.model_dump(mode="json"))
    return min((position[1] for position in _secrets_at(loaded, index, refs).values()), default=loaded.line)


def credential_places(vaults: Iterable[LoadedVault]) -> dict[str, str]:
    """Each declared credential's name -> "file:line"."""
    return {credential_name(loaded.manifest.name, item.display_name): f"{loaded.file}:{credential_line(loaded, index)}"
            for loaded in vaults for index, item in enumerate(loaded.manifest.credentials)}


def _credential_desired(loaded: LoadedVault, index: int, item: Credential, vault_id: str, stack: str,
                        environ: Mapping[str, str]) -> Desired:
    vault = loaded.manifest
    name = credential_name(vault.name, item.display_name)
    auth: dict[str, Any] = item.auth.model_dump(mode="json", exclude_none=True)
    refs = secrets.credential_refs(auth)
    metadata = dict(item.metadata or {})
    fingerprint = credential_fingerprint(stack, name, auth, environ)
    if fingerprint is not None:
        metadata[tags.SECRETS] = fingerprint
    at = _secrets_at(loaded, index, refs)
    return Desired(
        name=name, file=loaded.file, line=credential_line(loaded, index), status="active", agent_pinned=False,
        body={"vault_id": vault_id, "display_name": item.display_name, "auth": auth, "metadata": metadata},
        previous_names=tuple(credential_name(old, item.display_name) for old in vault.previous_names),
        unset_secrets=tuple(ref for ref in refs if not environ.get(ref)),
        secrets_at={ref: f"{file}:{number}" for ref, (file, number, _column) in at.items()}, kind=CREDENTIAL,
    )


def vaults_state(vaults: Iterable[LoadedVault], stack: str, env: str | None, environ: Mapping[str, str],
                 own: Mapping[Ref, str]) -> list[Desired]:
    """Each vault, then its credentials (none where `lifecycle.ignore_changes` names them: left alone)."""
    out = []
    for loaded in vaults:
        out.append(vault_desired(loaded, stack, env))
        if "credentials" in loaded.manifest.lifecycle.ignore_changes:
            continue
        vault_id = own.get(Ref("vault", loaded.manifest.name), f"<vault {loaded.manifest.name}>")
        out.extend(_credential_desired(loaded, index, item, vault_id, stack, environ)
                   for index, item in enumerate(loaded.manifest.credentials))
    return out


def read_credentials(vaults: Iterable[LoadedVault], live: Iterable[Live], stack: str, env: str | None) -> list[Live]:
    """The live vaults whose credentials the planner compares: this stack's, and an untagged one a
    manifest names (so --adopt takes its credentials too); never one whose manifest ignores them."""
    ignoring = {name for loaded in vaults if "credentials" in loaded.manifest.lifecycle.ignore_changes
                for name in (loaded.manifest.name, *loaded.manifest.previous_names)}
    declared = {name for loaded in vaults for name in (loaded.manifest.name, *loaded.manifest.previous_names)}
    out = []
    for vault in live:
        if vault.kind != "vault":
            continue
        name = vault.tag_name if vault.owned_by(stack, env) else vault.name
        if name in ignoring:
            continue
        if vault.owned_by(stack, env) or (vault.adoptable_as(vault.name, stack, env) and vault.name in declared):
            out.append(vault)
    return out


def credential_live(vault: Live, item: Mapping[str, Any]) -> Live:
    """A live credential as the planner takes it: named and owned as its vault is."""
    display = str(item.get("display_name") or item["id"])
    owner = {key: vault.metadata[key] for key in _INHERITED if key in vault.metadata}
    if tags.NAME in vault.metadata:
        owner[tags.NAME] = credential_name(vault.metadata[tags.NAME], display)
    return Live(
        id=f"{vault.id}{SEPARATOR}{item['id']}", name=credential_name(vault.name, display),
        created_at=str(item.get("created_at", "")), updated_at=str(item.get("updated_at", "")),
        status="archived" if item.get("archived_at") else "active", metadata=owner, paused_reason=None,
        body=item, kind=CREDENTIAL,
    )
