"""Memory stores and skills in one comparable shape (see `normalize` for the contract every
normalizer keeps: the same steps on both sides, field-local).

A memory store comes back with `description: ""` when none was set. A skill is compared by what
agentops records in its latest version (`.agentops.json`, model/skillfiles.py): the content digest
and the ownership tags; its `name` is SKILL.md's and never changes.
"""

from __future__ import annotations

from agentops.engine.normalize import Context, Normalizer, Shape, ignored

MEMORY_STORE_FIELDS = ("name", "description", "metadata")
SKILL_FIELDS = ("name", "digest", "metadata")


def _defaults(names: tuple[str, ...]) -> Normalizer:
    """The fields of `names` only, an empty description or metadata the same as none."""

    def keep(shape: Shape, context: Context) -> Shape:
        out = {name: shape.get(name) for name in names}
        if "description" in out:
            out["description"] = out["description"] or None
        out["metadata"] = dict(out.get("metadata") or {})
        return out

    return keep


MEMORY_STORE_NORMALIZERS: tuple[Normalizer, ...] = (_defaults(MEMORY_STORE_FIELDS), ignored)
SKILL_NORMALIZERS: tuple[Normalizer, ...] = (_defaults(SKILL_FIELDS),)
