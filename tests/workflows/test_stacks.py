"""The action's stack discovery, run as the workflows run it: in a git checkout, through bash and jq.

Folder names come from pull requests: spaces, quotes, `$(...)`, newlines and a leading dash
must each stay one stack, and nothing in them may run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ODD = ["stacks/with space", 'stacks/it\'s "quoted"', "stacks/$(touch pwned)", "stacks/new\nline", "-dash"]


def steps() -> tuple[dict[str, Any], dict[str, Any]]:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    by_id = {s.get("id"): s for s in action["runs"]["steps"]}
    found, environments = by_id["stacks"], by_id["environments"]
    assert found["if"] == environments["if"] == "inputs.command == 'stacks'"
    assert found["env"] == {"SINCE": "${{ inputs.changed-since }}", "EXCLUDE": "${{ inputs.exclude }}"}
    assert environments["env"] == {"STACKS_FOUND": "${{ steps.stacks.outputs.stacks }}"}
    return found, environments


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def commit(root: Path, files: dict[str, str], message: str) -> str:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", "--all")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def discover(root: Path, since: str = "", exclude: str = "") -> tuple[dict[str, Any], str]:
    """Both discovery steps, as the runner runs them: the stacks, then their environments.

    The second step runs with the Python the action installed agentops into (PyYAML with it)."""
    output = root.parent / "github-output"
    output.write_text("")
    found, environments = steps()
    env = {
        "SINCE": since,
        "EXCLUDE": exclude,
        "GITHUB_OUTPUT": str(output),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(root),
    }
    result = subprocess.run(["bash", "-c", found["run"]], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = output.read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("stacks=")
    env["STACKS_FOUND"] = lines[0].removeprefix("stacks=")
    more = subprocess.run(["bash", "-c", environments["run"]], cwd=root, env=env, capture_output=True, text=True)
    assert more.returncode == 0, more.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert sorted(outputs) == ["chains", "stacks", "targets"]
    return {key: json.loads(value) for key, value in outputs.items()}, result.stdout + more.stdout


def stacks(root: Path, since: str = "", exclude: str = "") -> tuple[list[str], str]:
    outputs, out = discover(root, since, exclude)
    return outputs["stacks"], out


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    config = "stack: s\nmanifests: agents\n"
    files = {f"{folder}/agentops.yaml": config for folder in [*ODD, "stacks/custom", "tests/fixture"]}
    files["README.md"] = "hello\n"
    return root, commit(root, files, "stacks")


def test_odd_folder_names_each_stay_one_stack_and_nothing_runs(repo: tuple[Path, str]) -> None:
    root, _ = repo
    found, _ = stacks(root, exclude="tests/\nsrc/agentops/templates/")
    assert sorted(found) == sorted([*ODD, "stacks/custom"])
    assert not (root / "pwned").exists()


def test_only_stacks_whose_folder_changed_even_a_custom_manifests_folder(repo: tuple[Path, str]) -> None:
    root, base = repo
    commit(root, {"stacks/custom/agents/triage.yaml": "name: t\n", "README.md": "changed\n"}, "edit")
    assert stacks(root, since=base)[0] == ["stacks/custom"]

    commit(root, {"stacks/with space/agents/x.yaml": "name: x\n"}, "edit")
    assert sorted(stacks(root, since=base)[0]) == ["stacks/custom", "stacks/with space"]


def test_a_root_stack_or_a_workflow_change_plans_everything(repo: tuple[Path, str]) -> None:
    root, base = repo
    commit(root, {".github/workflows/agentops-plan.yml": "on: push\n"}, "pin another commit")
    assert len(stacks(root, since=base)[0]) == len(ODD) + 2  # the fixture too: nothing excluded

    base = commit(root, {"agentops.yaml": "stack: root\n"}, "root stack")
    commit(root, {"docs/notes.md": "anything\n"}, "docs")
    assert stacks(root, since=base)[0] == ["."]


def test_a_commit_not_in_the_checkout_lists_every_stack(repo: tuple[Path, str]) -> None:
    root, _ = repo
    found, out = stacks(root, since="0" * 40)
    assert len(found) == len(ODD) + 2
    assert "::notice::commit 0000000000000000000000000000000000000000 is not in the checkout" in out


def test_each_stack_is_planned_in_each_environment_first_one_first(repo: tuple[Path, str]) -> None:
    root, _ = repo
    commit(root, {
        "stacks/custom/agentops.yaml": "stack: s\nenvironments:\n  staging: {}\n  production: {}\n",
        # PR content: tags and odd names are never constructed, run or passed on.
        "stacks/with space/agentops.yaml": "stack: t\nenvironments:\n  !!python/name:os.system x: {}\n",
        "stacks/$(touch pwned)/agentops.yaml": "stack: u\nenvironments:\n  'Bad $(touch pwned)': {}\n  ok: {}\n",
        "-dash/agentops.yaml": "stack: [unclosed\n",
    }, "environments")
    outputs, _ = discover(root, exclude="tests/\nsrc/agentops/templates/")
    assert not (root / "pwned").exists()
    targets, chains = outputs["targets"], outputs["chains"]
    # Each stack's environments in promotion order: the apply chains them per stack.
    assert {"stack": "stacks/custom", "envs": ["staging", "production"]} in chains
    assert {"stack": "stacks/$(touch pwned)", "envs": ["ok"]} in chains  # the bad name is left out
    # A stack whose config is unreadable (validate reports it) or declares no environments: env "".
    assert {"stack": "-dash", "envs": [""]} in chains and {"stack": "stacks/with space", "env": ""} in targets
    # Plans: every first environment ahead of every later one.
    assert targets[-1] == {"stack": "stacks/custom", "env": "production"}
    assert len(targets) == sum(len(chain["envs"]) for chain in chains)
    assert sorted({t["stack"] for t in targets}) == sorted(outputs["stacks"])
