"""Everything the HTTP layer serves, without the HTTP: state, semantics, faults, statistics."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from agentops.emulator.agents import Agents
from agentops.emulator.credentials import Credentials
from agentops.emulator.deployments import Deployments
from agentops.emulator.environments import Environments
from agentops.emulator.faults import Faults
from agentops.emulator.federation import Federation
from agentops.emulator.memory_stores import MemoryStores
from agentops.emulator.ratelimit import RateLimiter
from agentops.emulator.registry import Registry
from agentops.emulator.runs import Runs
from agentops.emulator.skills import Skills
from agentops.emulator.store import Store
from agentops.emulator.vaults import Vaults

DEFAULT_WORKSPACE = "default"

RequestRecord = tuple[str, str, int]
WriteRecord = dict[str, Any]


@dataclass
class Stats:
    """What clients sent to /v1: for tests that count writes and retries."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _requests: list[RequestRecord] = field(default_factory=list)
    _writes: int = 0
    _written: list[WriteRecord] = field(default_factory=list)

    def count_write(self) -> None:
        with self._lock:
            self._writes += 1

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self._requests.append((method, path, status))

    def record_write(self, record: WriteRecord) -> None:
        """Keep a write's body (secrets already redacted) so tests compare it with a plan."""
        with self._lock:
            self._written.append(record)

    def written(self) -> list[WriteRecord]:
        with self._lock:
            return list(self._written)

    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    def writes(self) -> int:
        with self._lock:
            return self._writes

    def rate_limited(self) -> int:
        """429s answered so far, by the limiter or by an injected fault."""
        with self._lock:
            return sum(1 for _, _, status in self._requests if status == 429)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._writes = 0
            self._written.clear()


@dataclass
class Core:
    store: Store
    registry: Registry
    agents: Agents
    environments: Environments
    deployments: Deployments
    runs: Runs
    vaults: Vaults
    credentials: Credentials
    memory_stores: MemoryStores
    skills: Skills
    faults: Faults
    limiter: RateLimiter
    stats: Stats = field(default_factory=Stats)
    # Credentials checked and bound to workspaces (`--federation`); None: any key, the header picks.
    federation: Federation | None = None
