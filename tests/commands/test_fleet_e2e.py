"""The fleet section and the policy pack end to end: the CLI, the real SDK, the emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentops.emulator import EmulatorServer
from agentops.emulator.core import DEFAULT_WORKSPACE
from agentops.engine.plan import FORMAT_VERSION
from agentops.model import tags
from tests.stack import STACK, Stack, manifest

DAILY = {"expression": "0 9 * * *", "timezone": "Europe/Berlin"}
SHA = "0123456789abcdef0123456789abcdef01234567"


def _seed_scheduled(emulator: EmulatorServer, count: int, stack: str = "elsewhere") -> None:
    """Another stack's scheduled deployments, created by the emulator's own create in one transaction."""
    core = emulator.core
    with core.store.atomic():
        for i in range(count):
            core.deployments.create(DEFAULT_WORKSPACE, {
                "name": f"{stack}-{i}", "agent": "agent_011alpha", "environment_id": "env_011main",
                "initial_events": [{"type": "user.message", "content": [{"type": "text", "text": "Go."}]}],
                "schedule": {"type": "cron", "expression": f"{i % 60} * * * *", "timezone": "UTC"},
                "metadata": {tags.STACK: stack, tags.NAME: f"{stack}-{i}"},
            })


def _policy(stack: Stack, policy: str) -> None:
    (stack.root / "agentops.yaml").write_text(f"stack: {STACK}\npolicy:\n{policy}")


def test_the_cap_warns_at_80_percent(stack: Stack) -> None:
    _seed_scheduled(stack.emulator, 799)
    stack.write(manifest("nightly", schedule=DAILY))
    data = stack.plan_json()
    assert data["fleet"]["version"] == 1
    assert data["fleet"]["cap"]["workspace"] == {"before": 799, "after": 800}
    assert data["fleet"]["cap"]["stack"] == {"before": 0, "after": 1}
    assert data["applyable"] and any("scheduled_cap (warn)" in w for w in data["warnings"])
    assert stack.apply().exit_code == 0


def test_going_over_the_cap_blocks_with_zero_writes(stack: Stack) -> None:
    _seed_scheduled(stack.emulator, 1000)
    stack.write(manifest("nightly", schedule=DAILY), manifest("unscheduled"))
    before = stack.emulator.write_count
    result = stack.apply()
    assert result.exit_code == 1
    assert "scheduled_cap (error)" in result.output and "at most 1000" in result.output
    assert stack.emulator.write_count == before
    # Without a schedule the same deployment does not count against the cap.
    stack.write(manifest("nightly"), manifest("unscheduled"))
    assert stack.apply().exit_code == 0


def _budget(cents: int) -> dict[str, Any]:
    return {"type": "limit", "max_list_cost": {"amount": str(cents), "currency": "USD"}}


def _repo(checkout: dict[str, str] | None) -> list[dict[str, Any]]:
    item: dict[str, Any] = {"type": "github_repository", "url": "https://github.com/o/r",
                            "authorization_token": "${REPO_TOKEN}"}
    if checkout is not None:
        item["checkout"] = checkout
    return [item]


PINNED = {"id": "agent_011alpha", "version": 1}
# rule -> (its policy line, a manifest that breaks it, one that satisfies it, whether validate sees it)
RULES: dict[str, tuple[str, dict[str, Any], dict[str, Any], bool]] = {
    "require_budget": ("require_budget: error", manifest("job"), manifest("job", budget=_budget(100)), True),
    "require_pinned_agent_version": (
        "require_pinned_agent_version: error", manifest("job"), manifest("job", agent=PINNED), True),
    "forbid_branch_checkout": (
        "forbid_branch_checkout: error", manifest("job", resources=_repo({"type": "branch", "name": "main"})),
        manifest("job", resources=_repo({"type": "commit", "sha": SHA})), True),
    "require_metadata": (
        "require_metadata: {level: error, keys: [owner]}", manifest("job", metadata={"team": "a"}),
        manifest("job", metadata={"owner": "ana"}), True),
    "allowed_hours": (
        'allowed_hours: {level: error, from: "06:00", to: "22:00"}',
        manifest("job", schedule={"expression": "30 1 * * *", "timezone": "Europe/Berlin"}),
        manifest("job", schedule=DAILY), True),
    "min_interval_minutes": (
        "min_interval_minutes: {level: error, minutes: 60}",
        manifest("job", schedule={"expression": "*/30 * * * *", "timezone": "UTC"}),
        manifest("job", schedule={"expression": "0 * * * *", "timezone": "UTC"}), True),
    "max_scheduled": (
        "max_scheduled: {level: error, count: 0}", manifest("job", schedule=DAILY), manifest("job"), False),
    "max_monthly_exposure": (
        'max_monthly_exposure: {level: error, amount: "10", currency: USD}',
        manifest("job", schedule=DAILY, budget=_budget(100)),  # ~30 runs x $1.00 = ~$30 > $10
        manifest("job", schedule=DAILY, budget=_budget(20)), False),  # ~30 x $0.20 = ~$6
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_error_rule_blocks_with_zero_writes(stack: Stack, rule: str) -> None:
    line, bad, good, offline = RULES[rule]
    _policy(stack, f"  {line}\n")
    stack.write(bad)
    writes = stack.emulator.write_count
    result = stack.apply()
    assert result.exit_code == 1, result.output
    assert f"policy {rule} (error)" in result.output and "job" in result.output
    assert stack.emulator.write_count == writes
    validated = stack.run("validate", str(stack.root))
    assert validated.exit_code == (1 if offline else 0), validated.output
    if offline:
        assert "deployments/job.yaml:" in validated.output and f"policy {rule} (error)" in validated.output
    stack.write(good)
    assert stack.apply().exit_code == 0


def test_a_warn_rule_is_shown_and_does_not_block(stack: Stack) -> None:
    _policy(stack, "  require_budget: warn\n  max_scheduled: {level: warn, count: 0}\n")
    stack.write(manifest("job", schedule=DAILY))
    data = stack.plan_json()
    assert data["applyable"]
    assert any("policy require_budget (warn)" in w for w in data["warnings"])
    assert any("policy max_scheduled (warn)" in w for w in data["warnings"])
    assert stack.apply().exit_code == 0


def test_fleet_lists_and_never_writes_and_plan_json_carries_the_same(stack: Stack) -> None:
    stack.write(manifest("nightly", schedule={"expression": "30 2 * * *", "timezone": "Europe/Berlin"},
                         budget=_budget(250)), manifest("twin", schedule={"expression": "30 2 * * *",
                                                                          "timezone": "Europe/Berlin"}))
    writes = stack.emulator.write_count
    text = stack.run("fleet", str(stack.root))
    assert text.exit_code == 0, text.output
    assert "Scheduled deployments: stack 0 -> 2" in text.output
    assert "skipped: nightly, twin" in text.output and "doubled, fires twice: nightly, twin" in text.output
    raw = stack.run("fleet", str(stack.root), "--format", "json", "--days", "3")
    fleet = json.loads(raw.stdout)
    assert fleet["days"] == 3 and fleet["runs"]["stack"] == {"before": 0, "after": 6}
    assert fleet["busiest_minutes"][0]["names"] == ["nightly", "twin"]
    assert [c["name"] for c in fleet["schedule_changes"]] == ["nightly", "twin"]
    assert fleet["exposure"]["unbounded"] == {"before": 0, "after": 1}
    assert stack.emulator.write_count == writes
    planned = stack.plan_json()["fleet"]
    alone = json.loads(stack.run("fleet", str(stack.root), "--format", "json").stdout)
    # The fleet document is versioned like every other (the plan's section keeps its own `version`).
    assert (planned.pop("version"), alone.pop("format_version")) == (1, FORMAT_VERSION)
    assert {k: v for k, v in planned.items() if k not in ("now", "days")} == {
        k: v for k, v in alone.items() if k not in ("now", "days")
    }
    # Applied, the same schedules are "before" too: nothing changes, so no schedule changes are listed.
    assert stack.apply().exit_code == 0
    after = stack.plan_json()["fleet"]
    assert after["cap"]["stack"] == {"before": 2, "after": 2} and after["schedule_changes"] == []


def test_a_changed_schedule_shows_its_old_and_new_next_runs(stack: Stack) -> None:
    stack.write(manifest("job", schedule=DAILY))
    assert stack.apply().exit_code == 0
    stack.write(manifest("job", schedule={"expression": "0 18 * * *", "timezone": "Europe/Berlin"}))
    change = stack.plan_json()["fleet"]["schedule_changes"]
    assert len(change) == 1 and change[0]["before"]["expression"] == "0 9 * * *"
    assert all("T09:00:00" in s for s in change[0]["next_runs_before"])
    assert all("T18:00:00" in s for s in change[0]["next_runs_after"]) and len(change[0]["next_runs_after"]) == 5
    markdown = stack.run("plan", str(stack.root), "--format", "markdown")
    assert "#### Fleet" in markdown.output and "Fleet details" in markdown.output


def test_a_fleet_rule_can_be_set_for_one_environment_only(stack: Stack) -> None:
    (stack.root / "agentops.yaml").write_text(
        f"stack: {STACK}\npolicy:\n  max_scheduled: {{level: warn, count: 0}}\n"
        "environments:\n  staging: {}\n  production:\n    policy:\n      max_scheduled: {level: error, count: 0}\n")
    stack.write(manifest("job", schedule=DAILY))
    writes = stack.emulator.write_count
    blocked = stack.run("--env", "production", "apply", str(stack.root), "--auto-approve")
    assert blocked.exit_code == 1, blocked.output
    assert "policy max_scheduled (error)" in blocked.output
    assert stack.emulator.write_count == writes
    staging = stack.run("--env", "staging", "plan", str(stack.root), "--format", "json")
    assert staging.exit_code == 0, staging.output
    data = json.loads(staging.stdout)
    assert data["applyable"] and any("policy max_scheduled (warn)" in w for w in data["warnings"])
    assert stack.run("--env", "staging", "apply", str(stack.root), "--auto-approve").exit_code == 0
