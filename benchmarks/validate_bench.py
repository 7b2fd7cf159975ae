"""Time `load_project` over generated manifest files (wall and CPU, median of a few runs).

    python benchmarks/validate_bench.py [--files 1000] [--repeat 5]
    python benchmarks/validate_bench.py --files 5000 --stack scale --base HEAD~3 --repeat 7

`--stack scale` loads the stack benchmarks/scale.py plans (one small manifest per file) instead
of this script's larger manifests. `--base REV` times that git revision's loader beside the
working tree's, in alternating child processes over the same files, and prints the ratio: on a
shared machine only a side-by-side ratio means much. Garbage collection is off while timing,
as in the installed CLI.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """stack: bench
defaults:
  environment_id: env_01HqR7bX4mKp9vW2sT6yZc3D
  schedule: {timezone: Europe/Berlin}
"""

MANIFEST = """name: bench-{i:04d}
description: Generated deployment {i}.
agent: {{id: agent_011CZkYpogX8Pz4mN2qRtV7w, version: {version}}}
schedule:
  expression: "{minute} {hour} * * 1-5"
resources:
  - type: github_repository
    url: https://github.com/example-org/repo-{i}
    authorization_token: ${{REPO_TOKEN}}
    checkout: {{type: branch, name: main}}
  - type: memory_store
    memory_store_id: memstore_01J8kQ2vN5xRwT9pLm3sYd6F
    access: read_only
    instructions: Look up earlier findings before starting.
vault_ids: [vlt_01JB6tYqK3nW8xRm2pVc5LsD]
metadata: {{team: team-{team}, tier: gold}}
initial_events:
  - type: user.message
    content:
      - type: text
        text: Run job {i} and report the results as a short list.
  - type: user.define_outcome
    description: A report for job {i}.
    rubric: {{type: text, content: Complete and accurate.}}
"""

REPO = Path(__file__).resolve().parent.parent


def generate(root: Path, count: int) -> None:
    (root / "agentops.yaml").write_text(CONFIG)
    for i in range(count):
        folder = root / "deployments" / f"team-{i % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = MANIFEST.format(i=i, version=1 + i % 7, minute=i % 60, hour=i % 24, team=i % 20)
        (folder / f"bench-{i:04d}.yaml").write_text(text)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _time_loads(root: Path, files: int, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of `repeat` loads after one untimed load (imports, page cache)."""
    from agentops.manifest import load_project  # here: a child imports the tree it was given

    gc.disable()
    load_project(root)
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), _cpu()
        project = load_project(root)
        walls.append(time.perf_counter() - wall)
        cpus.append(_cpu() - cpu)
        assert not project.problems and len(project.manifests) == files, project.problems[:3]
        del project
    return walls, cpus


def _child(src: str, root: Path, files: int, repeat: int) -> None:
    sys.path.insert(0, src)
    walls, cpus = _time_loads(root, files, repeat)
    print(json.dumps({"walls": walls, "cpus": cpus}))


def _export(rev: str, into: Path) -> str:
    """The `src` folder of git revision `rev`, unpacked under `into`."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "src"], capture_output=True, check=True).stdout
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return str(into / "src")


def _side_by_side(root: Path, files: int, repeat: int, rev: str, scratch: Path) -> None:
    trees = {rev: _export(rev, scratch / "base"), "working tree": str(REPO / "src")}
    walls: dict[str, list[float]] = {name: [] for name in trees}
    cpus: dict[str, list[float]] = {name: [] for name in trees}
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    for round_ in range(repeat):
        order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for name in order:
            done = subprocess.run(
                [sys.executable, __file__, "--child", trees[name], "--root", str(root), "--files", str(files),
                 "--repeat", "1"],
                capture_output=True, text=True, check=True, env=env,
            )
            measured = json.loads(done.stdout)
            walls[name] += measured["walls"]
            cpus[name] += measured["cpus"]
    print(f"load_project: {files} files, {repeat} alternating runs each, GC off")
    for name in trees:
        print(f"  {name:>12}: wall median {statistics.median(walls[name]) * 1000:.0f} ms "
              f"(min {min(walls[name]) * 1000:.0f}), cpu median {statistics.median(cpus[name]) * 1000:.0f} ms")
    base, new = (statistics.median(walls[name]) for name in trees)
    low_base, low_new = (min(walls[name]) for name in trees)
    print(f"  working tree / {rev}: {new / base:.2f} (medians), {low_new / low_base:.2f} (minimums)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stack", choices=("validate", "scale"), default="validate",
                        help="which generated manifests: this script's, or benchmarks/scale.py's")
    parser.add_argument("--base", metavar="REV", help="also time this git revision, side by side")
    parser.add_argument("--child", metavar="SRC", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.root, args.files, args.repeat)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "stack"
        root.mkdir()
        if args.stack == "scale":
            sys.path.insert(0, str(Path(__file__).parent))
            from scale import generate as generate_scale  # a sibling script, not a package

            generate_scale(root, args.files)
        else:
            generate(root, args.files)
        if args.base:
            _side_by_side(root, args.files, args.repeat, args.base, Path(tmp))
            return
        walls, cpus = _time_loads(root, args.files, args.repeat)
    print(f"load_project: {args.files} files, {args.repeat} runs")
    print(f"  wall median {statistics.median(walls) * 1000:.0f} ms (min {min(walls) * 1000:.0f}, "
          f"max {max(walls) * 1000:.0f})")
    print(f"  cpu  median {statistics.median(cpus) * 1000:.0f} ms")
    print(f"  per file    {statistics.median(walls) / args.files * 1e6:.0f} µs wall")


if __name__ == "__main__":
    main()
