"""The plan reads the workspace while the manifests load; what the user sees does not change."""

from __future__ import annotations

from agentops.emulator import EmulatorServer
from tests.stack import Stack, manifest


def test_the_listing_started_ahead_is_the_one_the_plan_uses(stack: Stack, emulator: EmulatorServer) -> None:
    stack.write(*(manifest(f"ahead-{i}") for i in range(3)))
    assert stack.apply().exit_code == 0
    emulator.reset_counts()
    result = stack.run("plan", str(stack.root), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    lists = [path for method, path, _ in emulator.requests if method == "GET" and path == "/v1/deployments"]
    assert lists == ["/v1/deployments"]  # one listing, not one ahead and another in the plan


def test_problems_in_the_manifests_come_first_and_nothing_is_written(stack: Stack, emulator: EmulatorServer) -> None:
    stack.write(manifest("broken", schedule={"expression": "not cron"}))
    result = stack.apply()
    assert result.exit_code == 1
    assert "broken.yaml" in result.output and "nothing was planned" in result.output
    assert emulator.write_count() == 0


def test_a_missing_api_key_is_reported_after_the_manifests_problems(stack: Stack, emulator: EmulatorServer) -> None:
    stack.write(manifest("broken", schedule={"expression": "not cron"}))
    result = stack.run("plan", str(stack.root), env={"ANTHROPIC_API_KEY": ""})
    assert result.exit_code == 1
    assert "broken.yaml" in result.output and "ANTHROPIC_API_KEY" not in result.output
    stack.write(manifest("fine"))
    result = stack.run("plan", str(stack.root), env={"ANTHROPIC_API_KEY": ""})
    assert result.exit_code == 1 and "ANTHROPIC_API_KEY is not set" in result.output
    assert emulator.requests == []
