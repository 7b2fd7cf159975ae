"""The machine's floor for a plan, measured beside the read commands (plan, status, fleet) in one run.

    python benchmarks/floor.py                      # N=1,000 and 5,000, in sync and 10% changed
    python benchmarks/floor.py --sizes 1000 --repeat 3

The commands measured are the ones installed beside the interpreter that runs this script;
`--base PATH` names another installed `agentops` (say a venv of an earlier commit) whose runs
alternate with these, run for run, so both see the same load on a shared machine.

The floor is one process doing the plan's unavoidable work serially with garbage collection
off: read every manifest file, parse it with `yaml.CSafeLoader`, `Manifest.model_validate`
it, read the same list pages over plain HTTP (urllib) and decode them, and compare each
manifest with its deployment. No positions for error messages, no checks, no SDK. Both run as
child processes against one `agentops emulator` (its own process), one after another, and the
median of `--repeat` runs is shown. `agentops plan`, `status` and `fleet` are measured as
installed, in sync; CPU is user + system of the command's process (and of any child it waits
for). Also measured in the same run: the plan with 10% of the manifests changed, the plan at
50 ms emulator latency against the plan at none, and `agentops --help` against
`python -c "import click"`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import AGENTOPS, child_env, emulator, generate, measure, seed

BETA = "managed-agents-2026-04-01"
# The read commands, and a line each prints when it ran against the benchmark's in-sync stack.
READS = {"plan": "Plan: 0 to create, 0 to update", "status": "in sync", "fleet": "Scheduled deployments"}


def floor(root: Path, url: str) -> None:
    """The floor itself (run as a child): load, list, compare; prints how many differ."""
    started = time.perf_counter()
    gc.disable()
    import yaml

    from agentops.manifest.schema import Manifest

    wanted: dict[str, Any] = {}
    for path in sorted((root / "deployments").glob("*.yaml")):
        data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        manifest = Manifest.model_validate(data)
        wanted[manifest.name] = manifest
    live: dict[str, Any] = {}
    cursor = None
    while True:
        query = "limit=100" + (f"&page={cursor}" if cursor else "")
        request = urllib.request.Request(
            f"{url}/v1/deployments?{query}", headers={"x-api-key": "sk-bench-0000", "anthropic-beta": BETA}
        )
        with urllib.request.urlopen(request) as response:
            body = json.loads(response.read())
        for item in body["data"]:
            live[item["metadata"].get("agentops.name")] = item
        cursor = body.get("next_page")
        if not cursor:
            break
    differ = sum(
        1
        for name, manifest in wanted.items()
        if name not in live
        or live[name].get("description") != manifest.description
        or live[name]["schedule"]["expression"] != (manifest.schedule.expression if manifest.schedule else None)
    )
    print(json.dumps({"differ": differ, "seconds": time.perf_counter() - started}))


def change(root: Path, share: float) -> int:
    """Edit the description of every 1/share-th manifest; returns how many changed."""
    step = round(1 / share)
    files = sorted((root / "deployments").glob("*.yaml"))
    for path in files[::step]:
        path.write_text(path.read_text().replace("(revision 1)", "(revision 2)"))
    return len(files[::step])


@dataclass
class Median:
    wall: float
    cpu: float
    rss: float  # the highest peak RSS of any run


def median_run(cmd: list[str], env: dict[str, str], repeat: int, expect: str) -> Median:
    """Medians of `repeat` runs, each checked for `expect`."""
    return median_runs({"": cmd}, env, repeat, expect)[""]


def median_runs(cmds: dict[str, list[str]], env: dict[str, str], repeat: int, expect: str) -> dict[str, Median]:
    """Medians of `repeat` runs of each command, the commands taking turns; each run checked for `expect`."""
    runs: dict[str, list[Any]] = {label: [] for label in cmds}
    for _ in range(repeat):
        for label, cmd in cmds.items():
            run = measure(cmd, env)
            assert run.code in (0, 2) and expect in run.output, run.output[-2000:]
            runs[label].append(run)
    return {label: Median(statistics.median(r.wall for r in done), statistics.median(r.cpu for r in done),
                          max(r.rss_mb for r in done)) for label, done in runs.items()}


def _row(label: str, runs: dict[str, Median], floor_run: Median) -> str:
    """One line per version: wall (and its ratio to the floor), CPU, peak RSS; then new / base."""
    lines = []
    for version, run in runs.items():
        lines.append(f"  {label:<21} {version:<8} {run.wall * 1000:6.0f} ms {run.wall / floor_run.wall:5.2f}x floor  "
                     f"cpu {run.cpu * 1000:5.0f} ms  peak RSS {run.rss:.0f} MB")
    if len(runs) == 2:
        new, base = runs["agentops"], runs["base"]
        lines.append(f"  {'':<21} agentops / base: wall {new.wall / base.wall:.2f}x, cpu {new.cpu / base.cpu:.2f}x")
    return "\n".join(lines)


def set_latency(url: str, seconds: float) -> None:
    request = urllib.request.Request(
        f"{url}/_emulator/faults", data=json.dumps({"latency": seconds}).encode(), method="POST",
        headers={"content-type": "application/json"},
    )
    urllib.request.urlopen(request).close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--base", metavar="PATH", help="another installed agentops to measure, taking turns")
    parser.add_argument("--floor", nargs=2, metavar=("ROOT", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(Path(args.floor[0]), args.floor[1])
        return
    print(f"agentops floor benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {len(os.sched_getaffinity(0))} CPUs, Python {platform.python_version()}, {platform.platform()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"median of {args.repeat} runs each" + (f", taking turns with --base {args.base}" if args.base else "")
          + ", against one emulator")
    started = time.perf_counter()
    versions = {"agentops": AGENTOPS, **({"base": args.base} if args.base else {})}
    env = dict(os.environ)
    click = median_run([sys.executable, "-c", "import click"], env, args.repeat, "")
    helped = median_runs({v: [path, "--help"] for v, path in versions.items()}, env, args.repeat, "Usage")
    for version, run in helped.items():
        print(f"\n`{version} --help` {run.wall * 1000:.0f} ms; `python -c 'import click'` {click.wall * 1000:.0f} ms: "
              f"{run.wall / click.wall:.2f}x")
    with tempfile.TemporaryDirectory(prefix="agentops-floor-") as tmp:
        for n in args.sizes:
            root = generate(Path(tmp) / f"stack-{n}", n)
            db = Path(tmp) / f"{n}.sqlite3"
            seed(db, root)
            with emulator(db) as server:
                env = child_env(server.url)
                base = [sys.executable, __file__, "--floor", str(root), server.url]
                floor_in = median_run(base, env, args.repeat, '"differ": 0')
                reads = {command: median_runs({v: [path, command, str(root)] for v, path in versions.items()}, env,
                                              args.repeat, expect)
                         for command, expect in READS.items()}
                changed = change(root, 0.1)
                updates = f"{changed} to update"
                floor_ch = median_run(base, env, args.repeat, f'"differ": {changed}')
                plans = {v: [path, "plan", str(root)] for v, path in versions.items()}
                ours_ch = median_runs(plans, env, args.repeat, updates)
                set_latency(server.url, 0.05)
                ours_slow = median_runs(plans, env, args.repeat, updates)
            print(f"\n== N={n:,}  (floor: in sync {floor_in.wall * 1000:.0f} ms, 10% changed {floor_ch.wall * 1000:.0f} ms, "
                  f"load average {os.getloadavg()[0]:.1f})")
            for command, runs in reads.items():
                print(_row(f"{command} in sync", runs, floor_in))
            print(_row("plan 10% changed", ours_ch, floor_ch))
            print(_row("plan 50 ms latency", ours_slow, floor_ch))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
