"""An unset secret variable is one blocker at the secret's own line, in plan and in status alike."""

from __future__ import annotations

import json

from tests.stack import Stack, manifest

UNSET = {"REPO_TOKEN": ""}  # empty is unset: the CLI treats both alike

REPO = {"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "${REPO_TOKEN}"}


def _token_line(stack: Stack) -> int:
    text = (stack.root / "deployments" / "x.yaml").read_text().splitlines()
    return next(number for number, line in enumerate(text, 1) if "authorization_token" in line)


def test_an_unset_secret_is_one_blocker_at_its_line_not_a_rotation(stack: Stack) -> None:
    stack.write(manifest("x", description="has a repository", resources=[REPO]))
    assert stack.apply().exit_code == 0
    line = _token_line(stack)
    assert line > 1

    result = stack.run("plan", str(stack.root), env=UNSET)
    assert result.exit_code == 1
    assert result.output.count("REPO_TOKEN is not set") == 1
    assert f"deployments/x.yaml:{line}: x: environment variable REPO_TOKEN is not set" in result.output
    assert "fingerprint changed" not in result.output and "new secret value" not in result.output

    data = json.loads(stack.run("plan", str(stack.root), "--format", "json", env=UNSET).stdout)
    assert [p["file"] for p in data["problems"]] == [f"deployments/x.yaml:{line}"]
    assert [a["action"] for a in data["actions"]] == ["noop"]

    # status reuses the planner: the same blocker at the same line, never "in sync".
    status = stack.run("status", str(stack.root), env=UNSET)
    assert f"blocked: environment variable REPO_TOKEN is not set (export it before plan or apply) " \
           f"(deployments/x.yaml:{line})" in status.output
    assert "in sync" not in status.output
    rows = json.loads(stack.run("status", str(stack.root), "--format", "json", env=UNSET).stdout)["deployments"]
    assert [b["file"] for b in rows[0]["blockers"]] == [f"deployments/x.yaml:{line}"]
    assert rows[0]["drifted"] is False
