"""References written as ids: which to look up, and the blockers their lookups make.

The SDK adapter only reports what it found for each id; this module decides what blocks.
Names are resolved by `resolve` from one listing per kind instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from agentops.engine.desired import Desired
from agentops.engine.lookups import Found, Key
from agentops.engine.plan import Blocker


def referenced(desired: list[Desired]) -> dict[Key, list[Desired]]:
    """Each agent, environment, vault and memory store written as an id, with the manifests that use it."""
    users: dict[Key, list[Desired]] = {}
    for want in desired:
        by_name = {(item.ref.kind, item.value) for item in want.named}
        agent = want.body["agent"]
        keys = [
            ("agent", agent if isinstance(agent, str) else agent["id"]),
            ("environment", want.body["environment_id"]),
            *(("vault", vault) for vault in want.body.get("vault_ids", [])),
            *(("memory_store", item["memory_store_id"]) for item in want.body.get("resources", [])
              if item.get("type") == "memory_store" and "memory_store_id" in item),
        ]
        for key in keys:
            if key not in by_name:
                users.setdefault(key, []).append(want)
    return users


def blockers(users: Mapping[Key, list[Desired]], found: Mapping[Key, Found]) -> list[Blocker]:
    """A blocker per manifest for each id that is missing or archived, in a stable order."""
    out = [
        Blocker(f"{kind} {ref} {found[(kind, ref)]} (referenced by the manifest)", want.name, want.where)
        for (kind, ref), wants in users.items()
        if found.get((kind, ref), Found.OK) is not Found.OK
        for want in wants
    ]
    return sorted(out, key=lambda b: (b.file or "", b.name or "", b.message))
