"""Ownership and matching: which live object each manifest is, by the stack's metadata tags (one
kind at a time: the planner matches each kind's manifests with that kind's listing)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentops.model import tags

if TYPE_CHECKING:  # names only: the SDK adapter reads `Live` without the manifest layer
    from agentops.engine.desired import Desired


@dataclass(frozen=True)
class Live:
    """A live object as listed (plain JSON data, never an SDK object): a deployment, unless `kind` says."""

    id: str
    name: str
    created_at: str
    updated_at: str
    status: str
    metadata: Mapping[str, str]
    paused_reason: Mapping[str, Any] | None
    body: Mapping[str, Any]
    kind: str = "deployment"

    @classmethod
    def from_json(cls, data: Mapping[str, Any], kind: str = "deployment") -> Live:
        return cls(
            id=str(data["id"]),
            name=str(data.get("name", data.get("display_name", ""))),  # a vault has a display name
            created_at=str(data.get("created_at", "")),
            updated_at=str(data.get("updated_at", "")),
            status=str(data.get("status", "active")),
            metadata=dict(data.get("metadata") or {}),
            paused_reason=data.get("paused_reason"),
            body=data,
            kind=kind,
        )

    @property
    def stack(self) -> str | None:
        return self.metadata.get(tags.STACK)

    @property
    def tag_name(self) -> str | None:
        return self.metadata.get(tags.NAME)

    @property
    def env(self) -> str | None:
        return self.metadata.get(tags.ENV)

    def owned_by(self, stack: str, env: str | None) -> bool:
        """Tagged with this stack and environment (no environment tag when there are none)."""
        return self.stack == stack and self.env == env and bool(self.tag_name)

    def adoptable_as(self, name: str, stack: str, env: str | None) -> bool:
        """Untagged with this name, or (once environments are declared) this stack's from before
        them: its tags lack the environment, so it is adopted rather than taken silently."""
        if tags.STACK not in self.metadata:
            return self.name == name
        return env is not None and self.stack == stack and self.env is None and self.tag_name == name

    @property
    def age_key(self) -> tuple[str, str]:
        # RFC 3339 UTC strings from one server sort chronologically; the id breaks ties.
        return (self.created_at, self.id)


@dataclass(frozen=True)
class Match:
    desired: Desired
    live: Live | None
    adopt: bool = False
    renamed_from: str | None = None


@dataclass
class Matching:
    matches: list[Match] = field(default_factory=list)
    conflicts: list[tuple[Desired, Live]] = field(default_factory=list)
    duplicates: list[tuple[Live, Live]] = field(default_factory=list)  # (to archive, kept)
    orphans: list[Live] = field(default_factory=list)


def match(
    desired: list[Desired], live: list[Live], stack: str, adopt: bool = False, env: str | None = None
) -> Matching:
    """Pair manifests with live deployments; never pairs another stack's (or environment's) deployment."""
    result = Matching()
    owned: dict[str, list[Live]] = {}
    untagged: dict[str, list[Live]] = {}
    for item in live:
        if item.owned_by(stack, env):
            owned.setdefault(item.tag_name or "", []).append(item)
        elif tags.STACK not in item.metadata:
            untagged.setdefault(item.name, []).append(item)
        elif item.adoptable_as(item.tag_name or "", stack, env):
            untagged.setdefault(item.tag_name or "", []).append(item)

    keeper: dict[str, Live] = {}
    for name, group in owned.items():
        if len(group) > 1:  # nearly every name has one deployment: nothing to order
            group.sort(key=lambda d: d.age_key)
        keeper[name] = group[0]
        result.duplicates.extend((extra, group[0]) for extra in group[1:])

    claimed = {want.name for want in desired if want.name in keeper}
    found: dict[str, tuple[Live, str | None]] = {
        w.name: (keeper[w.name], None) for w in desired if w.name in keeper
    }
    # Renames second, so a previous name that another manifest still uses is never stolen.
    for want in desired:
        if want.name in found:
            continue
        for old in want.previous_names:
            if old in keeper and old not in claimed:
                claimed.add(old)
                found[want.name] = (keeper[old], old)
                break
    for want in desired:
        if want.name in found:
            live_item, renamed_from = found[want.name]
            result.matches.append(Match(want, live_item, renamed_from=renamed_from))
            continue
        candidates = sorted(untagged.get(want.name, []), key=lambda d: d.age_key)
        if candidates and adopt:
            result.matches.append(Match(want, candidates[0], adopt=True))
        elif candidates:
            result.conflicts.append((want, candidates[0]))
        else:
            result.matches.append(Match(want, None))

    result.orphans = sorted(
        (keeper[name] for name in keeper if name not in claimed), key=lambda d: (d.tag_name or "", d.id)
    )
    return result
