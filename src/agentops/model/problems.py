"""A located problem in user input: the one error shape for manifests and config."""

from __future__ import annotations

from dataclasses import dataclass

from agentops.model.spec import visible


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str | None = None
    excerpt: str | None = None  # the source line (already masked and escaped), for syntax errors

    def __str__(self) -> str:
        # File names, paths and messages can carry what a manifest wrote: escaped, never raw.
        where = f"{self.file}:{self.line}:{self.column}"
        field = f" {self.path}:" if self.path else ""
        hint = f" ({self.hint})" if self.hint else ""
        return visible(f"{where}:{field} {self.message}{hint}")

    def with_excerpt(self) -> str:
        """The one-line form, then the source line with a caret under the column, when known."""
        if self.excerpt is None:
            return str(self)
        caret = " " * len(visible(self.excerpt[: self.column - 1]))
        return f"{self}\n    {visible(self.excerpt)}\n    {caret}^"

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
            "excerpt": self.excerpt,
        }


@dataclass(frozen=True)
class Where:
    """Where a setting is written, or what a blocker comes from: a place in this checkout (`file`:
    "path:line", or a folder "path/"), else what stands in for one (`source`): a command-line flag
    ("--target"), the workspace, or a line of another revision ("main:agentops.yaml:4", git's REV:PATH)."""

    file: str | None = None
    source: str | None = None
