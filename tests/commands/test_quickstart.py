"""The README's first command, run as written (minus the install) on a copy of the example repository.

A fresh clone must plan and apply the examples on the embedded emulator: the environment is
chosen in the command, the repository's own agents and environments are created by the same
apply, and only what it cannot declare (vaults, a memory store) comes from the seed agentops.yaml
names under `local:`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

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
            outputs.extend([done.stdout, done.stderr])
    plan, _, applied, _ = outputs
    # The agents and environments are the repository's own: created first, in the same apply.
    assert "agent triage-bot → (known after apply: agent triage-bot)" in plan
    assert "1. environment.default-env, environment.support-env" in plan
    assert "Plan: 10 to create" in plan  # oncall-handoff and its agent exist only in production
    assert "Apply complete: 10 succeeded, 0 failed." in applied
    assert "example-token" not in plan + applied
    again = run(root, ["--local", "--env", "staging", "plan", "--detailed-exitcode"], env)
    assert again.returncode == 0, again.stdout + again.stderr
    # Production is a separate environment even in the same local workspace: nothing of it exists yet.
    production = run(root, ["--local", "--env", "production", "plan"], env)
    assert production.returncode == 0, production.stderr
    assert "+ create oncall-handoff" in production.stdout and "+ create agent oncall-writer" in production.stdout
    assert "Plan: 12 to create" in production.stdout
    # Nothing a new user cannot act on: no warning in any of it.
    assert "warning" not in "".join([*outputs, again.stdout, again.stderr, production.stdout]).lower()


def test_the_seed_holds_only_what_the_example_cannot_declare() -> None:
    seed = yaml.safe_load((REPO / "local-seed.yaml").read_text())
    assert set(seed) == {"vaults", "memory_stores"}
