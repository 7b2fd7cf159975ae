"""What a reviewer should read first: an agent's model changing and a tool's permission changing
(a tool that now runs without asking is easy to miss in a list of field diffs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agentops.model.agent import permissions

# From strictest to loosest: a move to the right lets the agent do more without a person.
_LOOSENESS = {"off": 0, "always_ask": 1, "auto": 2, "always_allow": 3}


@dataclass(frozen=True)
class Highlight:
    """One change worth reading first: `subject` (`model`, `bash`, `github/*`) from `before` to `after`."""

    address: str
    label: str
    kind: str  # "model" or "permission"
    subject: str
    before: str | None
    after: str | None

    @property
    def loosened(self) -> bool:
        """A permission that now lets the tool run with less asking (or at all)."""
        return self.kind == "permission" and _LOOSENESS.get(self.after or "off", 0) > _LOOSENESS.get(
            self.before or "off", 0)

    @property
    def what(self) -> str:
        """`model`, `model.speed`, `tool bash`, `tool github/*`."""
        return f"tool {self.subject}" if self.kind == "permission" else self.subject

    @property
    def shown(self) -> tuple[str, str]:
        """Before and after as read: an unset model setting as "(none)"."""
        return self.before or "(none)", self.after or "(none)"

    def __str__(self) -> str:
        note = " (loosened)" if self.loosened else ""
        before, after = self.shown
        return f"{self.label}: {self.what} {before} -> {after}{note}"

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "kind": self.kind, "subject": self.subject, "before": self.before,
                "after": self.after, "loosened": self.loosened}


def _models(before: Any, after: Any) -> list[tuple[str, str | None, str | None]]:
    """(subject, before, after): the model's id when it changes, else each of its settings that does."""
    old = before if isinstance(before, Mapping) else {"id": before}
    new = after if isinstance(after, Mapping) else {"id": after}
    if old.get("id") != new.get("id"):
        return [("model", old.get("id"), new.get("id"))]
    return [(f"model.{key}", _text(old.get(key)), _text(new.get(key)))
            for key in sorted({*old, *new}) if old.get(key) != new.get(key)]


def _text(value: Any) -> str | None:
    if isinstance(value, Mapping):  # effort as an object: {type: high}
        value = value.get("type")
    return None if value is None else str(value)


def agent_highlights(address: str, label: str, before: Mapping[str, Any],
                     after: Mapping[str, Any]) -> list[Highlight]:
    """The model and tool permission changes between an agent's normalized live and desired shapes."""
    out = [Highlight(address, label, "model", subject, old, new)
           for subject, old, new in _models(before.get("model"), after.get("model"))]
    old_tools, new_tools = permissions(before.get("tools") or []), permissions(after.get("tools") or [])
    for tool in sorted({*old_tools, *new_tools}):
        old_policy, new_policy = old_tools.get(tool, "off"), new_tools.get(tool, "off")
        if old_policy != new_policy:
            out.append(Highlight(address, label, "permission", tool, old_policy, new_policy))
    return out
