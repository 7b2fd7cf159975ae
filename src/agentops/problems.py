"""A located problem in user input: the one error shape for manifests and config."""

from __future__ import annotations

from dataclasses import dataclass

from agentops.spec import visible


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        # File names, paths and messages can carry what a manifest wrote: escaped, never raw.
        where = f"{self.file}:{self.line}:{self.column}"
        field = f" {self.path}:" if self.path else ""
        hint = f" ({self.hint})" if self.hint else ""
        return visible(f"{where}:{field} {self.message}{hint}")

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }
