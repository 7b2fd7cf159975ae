"""Both sides of the diff in one comparable shape: desired bodies from manifests, live objects from the API.

One function (`comparable`) normalizes both sides, so a field can only drift if it really
differs: server-only fields are dropped, documented server defaults are filled in, write-only
secrets are compared by the fingerprint tag instead of by value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agentops import tags
from agentops.manifest.schema import Manifest
from agentops.manifest.secrets import SECRET_REF

# Fields of a deployment that manifests own (the API create body).
FIELDS = (
    "name",
    "description",
    "agent",
    "environment_id",
    "initial_events",
    "schedule",
    "resources",
    "vault_ids",
    "metadata",
    "budget",
)
DEFAULT_MAX_ITERATIONS = 3


@dataclass(frozen=True)
class Desired:
    """One manifest as the API body it asks for (secret fields hold `${VAR}` references only)."""

    name: str
    file: str
    line: int
    body: dict[str, Any]
    status: str
    agent_pinned: bool
    prevent_archive: bool = False
    ignore_changes: tuple[str, ...] = ()
    previous_names: tuple[str, ...] = ()


def strip_none(value: Any) -> Any:
    """Drop null members recursively: the API echoes optional fields as null."""
    if isinstance(value, str):  # most leaves: skip the ABC check below, the bulk of an in-sync diff's cost
        return value
    if isinstance(value, Mapping):
        return {k: strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_none(v) for v in value]
    return value


def secrets_fingerprint(stack: str, name: str, values: list[tuple[str, str]]) -> str:
    """A short digest of the write-only secrets, stored as a tag so rotation shows as a change."""
    digest = hashlib.sha256(f"agentops/v1\0{stack}\0{name}".encode())
    for ref, value in values:
        digest.update(f"\0{ref}\0{value}".encode())
    return digest.hexdigest()[:24]


def secret_references(resources: list[dict[str, Any]]) -> list[str]:
    """`${VAR}` references held by write-only fields, in resource order."""
    refs = []
    for resource in resources:
        token = resource.get("authorization_token")
        if isinstance(token, str):
            refs.append(token)
    return refs


def desired(manifest: Manifest, file: str, line: int, stack: str, environ: Mapping[str, str]) -> Desired:
    """The API body a manifest asks for, tagged with ownership and the secrets fingerprint.

    `environ` is read only to fingerprint secret values; the values never enter the result.
    """
    body: dict[str, Any] = manifest.model_dump(mode="json", exclude_none=True, include=set(FIELDS))
    agent = manifest.agent
    pinned = not isinstance(agent, str) and agent.version is not None
    if not isinstance(agent, str):
        body["agent"] = {"type": "agent", "id": agent.id, **({"version": agent.version} if pinned else {})}
    metadata = dict(manifest.metadata or {})
    metadata[tags.STACK] = stack
    metadata[tags.NAME] = manifest.name
    if manifest.lifecycle.prevent_archive:
        metadata[tags.PREVENT_ARCHIVE] = "true"
    refs = secret_references(body.get("resources", []))
    if refs:
        values = []
        for ref in refs:
            match = SECRET_REF.match(ref)
            var = match.group(1) if match else ref
            values.append((ref, environ.get(var, "")))
        metadata[tags.SECRETS] = secrets_fingerprint(stack, manifest.name, values)
    body["metadata"] = metadata
    return Desired(
        name=manifest.name,
        file=file,
        line=line,
        body=body,
        status=manifest.status,
        agent_pinned=pinned,
        prevent_archive=manifest.lifecycle.prevent_archive,
        ignore_changes=tuple(manifest.lifecycle.ignore_changes),
        previous_names=tuple(manifest.previous_names),
    )


def _agent(value: Any, pinned: bool) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"id": value}
    ref = {"id": value.get("id")}
    if pinned:
        ref["version"] = value.get("version")
    return ref


def _event(event: Mapping[str, Any]) -> dict[str, Any]:
    out = strip_none(event)
    if out.get("type") == "user.define_outcome":
        out.setdefault("max_iterations", DEFAULT_MAX_ITERATIONS)
    return dict(out)


def _resource(resource: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in strip_none(resource).items() if k != "authorization_token"}
    kind = out.get("type")
    # Documented defaults: an omitted mount path and the one the server fills in are the same.
    if kind == "github_repository" and "mount_path" not in out:
        repo = str(out.get("url", "")).rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
        out["mount_path"] = f"/workspace/{repo}"
    elif kind == "file" and "mount_path" not in out:
        out["mount_path"] = f"/mnt/session/uploads/{out.get('file_id')}"
    elif kind == "memory_store":
        out.setdefault("access", "read_write")
    return out


def _schedule(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not value:
        return None
    return {
        "type": value.get("type") or "cron",
        "expression": " ".join(str(value.get("expression", "")).split()),
        "timezone": value.get("timezone"),
    }


def comparable(body: Mapping[str, Any], *, agent_pinned: bool) -> dict[str, Any]:
    """Project a desired body or a live deployment onto the fields a manifest owns."""
    return {
        "name": body.get("name"),
        "description": body.get("description") or None,
        "agent": _agent(body.get("agent"), agent_pinned),
        "environment_id": body.get("environment_id"),
        "initial_events": [_event(e) for e in body.get("initial_events") or []],
        "schedule": _schedule(body.get("schedule")),
        "resources": [_resource(r) for r in body.get("resources") or []],
        "vault_ids": list(body.get("vault_ids") or []),
        "metadata": dict(body.get("metadata") or {}),
        "budget": strip_none(body.get("budget")) or None,
    }


def without_ignored(shape: dict[str, Any], ignored: tuple[str, ...]) -> dict[str, Any]:
    """Remove `lifecycle.ignore_changes` paths (a field, or `metadata.<key>`) from a comparable shape."""
    if not ignored:
        return shape
    out = dict(shape)
    for path in ignored:
        if path.startswith("metadata."):
            out["metadata"] = {k: v for k, v in out["metadata"].items() if k != path[len("metadata.") :]}
        else:
            out.pop(path, None)
    return out
