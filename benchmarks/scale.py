"""Plan and apply thousands of deployments: time, CPU, memory and HTTP requests against the lower bound.

    python benchmarks/scale.py            # plan N=100/1,000/5,000, apply N=100/1,000 (about 11 minutes)
    python benchmarks/scale.py --quick    # plan N=100/1,000, apply N=100 (2-3 minutes)

Everything the user runs is a real process: `agentops emulator --port 0 --db FILE` serves the API,
`agentops plan` / `agentops apply` talk to it through the SDK, and requests are counted at the
emulator (`/_emulator/stats`). The "lockfile" baseline is this script re-run as a child process
(`--baseline-plan`): the same loading and planning, but one retrieve per tracked deployment
(8 in parallel) instead of the paged list.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

AGENTS = ("agent_011CZbenchAlpha", "agent_011CZbenchBravo", "agent_011CZbenchCharlie")
ENVIRONMENTS = ("env_011CZbenchMain", "env_011CZbenchGpu")
VAULTS = ("vlt_011CZbenchShared", "vlt_011CZbenchOps")
REFERENCES = len(AGENTS) + len(ENVIRONMENTS) + len(VAULTS)  # every one is used when N >= 12
STACK = "bench"
TOKEN = "ghp_bench_token_value_0000"
# The script installed beside this interpreter: CI runs the venv's python without activating it.
AGENTOPS = str(Path(sys.executable).parent / "agentops")
PAGE = 100

MANIFEST = """name: bench-{i:05d}
description: Generated deployment {i} (revision {revision}).
agent: {agent}
environment_id: {environment}
schedule:
  expression: "{minute} {hour} * * 1-5"
  timezone: Europe/Berlin
prompt: Run job {i} and report the results as a short list.
vault_ids: [{vault}]
metadata: {{team: team-{team}, tier: gold}}
"""
# Every fifth deployment mounts a repository with a write-only token (fingerprinted, never listed).
RESOURCES = """resources:
  - type: github_repository
    url: https://github.com/example-org/repo-{i}
    authorization_token: ${{REPO_TOKEN}}
"""


def generate(root: Path, count: int, revision: int = 1) -> Path:
    """A stack of `count` manifests, one file each, referencing a few shared agents/environments/vaults."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "deployments").mkdir(parents=True)
    # The benchmark's emulator has no rate limits, so agentops is told not to pace (pacing.py
    # measures the pacing against a limited one).
    (root / "agentops.yaml").write_text(f"stack: {STACK}\napi: {{writes_per_minute: 0, reads_per_minute: 0}}\n")
    for i in range(count):
        agent = AGENTS[i % len(AGENTS)]
        text = MANIFEST.format(
            i=i,
            revision=revision,
            agent=agent if i % 2 else f"{{id: {agent}, version: 1}}",
            environment=ENVIRONMENTS[i % len(ENVIRONMENTS)],
            vault=VAULTS[i % len(VAULTS)],
            minute=i % 60,
            hour=i % 24,
            team=i % 20,
        )
        if i % 5 == 0:
            text += RESOURCES.format(i=i)
        (root / "deployments" / f"bench-{i:05d}.yaml").write_text(text)
    return root


# --- processes and measurements -------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float  # user + system of the child process
    rss_mb: float  # its peak resident set
    code: int
    output: str
    marks: dict[str, float]  # seconds after start when a line containing the key first appeared


def measure(cmd: list[str], env: dict[str, str], marks: tuple[str, ...] = ()) -> Run:
    """Run a child with stdout+stderr merged; wait4 gives that one child's CPU and peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    seen: dict[str, float] = {}
    lines = []
    for line in proc.stdout:
        lines.append(line)
        for key in marks:
            if key not in seen and key in line:
                seen[key] = time.perf_counter() - start
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux.
    return Run(
        wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, "".join(lines), seen
    )


class Emulator:
    """`agentops emulator` in its own process; control paths over plain HTTP."""

    def __init__(self, db: Path | None, latency: float = 0.0, *options: str) -> None:
        cmd = [AGENTOPS, "emulator", "--port", "0", "--latency", str(latency), *options]
        if db is not None:
            cmd += ["--db", str(db)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().strip()
        if not first.startswith("listening on "):
            self.proc.kill()
            raise RuntimeError(f"emulator did not start: {first!r}")
        self.url = first.removeprefix("listening on ")

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())

    def stats(self) -> dict[str, Any]:
        data: dict[str, Any] = self._control("GET", "/_emulator/stats")
        return data

    def requests(self) -> Counter[str]:
        """Requests since the last reset, by kind: list, retrieve, lookup, or the write's name."""
        counts: Counter[str] = Counter()
        for method, path, _status in self.stats()["requests"]:
            counts[_kind(method, path)] += 1
        return counts

    def reset(self, latency: float | None = None) -> None:
        self._control("POST", "/_emulator/reset-stats", {})
        if latency is not None:
            self._control("POST", "/_emulator/faults", {"latency": latency})

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _kind(method: str, path: str) -> str:
    parts = path.strip("/").split("/")  # v1, deployments, [id, [action]]
    if parts[1] != "deployments":
        return "lookup"
    if method == "GET":
        return "list" if len(parts) == 2 else "retrieve"
    if len(parts) == 2:
        return "create"
    return parts[3] if len(parts) == 4 else "update"


