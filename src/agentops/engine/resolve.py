"""References by name: agents, environments and vaults named in manifests, resolved to ids.

Pure: the SDK adapter lists each kind some manifest names (one paginated listing per kind,
archived objects included so "only archived" can be told from "missing"); this module decides.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agentops.manifest.agent_schema import AgentManifest
from agentops.manifest.schema import AgentByName, Manifest, MemoryStoreByName, SkillByName
from agentops.model.agent import dotted

KINDS = ("agent", "environment", "vault", "memory_store", "skill")
# The field an object is named by: vaults have a display name.
NAME_FIELD = {"agent": "name", "environment": "name", "vault": "display_name", "memory_store": "name",
              "skill": "name"}  # a skill's listing entry carries its display_name as `name` (adapters/api.py)


@dataclass(frozen=True, order=True)
class Ref:
    kind: str
    name: str


@dataclass(frozen=True)
class Resolution:
    """Each name resolved to an id, or why it is not."""

    ids: Mapping[Ref, str] = field(default_factory=dict)
    problems: Mapping[Ref, str] = field(default_factory=dict)
    # What to do about a name no object has (the caller knows where names come from, e.g. a seed).
    hints: Mapping[Ref, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, dict[str, str]]:
        """The JSON plan's `resolved`: kind -> name -> id."""
        out: dict[str, dict[str, str]] = {}
        for ref in sorted(self.ids):
            out.setdefault(ref.kind, {})[ref.name] = self.ids[ref]
        return out


def refs_of(manifest: Manifest | AgentManifest) -> list[tuple[str, Ref]]:
    """(where in the manifest, reference) for every name it uses: "agent", "environment", "vaults[i]",
    "resources[i].memory_store", an agent's roster entries ("multiagent.agents[0]")."""
    if isinstance(manifest, AgentManifest):
        return [*((dotted(loc), Ref("agent", entry.name)) for loc, entry in manifest.references()
                  if isinstance(entry, AgentByName)),
                *((f"skills[{index}]", Ref("skill", entry.name)) for index, entry in enumerate(manifest.skills or [])
                  if isinstance(entry, SkillByName))]
    found = []
    if isinstance(manifest.agent, AgentByName):
        found.append(("agent", Ref("agent", manifest.agent.name)))
    if manifest.environment is not None:
        found.append(("environment", Ref("environment", manifest.environment.name)))
    found.extend((f"vaults[{index}]", Ref("vault", vault.name)) for index, vault in enumerate(manifest.vaults or []))
    found.extend((f"resources[{index}].memory_store", Ref("memory_store", item.memory_store.name))
                 for index, item in enumerate(manifest.resources or []) if isinstance(item, MemoryStoreByName))
    return found


def named(manifests: Iterable[Manifest | AgentManifest]) -> set[Ref]:
    return {ref for manifest in manifests for _, ref in refs_of(manifest)}


def kinds(refs: Iterable[Ref]) -> list[str]:
    """The kinds to list: only those some manifest names."""
    wanted = {ref.kind for ref in refs}
    return [kind for kind in KINDS if kind in wanted]


def _verdict(ref: Ref, objects: Sequence[Mapping[str, Any]]) -> tuple[str | None, str | None]:
    label = NAME_FIELD[ref.kind]
    same = [item for item in objects if item.get(label) == ref.name]
    live = sorted(str(item["id"]) for item in same if not item.get("archived_at"))
    if len(live) == 1:
        return live[0], None
    if live:
        return None, (f"{ref.kind} name {ref.name!r} is ambiguous: {len(live)} live {ref.kind}s have it "
                      f"({', '.join(live)}); rename all but one, or reference it by id")
    if same:
        archived = ", ".join(sorted(str(item["id"]) for item in same))
        return None, f"{ref.kind} {ref.name!r} is archived ({archived}); no live {ref.kind} has this name"
    names = sorted({str(item.get(label)) for item in objects if not item.get("archived_at")})
    close = difflib.get_close_matches(ref.name, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return None, f"no {ref.kind} named {ref.name!r} in the workspace{hint}"


def resolve(refs: Iterable[Ref], listings: Mapping[str, Sequence[Mapping[str, Any]]],
            missing_hint: Callable[[Ref], str] | None = None, own: Mapping[Ref, str] | None = None) -> Resolution:
    """Names to ids: the stack's own object of that name first (`own`: its id, or the id it will have
    once created), else exactly one live object of the workspace with it, else a problem (missing,
    ambiguous, archived); `missing_hint` says what to do about a name no object has at all."""
    ids: dict[Ref, str] = {}
    problems: dict[Ref, str] = {}
    hints: dict[Ref, str] = {}
    for ref in sorted(set(refs)):
        if own is not None and ref in own:
            ids[ref] = own[ref]
            continue
        objects = listings.get(ref.kind, ())
        found, problem = _verdict(ref, objects)
        if found is not None:
            ids[ref] = found
            continue
        problems[ref] = problem or "unresolved"
        if missing_hint is not None and not any(item.get(NAME_FIELD[ref.kind]) == ref.name for item in objects):
            hints[ref] = missing_hint(ref)
    return Resolution(ids, problems, hints)


def unique_names(listings: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[tuple[str, str], str]:
    """(kind, id) -> name for live objects whose name no other live object of the kind has (import)."""
    out: dict[tuple[str, str], str] = {}
    for kind, objects in listings.items():
        # An object without a name of its own is shown named by its id: that is no name to write.
        live = [item for item in objects if not item.get("archived_at")
                and item.get(NAME_FIELD[kind]) not in (None, "", item.get("id"))]
        counts: dict[str, int] = {}
        for item in live:
            counts[str(item[NAME_FIELD[kind]])] = counts.get(str(item[NAME_FIELD[kind]]), 0) + 1
        for item in live:
            name = str(item[NAME_FIELD[kind]])
            if counts[name] == 1:
                out[(kind, str(item["id"]))] = name
    return out
