"""The test harness: a stack repository on disk, the CLI run in-process against an emulator,
and the census and fault runs that tests and benchmarks/reliability.py share.

Benchmarks import this module; nothing here imports a benchmark.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import yaml
from click.testing import CliRunner, Result

from agentops.cli import main
from agentops.cli.app import GlobalOptions
from agentops.emulator import EmulatorServer, Faults
from agentops.model import tags

STACK = "reliability"
API_KEY = "sk-reliability-key-0000"
# The script installed beside this interpreter: CI runs the venv's python without activating it.
AGENTOPS = str(Path(sys.executable).parent / "agentops")
MAX_APPLIES = 8
# Drains of in-flight requests and kill points are awaited by polling, never by a fixed sleep.
POLL = 0.005
POLL_LIMIT = 30.0


@dataclass(frozen=True)
class Scenario:
    name: str
    faults: Faults
    timeout: float | None = None  # AGENTOPS_TIMEOUT for the client, when the scenario needs it short


def scenarios(seed: int = 7) -> list[Scenario]:
    slow = 0.2
    return [
        Scenario("20% 5xx", Faults(rate_5xx=0.2, seed=seed)),
        Scenario("20% 429 (retry-after 0.2 s)", Faults(rate_429=0.2, retry_after=0.2, seed=seed)),
        Scenario("20% committed writes, response dropped", Faults(drop_rate=0.2, seed=seed)),
        Scenario("200 ms latency, 0.15 s client timeout", Faults(latency=slow, seed=seed), timeout=0.15),
        Scenario(
            "all of the above together",
            Faults(latency=slow, rate_5xx=0.2, rate_429=0.2, retry_after=0.2, drop_rate=0.2, seed=seed),
            timeout=0.15,
        ),
    ]


def manifest(index: int, revision: int = 0, status: str = "active") -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": f"rel-{index:04d}",
        "agent": "agent_011CZreliability",
        "environment_id": "env_011CZreliability",
        "prompt": f"Run job {index} (revision {revision}).",
        "metadata": {"team": f"team-{index % 5}"},
    }
    if index % 3 == 0:
        data["schedule"] = {"expression": f"{index % 60} 6 * * 1-5", "timezone": "Europe/Berlin"}
    if status != "active":
        data["status"] = status
    return data


def changed(count: int) -> list[dict[str, Any]]:
    """Round 2: every other manifest gets a new prompt, every fifth is paused, the last tenth removed."""
    kept = count - count // 10
    return [
        manifest(i, revision=1 if i % 2 == 0 else 0, status="paused" if i % 5 == 0 else "active")
        for i in range(kept)
    ]


def no_wait(seconds: float) -> None:
    """A retry's wait in tests: retries happen at once, so fault tests spend no time sleeping."""


@dataclass
class Repo:
    """A stack repository on disk and the CLI, run in-process against one emulator."""

    root: Path
    emulator: EmulatorServer
    env: dict[str, str]
    # How the CLI's retries wait: no time in tests; benchmarks pass time.sleep for real figures.
    sleep: Callable[[float], None] = no_wait

    @classmethod
    def create(
        cls,
        root: Path,
        emulator: EmulatorServer,
        stack: str = STACK,
        sleep: Callable[[float], None] | None = None,
        **env: str,
    ) -> Self:
        (root / "deployments").mkdir(parents=True, exist_ok=True)
        # No pacing: the emulator has no rate limits unless a test gives it some.
        (root / "agentops.yaml").write_text(f"stack: {stack}\napi: {{writes_per_minute: 0, reads_per_minute: 0}}\n")
        environ = {"ANTHROPIC_BASE_URL": emulator.url, "ANTHROPIC_API_KEY": API_KEY, **env}
        return cls(root, emulator, environ, sleep or no_wait)

    def write(self, manifests: list[dict[str, Any]]) -> None:
        folder = self.root / "deployments"
        for old in folder.glob("*.yaml"):
            old.unlink()
        for item in manifests:
            (folder / f"{item['name']}.yaml").write_text(yaml.safe_dump(item, sort_keys=False))

    def run(self, *args: str, env: dict[str, str] | None = None) -> Result:
        # COLUMNS unset: output is not a terminal, whatever the test runner exports.
        environ: dict[str, str | None] = {"COLUMNS": None, **self.env, **(env or {})}
        obj = GlobalOptions(sleep=self.sleep)
        # From the checkout, as a user runs it: `apply PLANFILE` plans again from the current directory's project.
        with contextlib.chdir(self.root):
            return CliRunner().invoke(main, list(args), env=environ, obj=obj, catch_exceptions=False)

    def apply(self, *args: str) -> Result:
        return self.run("apply", str(self.root), "--auto-approve", *args)

    def in_sync(self) -> bool:
        return self.run("plan", str(self.root), "--detailed-exitcode").exit_code == 0

    def converge(self, parallelism: int = 8) -> int:
        """Applies until a plan is empty; returns how many it took (MAX_APPLIES + 1 if never)."""
        for applies in range(1, MAX_APPLIES + 1):
            self.apply("--parallelism", str(parallelism))
            if self.in_sync():
                return applies
        return MAX_APPLIES + 1

    def subprocess_env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def spawn_apply(self, *args: str, read: bool = True) -> subprocess.Popen[bytes]:
        """`read=False` discards the output: an unread pipe fills up (64 KiB) and stalls the child."""
        output = subprocess.PIPE if read else subprocess.DEVNULL
        return subprocess.Popen(
            [AGENTOPS, "apply", str(self.root), "--auto-approve", *args],
            env=self.subprocess_env(),
            stdout=output,
            stderr=output,
        )