@contextmanager
def emulator(db: Path | None, latency: float = 0.0, *options: str) -> Iterator[Emulator]:
    server = Emulator(db, latency, *options)
    try:
        yield server
    finally:
        server.stop()


def child_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ANTHROPIC_BASE_URL": url,
        "ANTHROPIC_API_KEY": "sk-bench-0000",
        "REPO_TOKEN": TOKEN,
        "PYTHONUNBUFFERED": "1",
    }


def plan_bound(live: int) -> int:
    """ceil(live/100) list pages (at least one, to learn the workspace is empty) + one lookup per reference."""
    return max(1, math.ceil(live / PAGE)) + REFERENCES


def summary_line(creates: int) -> str:
    return f"Plan: {creates} to create, 0 to update, 0 to pause, 0 to unpause, 0 to archive."


# --- seeding ----------------------------------------------------------------------------------


def seed(db: Path, root: Path) -> dict[str, str]:
    """Write the project's deployments straight into the emulator's SQLite store (name -> id).

    Seeding is set-up, not what is measured: it uses the emulator's own create (validation,
    defaults, stored shape) in-process, in one transaction, instead of N HTTP round trips.
    """
    from agentops.emulator.clock import system_clock
    from agentops.emulator.core import DEFAULT_WORKSPACE
    from agentops.emulator.deployments import Deployments
    from agentops.emulator.registry import Registry
    from agentops.emulator.store import Store
    from agentops.engine.desired import desired_state
    from agentops.engine.secrets import resolve
    from agentops.manifest import load_project

    environ = child_env("")
    project = load_project(root)
    store = Store(db)
    deployments = Deployments(store, Registry(store, system_clock, strict=False), system_clock)
    lockfile = {}
    with store.atomic():
        for want in desired_state(project.manifests, STACK, environ):
            lockfile[want.name] = deployments.create(DEFAULT_WORKSPACE, resolve(want.body, environ))[
                "id"
            ]
    store.close()
    return lockfile


# --- the baseline and the in-process breakdown (run as child processes of this script) --------


def baseline_plan(root: Path, lockfile: Path) -> None:
    """A lockfile-based plan: retrieve every tracked deployment by id, 8 at a time, then diff."""
    from agentops.adapters.api import Api, make_client
    from agentops.engine import references
    from agentops.engine.desired import desired_state
    from agentops.engine.identity import Live
    from agentops.engine.plan import Options, build_plan
    from agentops.manifest import load_project

    project = load_project(root)
    wants = desired_state(project.manifests, STACK, os.environ)
    api = Api(make_client(os.environ["ANTHROPIC_BASE_URL"]))
    users = references.referenced(wants)
    blockers = references.blockers(users, api.look_up(users))
    ids = json.loads(lockfile.read_text())
    with ThreadPoolExecutor(max_workers=8) as pool:
        live = [Live.from_json(body) for body in pool.map(api.retrieve, ids.values())]
    plan = build_plan(wants, live, Options(stack=STACK), blockers)
    print(plan.summary())


def phases(root: Path) -> None:
    """The CLI's plan, phase by phase, after the imports: where the in-process time goes."""
    started = time.perf_counter()
    import agentops.cli.plan  # noqa: F401  (the modules `agentops plan` imports)
    from agentops.adapters.api import Api, make_client
    from agentops.engine.plan import Options
    from agentops.manifest import load_project
    from agentops.plumbing.reconcile import plan_and_live
    from agentops.views.text import render_text

    times = {"import": time.perf_counter() - started}

    def timed(name: str, value: Any) -> Any:
        times[name] = time.perf_counter() - sum(times.values()) - started
        return value

    project = timed("load manifests", load_project(root))
    api = Api(make_client(os.environ["ANTHROPIC_BASE_URL"]))
    plan = timed("plan (normalize, lookups + list, diff)", plan_and_live(project, api, Options(stack=STACK))[0])
    timed("render", render_text(plan, color=False))
    listed = time.perf_counter()
    api.list_deployments()
    print(json.dumps({"phases": times, "list alone": time.perf_counter() - listed}))


