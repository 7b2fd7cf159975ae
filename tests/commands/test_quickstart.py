"""The README's first command, run as written (minus the install) on a copy of the example repository.

A fresh clone must plan and apply the examples on the embedded emulator: the environment is
chosen in the command and the names resolve from the seed agentops.yaml names under `local:`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
AGENTOPS = [sys.executable, "-c", "from agentops.cli import main; main()"]


def quickstart() -> list[list[str]]:
    """The README's first `--local` command, split into its steps."""
    blocks = re.findall(r"```bash\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    command = next(block for block in blocks if "--local" in block).strip()
    return [shlex.split(step) for step in command.split(" && ")]


def example_copy(tmp_path: Path) -> Path:
    root = tmp_path / "clone"
    shutil.copytree(REPO / "deployments", root / "deployments")
    for name in ("agentops.yaml", "local-seed.yaml"):
        shutil.copy(REPO / name, root / name)
    return root


def run(root: Path, argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*AGENTOPS, *argv], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_readme_quickstart_plans_and_applies_the_named_examples_locally(tmp_path: Path) -> None:
    root = example_copy(tmp_path)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ANTHROPIC_", "AGENTOPS_")) and key != "REPO_TOKEN"}
    outputs = []
    for step in quickstart():
        if step[0] == "export":
            env.update(assignment.split("=", 1) for assignment in step[1:])
        elif step[0] == ".venv/bin/agentops":
            done = run(root, step[1:], env)
            assert done.returncode == 0, done.stdout + done.stderr
            outputs.append(done.stdout)
    plan, applied = outputs
    assert "agent triage-bot → agent_011CZkYpogX8Pz4mN2qRtV7w" in plan
    assert "Plan: 4 to create" in plan  # oncall-handoff exists only in production
    assert "Apply complete: 4 succeeded, 0 failed." in applied
    assert "example-token" not in plan + applied
    again = run(root, ["--local", "--env", "staging", "plan", "--detailed-exitcode"], env)
    assert again.returncode == 0, again.stdout + again.stderr
    # Production is a separate environment even in the same local workspace: nothing of it exists yet.
    production = run(root, ["--local", "--env", "production", "plan"], env)
    assert production.returncode == 0, production.stderr
    assert "+ create oncall-handoff" in production.stdout
    assert "Plan: 5 to create" in production.stdout
