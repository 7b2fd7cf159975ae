"""Fixtures for manifest tests: throwaway projects outside the repository."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

Writer = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture
def project(tmp_path: Path) -> Writer:
    """Write files (path -> content) under a fresh root holding `stack: test` unless given."""

    def write(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "repo"
        for rel, content in {"agentops.yaml": "stack: test\n", **files}.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        (root / "deployments").mkdir(exist_ok=True)
        return root

    return write
