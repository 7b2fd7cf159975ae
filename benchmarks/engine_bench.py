"""The plan's CPU after loading (desired state, live parsing, build_plan, fleet, text), old vs new code.

    python benchmarks/engine_bench.py --base main            # N=5,000, in sync and 10% changed
    python benchmarks/engine_bench.py --base HEAD~3 --sizes 1000 --repeat 3

What `plumbing/reconcile.plan_and_live` does once the manifests are loaded and the workspace is
listed, timed in-process with garbage collection off (as the installed CLI runs). The workspace
is listed once over HTTP from a seeded `agentops emulator`, then replayed from that JSON. The
`--base` revision's `src/` is extracted beside this checkout's, and child processes of either
alternate, so the two are compared within one run on the same (noisy) machine. Each child also
hashes the JSON, text and Markdown plans it rendered: the two versions must agree byte for byte.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from floor import change  # noqa: E402
from scale import STACK, TOKEN, child_env, emulator, generate, seed  # noqa: E402

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # fixed, so the fleet section and next runs compare
PHASES = ("desired", "live", "plan", "fleet", "text")


def child(src: str, roots: list[str], listing: str, inner: int) -> None:
    """Time the after-load phase `inner` times per root with the code under `src`; print JSON."""
    sys.path.insert(0, src)
    gc.disable()
    from dataclasses import replace

    from agentops.engine.desired import desired_state
    from agentops.engine.fleet.build import build_fleet
    from agentops.engine.identity import Live
    from agentops.engine.plan import Options, build_plan
    from agentops.engine.policy import judge
    from agentops.engine.resolve import Resolution
    from agentops.manifest import load_project
    from agentops.views.json import render_json
    from agentops.views.markdown import COMMENT_LIMIT, render_markdown
    from agentops.views.text import render_text

    assert Path(sys.modules["agentops"].__file__ or "").is_relative_to(src), "wrong agentops imported"
    environ = {"REPO_TOKEN": TOKEN}
    listed: list[dict[str, Any]] = json.loads(Path(listing).read_text())
    projects = [load_project(Path(root)) for root in roots]
    result: dict[str, Any] = {}
    for root, project in zip(roots, projects, strict=True):
        times: dict[str, list[float]] = {phase: [] for phase in (*PHASES, "total")}
        for _ in range(inner):
            marks = [time.process_time()]
            wants = desired_state(project.manifests, STACK, environ, project.env, Resolution())
            marks.append(time.process_time())
            live = [Live.from_json(item) for item in listed]
            marks.append(time.process_time())
            plan = build_plan(wants, live, Options(stack=STACK), [], workspace_id=None)
            marks.append(time.process_time())
            fleet = judge(build_fleet(plan, live, NOW, 7), project.config.policy_for(project.env), plan.stack)
            plan = replace(plan, fleet=fleet)
            marks.append(time.process_time())
            text = render_text(plan, now=NOW)
            marks.append(time.process_time())
            for phase, start, end in zip(PHASES, marks, marks[1:], strict=False):
                times[phase].append(end - start)
            times["total"].append(marks[-1] - marks[0])
            del wants, live, fleet
            gc.collect()  # between iterations only: never inside a timed phase
        outputs = (render_json(plan), text, render_markdown(plan, COMMENT_LIMIT, None, NOW))
        result[root] = {
            "best": {phase: min(values) for phase, values in times.items()},
            "summary": plan.summary(),
            "sha256": hashlib.sha256("\0".join(outputs).encode()).hexdigest(),
        }
    print(json.dumps(result))


def extract(rev: str, into: Path) -> Path:
    """`rev`'s src/ as files under `into` (git archive: no second worktree needed)."""
    data = subprocess.run(["git", "archive", rev, "src"], cwd=HERE.parent, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as archive:
        archive.extractall(into, filter="data")
    return into / "src"


def list_once(url: str, into: Path) -> Path:
    from agentops.adapters.api import Api, make_client

    listed = Api(make_client(base_url=url, api_key="sk-bench-0000")).list_deployments()
    into.write_text(json.dumps([dict(item.body) for item in listed]))
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="git revision to compare against (its src/)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[5000])
    parser.add_argument("--repeat", type=int, default=5, help="child processes per version, alternating")
    parser.add_argument("--inner", type=int, default=3, help="timed iterations inside each child")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[2:], args.child[1], args.inner)
        return
    print(f"engine phase: {args.base} vs working tree, {args.repeat} children each x {args.inner} iterations, "
          "gc off: CPU ms, the best iteration of each child, median over children")
    with tempfile.TemporaryDirectory(prefix="agentops-engine-") as tmp_name:
        tmp = Path(tmp_name)
        versions = {args.base: str(extract(args.base, tmp / "base")), "new": str(HERE.parent / "src")}
        for n in args.sizes:
            synced = generate(tmp / f"sync-{n}", n)
            seed(tmp / f"{n}.sqlite3", synced)
            with emulator(tmp / f"{n}.sqlite3") as server:
                listing = list_once(server.url, tmp / f"listing-{n}.json")
            changed = tmp / f"changed-{n}"
            shutil.copytree(synced, changed)
            count = change(changed, 0.1)
            roots = [str(synced), str(changed)]
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in versions}
            for _ in range(args.repeat):
                for name, src in versions.items():
                    cmd = [sys.executable, __file__, "--inner", str(args.inner), "--child", src, str(listing), *roots]
                    out = subprocess.run(cmd, env=child_env(""), check=True, capture_output=True, text=True)
                    runs[name].append(json.loads(out.stdout))
            print(f"\n== N={n:,} ({count} descriptions changed in the second case)")
            hashes = {name: {r[root]["sha256"] for r in results for root in roots} for name, results in runs.items()}
            same = len({frozenset(h) for h in hashes.values()}) == 1
            print(f"  outputs (JSON + text + Markdown) identical across versions: {same}")
            medians: dict[str, dict[str, dict[str, float]]] = {}
            for name, results in runs.items():
                medians[name] = {
                    root: {phase: statistics.median(r[root]["best"][phase] for r in results)
                           for phase in (*PHASES, "total")}
                    for root in roots
                }
            for label, root in (("in sync", roots[0]), ("10% changed", roots[1])):
                print(f"  {label}: {runs['new'][0][root]['summary']}")
                for name in versions:
                    row = medians[name][root]
                    parts = "  ".join(f"{phase} {row[phase] * 1000:5.0f}" for phase in PHASES)
                    print(f"    {name:>8}  total {row['total'] * 1000:6.0f} ms   ({parts})")
                print(f"    new / {args.base}: {medians['new'][root]['total'] / medians[args.base][root]['total']:.2f}x")
            for name in versions:
                ratio = medians[name][roots[1]]["total"] / medians[name][roots[0]]["total"]
                print(f"  changed / in sync, {name}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
