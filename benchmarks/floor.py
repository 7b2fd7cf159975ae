"""The machine's floor for a plan, measured beside the read commands (plan, status, fleet) in one run.

    python benchmarks/floor.py                      # N=1,000 and 5,000, in sync and 10% changed
    python benchmarks/floor.py --sizes 1000 --repeat 3

The commands measured are the ones installed beside the interpreter that runs this script, so
running it with two venvs' pythons, one after the other, compares two versions in one session.

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
    runs = []
    for _ in range(repeat):
        run = measure(cmd, env)
        assert run.code in (0, 2) and expect in run.output, run.output[-2000:]
        runs.append(run)
    return Median(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
                  max(r.rss_mb for r in runs))


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
    parser.add_argument("--floor", nargs=2, metavar=("ROOT", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(Path(args.floor[0]), args.floor[1])
        return
    print(f"agentops floor benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {len(os.sched_getaffinity(0))} CPUs, Python {platform.python_version()}, {platform.platform()}")
    print(f"median of {args.repeat} runs each, one after another against one emulator")
    started = time.perf_counter()
    env = dict(os.environ)
    click = median_run([sys.executable, "-c", "import click"], env, args.repeat, "")
    helped = median_run([AGENTOPS, "--help"], env, args.repeat, "Usage")
    print(f"\n`agentops --help` {helped.wall * 1000:.0f} ms; `python -c 'import click'` {click.wall * 1000:.0f} ms: "
          f"{helped.wall / click.wall:.2f}x")
    with tempfile.TemporaryDirectory(prefix="agentops-floor-") as tmp:
        for n in args.sizes:
            root = generate(Path(tmp) / f"stack-{n}", n)
            db = Path(tmp) / f"{n}.sqlite3"
            seed(db, root)
            with emulator(db) as server:
                env = child_env(server.url)
                base = [sys.executable, __file__, "--floor", str(root), server.url]
                floor_in = median_run(base, env, args.repeat, '"differ": 0')
                reads = {command: median_run([AGENTOPS, command, str(root)], env, args.repeat, expect)
                         for command, expect in READS.items()}
                changed = change(root, 0.1)
                updates = f"{changed} to update"
                floor_ch = median_run(base, env, args.repeat, f'"differ": {changed}')
                ours_ch = median_run([AGENTOPS, "plan", str(root)], env, args.repeat, updates)
                set_latency(server.url, 0.05)
                ours_slow = median_run([AGENTOPS, "plan", str(root)], env, args.repeat, updates)
            print(f"\n== N={n:,}  (floor: in sync {floor_in.wall * 1000:.0f} ms, 10% changed {floor_ch.wall * 1000:.0f} ms)")
            for command, run in reads.items():
                print(f"  {command:<7} in sync      {run.wall * 1000:5.0f} ms {run.wall / floor_in.wall:.2f}x  "
                      f"cpu {run.cpu * 1000:5.0f} ms  peak RSS {run.rss:.0f} MB")
            print(f"  plan    10% changed  {ours_ch.wall * 1000:5.0f} ms {ours_ch.wall / floor_ch.wall:.2f}x  "
                  f"cpu {ours_ch.cpu * 1000:5.0f} ms  changed / in-sync {ours_ch.wall / reads['plan'].wall:.2f}x")
            print(f"  plan    50 ms latency {ours_slow.wall * 1000:5.0f} ms  (10% changed)  "
                  f"vs no latency {ours_slow.wall / ours_ch.wall:.2f}x")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
