"""EmulatorServer: the emulator as an object tests, `--local` mode and benchmarks can start."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from agentops.emulator import seed as seeding
from agentops.emulator.agents import Agents
from agentops.emulator.clock import Clock, system_clock
from agentops.emulator.core import DEFAULT_WORKSPACE, Core, RequestRecord, WriteRecord
from agentops.emulator.credentials import Credentials
from agentops.emulator.deployments import Deployments
from agentops.emulator.environments import Environments
from agentops.emulator.faults import Faults
from agentops.emulator.federation import Federation
from agentops.emulator.handlers import READ_TIMEOUT, HTTPServer
from agentops.emulator.memory_stores import MemoryStores
from agentops.emulator.ratelimit import RateLimiter
from agentops.emulator.registry import Kind, Registry
from agentops.emulator.runs import Runs
from agentops.emulator.skills import Skills
from agentops.emulator.store import Store
from agentops.emulator.vaults import Vaults


class EmulatorServer:
    """A local Deployments API on loopback; `start()` serves it from a background thread.

    `seed` (a dict or a JSON/YAML file) registers agents, environments, vaults and memory stores and turns on
    strict reference checks. `clock` replaces "now" (for deterministic schedule times).
    `read_timeout` (seconds) ends a connection that sends nothing for that long. `federation` (a dict
    or a JSON/YAML file, see emulator/federation.py) serves `POST /v1/oauth/token` and binds every
    request's credential to a workspace.
    """

    def __init__(
        self,
        db_path: str | Path | None = None,
        strict: bool = False,
        seed: seeding.Seed | None = None,
        faults: Faults | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        read_timeout: float = READ_TIMEOUT,
        federation: Mapping[str, Any] | str | Path | None = None,
    ) -> None:
        self._address = (host, port)
        self._read_timeout = read_timeout
        self._db_path = db_path
        self._strict = strict or seed is not None
        self._seed = None if seed is None else seeding.load(seed)
        self._clock = clock or system_clock
        self._initial_faults = faults or Faults()
        self._federation = None if federation is None else Federation.from_source(federation, self._clock)
        self._core: Core | None = None
        self._httpd: HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> EmulatorServer:
        if self._httpd is not None:
            raise RuntimeError("emulator already started")
        store = Store(self._db_path)
        registry = Registry(store, self._clock, strict=self._strict)
        if self._seed is not None:
            with store.atomic():
                seeding.apply(registry, self._seed)
        deployments = Deployments(store, registry, self._clock)
        runs = Runs(store, registry, deployments, self._clock, lambda: self.faults)
        self._core = Core(store, registry, Agents(store, registry, self._clock),
                          Environments(store, registry, self._clock), deployments, runs,
                          Vaults(store, registry), Credentials(store, registry, self._clock, lambda: self.faults),
                          MemoryStores(store, registry, self._clock), Skills(store, registry, self._clock),
                          self._initial_faults, RateLimiter(self._clock), federation=self._federation)
        self._httpd = HTTPServer(self._address, self._core, self._read_timeout)
        self._thread = threading.Thread(
            # A short poll keeps stop() fast: shutdown() waits for the loop's next poll.
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
            name="agentops-emulator", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None or self._core is None:
            return
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._initial_faults = self._core.faults
        self._core.store.close()
        self._httpd = self._thread = self._core = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def core(self) -> Core:
        if self._core is None:
            raise RuntimeError("emulator not started")
        return self._core

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("emulator not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- faults and statistics --------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self._core.faults if self._core is not None else self._initial_faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        if self._core is not None:
            self._core.faults = value
        self._initial_faults = value

    @property
    def requests(self) -> list[RequestRecord]:
        """(method, path, status) per /v1 request so far; status 0 for a dropped response."""
        return self.core.stats.requests()

    @property
    def federation(self) -> Federation:
        """The token endpoint's state (its exchanges, for tests); only with `federation=`."""
        if self._federation is None:
            raise RuntimeError("the emulator was started without federation")
        return self._federation

    def write_count(self) -> int:
        """/v1 POSTs received, faulted ones included."""
        return self.core.stats.writes()

    def rate_limited_count(self) -> int:
        """/v1 requests answered 429 so far (rate limiter and injected faults)."""
        return self.core.stats.rate_limited()

    def writes(self) -> list[WriteRecord]:
        """Every /v1 POST so far, oldest first: method, path, workspace, deployment_id, status and
        the JSON body as received with write-only secrets shown as `***` (None if not JSON)."""
        return self.core.stats.written()

    def reset_counts(self) -> None:
        """Forget counts, the request log and the recorded writes."""
        self.core.stats.reset()

    # --- registry and scheduler controls ----------------------------------------------------

    def register(self, kind: Kind, entry_id: str, versions: int = 1, workspace: str | None = None) -> None:
        self.core.registry.register(workspace or DEFAULT_WORKSPACE, kind, entry_id, versions)

    def archive(self, kind: Kind, entry_id: str, workspace: str | None = None) -> None:
        """Archive a registry object; deployments referencing it stay, and their runs fail with
        `{kind}_archived_error` (a scheduled one auto-pauses the deployment)."""
        self.core.registry.archive(workspace or DEFAULT_WORKSPACE, kind, entry_id)

    def register_agent(self, agent_id: str, versions: int = 1, workspace: str | None = None) -> None:
        """Register an agent, or set its latest version."""
        self.register("agent", agent_id, versions, workspace)

    def register_environment(self, environment_id: str, workspace: str | None = None) -> None:
        self.register("environment", environment_id, 1, workspace)

    def register_vault(self, vault_id: str, workspace: str | None = None) -> None:
        self.register("vault", vault_id, 1, workspace)

    def archive_agent(self, agent_id: str, workspace: str | None = None) -> None:
        self.archive("agent", agent_id, workspace)

    def archive_environment(self, environment_id: str, workspace: str | None = None) -> None:
        self.archive("environment", environment_id, workspace)

    def archive_vault(self, vault_id: str, workspace: str | None = None) -> None:
        self.archive("vault", vault_id, workspace)

    def fire(self, deployment_id: str, workspace: str | None = None) -> dict[str, Any]:
        """Fire the deployment's schedule now; returns the run (a failure auto-pauses)."""
        return self.core.runs.fire(workspace or DEFAULT_WORKSPACE, deployment_id)

    def tick(self) -> list[dict[str, Any]]:
        """Let the scheduler catch up with the clock: records a run for every fire time passed
        since the last tick (in every workspace) and returns them, oldest first per deployment."""
        return self.core.runs.tick()

    def runs(self, deployment_id: str | None = None, workspace: str | None = None) -> list[dict[str, Any]]:
        return self.core.store.runs(workspace or DEFAULT_WORKSPACE, deployment_id)

    def raw_deployments(self, workspace: str | None = None) -> list[dict[str, Any]]:
        """Stored documents, oldest first: archived ones and write-only secrets included."""
        return self.core.store.all_deployments(workspace or DEFAULT_WORKSPACE)
