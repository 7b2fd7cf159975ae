"""Reliability figures: apply converges under faults, after SIGKILL and with two applies at once.

    python benchmarks/reliability.py              # every scenario at 200 manifests (a few minutes)
    python benchmarks/reliability.py --count 40   # the size the test suite uses

Each fault scenario applies N manifests (round 1: create), then changes them (round 2: update
half, pause a fifth, remove a tenth) with the emulator's faults on the whole time, re-running
`agentops apply` until `agentops plan --detailed-exitcode` says "no changes". Everything is
counted at the emulator, never taken from the tool's own output. The runs themselves live in
tests/harness.py, so the suite and the published table run the same code.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests.harness

from tests.harness import MAX_APPLIES, Figures, run_concurrent, run_faults, run_kills, scenarios

HEADER = [
    "scenario",
    "manifests",
    "applies to converge (create + change)",
    "deployments per manifest",
    "writes lost",
    "duplicates created / cleaned up",
    "API requests",
    "seconds",
]


def table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


@contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="agentops-reliability-") as tmp:
        yield Path(tmp)


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="manifests per scenario (default 200)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    figures: list[Figures] = []
    for scenario in scenarios(args.seed):
        with scratch() as tmp:
            figures.append(run_faults(scenario, args.count, tmp, sleep=time.sleep))
        print(f"done: {scenario.name}", file=sys.stderr)
    step = args.count // 4
    with scratch() as tmp:
        figures.append(run_kills(args.count, [step // 4, step, step * 2, step * 3], tmp))
    with scratch() as tmp:
        figures.append(run_concurrent(args.count, tmp))
    print(table([f.row() for f in figures]))
    bad = [f for f in figures if not f.census.exactly_one or f.census.lost or max(f.applies) > MAX_APPLIES]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main_())
