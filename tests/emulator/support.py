"""Test support for the emulator suite: a hand-driven clock and `agentops emulator` runs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner, Result

from agentops.cli import main


class ManualClock:
    """A clock tests move by hand (no sleeps)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


_COMMAND = [sys.executable, "-c", "from agentops.cli import main; main()", "emulator", "--port", "0"]


@contextmanager
def cli_emulator(*args: str) -> Iterator[str]:
    """A running `agentops emulator`; yields the URL from its first stdout line."""
    process = subprocess.Popen([*_COMMAND, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line + process.stderr.read()  # type: ignore[union-attr]
        yield line.removeprefix("listening on ").strip()
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def run_cli(*args: str) -> Result:
    """An `agentops emulator` run in-process that must end by itself (a startup error)."""
    return CliRunner().invoke(main, ["emulator", "--port", "0", *args])
