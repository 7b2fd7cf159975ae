"""`plan --base-ref`: a pull request is judged by the base branch's guards, and what it changes
about them is shown first. Its own agentops.yaml is enforced only after merge."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops.manifest.config_schema import Config
from agentops.manifest.guards import changes, guarded_by
from tests.commands.test_plan_base_ref import git
from tests.stack import Stack, manifest

BASE = "stack: team-a\napi: {writes_per_minute: 0, reads_per_minute: 0}\nmax_archive: 0\n" \
       "policy: {require_budget: error}\n"
LOOSENED = "stack: team-a\napi: {writes_per_minute: 0, reads_per_minute: 0}\nmax_archive: 50\n" \
           "policy: {require_budget: 'off'}\nsecrets: {allow: [ANTHROPIC_API_KEY]}\n"
BUDGET = {"type": "limit", "max_list_cost": {"amount": "100", "currency": "USD"}}


def _committed(stack: Stack, config: str) -> Path:
    root = stack.root
    (root / "agentops.yaml").write_text(config)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    return root


def test_a_pull_request_that_loosens_the_guards_is_held_to_the_base_ones(stack: Stack) -> None:
    stack.write(manifest("a", budget=BUDGET), manifest("b", budget=BUDGET))
    root = _committed(stack, BASE)
    assert stack.apply().exit_code == 0
    # The pull request removes a deployment and relaxes every guard that would stop it.
    stack.write(manifest("a", budget=BUDGET))
    (root / "agentops.yaml").write_text(LOOSENED)
    judged = stack.run("plan", str(root), "--base-ref", "main")
    assert judged.exit_code == 1, judged.output
    head, blockers = judged.output.split("Blocking problems")
    assert "This change edits the policy and guards of agentops.yaml (enforced only after merge):" in head
    for said in ("policy require_budget: error -> off", "max_archive: 0 -> 50", "secrets.allow adds ANTHROPIC_API_KEY"):
        assert said in head
    assert "more than the limit of 0" in blockers
    data = stack.plan_json("--base-ref", "main")
    assert data["guard_changes"] == ["policy require_budget: error -> off", "max_archive: 0 -> 50",
                                     "secrets.allow adds ANTHROPIC_API_KEY"]
    markdown = stack.run("plan", str(root), "--base-ref", "main", "--format", "markdown").stdout
    assert markdown.index("> [!IMPORTANT]") < markdown.index("#### ")
    # After merge (no --base-ref) the head's own agentops.yaml is the one in force.
    assert stack.run("plan", str(root)).exit_code == 0
    assert stack.emulator.write_count() == 2  # only the first apply's creates


def test_manifests_that_fail_the_base_policy_fail_with_the_guard_change_named(stack: Stack) -> None:
    stack.write(manifest("a", budget=BUDGET))
    root = _committed(stack, BASE)
    stack.write(manifest("a"))
    (root / "agentops.yaml").write_text(LOOSENED)
    judged = stack.run("plan", str(root), "--base-ref", "main")
    assert judged.exit_code == 1
    assert "the base's are enforced: policy require_budget: error -> off" in judged.output
    assert "'a' has no budget" in judged.output
    assert stack.run("plan", str(root)).exit_code == 0


def test_a_credential_the_base_does_not_allow_stays_refused(stack: Stack) -> None:
    root = _committed(stack, "stack: team-a\napi: {writes_per_minute: 0, reads_per_minute: 0}\n")
    stack.write(manifest("a", resources=[{"type": "github_repository", "url": "https://github.com/o/r",
                                          "authorization_token": "${ANTHROPIC_API_KEY}"}]))
    (root / "agentops.yaml").write_text(
        "stack: team-a\napi: {writes_per_minute: 0, reads_per_minute: 0}\nsecrets: {allow: [ANTHROPIC_API_KEY]}\n")
    judged = stack.run("plan", str(root), "--base-ref", "main")
    assert judged.exit_code == 1 and "secrets.allow adds ANTHROPIC_API_KEY" in judged.output
    assert "resources[0].authorization_token" in judged.output
    assert stack.run("plan", str(root)).exit_code == 0  # once merged, the allow-list is the head's
    assert stack.emulator.write_count() == 0


@pytest.mark.parametrize(("base", "head", "expected"), [
    ({}, {}, []),
    ({"policy": {"require_budget": {"level": "error"}}}, {}, ["policy require_budget: error -> off"]),
    ({}, {"policy": {"require_metadata": {"level": "warn", "keys": ["owner"]}}},
     ['policy require_metadata: off -> {"keys": ["owner"], "level": "warn"}']),
    ({"secrets": {"allow": ["A", "B"]}}, {"secrets": {"allow": ["B", "C"]}},
     ["secrets.allow adds C", "secrets.allow removes A"]),
    ({"max_archive": 3}, {}, ["max_archive: 3 -> none"]),
])
def test_guard_changes_are_named(base: dict[str, object], head: dict[str, object], expected: list[str]) -> None:
    before, after = Config(stack="s", **base), Config(stack="s", **head)  # type: ignore[arg-type]
    assert changes(after, before, None) == expected
    enforced = guarded_by(after, before)
    assert (enforced.policy, enforced.max_archive, enforced.secrets) == (before.policy, before.max_archive,
                                                                         before.secrets)


def test_an_environment_policy_is_the_base_ones_too() -> None:
    base = Config.model_validate({"stack": "s", "environments": {"prod": {"policy": {"require_budget": {"level": "error"}}}}})
    head = Config.model_validate({"stack": "s", "environments": {"prod": {}, "dev": {}}})
    assert changes(head, base, "prod") == ["policy require_budget: error -> off"]
    assert guarded_by(head, base).policy_for("prod").require_budget is not None
    assert guarded_by(head, base).policy_for("dev").require_budget is None
