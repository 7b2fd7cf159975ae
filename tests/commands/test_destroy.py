"""`agentops destroy` end to end through the SDK against the emulator: everything the stack owns in the
chosen environment is archived (every kind, deployments first), nothing of another environment, another
stack or an untagged object is touched, prevent_archive keeps, and no write happens unconfirmed.
A saved destroy plan is a claim like any other, and applies only with --destroy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import jsonschema
import pytest
import yaml

from agentops.emulator import EmulatorServer
from agentops.engine import planfile
from agentops.engine.resources import ORDER
from agentops.model import tags
from agentops.views.schemas import schema
from tests.harness import on_a_terminal
from tests.stack import STACK, TOKEN, Stack, console_body

CONFIG = {"stack": STACK, "api": {"writes_per_minute": 0, "reads_per_minute": 0},
          "environments": {"staging": {}, "production": {}}}
SANDBOX = {"name": "sandbox", "config": {"type": "cloud", "networking": {"type": "unrestricted"}}}
TRIAGE = {"name": "triage", "model": "claude-sonnet-4-6", "system": "You triage issues."}
PROMPT = b"to destroy: "


def _job(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "agent": {"name": "triage"}, "environment": {"name": "sandbox"},
            "prompt": f"Do the {name} job.", **fields}


def _declare(repo: Stack, config: dict[str, Any]) -> None:
    """An environment, an agent and two deployments using them (one kept by prevent_archive: off here)."""
    (repo.root / "agentops.yaml").write_text(yaml.safe_dump(config))
    repo.write(_job("nightly"), _job("weekly"))
    for folder, item in (("environments", SANDBOX), ("agents", TRIAGE)):
        (repo.root / "deployments" / folder).mkdir(exist_ok=True)
        (repo.root / "deployments" / folder / f"{item['name']}.yaml").write_text(yaml.safe_dump(item))


def _live(client: anthropic.Anthropic) -> dict[str, list[dict[str, Any]]]:
    """Every live (not archived) object of every kind the planner manages, as the SDK lists them."""
    pages = {"environment": client.beta.environments, "vault": client.beta.vaults,
             "memory_store": client.beta.memory_stores, "agent": client.beta.agents,
             "deployment": client.beta.deployments}
    live = {kind: [item.model_dump(mode="json") for item in pages[kind].list() if item.archived_at is None]
            for kind in pages}
    # Skills are deleted, not archived; their ownership is in their upload, not in metadata.
    live["skill"] = [item.model_dump(mode="json") for item in client.skills.list() if item.source.type == "custom"]
    # A credential lives in its vault (and is owned through the vault's tags).
    live["credential"] = [item.model_dump(mode="json") for vault in live["vault"]
                          for item in client.beta.vaults.credentials.list(vault["id"]) if item.archived_at is None]
    # A kind added to engine/resources.py must be listed here too, or this test would not see it.
    assert set(live) == {resource.kind for resource in ORDER}
    return live


def _owned(client: anthropic.Anthropic, stack: str, env: str | None) -> set[str]:
    return {f"{kind}.{item['metadata'][tags.NAME]}" for kind, items in _live(client).items() for item in items
            if (item.get("metadata") or {}).get(tags.STACK) == stack and item["metadata"].get(tags.ENV) == env}


def _archives(emulator: EmulatorServer) -> list[str]:
    """The collection of each archive since the last reset, in the order they were made."""
    return [path.split("/")[2] for method, path, _status in emulator.requests
            if method == "POST" and path.endswith("/archive")]


@pytest.fixture
def staged(stack: Stack, tmp_path: Path, client: anthropic.Anthropic) -> Stack:
    """team-a in staging and production, team-b (same names) beside it, and untagged objects of those names."""
    _declare(stack, CONFIG)
    for env in ("staging", "production"):
        assert stack.apply("--env", env).exit_code == 0
    other = Stack.create(tmp_path / "other", stack.emulator, stack="team-b")
    _declare(other, {**CONFIG, "stack": "team-b"})
    assert other.apply("--env", "staging", "--new-stack").exit_code == 0
    client.beta.agents.create(name="triage", model="claude-sonnet-4-6")
    client.beta.environments.create(name="sandbox")
    client.beta.deployments.create(**console_body("nightly"))
    stack.emulator.reset_counts()
    return stack


def test_destroy_archives_the_stack_in_its_environment_and_nothing_else(
    staged: Stack, client: anthropic.Anthropic
) -> None:
    before = _live(client)
    assert _owned(client, STACK, "staging") == {"environment.sandbox", "agent.triage", "deployment.nightly",
                                                "deployment.weekly"}
    result = staged.run("--env", "staging", "destroy", str(staged.root), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert _owned(client, STACK, "staging") == set()
    # Deployments first, then the agent they ran, then the environment: reverse write order.
    assert _archives(staged.emulator) == ["deployments", "deployments", "agents", "environments"]
    assert staged.emulator.write_count() == 4
    after = _live(client)
    gone = {item["id"] for items in before.values() for item in items} - {
        item["id"] for items in after.values() for item in items}
    assert len(gone) == 4  # production, team-b and the untagged objects are all still live
    assert _owned(client, STACK, "production") == {"environment.sandbox", "agent.triage", "deployment.nightly",
                                                   "deployment.weekly"}
    assert len(_owned(client, "team-b", "staging")) == 4
    assert staged.run("--env", "production", "plan", str(staged.root), "--detailed-exitcode").exit_code == 0

    staged.emulator.reset_counts()
    again = staged.run("--env", "staging", "destroy", str(staged.root), "--auto-approve", "--format", "json")
    assert again.exit_code == 0, again.output
    assert "Nothing to destroy: stack 'team-a' owns no live object in environment 'staging'" in again.stderr
    data = json.loads(again.stdout)
    jsonschema.validate(data, schema("destroy"))
    assert data["results"] == [] and data["failed"] == 0
    assert staged.emulator.write_count() == 0


def test_prevent_archive_keeps_an_object_and_what_it_uses(staged: Stack, client: anthropic.Anthropic) -> None:
    staged.write(_job("nightly", lifecycle={"prevent_archive": True}), _job("weekly"))
    assert staged.apply("--env", "staging").exit_code == 0
    staged.emulator.reset_counts()
    result = staged.run("--env", "staging", "destroy", str(staged.root), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "nightly: kept because of lifecycle.prevent_archive" in result.output
    # Archiving the agent or the environment would break the deployment that stays.
    assert "agent triage: kept, deployment nightly" in result.output
    assert "environment sandbox: kept, deployment nightly" in result.output
    assert _owned(client, STACK, "staging") == {"environment.sandbox", "agent.triage", "deployment.nightly"}
    assert _archives(staged.emulator) == ["deployments"]


def test_target_archives_only_the_named_objects(staged: Stack, client: anthropic.Anthropic) -> None:
    result = staged.run("--env", "staging", "destroy", str(staged.root), "--auto-approve", "--target", "weekly",
                        "--target", "triage")
    assert result.exit_code == 0, result.output
    # `nightly` stays and runs the agent: the agent is kept, said so; only `weekly` goes.
    assert "agent triage: kept, deployment nightly" in result.output
    assert _owned(client, STACK, "staging") == {"environment.sandbox", "agent.triage", "deployment.nightly"}
    typo = staged.run("--env", "staging", "destroy", str(staged.root), "--auto-approve", "--target", "nighty")
    assert typo.exit_code == 1 and "--target 'nighty' matches no manifest or deployment" in typo.output
    assert staged.emulator.write_count() == 1


def test_without_a_terminal_destroy_needs_auto_approve(staged: Stack, client: anthropic.Anthropic) -> None:
    result = staged.run("--env", "staging", "destroy", str(staged.root))
    assert result.exit_code == 1
    assert "refusing to destroy without --auto-approve" in result.output
    assert staged.emulator.write_count() == 0
    assert len(_owned(client, STACK, "staging")) == 4


@pytest.mark.parametrize("answer", ["3", "yes", "y", ""])
def test_only_the_typed_count_destroys(staged: Stack, client: anthropic.Anthropic, answer: str) -> None:
    code, shown = on_a_terminal(staged, ["--env", "staging", "destroy"], PROMPT, answer)
    assert "This plan archives 2 deployments, 1 agent and 1 environment" in shown and "Type 4 to destroy" in shown
    assert code == 1 and "destroy cancelled; nothing was changed" in shown
    assert staged.emulator.write_count() == 0
    assert len(_owned(client, STACK, "staging")) == 4


def test_the_typed_count_destroys(staged: Stack, client: anthropic.Anthropic) -> None:
    code, shown = on_a_terminal(staged, ["--env", "staging", "destroy"], PROMPT, "4")
    assert code == 0, shown
    assert _owned(client, STACK, "staging") == set()


def test_a_saved_destroy_plan_applies_only_as_one(staged: Stack, client: anthropic.Anthropic, tmp_path: Path) -> None:
    saved = tmp_path / "destroy.plan"
    made = staged.run("--env", "staging", "destroy", str(staged.root), "--out", str(saved), "--format", "json")
    assert made.exit_code == 0, made.output
    assert "apply --destroy" in made.stderr and staged.emulator.write_count() == 0
    shown = json.loads(made.stdout)
    jsonschema.validate(shown, schema("plan"))
    data = json.loads(saved.read_text())
    assert data["flags"]["destroy"] is True and shown["flags"]["destroy"] is True
    assert [a["address"] for a in data["actions"]] == [
        "deployment.nightly", "deployment.weekly", "agent.triage", "environment.sandbox"]
    assert {a["action"] for a in data["actions"]} == {"archive"}

    refused = staged.run("--env", "staging", "apply", str(saved), "--auto-approve")
    assert refused.exit_code == 1 and "was made with --destroy" in refused.output
    assert staged.emulator.write_count() == 0

    applied = staged.run("--env", "staging", "apply", str(saved), "--auto-approve", "--destroy")
    assert applied.exit_code == 0, applied.output
    assert _owned(client, STACK, "staging") == set()
    assert _archives(staged.emulator) == ["deployments", "deployments", "agents", "environments"]


def _forge(path: Path, **flags: Any) -> None:
    data = json.loads(path.read_text())
    data["flags"].update(flags)
    plan, _ = planfile.load(json.dumps(data))
    data["digest"] = planfile.digest(plan)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(("command", "forged", "given"), [
    # A destroy plan whose flag is cleared: planned again without it, it archives nothing.
    ("destroy", False, []),
    # A plan of the manifests claiming to be a destroy: planned again as one, it archives everything.
    ("plan", True, ["--destroy"]),
])
def test_the_destroy_flag_is_part_of_the_claim(
    staged: Stack, client: anthropic.Anthropic, tmp_path: Path, command: str, forged: bool, given: list[str]
) -> None:
    saved = tmp_path / "p.plan"
    assert staged.run("--env", "staging", command, str(staged.root), "--out", str(saved)).exit_code == 0
    _forge(saved, destroy=forged)
    result = staged.run("--env", "staging", "apply", str(saved), "--auto-approve", *given)
    assert result.exit_code == 1
    assert "is not what this checkout and the workspace plan now" in result.output
    assert staged.emulator.write_count() == 0
    assert len(_owned(client, STACK, "staging")) == 4


def test_apply_destroy_refuses_a_plan_that_is_no_destroy(staged: Stack, tmp_path: Path) -> None:
    staged.write(_job("nightly", description="changed"), _job("weekly"))
    saved = tmp_path / "p.plan"
    assert staged.run("--env", "staging", "plan", str(staged.root), "--out", str(saved)).exit_code == 0
    result = staged.run("--env", "staging", "apply", str(saved), "--auto-approve", "--destroy")
    assert result.exit_code == 1 and "is not a destroy plan" in result.output
    assert staged.emulator.write_count() == 0


def test_an_unset_secret_does_not_block_a_destroy_and_no_secret_is_shown(
    staged: Stack, client: anthropic.Anthropic
) -> None:
    repo = {"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "${REPO_TOKEN}"}
    staged.write(_job("nightly", resources=[repo]), _job("weekly"))
    assert staged.apply("--env", "staging").exit_code == 0
    staged.write(_job("nightly", resources=[{**repo, "authorization_token": "${UNSET_VAR}"}]), _job("weekly"))
    for fmt in ("text", "json"):
        shown = staged.run("--env", "staging", "destroy", str(staged.root), "--out", str(staged.root / "d.plan"),
                           "--format", fmt)
        assert shown.exit_code == 0, shown.output
        assert TOKEN not in shown.output and TOKEN not in (staged.root / "d.plan").read_text()
    result = staged.run("--env", "staging", "destroy", str(staged.root), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    assert _owned(client, STACK, "staging") == set()
