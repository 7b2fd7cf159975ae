"""Fixtures shared by every test suite: a fresh emulator and a real SDK client for it."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from tests.helpers import make_client


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
