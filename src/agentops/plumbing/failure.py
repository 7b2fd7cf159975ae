"""The one error a command raises for the user: a message, exit code 1, never a traceback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Failure(Exception):
    """An error the user can act on, printed as `error: <message>`; `details` are printed first.

    `data` is what `--format json` adds to its error object (e.g. which deployments were refused)."""

    def __init__(self, message: str, details: tuple[str, ...] = (), data: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.data = dict(data or {})


# Exit codes mean one thing each (DESIGN.md): 2 is only ever "changes present".
OK, ERROR, CHANGES, INTERRUPTED = 0, 1, 2, 130
