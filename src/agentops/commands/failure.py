"""The one error a command raises for the user: a message, exit code 1, never a traceback."""

from __future__ import annotations


class Failure(Exception):
    """An error the user can act on, printed as `error: <message>`; `details` are printed first."""

    def __init__(self, message: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


# Exit codes mean one thing each (DESIGN.md): 2 is only ever "changes present".
OK, ERROR, CHANGES, INTERRUPTED = 0, 1, 2, 130
