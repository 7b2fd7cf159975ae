"""Where a field of a loaded manifest was written: "file:line", for messages that point at the fix.

Reads the manifest file again (only for the few fields a message needs); a value filled in
from agentops.yaml `defaults` points there.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from agentops.manifest.config import load_config
from agentops.manifest.documents import Document, parse_file
from agentops.manifest.positions import Locator, Tree


class FieldLocator:
    """Finds fields in the manifests of one project root; each file is parsed at most once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._documents = lru_cache(maxsize=64)(self._parse)
        self._defaults: list[Tree | None] = []

    def _parse(self, file: str) -> tuple[Document, ...]:
        return tuple(d for d in parse_file(self.root / file, file, self.root) if isinstance(d, Document))

    def _default_tree(self) -> Tree | None:
        if not self._defaults:
            self._defaults.append(load_config(self.root).defaults)
        return self._defaults[0]

    def __call__(self, file: str, line: int, loc: Sequence[str | int]) -> str:
        """`file:line` of `loc` in the document of `file` that starts at `line` (that line if not found)."""
        for document in self._documents(file):
            if document.line == line:
                tree, node = Locator(document.tree, document.data, self._default_tree()).find(tuple(loc))
                found, _column = tree.position(node)
                return f"{tree.file}:{found}"
        return f"{file}:{line}"
