"""A parallel apply against an emulator that enforces a per-minute write limit: paced, and not.

    python benchmarks/pacing.py                  # 200 creates, parallelism 16, 600 writes/min

The emulator (`agentops emulator --rate-limit writes=600/min`, its own process) answers 429
with `retry-after` past its limit, as the API does. The floor is N / limit: 200 creates at
600 per minute cannot finish in less than 20 s. "unpaced" is the apply without a limiter
(`--writes-per-minute 0`), which only reacts to 429s; "paced" tells it the limit.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import AGENTOPS, child_env, emulator, generate, measure

from agentops.adapters.api import Api, make_client


def names(url: str) -> Counter[str]:
    """Deployments per manifest name, listed through the SDK: more than one is a duplicate."""
    api = Api(make_client(url, api_key="sk-bench-0000"))
    return Counter(live.name or "?" for live in api.list_deployments())


def run(root: Path, n: int, parallelism: int, per_minute: float, flag: float) -> dict[str, float]:
    with emulator(None, 0.0, "--rate-limit", f"writes={per_minute:g}/min") as server:
        cmd = [AGENTOPS, "apply", str(root), "--auto-approve", "--parallelism", str(parallelism),
               "--writes-per-minute", f"{flag:g}"]
        result = measure(cmd, child_env(server.url), marks=("Plan:",))
        stats = server.stats()
        statuses = Counter(status for _method, _path, status in stats["requests"])
        counted = names(server.url)
    return {
        "wall": result.wall,
        "writes": result.wall - result.marks.get("Plan:", 0.0),
        "requests": sum(statuses.values()),
        "429": statuses[429],
        "failed": 0 if f"Apply complete: {n} succeeded, 0 failed." in result.output else 1,
        "duplicates": sum(count - 1 for count in counted.values()),
        "created": len(counted),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--parallelism", type=int, default=16)
    parser.add_argument("--limit", type=float, default=600.0, help="the emulator's writes per minute")
    args = parser.parse_args()
    floor = args.n / args.limit * 60
    print(f"agentops pacing benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: Python {platform.python_version()}, {platform.platform()}")
    print(f"{args.n} creates, parallelism {args.parallelism}, emulator limited to {args.limit:g} writes/min; "
          f"floor {floor:.1f} s")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="agentops-pacing-") as tmp:
        root = generate(Path(tmp) / "stack", args.n)
        for label, flag in (("unpaced", 0.0), ("paced", args.limit)):
            got = run(root, args.n, args.parallelism, args.limit, flag)
            print(
                f"  {label:<8} wall {got['wall']:6.1f} s = {got['wall'] / floor:.2f}x floor "
                f"(writes {got['writes']:.1f} s)  {got['requests']:.0f} requests, {got['429']:.0f} answered 429 "
                f"({got['429'] / got['requests']:.1%})  created {got['created']:.0f}, "
                f"duplicates {got['duplicates']:.0f}, failed applies {got['failed']:.0f}"
            )
    print(f"  total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
