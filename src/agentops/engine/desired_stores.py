"""Desired state of memory stores and skills: each manifest as the body it asks for, tagged for
ownership like every managed kind (engine/desired.py `owned`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agentops.engine.desired import Desired, owned
from agentops.engine.identity import Live, match
from agentops.engine.normalize_stores import MEMORY_STORE_FIELDS
from agentops.engine.resources import pending
from agentops.manifest.loader import LoadedMemoryStore
from agentops.manifest.skill import LoadedSkill


def memory_store_desired(loaded: LoadedMemoryStore, stack: str, env: str | None) -> Desired:
    manifest = loaded.manifest
    body: dict[str, Any] = manifest.model_dump(mode="json", exclude_none=True, include=set(MEMORY_STORE_FIELDS))
    body["metadata"] = owned(manifest.metadata, stack, manifest.name, env, manifest.lifecycle.prevent_archive)
    return Desired(
        name=manifest.name, file=loaded.file, line=loaded.line, body=body, status="active", agent_pinned=False,
        prevent_archive=manifest.lifecycle.prevent_archive, ignore_changes=tuple(manifest.lifecycle.ignore_changes),
        previous_names=tuple(manifest.previous_names), kind="memory_store",
    )


def skill_desired(loaded: LoadedSkill, stack: str, env: str | None) -> Desired:
    """A skill folder as the upload it asks for; its record carries the tags (a skill has no metadata),
    the delete guard of its front matter among them (read back from the record by prune and destroy)."""
    keep = loaded.manifest.prevent_delete
    body = {"name": loaded.name, "folder": loaded.folder, "digest": loaded.digest,
            "metadata": owned(None, stack, loaded.name, env, keep)}
    return Desired(name=loaded.name, file=loaded.file, line=loaded.line, body=body, status="active",
                   agent_pinned=False, prevent_archive=keep, kind="skill")


def skill_versions(skills: Iterable[Desired], live: Iterable[Live], stack: str, env: str | None,
                   adopt: bool) -> dict[str, str]:
    """Each stack skill's name -> the version an agent following it gets: the latest live one when the
    plan uploads nothing, else the version this apply's upload makes (known after apply)."""
    wanted = list(skills)
    out: dict[str, str] = {}
    for pair in match(wanted, [item for item in live if item.kind == "skill"], stack, adopt=adopt, env=env).matches:
        body, found = pair.desired.body, pair.live
        same = (found is not None and not pair.adopt and found.body.get("digest") == body["digest"]
                and dict(found.metadata) == body["metadata"])
        out[pair.desired.name] = str(found.body["latest_version_id"]) if same and found is not None \
            else pending("skill_version", pair.desired.name)
    return out
