"""The secret sweep's one check over everything a run showed or left behind."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from click.testing import Result

from tests.fake_github import FakeGitHub


def assert_nothing_leaks(leaks: Callable[[str], list[str]], outputs: Iterable[tuple[str, Result]], root: Path,
                         expected: Iterable[Path], github: FakeGitHub) -> list[str]:
    """No secret in any command's output, any file under `root` (which holds every `expected` one) or any
    comment posted to the fake GitHub; returns the posted comments for the caller's own checks."""
    for label, result in outputs:
        assert not leaks(result.stdout + result.stderr), (label, result.output)
        assert "Traceback" not in result.output, label
    written = [path for path in root.rglob("*") if path.is_file()]
    assert set(expected) <= set(written)
    for path in written:
        assert not leaks(path.read_bytes().decode("utf-8", "replace")), path
    posted = github.bodies(7)
    assert posted and not leaks("\n".join(posted))
    return posted
