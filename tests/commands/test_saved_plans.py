"""Saved plans are trusted only after checks: any file name, shape, digest, stack, workspace, ownership."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import pytest

from agentops.engine import planfile
from agentops.model import tags
from tests.stack import STACK, Stack, console_body, manifest


def _saved(stack: Stack, tmp_path: Path, name: str = "reviewed.plan", *args: str) -> Path:
    out = tmp_path / name
    result = stack.run("plan", str(stack.root), "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    return out


def _edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_a_plan_under_any_name_is_applied_as_reviewed(stack: Stack, tmp_path: Path) -> None:
    stack.write(manifest("job", description="reviewed"))
    saved = _saved(stack, tmp_path)
    result = stack.run("apply", str(saved), "--auto-approve")
    assert result.exit_code == 0, result.output
    (live,) = [d for d in stack.emulator.raw_deployments() if d["metadata"].get(tags.STACK) == STACK]
    assert live["description"] == "reviewed"


def test_a_checkout_that_no_longer_plans_the_same_is_refused_with_the_difference(
    stack: Stack, tmp_path: Path
) -> None:
    stack.write(manifest("job", description="reviewed"))
    saved = _saved(stack, tmp_path)
    stack.write(manifest("job", description="NOT reviewed"))
    result = stack.run("apply", str(saved), "--auto-approve")
    assert result.exit_code == 1
    assert "is not what this checkout and the workspace plan now" in result.output
    assert 'body.description: saved "reviewed", planned now "NOT reviewed"' in result.output
    assert stack.emulator.write_count() == 0


def test_the_hint_repeats_the_global_flags(stack: Stack, tmp_path: Path) -> None:
    stack.write(manifest("job"))
    result = stack.run("--stack", STACK, "plan", str(stack.root), "--out", str(tmp_path / "p"))
    assert f"agentops --stack {STACK} apply {tmp_path / 'p'}" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("null", "expected a JSON object"),
        ("[1, 2]", "expected a JSON object"),
        ("{", "not JSON"),
        ('{"format_version": 1}', "format_version 1"),
        ("[" * 100_000, "not JSON"),
    ],
)
def test_malformed_plan_files_are_one_line_errors(stack: Stack, tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.plan"
    path.write_text(text)
    stack.emulator.reset_counts()
    result = stack.run("apply", str(path), "--auto-approve")
    assert result.exit_code == 1
    assert expected in result.output and "Traceback" not in result.output
    assert stack.emulator.write_count() == 0


def _retarget(kind: str) -> Any:
    def change(data: dict[str, Any]) -> None:
        action = data["actions"][0]
        if kind == "unknown-action":
            action["action"] = "explode"
        elif kind == "wrong-type":
            action["changes"] = "nope"
        elif kind == "edited":
            action["patch"] = {"description": "sneaky"}
    return change


@pytest.mark.parametrize(("kind", "expected"), [
    ("unknown-action", "actions.0.action"),
    ("wrong-type", "actions.0.changes"),
    ("edited", "digest mismatch"),
])
def test_edited_plans_are_refused(stack: Stack, tmp_path: Path, kind: str, expected: str) -> None:
    stack.write(manifest("job", description="one"))
    assert stack.apply().exit_code == 0
    stack.write(manifest("job", description="two"))
    saved = _saved(stack, tmp_path)
    _edit(saved, _retarget(kind))
    stack.emulator.reset_counts()
    result = stack.run("apply", str(saved), "--auto-approve")
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert stack.emulator.write_count() == 0


def _redigest(path: Path, change: Any) -> None:
    """A forged plan whose digest is recomputed as a forger would (the code is public): the digest
    catches edits, not forgers; planning again is what stops these."""
    data = json.loads(path.read_text())
    change(data)
    plan, _ = planfile.load(json.dumps(data))
    data["digest"] = planfile.digest(plan)
    path.write_text(json.dumps(data))


def test_forged_plans_cannot_write_outside_the_stack(stack: Stack, tmp_path: Path) -> None:
    client = anthropic.Anthropic(base_url=stack.emulator.url, api_key="t", max_retries=0)
    foreign = client.beta.deployments.create(**console_body(
        "theirs", "agent_1", "env_1", metadata={tags.STACK: "other", tags.NAME: "theirs"}))
    untagged = client.beta.deployments.create(**console_body("manual", "agent_1", "env_1"))
    stamp = {d["id"]: d["updated_at"] for d in stack.emulator.raw_deployments()}
    stack.write(manifest("job", description="one"))
    assert stack.apply().exit_code == 0
    stack.write(manifest("job", description="two"))
    attacks: dict[str, Any] = {
        "update another stack's": lambda a: a.update(id=foreign.id, deployment_id=foreign.id, updated_at=stamp[foreign.id]),
        "archive an untagged": lambda a: a.update(action="archive", id=untagged.id, deployment_id=untagged.id, patch=None,
                                                  changes=[], updated_at=stamp[untagged.id]),
        "strip ownership": lambda a: a.update(patch={"metadata": {tags.STACK: None}}),
        "inject a literal token": lambda a: a.update(patch={"resources": [
            {"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "ghp_literal"}]}),
        "tag with another stack": lambda a: a.update(patch={"metadata": {tags.STACK: "other"}}),
    }
    for what, attack in attacks.items():
        saved = _saved(stack, tmp_path, f"{what}.plan")
        _redigest(saved, lambda data, attack=attack: attack(data["actions"][0]))
        stack.emulator.reset_counts()
        result = stack.run("apply", str(saved), "--auto-approve")
        assert result.exit_code == 1, (what, result.output)
        assert "digest" not in result.output and "stale" not in result.output, (what, result.output)
        assert stack.emulator.write_count() == 0, what


def test_a_plan_for_another_stack_or_workspace_is_refused(stack: Stack, tmp_path: Path) -> None:
    stack.write(manifest("job"))
    saved = _saved(stack, tmp_path)
    other_stack = stack.run("--stack", "other", "apply", str(saved), "--auto-approve")
    assert other_stack.exit_code == 1 and "for stack 'team-a', not 'other'" in other_stack.output
    other_workspace = stack.run("--workspace-id", "wrkspc_other", "apply", str(saved), "--auto-approve")
    assert other_workspace.exit_code == 1 and "workspace" in other_workspace.output
    assert stack.emulator.write_count() == 0
