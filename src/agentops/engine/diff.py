"""Field-level differences between two normalized shapes, and the API patch for exactly those.

`changes` and `patch` both take the same normalized pair (see `normalize`), so the update
body never holds a field, key or list the plan does not show as changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from agentops.engine.resources import DEPLOYMENT, RESOURCES, Resource
from agentops.engine.textdiff import line_diff
from agentops.model import tags

SECRET_PATH = "resources[*].authorization_token"
ROTATED = "(fingerprint changed)"  # a change's `before` when write-only secrets changed


@dataclass(frozen=True)
class Change:
    """One changed leaf: `before` is live, `after` is desired (None where absent)."""

    path: str
    before: Any
    after: Any
    origin: str | None = None  # set by `plan --base-ref`: "change" (this change) or "drift"
    # The manifest key the user wrote (`prompt`, `environment`); None where it is the API path.
    field: str | None = None

    @property
    def shown(self) -> str:
        """How a person reads the change: in the manifest's terms."""
        return self.field or self.path

    def to_dict(self) -> dict[str, Any]:
        # `diff`: a long text's line diff (a prompt is never only "changed"); null for other values.
        return {"path": self.path, "field": self.shown, "before": self.before, "after": self.after,
                "origin": self.origin, "diff": line_diff(self.before, self.after)}


def _render_path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _present(value: Any) -> Any:
    # deepdiff marks a missing side with a NotPresent object; plans carry plain JSON.
    return None if type(value).__name__ == "NotPresent" else value


def changed_fields(live: Mapping[str, Any], want: Mapping[str, Any], fields: tuple[str, ...] | None = None) -> list[str]:
    """Top-level fields that differ; a plain comparison, so in-sync objects cost no deepdiff."""
    return [f for f in fields or RESOURCES[DEPLOYMENT].fields if f in want and f in live and live[f] != want[f]]


def _secrets_rotated(live: Mapping[str, Any], want: Mapping[str, Any]) -> bool:
    return bool((live.get("metadata") or {}).get(tags.SECRETS) != (want.get("metadata") or {}).get(tags.SECRETS))


def changes(live: Mapping[str, Any], want: Mapping[str, Any], fields: tuple[str, ...] | None = None,
            secret_path: str = SECRET_PATH) -> list[Change]:
    """Leaf-level changes between two normalized shapes, from deepdiff, in a stable order; a changed
    fingerprint is one change at `secret_path` (the field that carries the secrets)."""
    out: list[Change] = []
    for name in changed_fields(live, want, fields):
        before, after = live.get(name), want.get(name)
        if name == "metadata" and _secrets_rotated(live, want):
            out.append(Change(secret_path, ROTATED, "(new secret value)"))
            before = {k: v for k, v in (before or {}).items() if k != tags.SECRETS}
            after = {k: v for k, v in (after or {}).items() if k != tags.SECRETS}
            if before == after:
                continue
        if name == "metadata" and isinstance(before, dict) and isinstance(after, dict):
            # Key by key: the patch writes `metadata.<key>`, and deepdiff shows two maps without a
            # shared key (a credential's, which has no ownership tags) as one change of the whole.
            out.extend(Change(f"metadata.{key}", before.get(key), after.get(key))
                       for key in sorted(before.keys() | after.keys()) if before.get(key) != after.get(key))
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


def patch(live: Mapping[str, Any], want: Mapping[str, Any], body: Mapping[str, Any],
          resource: Resource | None = None) -> dict[str, Any]:
    """The update body for the changes between two normalized shapes, following the API's patch
    rules for the resource's kind (a deployment's by default; see docs/patch-rules.md).

    Values come from the desired `body` (the API's own shape, tokens as `${VAR}` references), or
    for a `filled` field from the normalized desired shape; which fields and keys are sent comes
    only from the normalized pair.
    """
    rules = resource or RESOURCES[DEPLOYMENT]
    out: dict[str, Any] = {}
    for name in changed_fields(live, want, rules.fields):
        if name == "metadata":
            before: Mapping[str, Any] = live["metadata"]
            after: Mapping[str, Any] = want["metadata"]
            meta: dict[str, Any] = {k: v for k, v in after.items() if before.get(k) != v}
            meta.update({k: None for k in before if k not in after})  # a patch: null deletes
            out["metadata"] = meta
            if _secrets_rotated(live, want):
                # Secrets are write-only: a rotated one reaches the API only by resending its field whole.
                carrier = rules.secrets_in
                out[carrier] = (rules.sent[carrier](body.get(carrier)) if carrier in rules.sent
                                else list(body.get(carrier) or []))
        elif name in rules.sent:
            out[name] = rules.sent[name](body.get(name))
        elif name in rules.filled:
            out[name] = want[name]
        elif name in rules.replaced:
            out[name] = list(body.get(name) or [])
        elif name in rules.cleared and not body.get(name):
            out[name] = rules.cleared[name]
        else:
            out[name] = body.get(name)  # a removed schedule or budget is sent as null
    return out


def sent_paths(patch_body: Mapping[str, Any]) -> list[str]:
    """The paths an update body writes: a field, or `metadata.<key>` for the metadata patch."""
    paths: list[str] = []
    for name, value in patch_body.items():
        if name == "metadata" and isinstance(value, Mapping):
            paths.extend(f"metadata.{key}" for key in value)
        else:
            paths.append(name)
    return paths


def shown(path: str, changes_shown: list[Change]) -> bool:
    """Whether a path an update sends is one the plan shows as changed (the plan is the contract)."""
    for change in changes_shown:
        if change.before == ROTATED and path == f"metadata.{tags.SECRETS}":
            return True
        if change.path == SECRET_PATH and path == "resources":
            return True
        if change.path == path or change.path.startswith((f"{path}.", f"{path}[")):
            return True
    return False
