"""Desired state: each manifest as the API body it asks for, with ownership tags and the secrets fingerprint.

Building the desired state is separate from comparing it (`normalize`, `diff`): this module
only says what the manifests want, in the API's own shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agentops.engine import secrets
from agentops.engine.resolve import Ref, Resolution, refs_of
from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.loader import LoadedManifest
from agentops.manifest.schema import AgentByName, Manifest
from agentops.model import tags
from agentops.model.secretref import resource_refs

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
_DUMPED = set(FIELDS)  # model_dump's include (a set, as pydantic types it); built once, never changed


@dataclass(frozen=True)
class Named:
    """A reference by name in one manifest and what it resolved to (`id` None: `problem` says why)."""

    ref: Ref
    where: str  # "file:line" of the name
    id: str | None
    problem: str | None = None
    hint: str | None = None  # what to do about the problem

    @property
    def value(self) -> str:
        """What the body holds: the id, or a placeholder the planner never diffs (it blocks instead)."""
        return self.id or f"<{self.ref.kind} {self.ref.name}>"


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
    # Each secret variable -> "file:line" of its first reference, so a problem points at the secret.
    secrets_at: Mapping[str, str] = field(default_factory=dict)
    # References by name: the body holds their ids; an unresolved one blocks the plan.
    named: tuple[Named, ...] = ()
    # API top-level field -> the manifest key it is written with (`initial_events` -> `prompt`).
    keys: Mapping[str, str] = field(default_factory=dict)
    kind: str = "deployment"  # the kind of object (engine/resources.py)
    # What the normalizers compare although the server would fill it (normalize.Context.given).
    given: frozenset[str] = frozenset()

    @property
    def where(self) -> str:
        """`file:line` of the manifest, where a problem of its own points."""
        return f"{self.file}:{self.line}"

    @property
    def resolved(self) -> bool:
        return all(item.id is not None for item in self.named)


def named_refs(manifest: Manifest | AgentManifest, file: str, line: int, resolution: Resolution,
           refs_at: Mapping[str, str]) -> dict[str, Named]:
    """Each reference by name of `manifest` (by where it is written) with what it resolved to."""
    out = {}
    for key, ref in refs_of(manifest):
        problem = None if ref in resolution.ids else resolution.problems.get(ref, f"{ref.kind} name not looked up")
        out[key] = Named(ref, refs_at.get(key, f"{file}:{line}"), resolution.ids.get(ref), problem,
                         resolution.hints.get(ref))
    return out


def _secret_lines(paths: Mapping[str, str], file: str, line: int,
                  secrets_at: Mapping[str, tuple[str, int, int]]) -> dict[str, str]:
    """Each secret variable -> "file:line" of its first reference (the manifest's start if unknown)."""
    out = {}
    for name, path in paths.items():
        at_file, at_line, _ = secrets_at.get(path, (file, line, 1))
        out[name] = f"{at_file}:{at_line}"
    return out


def owned(metadata: Mapping[str, str] | None, stack: str, name: str, env: str | None,
          prevent_archive: bool) -> dict[str, str]:
    """A manifest's metadata with the ownership tags every managed object carries (model/tags.py)."""
    out = dict(metadata or {})
    out[tags.STACK] = stack
    out[tags.NAME] = name
    if env is not None:
        out[tags.ENV] = env
    if prevent_archive:
        out[tags.PREVENT_ARCHIVE] = "true"
    return out


def manifest_keys(manifest: Manifest, file: str) -> dict[str, str]:
    """API top-level field -> the key this manifest writes it with, where the two differ."""
    keys: dict[str, str] = {}
    if manifest.prompt is not None:
        keys["initial_events"] = "prompt"
    elif manifest.prompt_file is not None:
        keys["initial_events"] = "prompt_file"
    elif file.endswith(".md"):
        keys["initial_events"] = "Markdown body"
    if manifest.environment is not None:
        keys["environment_id"] = "environment"
    if manifest.vaults and not manifest.vault_ids:
        keys["vault_ids"] = "vaults"
    if isinstance(manifest.agent, AgentByName):
        keys["agent"] = "agent.name"
    return keys


def desired(
    manifest: Manifest,
    file: str,
    line: int,
    stack: str,
    environ: Mapping[str, str],
    env: str | None = None,
    resolution: Resolution | None = None,
    refs_at: Mapping[str, str] | None = None,
    secrets_at: Mapping[str, tuple[str, int, int]] | None = None,
) -> Desired:
    """The API body a manifest asks for, tagged with ownership and the secrets fingerprint, its
    names replaced by the ids `resolution` gives them.

    `environ` is read only to fingerprint secret values; the values never enter the result.
    """
    # The agent is rebuilt below; dumping the (by-name) union member would only warn.
    body: dict[str, Any] = manifest.model_dump(mode="json", exclude_none=True, include=_DUMPED, warnings=False)
    named = named_refs(manifest, file, line, resolution or Resolution(), refs_at or {})
    ids = {key: item.value for key, item in named.items()}
    agent = manifest.agent
    pinned = not isinstance(agent, str) and agent.version is not None
    if isinstance(agent, AgentByName):
        body["agent"] = {"type": "agent", "id": ids["agent"], "version": agent.version} if pinned else ids["agent"]
    elif not isinstance(agent, str):
        body["agent"] = {"type": "agent", "id": agent.id, **({"version": agent.version} if pinned else {})}
    if "environment" in ids:
        body["environment_id"] = ids["environment"]
    vaults = [ids[key] for key in ids if key.startswith("vaults[")]
    if vaults:
        body["vault_ids"] = [*body.get("vault_ids", []), *vaults]
    for key, found in ids.items():
        if key.startswith("resources["):  # a memory store by name or path: sent as the API's memory_store_id
            index = int(key[len("resources["):key.index("]")])
            entry = {k: v for k, v in body["resources"][index].items() if k != "memory_store"}
            body["resources"][index] = {**entry, "memory_store_id": found}
    metadata = owned(manifest.metadata, stack, manifest.name, env, manifest.lifecycle.prevent_archive)
    resources = body.get("resources", [])
    # Each secret variable -> the path of its first reference (the body's resources are the manifest's).
    paths = resource_refs(resources)
    unset = tuple(name for name in paths if not environ.get(name))
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
        secrets_at=_secret_lines(paths, file, line, secrets_at or {}),
        named=tuple(named.values()),
        keys=manifest_keys(manifest, file),
    )


def desired_state(
    manifests: Iterable[LoadedManifest],
    stack: str,
    environ: Mapping[str, str],
    env: str | None = None,
    resolution: Resolution | None = None,
) -> list[Desired]:
    return [desired(m.manifest, m.file, m.line, stack, environ, env, resolution, m.refs_at, m.secrets_at)
            for m in manifests]