@dataclass
class Census:
    """What the emulator holds for the stack, against what the manifests ask for."""

    per_manifest: Counter[str] = field(default_factory=Counter)  # non-archived deployments per manifest
    duplicates: int = 0  # deployments beyond the first ever created for one name
    cleaned: int = 0  # of those, archived by now
    lost: int = 0  # manifests whose wanted state is not live, and removed ones still live
    survivor_not_oldest: int = 0  # names whose surviving deployment is not the oldest

    @property
    def exactly_one(self) -> bool:
        return set(self.per_manifest.values()) <= {1}


def census(emulator: EmulatorServer, wanted: list[dict[str, Any]]) -> Census:
    rows = [d for d in emulator.raw_deployments() if d["metadata"].get(tags.STACK) == STACK]
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_name.setdefault(row["metadata"][tags.NAME], []).append(row)
    result = Census()
    want = {item["name"]: item for item in wanted}
    for name in want:
        result.per_manifest[name] = 0
    for name, group in by_name.items():
        group.sort(key=lambda d: (d["created_at"], d["id"]))
        alive = [d for d in group if not d.get("archived_at")]
        result.duplicates += len(group) - 1
        result.cleaned += sum(1 for d in group[1:] if d.get("archived_at"))
        if name in want:
            result.per_manifest[name] = len(alive)
            if alive and alive[0] is not group[0]:
                result.survivor_not_oldest += 1
        elif alive:
            result.lost += 1  # an archive that never happened
    for name, item in want.items():
        alive = [d for d in by_name.get(name, []) if not d.get("archived_at")]
        if not alive or not _matches(alive[0], item):
            result.lost += 1
    return result


def _matches(row: dict[str, Any], item: dict[str, Any]) -> bool:
    text = row["initial_events"][0]["content"][0]["text"]
    return bool(text == item["prompt"] and row["status"] == item.get("status", "active"))


@dataclass
class Figures:
    scenario: str
    count: int
    applies: tuple[int, ...]  # per round
    census: Census
    requests: int
    faulted: int  # responses that were 429, 5xx or dropped
    seconds: float

    def row(self) -> list[str]:
        per = sorted(set(self.census.per_manifest.values()))
        return [
            self.scenario,
            str(self.count),
            " + ".join(str(a) for a in self.applies),
            "/".join(str(p) for p in per),
            str(self.census.lost),
            f"{self.census.duplicates} / {self.census.cleaned}",
            f"{self.requests} ({self.faulted} faulted)",
            f"{self.seconds:.1f}",
        ]


def _faulted(emulator: EmulatorServer) -> int:
    return sum(1 for _, _, status in emulator.requests if status in (0, 429) or status >= 500)


def run_faults(
    scenario: Scenario, count: int, workdir: Path, parallelism: int = 8, sleep: Callable[[float], None] = no_wait
) -> Figures:
    env = {"AGENTOPS_TIMEOUT": str(scenario.timeout)} if scenario.timeout else {}
    started = time.perf_counter()
    with EmulatorServer(faults=scenario.faults) as emulator:
        repo = Repo.create(workdir, emulator, sleep=sleep, **env)
        repo.write([manifest(i) for i in range(count)])
        first = repo.converge(parallelism)
        second_round = changed(count)
        repo.write(second_round)
        second = repo.converge(parallelism)
        requests, faulted = len(emulator.requests), _faulted(emulator)
        emulator.faults = Faults()
        result = census(emulator, second_round)
    return Figures(
        scenario.name, count, (first, second), result, requests, faulted, time.perf_counter() - started
    )