# --- the benchmark ------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def median_run(
    server: Emulator, cmd: list[str], env: dict[str, str], expect: str, repeat: int
) -> tuple[Run, Counter[str]]:
    """The run with the median wall time of `repeat` (peak RSS: the highest); each must cost the same requests."""
    runs: list[Run] = []
    counts: list[Counter[str]] = []
    for _ in range(repeat):
        server.reset()
        run = measure(cmd, env)
        assert run.code == 0 and expect in run.output, run.output[-2000:]
        runs.append(run)
        counts.append(server.requests())
    assert all(c == counts[0] for c in counts), counts
    middle = sorted(runs, key=lambda r: r.wall)[len(runs) // 2]
    middle.rss_mb = max(r.rss_mb for r in runs)
    return middle, counts[0]


def line(label: str, run: Run, requests: Counter[str], bound: int) -> str:
    verdict = "= bound" if sum(requests.values()) == bound else f"!= bound {bound}"
    return (
        f"  {label:<17} wall {ms(run.wall):>9}  cpu {ms(run.cpu):>9}  peak rss {run.rss_mb:4.0f} MB  "
        f"{sum(requests.values()):>5} requests {dict(sorted(requests.items()))} {verdict}"
    )


def bench_plan(work: Path, n: int, repeat: int, rows: list[dict[str, Any]]) -> None:
    root = generate(work / f"plan-{n}", n)
    print(f"\n== plan, N={n:,} ({REFERENCES} distinct agents/environments/vaults; median of {repeat} runs)")
    db = work / f"plan-{n}.sqlite3"
    plan_cmd = [AGENTOPS, "plan", str(root)]

    with emulator(db) as server:
        fresh, fresh_requests = median_run(server, plan_cmd, child_env(server.url), summary_line(n), repeat)
    started = time.perf_counter()
    lockfile = seed(db, root)
    (work / "lock.json").write_text(json.dumps(lockfile))
    seeding = time.perf_counter() - started
    with emulator(db) as server:
        env = child_env(server.url)
        startup, _ = median_run(server, [AGENTOPS, "plan", "--help"], env, "Usage", repeat)
        insync, insync_requests = median_run(server, plan_cmd, env, summary_line(0), repeat)
        base_cmd = [sys.executable, __file__, "--baseline-plan", str(root), str(work / "lock.json")]
        base, base_requests = median_run(server, base_cmd, env, summary_line(0), repeat)
        split = measure([sys.executable, __file__, "--phases", str(root)], env)
        assert split.code == 0, split.output
        breakdown = json.loads(split.output)
        times: dict[str, float] = breakdown["phases"]

    print(line("fresh workspace", fresh, fresh_requests, plan_bound(0)))
    print(line("in-sync", insync, insync_requests, plan_bound(n)))
    print(line("lockfile baseline", base, base_requests, n + REFERENCES))
    print(f"  (the in-sync workspace was seeded into the store directly in {ms(seeding)})")
    print(f"  interpreter + CLI imports, no SDK (`agentops plan --help`): wall {ms(startup.wall)}, cpu {ms(startup.cpu)}")
    in_process = sum(value for name, value in times.items() if name != "import")
    print(
        "  in-process, one run: "
        + ", ".join(f"{name} {ms(value)}" for name, value in times.items())
        + f"; total after imports {ms(in_process)} (the list alone: {ms(breakdown['list alone'])})"
    )
    print(
        f"  lockfile baseline / agentops, in-sync wall: {base.wall / insync.wall:.1f}x, "
        f"cpu: {base.cpu / insync.cpu:.1f}x"
    )
    for case, run, requests, bound in (
        ("fresh", fresh, fresh_requests, plan_bound(0)),
        ("in-sync", insync, insync_requests, plan_bound(n)),
        ("baseline", base, base_requests, n + REFERENCES),
    ):
        rows.append(
            {
                "n": n,
                "case": case,
                "wall": run.wall,
                "cpu": run.cpu,
                "rss": run.rss_mb,
                "requests": sum(requests.values()),
                "bound": bound,
                "startup": startup.wall,
                "in_process": in_process,
            }
        )


def bench_apply(
    work: Path, n: int, latencies: list[float], parallelisms: list[int], rows: list[dict[str, Any]]
) -> None:
    creates = generate(work / f"apply-{n}-r1", n, revision=1)
    updates = generate(work / f"apply-{n}-r2", n, revision=2)  # every description changes
    print(f"\n== apply, N={n:,}: N creates, then N updates (descriptions), per latency and parallelism")
    with emulator(None) as server:
        for latency in latencies:
            for parallelism in parallelisms:
                workspace = f"bench-{n}-{latency}-{parallelism}"
                for kind, root, live in (("create", creates, 0), ("update", updates, n)):
                    server.reset(latency)
                    cmd = [
                        AGENTOPS,
                        "apply",
                        str(root),
                        "--auto-approve",
                        "--parallelism",
                        str(parallelism),
                        "--workspace-id",
                        workspace,
                    ]
                    run = measure(cmd, child_env(server.url), marks=("Plan:",))
                    assert run.code == 0 and f"Apply complete: {n} succeeded, 0 failed." in run.output, (
                        run.output[-2000:]
                    )
                    counted = server.requests()
                    bound = plan_bound(live) + n
                    writes = run.wall - run.marks["Plan:"]
                    print(
                        f"  {kind} latency {latency * 1000:3.0f} ms  parallelism {parallelism:2d}  "
                        f"wall {ms(run.wall):>10}  writes {ms(writes):>10}  "
                        f"{sum(counted.values())} requests ({counted[kind]} {kind}s; bound {bound})"
                    )
                    rows.append(
                        {
                            "n": n,
                            "case": f"apply {kind}",
                            "latency": latency,
                            "parallelism": parallelism,
                            "wall": run.wall,
                            "writes": writes,
                            "requests": sum(counted.values()),
                            "bound": bound,
                        }
                    )


def summary(rows: list[dict[str, Any]]) -> None:
    print("\n== summary")
    ours = [r for r in rows if r["case"] != "baseline"]
    misses = [r for r in ours if r["requests"] != r["bound"]]
    print(
        f"  agentops requests equal the lower bound in {len(ours) - len(misses)} of {len(ours)} runs"
        + "".join(f"\n    MISS: {r}" for r in misses)
    )
    plans = {(r["n"], r["case"]): r for r in rows if "latency" not in r}
    for n in sorted({n for n, _ in plans}):
        insync, base = plans[(n, "in-sync")], plans[(n, "baseline")]
        print(
            f"  plan N={n:>5,} in-sync: wall {ms(insync['wall'])} (interpreter + CLI {ms(insync['startup'])}, "
            f"in-process {ms(insync['in_process'])}), cpu {ms(insync['cpu'])}, peak {insync['rss']:.0f} MB; "
            f"lockfile baseline {ms(base['wall'])} = {base['wall'] / insync['wall']:.1f}x"
        )
    if (1000, "in-sync") in plans and (5000, "in-sync") in plans:
        big, small = plans[(5000, "in-sync")], plans[(1000, "in-sync")]
        print(
            f"  in-sync plan 5,000 / 1,000: wall {big['wall'] / small['wall']:.1f}x, "
            f"cpu {big['cpu'] / small['cpu']:.1f}x, in-process {big['in_process'] / small['in_process']:.1f}x"
        )
    applies = {(r["n"], r["case"], r["latency"], r["parallelism"]): r for r in rows if "latency" in r}
    for (n, case, latency, parallelism), row in sorted(applies.items()):
        one = applies.get((n, case, latency, 1))
        if parallelism == 1 or one is None:
            continue
        print(
            f"  {case} N={n:,} at {latency * 1000:.0f} ms: parallelism {parallelism} vs 1: "
            f"writes {one['writes'] / row['writes']:.1f}x faster, whole command {one['wall'] / row['wall']:.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="plan N=100/1,000 and apply N=100 only")
    parser.add_argument("--plan-sizes", type=int, nargs="*")
    parser.add_argument("--apply-sizes", type=int, nargs="*")
    parser.add_argument("--repeat", type=int, default=3, help="plan runs per case (the median is shown)")
    parser.add_argument("--latencies", type=float, nargs="*", default=[0.02, 0.1])
    parser.add_argument("--parallelism", type=int, nargs="*", default=[1, 4, 16])
    parser.add_argument("--baseline-plan", nargs=2, metavar=("ROOT", "LOCKFILE"), help=argparse.SUPPRESS)
    parser.add_argument("--phases", metavar="ROOT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_plan:
        baseline_plan(Path(args.baseline_plan[0]), Path(args.baseline_plan[1]))
        return
    if args.phases:
        phases(Path(args.phases))
        return
    plan_sizes = (
        args.plan_sizes if args.plan_sizes is not None else ([100, 1000] if args.quick else [100, 1000, 5000])
    )
    apply_sizes = args.apply_sizes if args.apply_sizes is not None else ([100] if args.quick else [100, 1000])

    print(f"agentops scale benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}")
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="agentops-bench-") as tmp:
        for n in plan_sizes:
            bench_plan(Path(tmp), n, args.repeat, rows)
        for n in apply_sizes:
            bench_apply(Path(tmp), n, args.latencies, args.parallelism, rows)
    summary(rows)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"  total {time.perf_counter() - started:.0f} s (this script's own cpu {usage.ru_utime + usage.ru_stime:.0f} s)"
    )


if __name__ == "__main__":
    main()
