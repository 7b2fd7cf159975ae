"""What a checkout cannot make the action or the drift workflow do: run its own Python, or judge
live state from an unmerged branch."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workflows.test_workflows import ACTION, OURS, SCAFFOLD_PIN, load

DEFAULT_BRANCH_ONLY = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"


def _action_steps() -> dict[str, str]:
    return {step["name"]: step["run"] for step in load(ACTION)["runs"]["steps"] if "run" in step}


def test_every_python_the_action_starts_is_isolated_from_the_checkout() -> None:
    calls = [line.strip() for script in _action_steps().values() for line in script.splitlines()
             if re.match(r"\s*python3?\s", line)]
    # pip install (the lock, then agentops), the stack-name clash check and the environments finder
    assert len(calls) == 4, calls
    assert all(re.match(r"python3? -I\s", call) for call in calls), calls


def test_a_yaml_module_in_the_checkout_never_runs(tmp_path: Path) -> None:
    """The environments finder imports yaml with the checkout as its working directory."""
    planted = tmp_path / "planted"
    (tmp_path / "yaml.py").write_text(f"open({str(planted)!r}, 'w').write('ran')\nraise SystemExit(3)\n")
    (tmp_path / "agentops.yaml").write_text("stack: s\nenvironments:\n  staging: {}\n")
    output = tmp_path / "output"
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(output),
        "STACKS_FOUND": '["."]',
    }
    script = _action_steps()["Find each stack's environments"]
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not planted.exists()
    assert 'chains=[{"stack":".","envs":["staging"]}]' in output.read_text()


@pytest.fixture(scope="module")
def scaffolded_drift(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scaffold")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "agentops"), "init", str(root), "--stack", "payments",
         "--action", SCAFFOLD_PIN],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return root / ".github" / "workflows" / "agentops-drift.yml"


def test_drift_runs_by_hand_only_on_the_default_branch(scaffolded_drift: Path) -> None:
    for path in (OURS["drift"], scaffolded_drift):
        workflow = load(path)
        assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
        # The drift job needs the stacks job, so it is skipped with it.
        assert workflow["jobs"]["stacks"]["if"] == DEFAULT_BRANCH_ONLY, path
        assert workflow["jobs"]["drift"]["needs"] == "stacks"
