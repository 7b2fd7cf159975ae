"""A plan of agents, environments and deployments against a plan of the deployments alone.

    python benchmarks/control_plane.py                  # 200 agents, 50 environments, 2,000 deployments
    python benchmarks/control_plane.py --deployments 500 --agents 50 --environments 10 --runs 3

Two stacks, each against its own emulator (in process, through the SDK over HTTP, like the
end-to-end tests), whose deployments name their agents and environments: one where the
workspace already has them (a seed; the stack manages deployments only, as before this round),
and one that declares them itself. Each is
applied once, then both are planned `--runs` times with nothing to change, one after the other in
turn (so a change in the machine's load falls on both sides alike); the figures are the median
wall time of a plan and its requests at the emulator. The issue's bound: the second within 1.3x
of the first.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from agentops.emulator import EmulatorServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests.harness

from tests.harness import Repo


def _deployment(index: int, agent: dict[str, str], environment: dict[str, Any]) -> dict[str, Any]:
    # Unscheduled: an organization may schedule at most 1,000 deployments (a blocker past that).
    return {"name": f"job-{index:04d}", "agent": agent, **environment, "prompt": f"Job {index}."}


def _write_objects(root: Path, agents: int, environments: int) -> None:
    for kind, count in (("agents", agents), ("environments", environments)):
        folder = root / "deployments" / kind
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(count):
            body: dict[str, Any] = {"name": f"{kind[:-1]}-{index:03d}"}
            if kind == "agents":
                body.update(model="claude-sonnet-4-6", system=f"You are agent {index}.\nBe brief.",
                            tools=[{"type": "agent_toolset_20260401"}])
            else:
                body["config"] = {"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["x.example"]}}
            (folder / f"{index:03d}.yaml").write_text(json.dumps(body))


def _seed(agents: int, environments: int) -> dict[str, Any]:
    """The same agents and environments, made in the console (untagged): what the first stack names."""
    return {"agents": [{"id": f"agent_011bench{i:03d}", "name": f"agent-{i:03d}"} for i in range(agents)],
            "environments": [{"id": f"env_011bench{i:03d}", "name": f"environment-{i:03d}"}
                             for i in range(environments)]}


def _apply(repo: Repo) -> float:
    started = time.perf_counter()
    applied = repo.apply("--parallelism", "8")
    assert applied.exit_code == 0, applied.output[-2000:]
    return time.perf_counter() - started


def _plan(repo: Repo) -> tuple[float, float, Counter[str]]:
    """One in-sync plan: its wall time, the process's CPU time (the CLI and the in-process emulator;
    less sensitive than wall time to other work on a shared machine) and the requests it made."""
    repo.emulator.reset_counts()
    started, cpu = time.perf_counter(), time.process_time()
    result = repo.run("plan", str(repo.root), "--detailed-exitcode")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result.exit_code == 0, result.output[-2000:]
    return seconds, cpu, Counter(f"{method} {path.split('?')[0].split('/')[2]}"
                                 for method, path, _ in repo.emulator.requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deployments", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--environments", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    labels = ("deployments only", "with agents and environments")
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as servers:
        repos = {}
        for label in labels:
            own = label != "deployments only"
            emulator = servers.enter_context(EmulatorServer(seed=None if own else _seed(args.agents, args.environments)))
            repo = Repo.create(Path(tmp) / label.replace(" ", "-"), emulator, stack="bench")
            if own:
                _write_objects(repo.root, args.agents, args.environments)
            repo.write([_deployment(index, {"name": f"agent-{index % args.agents:03d}"},
                                    {"environment": {"name": f"environment-{index % args.environments:03d}"}})
                        for index in range(args.deployments)])
            repos[label] = repo
        applies = {label: _apply(repo) for label, repo in repos.items()}
        plans: dict[str, list[tuple[float, float, Counter[str]]]] = {label: [] for label in labels}
        for _ in range(args.runs):
            for label, repo in repos.items():
                plans[label].append(_plan(repo))
    base = {label: (statistics.median(run[0] for run in plans[label]), statistics.median(run[1] for run in plans[label]))
            for label in labels}
    wall, cpu = base["deployments only"]
    print(f"{args.deployments} deployments; {args.agents} agents and {args.environments} environments declared; "
          f"median of {args.runs} plans each, taken in turn")
    for label in labels:
        seconds, used = base[label]
        print(f"  {label:30s} plan {seconds:6.2f} s ({seconds / wall:4.2f}x)  cpu {used:6.2f} s ({used / cpu:4.2f}x)  "
              f"first apply {applies[label]:6.1f} s  requests per plan: {dict(sorted(plans[label][-1][2].items()))}")

if __name__ == "__main__":
    main()
