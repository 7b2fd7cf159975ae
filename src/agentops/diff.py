"""Field-level differences between two comparable shapes, and the minimal API patch for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from agentops import tags
from agentops.normalize import FIELDS

SECRET_PATH = "resources[*].authorization_token"


@dataclass(frozen=True)
class Change:
    """One changed leaf: `before` is live, `after` is desired (None where absent)."""

    path: str
    before: Any
    after: Any
    origin: str | None = None  # set by `plan --base-ref`: "change" (this change) or "drift"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after, "origin": self.origin}


def _render_path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _present(value: Any) -> Any:
    # deepdiff marks a missing side with a NotPresent object; plans carry plain JSON.
    return None if type(value).__name__ == "NotPresent" else value


def changed_fields(live: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """Top-level fields that differ; a plain comparison, so in-sync deployments cost no deepdiff."""
    return [f for f in FIELDS if f in want and live.get(f) != want.get(f)]


def changes(live: dict[str, Any], want: dict[str, Any], fields: list[str]) -> list[Change]:
    """Leaf-level changes of the given fields, from deepdiff, in a stable order."""
    out: list[Change] = []
    for name in fields:
        before, after = live.get(name), want.get(name)
        if name == "metadata" and (before or {}).get(tags.SECRETS) != (after or {}).get(tags.SECRETS):
            out.append(Change(SECRET_PATH, "(fingerprint changed)", "(new secret value)"))
            before = {k: v for k, v in (before or {}).items() if k != tags.SECRETS}
            after = {k: v for k, v in (after or {}).items() if k != tags.SECRETS}
            if before == after:
                continue
        if (
            not isinstance(before, dict | list)
            or not isinstance(after, dict | list)
            or type(before) is not type(after)
        ):
            out.append(Change(name, before, after))
            continue
        tree = DeepDiff(before, after, view="tree", verbose_level=2)
        leaves = []
        for level in (lv for group in tree.values() for lv in group):
            path = _render_path([name, *level.path(output_format="list")])
            leaves.append(Change(path, _present(level.t1), _present(level.t2)))
        out.extend(sorted(leaves, key=lambda c: c.path))
    return out


def patch(live: dict[str, Any], want_body: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The smallest update body that makes `live` match, following the API's patch rules."""
    body: dict[str, Any] = {}
    for name in fields:
        value = want_body.get(name)
        if name == "metadata":
            before: dict[str, Any] = live.get("metadata") or {}
            after: dict[str, Any] = value or {}
            meta: dict[str, Any] = {k: v for k, v in after.items() if before.get(k) != v}
            meta.update({k: None for k in before if k not in after})  # a patch: null deletes
            body["metadata"] = meta
            if before.get(tags.SECRETS) != after.get(tags.SECRETS):
                # Tokens are write-only: a rotated one reaches the API only by resending resources.
                body["resources"] = want_body.get("resources") or []
        elif name == "description":
            body[name] = value or ""
        elif name in ("resources", "vault_ids"):
            body[name] = value or []
        else:
            body[name] = value
    return body
