"""Time `load_project` over 1,000 generated manifest files (wall and CPU, median of a few runs).

    python benchmarks/validate_bench.py [--files 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from agentops.manifest import load_project

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


def generate(root: Path, count: int) -> None:
    (root / "agentops.yaml").write_text(CONFIG)
    for i in range(count):
        folder = root / "deployments" / f"team-{i % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = MANIFEST.format(i=i, version=1 + i % 7, minute=i % 60, hour=i % 24, team=i % 20)
        (folder / f"bench-{i:04d}.yaml").write_text(text)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (large loads fork workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.files)
        walls, cpus = [], []
        for _ in range(args.repeat):
            wall, cpu = time.perf_counter(), _cpu()
            project = load_project(root)
            walls.append(time.perf_counter() - wall)
            cpus.append(_cpu() - cpu)
            assert not project.problems and len(project.manifests) == args.files, project.problems[:3]
    print(f"load_project: {args.files} files, {args.repeat} runs")
    print(f"  wall median {statistics.median(walls) * 1000:.0f} ms (min {min(walls) * 1000:.0f}, "
          f"max {max(walls) * 1000:.0f})")
    print(f"  cpu  median {statistics.median(cpus) * 1000:.0f} ms (this process and its workers)")
    print(f"  per file    {statistics.median(walls) / args.files * 1e6:.0f} µs wall")


if __name__ == "__main__":
    main()
