"""Desired state: each manifest as the API body it asks for, with ownership tags and the secrets fingerprint.

Building the desired state is separate from comparing it (`normalize`, `diff`): this module
only says what the manifests want, in the API's own shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agentops.engine import secrets
from agentops.manifest.loader import LoadedManifest
from agentops.manifest.schema import Manifest
from agentops.model import tags

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
    # Secret variables the manifest references that are unset: their fingerprint says nothing.
    unset_secrets: tuple[str, ...] = ()


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
    resources = body.get("resources", [])
    unset = tuple(name for name in secrets.variables(resources) if not environ.get(name))
    fingerprint = secrets.fingerprint_of(stack, manifest.name, resources, environ)
    if fingerprint is not None:
        metadata[tags.SECRETS] = fingerprint
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
        unset_secrets=unset,
    )


def desired_state(manifests: Iterable[LoadedManifest], stack: str, environ: Mapping[str, str]) -> list[Desired]:
    return [desired(m.manifest, m.file, m.line, stack, environ) for m in manifests]