def wait_until(condition: Any, what: str) -> None:
    """Poll `condition()` until true; a bounded wait, so a hang fails instead of blocking."""
    deadline = time.monotonic() + POLL_LIMIT
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(POLL)


def _read_terminal(fd: int, until: bytes | None) -> bytes:
    """Read the terminal until `until` appears (None: until the child closes it); bounded, never a sleep."""
    out = b""
    deadline = time.monotonic() + POLL_LIMIT
    while until is None or until not in out:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise TimeoutError(f"no {until!r} on the terminal; so far: {out.decode(errors='replace')}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: every copy of the terminal's other end is closed, the child has exited
            chunk = b""
        if not chunk:
            if until is None:
                return out
            raise AssertionError(f"the terminal closed before {until!r}: {out.decode(errors='replace')}")
        out += chunk
    return out


def on_a_terminal(repo: Repo, args: list[str], prompt: bytes, answer: str) -> tuple[int, str]:
    """`agentops ARGS` with a pseudo-terminal for stdin and output: waits for `prompt`, types `answer`."""
    main_fd, child = pty.openpty()
    env = {**repo.subprocess_env(), "NO_COLOR": "1"}
    proc = subprocess.Popen([AGENTOPS, *args], stdin=child, stdout=child, stderr=child, env=env, cwd=repo.root)
    os.close(child)
    try:
        shown = _read_terminal(main_fd, prompt)
        os.write(main_fd, answer.encode() + b"\n")
        shown += _read_terminal(main_fd, None)
    finally:
        os.close(main_fd)
        code = proc.wait(timeout=POLL_LIMIT)
    return code, shown.decode().replace("\r\n", "\n")


def in_flight_writes(emulator: EmulatorServer) -> int:
    """POSTs the emulator received but has not finished (a killed client's writes still commit)."""
    return emulator.write_count() - sum(1 for method, _, _ in emulator.requests if method == "POST")


def kill_after(repo: Repo, writes: int, *args: str) -> int:
    """Start `agentops apply`, SIGKILL it once the emulator has seen `writes` writes; returns writes seen."""
    proc = repo.spawn_apply(*args, read=False)  # nobody reads it until the kill
    try:
        wait_until(lambda: repo.emulator.write_count() >= writes or proc.poll() is not None, "the kill point")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    wait_until(lambda: in_flight_writes(repo.emulator) == 0, "in-flight writes to finish")
    return repo.emulator.write_count()


def run_kills(count: int, kill_points: list[int], workdir: Path) -> Figures:
    """One apply per kill point, each SIGKILLed after that many writes; then applies until in sync."""
    started = time.perf_counter()
    with EmulatorServer(faults=Faults(latency=0.01)) as emulator:
        repo = Repo.create(workdir, emulator)
        wanted = [manifest(i) for i in range(count)]
        repo.write(wanted)
        for point in kill_points:
            kill_after(repo, point, "--parallelism", "4")
        emulator.faults = Faults()
        applies = repo.converge()
        result = census(emulator, wanted)
        requests = len(emulator.requests)
    name = f"SIGKILL after {', '.join(map(str, kill_points))} writes"
    return Figures(name, count, (applies,), result, requests, 0, time.perf_counter() - started)


def run_concurrent(count: int, workdir: Path) -> Figures:
    """Two applies at once from a clean workspace, then applies until a plan is empty."""
    started = time.perf_counter()
    with EmulatorServer(faults=Faults(latency=0.02)) as emulator:
        repo = Repo.create(workdir, emulator)
        wanted = [manifest(i) for i in range(count)]
        repo.write(wanted)
        procs = [repo.spawn_apply("--parallelism", "4") for _ in range(2)]
        outputs = [proc.communicate() for proc in procs]
        if any(proc.returncode for proc in procs):
            raise RuntimeError(f"a concurrent apply failed: {outputs}")
        emulator.faults = Faults()
        applies = 1 + (0 if repo.in_sync() else repo.converge())
        result = census(emulator, wanted)
        requests = len(emulator.requests)
    return Figures(
        "two applies at once", count, (applies,), result, requests, 0, time.perf_counter() - started
    )


