"""The line diff of a long text value (an agent's `system`, a deployment's `prompt`): one function
for the text, Markdown and JSON views, so a reviewer reads the same lines in each."""

from __future__ import annotations

import difflib
from typing import Any

# Longer than this (or more than one line) reads better as a diff than as `before -> after`.
LONG_TEXT = 60


def is_long_text(value: Any) -> bool:
    return isinstance(value, str) and (len(value) > LONG_TEXT or "\n" in value)


def line_diff(before: Any, after: Any) -> list[str] | None:
    """A unified diff (live -> manifest) when either side is long text; None for other values
    (which are shown as `before -> after`). A missing side is the empty text."""
    if not (is_long_text(before) or is_long_text(after)):
        return None
    old = before if isinstance(before, str) else ""
    new = after if isinstance(after, str) else ""
    return list(difflib.unified_diff(old.splitlines(), new.splitlines(), "live", "manifest", lineterm="", n=2))
