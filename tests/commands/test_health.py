"""Run health in `status` and `plan --health`, end to end through the SDK against the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import anthropic

from agentops.emulator import EmulatorServer, Faults
from tests.runs import break_some, line_of
from tests.stack import STACK, Stack


def _runs_listings(stack: Stack) -> int:
    return sum(1 for method, path, _ in stack.emulator.requests if path.startswith("/v1/deployment_runs"))


def test_status_reports_failing_and_auto_paused_deployments_with_their_fix(stack: Stack) -> None:
    ids = break_some(stack)
    nightly = stack.root / "deployments" / "nightly.yaml"
    envy = stack.root / "deployments" / "envy.yaml"

    result = stack.run("status", str(stack.root))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Health: 1 failing, 2 auto-paused, 1 healthy." in text
    assert "nightly: auto-paused: vault_archived_error; 1 of 1 run failed" in text
    assert (
        "fix: vault vlt_011doomed is archived: restore it or remove it from vault_ids in "
        f"deployments/nightly.yaml:{line_of(nightly, '- vlt_011doomed')}; then agentops apply unpauses it"
    ) in text
    assert (
        "fix: environment env_011gone is archived: restore it or set environment_id to an active one in "
        f"deployments/envy.yaml:{line_of(envy, 'environment_id:')}"
    ) in text
    assert "flaky: failing; 2 of 2 runs failed" in text and "session creation was rate limited" in text
    assert "fine:" not in text  # healthy deployments are only counted
    assert _runs_listings(stack) == 1  # one listing for the whole stack, not one per deployment
    assert stack.emulator.write_count() == 0

    stack.emulator.reset_counts()
    data = json.loads(stack.run("status", str(stack.root), "--format", "json").stdout)
    health = {d["name"]: d for d in data["health"]["deployments"]}
    assert data["health"]["healthy"] is False
    assert (data["health"]["failing"], data["health"]["auto_paused"]) == (1, 2)
    assert health["nightly"]["state"] == "auto_paused" and health["nightly"]["paused_reason"] == "vault_archived_error"
    assert health["envy"]["last_error"]["type"] == "environment_archived_error"
    assert health["flaky"]["state"] == "failing" and health["flaky"]["failed"] == 2
    assert health["fine"]["state"] == "ok" and health["fine"]["failed"] == 0
    assert health["fine"]["last_run"]["session_id"] and health["fine"]["deployment_id"] == ids["fine"]
    assert _runs_listings(stack) == 1


def test_a_change_starts_the_health_window_again(stack: Stack, client: anthropic.Anthropic) -> None:
    ids = break_some(stack)
    # Any change (here one in the console) starts a new window: earlier failures predate it.
    client.beta.deployments.update(ids["flaky"], description="retuned")
    data = json.loads(stack.run("status", str(stack.root), "--format", "json").stdout)
    flaky = next(d for d in data["health"]["deployments"] if d["name"] == "flaky")
    assert flaky["state"] == "no_runs" and flaky["failed"] == 0


def test_plan_health_is_off_by_default_and_adds_one_listing(stack: Stack) -> None:
    break_some(stack)
    plain = stack.run("plan", str(stack.root), "--format", "json")
    assert "health" not in json.loads(plain.stdout) and _runs_listings(stack) == 0
    requests = list(stack.emulator.requests)

    stack.emulator.reset_counts()
    data = json.loads(stack.run("plan", str(stack.root), "--format", "json", "--health").stdout)
    assert _runs_listings(stack) == 1
    # The same requests as without --health, plus the one runs listing.
    assert sorted(stack.emulator.requests) == sorted([*requests, *(
        r for r in stack.emulator.requests if r[1].startswith("/v1/deployment_runs"))])
    health = {d["name"]: d for d in data["health"]["deployments"]}
    assert health["envy"]["state"] == "auto_paused" and "environment_id" in health["envy"]["fix"]
    assert data["errored"] is True  # the archived references block the plan itself

    text = stack.run("plan", str(stack.root), "--health")
    assert "Health: 1 failing, 2 auto-paused, 1 healthy." in text.stdout
    assert "fix: vault vlt_011doomed is archived" in text.stdout
    markdown = stack.run("plan", str(stack.root), "--health", "--format", "markdown")
    assert "#### Run health" in markdown.stdout and "Fix: vault" in markdown.stdout


def test_a_fix_line_for_a_manifest_that_names_its_agent_and_environment_shows_their_ids(tmp_path: Path) -> None:
    # Health reads the desired state the plan used: names resolved to ids, in the picked environment.
    seed = {"agents": [{"id": "agent_011named", "name": "namer"}],
            "environments": [{"id": "env_011named", "name": "walled-env"}]}
    with EmulatorServer(seed=seed) as emulator:
        stack = Stack.create(tmp_path, emulator)
        (tmp_path / "agentops.yaml").write_text(
            f"stack: {STACK}\napi: {{writes_per_minute: 0, reads_per_minute: 0}}\nenvironments: {{staging: {{}}}}\n"
        )
        stack.write({"name": "walled", "agent": {"name": "namer"}, "environment": {"name": "walled-env"},
                     "prompt": "Run.", "schedule": {"expression": "0 6 * * 1-5", "timezone": "UTC"}})
        assert stack.run("--env", "staging", "apply", str(tmp_path), "--auto-approve").exit_code == 0
        [deployment] = emulator.raw_deployments()
        emulator.faults = Faults(run_errors={deployment["id"]: "mcp_egress_blocked_error"})
        assert emulator.fire(deployment["id"])["error"]["type"] == "mcp_egress_blocked_error"
        emulator.faults = Faults()
        fix = ("fix: an MCP server host of agent agent_011named is blocked by environment env_011named's network "
               "policy: allow the host there, or change environment_id in deployments/walled.yaml")
        for command in (("status",), ("plan", "--health"), ("plan", "--health", "--format", "json")):
            result = stack.run("--env", "staging", *command, str(tmp_path))
            assert result.exit_code == 0, result.output
            assert fix.removeprefix("fix: ") in result.stdout, result.stdout
            assert "<agent" not in result.stdout and "<environment" not in result.stdout
