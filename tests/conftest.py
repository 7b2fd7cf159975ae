"""Fixtures shared by every test suite: a fresh emulator, a real SDK client, a stack repository, a fake GitHub."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from tests.fake_github import FakeGitHub, serve_github
from tests.helpers import make_client
from tests.stack import STACK, TOKEN, Stack


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    """An in-memory emulator on 127.0.0.1 with a free port, stopped after the test."""
    with EmulatorServer() as server:
        yield server


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[anthropic.Anthropic]:
    """The real SDK pointed at `emulator`, without retries so every response is observable."""
    with make_client(emulator.url) as sdk:
        yield sdk


@pytest.fixture
def stack(tmp_path: Path, emulator: EmulatorServer) -> Stack:
    """A stack repository whose CLI runs in-process against `emulator`."""
    # REPO_TOKEN is what manifests reference; GITHUB_TOKEN is what `comment` and `report` post with.
    return Stack.create(tmp_path, emulator, stack=STACK, REPO_TOKEN=TOKEN, GITHUB_TOKEN=TOKEN)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """The loopback fake GitHub of `agentops comment` and the drift report."""
    with serve_github() as gh:
        yield gh


@pytest.fixture(autouse=True)
def outside_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests may themselves run in GitHub Actions: its variables must not leak in."""
    for name in (
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_EVENT_PATH",
        "GITHUB_SERVER_URL",
        "GITHUB_RUN_ID",
        "GITHUB_API_URL",
    ):
        monkeypatch.delenv(name, raising=False)
