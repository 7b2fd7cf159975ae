"""What a destroy keeps beyond `prevent_archive`: every object something that stays live still uses.

A destroy archives the stack's objects in reverse write order, so within the stack nothing is
left pointing at an archived object. What stays (an object kept by `lifecycle.prevent_archive`,
one left out by `--target`, another stack's or an untagged object) may still use one of them:
archiving it would break what stays, so it is kept too, and the plan says why. A use is the
object's id anywhere in the user's live body, which covers every kind's references (agent,
environment_id, vault_ids, skills, memory stores) without knowing their fields.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from agentops.engine.identity import Live


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def in_use(archived: set[str], live: Sequence[Live]) -> dict[str, Live]:
    """The archived ids that a live object staying live uses (directly or through another kept one),
    each with the object that uses it."""
    by_id = {item.id: item for item in live}
    uses = {item.id: {text for text in _strings(dict(item.body)) if text in by_id and text != item.id}
            for item in live}
    kept: dict[str, Live] = {}
    staying = [item for item in live if item.id not in archived]
    while staying:
        user = staying.pop()
        for used in sorted(uses[user.id]):
            if used in archived and used not in kept:
                kept[used] = user
                staying.append(by_id[used])
    return kept
