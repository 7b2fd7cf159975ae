"""Large repositories load in forked workers; the result must equal a sequential load exactly."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

from agentops.manifest import loader


def _write_repo(root: Path, count: int) -> None:
    (root / "agentops.yaml").write_text("stack: big\ndefaults: {environment_id: env_1}\n")
    folder = root / "deployments"
    folder.mkdir()
    for index in range(count):
        doc = {
            "name": f"job-{index:04d}",
            "agent": "agent_1",
            "prompt": f"job {index}",
            "schedule": {"expression": "0 9 * * 1-5", "timezone": "UTC"},
        }
        (folder / f"job-{index:04d}.yaml").write_text(yaml.safe_dump(doc))
    # Problems in both halves, and a duplicate name that spans them.
    (folder / "job-0003.yaml").write_text("name: job-0003\nagent: agent_1\nprompt: x\nschedul: {}\n")
    (folder / "zz-duplicate.yaml").write_text("name: job-0001\nagent: agent_1\nprompt: again\n")


def test_parallel_load_equals_sequential(tmp_path: Path) -> None:
    count = loader.PARALLEL_MIN_FILES + 50
    _write_repo(tmp_path, count)
    # A fresh interpreter has no other threads, so the forked path is really taken.
    script = textwrap.dedent(f"""
        from pathlib import Path
        from agentops.manifest import loader
        root = Path({str(tmp_path)!r})
        assert loader._parallel_ok({count + 1}), "parallel loading unavailable here"
        fast = loader.load_project(root)
        loader.PARALLEL_MIN_FILES = 10**9
        slow = loader.load_project(root)
        assert fast == slow
        print(len(fast.manifests), len(fast.problems), [str(p) for p in fast.problems])
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    manifests, problems, text = result.stdout.split(" ", 2)
    assert int(manifests) == count  # job-0003 is invalid; the duplicate document still loads
    assert "unknown key" in text and "duplicate name 'job-0001'" in text
    assert "deployments/zz-duplicate.yaml" in text and "deployments/job-0001.yaml" in text
    assert int(problems) == 3


def test_a_dead_worker_falls_back_to_loading_here(tmp_path: Path) -> None:
    count = loader.PARALLEL_MIN_FILES + 10
    _write_repo(tmp_path, count)
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from agentops.manifest import loader

        def die(targets):
            os._exit(9)  # what an out-of-memory kill looks like to the pool

        loader._load_forked = die
        project = loader.load_project(Path({str(tmp_path)!r}))
        print(len(project.manifests), len(project.problems))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(count), "3"]
