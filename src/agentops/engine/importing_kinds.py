"""`agentops import` of agents, environments, vaults, skills and memory stores as data: which to
import, each one's manifest, the file of a long system prompt, and the ownership tags to add. Pure.

A skill's manifest is its folder, written from its latest version's download, and its tags go into
the record file of a new version (commands/import_skills.py): a skill has no metadata to patch.

The tags are the deployments' (`agentops.stack`, `agentops.name`, and `agentops.env` when
agentops.yaml declares environments); `agentops.prevent_archive` already there is kept, and
becomes `lifecycle.prevent_archive` in the manifest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentops.engine.export_kinds import Exported, agent_manifest, environment_manifest, memory_store_manifest
from agentops.engine.export_vaults import vault_manifest
from agentops.engine.identity import Live
from agentops.engine.importing import by_ids, select
from agentops.manifest.kinds import NAME_KEY
from agentops.model import spec, tags
from agentops.model.words import plural

# The kinds import writes besides deployments, in the order their writes run (what others reference first).
KINDS = ("environment", "vault", "skill", "memory_store", "agent")
FOLDERS = {"environment": "environments", "vault": "vaults", "skill": "skills", "memory_store": "memory_stores",
           "agent": "agents"}


@dataclass(frozen=True)
class Place:
    """Where a new manifest goes, and (for an agent) its long system prompt."""

    file: Path
    system_file: Path


@dataclass(frozen=True)
class KindItem:
    """One agent or environment to import and what importing it means."""

    kind: str
    live: Live
    exported: Exported
    file: Path | None  # None: a manifest already declares it, only the tags are missing
    system_file: Path | None  # where `exported.system_text` goes (None: nothing to write)
    tags: dict[str, str]

    @property
    def name(self) -> str:
        return str(self.exported.manifest[NAME_KEY.get(self.kind, "name")])


def ownership(live: Live, name: str, stack: str, env: str | None) -> dict[str, str]:
    """The tags that make `live` this stack's `name`, minus those it already has."""
    wanted = {tags.STACK: stack, tags.NAME: name, **({tags.ENV: env} if env is not None else {})}
    return {key: value for key, value in wanted.items() if live.metadata.get(key) != value}


def _exported(kind: str, live: Live, place: Place | None, name: str) -> Exported:
    if kind == "environment":
        return environment_manifest(live.body)
    if kind == "memory_store":
        return memory_store_manifest(live.body)
    if kind == "skill":  # its folder is written from the download (commands/import_skills.py)
        return Exported({"name": name})
    if kind == "vault":  # its credentials are read into its body beforehand (commands/import_.py)
        manifest, notes = vault_manifest(live.body, list(live.body.get("credentials") or []), name)
        return Exported(manifest, notes=tuple(notes))
    relative = None if place is None else place.system_file.name
    return agent_manifest(live.body, relative)


def decide_kind(
    kind: str,
    live: list[Live],
    names: tuple[str, ...],
    stack: str,
    env: str | None,
    declared: Mapping[str, str],
    place: Callable[[str], Place],
    ids: Mapping[str, str] | None = None,
) -> tuple[list[KindItem], list[str], list[str]]:
    """(items, refusals, notes) for the agents or environments (`kind`) of the workspace: the named
    ones (`names`), those of `ids` (id -> where it was named), or all not owned elsewhere.
    `declared` maps names manifests already declare to their files: those only get tags."""
    current = [item for item in live if not item.body.get("archived_at")]
    chosen, refused, notes = select(current, names, stack, kind) if ids is None else by_ids(live, ids, stack, kind)
    items: list[KindItem] = []
    managed = 0
    for item in chosen:
        name = item.tag_name if item.stack == stack and item.tag_name else item.name
        patch = ownership(item, name, stack, env)
        if name in declared and not patch:
            managed += 1
            continue
        if len({**item.metadata, **patch}) > spec.MAX_METADATA_PAIRS:
            refused.append(f"{name}: {len(item.metadata)} metadata keys leave no room for the "
                           f"{plural(len(patch), 'ownership tag')} (limit {spec.MAX_METADATA_PAIRS})")
            continue
        where = None if name in declared else place(name)
        exported = _exported(kind, item, where, name)
        exported.manifest[NAME_KEY.get(kind, "name")] = name  # identity is the tag; a console rename shows as a change
        text_file = where.system_file if where is not None and exported.system_text is not None else None
        items.append(KindItem(kind, item, exported, None if where is None else where.file, text_file, patch))
    if managed:
        notes.append(f"{plural(managed, kind)} already managed by a manifest skipped")
    return items, refused, notes


def comments(item: KindItem) -> list[str]:
    """The comment lines at the top of an imported agent or environment manifest."""
    return [f"Imported from {item.kind} {item.live.id} by `agentops import`.", *item.exported.notes]


def record(item: KindItem, declared: Mapping[str, str], rel: Callable[[Path], str],
           version: int | None) -> dict[str, Any]:
    """What was (or would be) done for one agent or environment, as `import` reports it.
    `version` is the agent's version after tagging (the API versions every change)."""
    return {
        "kind": item.kind,
        "name": item.name,
        "id": item.live.id,
        "file": declared[item.name] if item.file is None else rel(item.file),
        "system_file": None if item.system_file is None else rel(item.system_file),
        "wrote_file": item.file is not None,
        "tags": list(item.tags),
        "version": version,
    }
