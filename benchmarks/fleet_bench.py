"""What the fleet section adds to an in-sync plan of N manifests (default 5,000).

    python benchmarks/fleet_bench.py [--count N] [--repeat R]

The stack is benchmarks/scale.py's (a weekday cron schedule in Europe/Berlin on every manifest,
120 distinct expressions), seeded straight into an emulator's store, then planned in-process
through the SDK over HTTP, as `agentops plan` does. Each run times the whole `plan_and_live` and,
inside it, the fleet part (`build_fleet` + `judge`); the fleet is then timed alone on the
same plan with 5,000 *distinct* schedules over three timezones (no sharing to exploit).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.scale import STACK, child_env, generate, seed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import os

    from agentops.adapters.api import Api, make_client
    from agentops.emulator import EmulatorServer
    from agentops.engine import policy
    from agentops.engine.fleet import build as fleet
    from agentops.engine.fleet.section import Fleet
    from agentops.engine.identity import Live
    from agentops.engine.plan import Options
    from agentops.manifest import load_project
    from agentops.plumbing import reconcile

    spent: list[float] = []
    original_build, original_judge = fleet.build_fleet, policy.judge

    def build(*a: object, **k: object) -> Fleet:
        started = time.perf_counter()
        try:
            return original_build(*a, **k)  # type: ignore[arg-type]
        finally:
            spent.append(time.perf_counter() - started)

    def judge(*a: object, **k: object) -> Fleet:
        started = time.perf_counter()
        try:
            return original_judge(*a, **k)  # type: ignore[arg-type]
        finally:
            spent[-1] += time.perf_counter() - started

    reconcile.build_fleet, reconcile.judge = build, judge  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as work:
        root = generate(Path(work) / "stack", args.count)
        db = Path(work) / "db.sqlite3"
        seed(db, root)
        project = load_project(root)
        with EmulatorServer(db_path=db) as server:
            os.environ.update(child_env(server.url))
            api = Api(make_client(server.url))
            totals = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                plan = reconcile.plan_and_live(project, api, Options(stack=STACK))[0]
                totals.append(time.perf_counter() - started)
                assert not plan.has_changes and plan.fleet is not None, plan.summary()
            live = api.list_deployments()
    total, part = statistics.median(totals), statistics.median(spent)
    print(f"in-sync plan of {args.count:,} manifests, median of {args.repeat} (in-process, after load):")
    print(f"  plan_and_live {total * 1000:,.0f} ms, of which fleet {part * 1000:,.0f} ms "
          f"= +{part / (total - part) * 100:.1f}% over the plan without it")
    zones = ("Europe/Berlin", "America/New_York", "UTC")
    distinct = [Live.from_json({**item.body, "schedule": {
        "type": "cron", "expression": f"{i % 60} {i // 60 % 24} {1 + i // 1440 % 28} * *", "timezone": zones[i % 3]}})
        for i, item in enumerate(live)]
    alone = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        original_build(plan, distinct, datetime.now(UTC))
        alone.append(time.perf_counter() - started)
    print(f"  fleet alone, {len(distinct):,} distinct schedules in 3 zones: {statistics.median(alone) * 1000:,.0f} ms")


if __name__ == "__main__":
    main()
