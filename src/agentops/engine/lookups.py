"""What looking up a referenced id found: the SDK adapter's answer and the planner's input.

Kept apart from `references` (which decides what blocks) so the SDK adapter can answer
look-ups without importing the planner.
"""

from __future__ import annotations

from enum import StrEnum

Key = tuple[str, str]  # (kind, id): ("agent", "agent_011…")


class Found(StrEnum):
    OK = "ok"
    MISSING = "does not exist"
    ARCHIVED = "is archived"
