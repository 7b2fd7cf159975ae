"""An archive of an agent or environment that would leave a live deployment (of any stack) on it is
a blocker, unless the same plan archives or repoints that deployment: end to end through the SDK."""

from __future__ import annotations

import anthropic

from agentops.model import tags
from tests.commands.test_control_plane import JOB, SANDBOX, TRIAGE, declare, listed, plan
from tests.stack import Stack, console_body, manifest


def test_an_agent_archive_that_strands_another_stacks_deployment_blocks_with_zero_writes(
        stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, agents=[TRIAGE, {"name": "helper", "model": "claude-sonnet-4-6"}], deployments=[manifest("keep")])
    assert stack.apply().exit_code == 0
    helper = listed(client, "agent")["helper"]["id"]
    theirs = client.beta.deployments.create(**console_body("their-job", agent=helper, metadata={
        tags.STACK: "team-b", tags.NAME: "their-job"})).id

    declare(stack, agents=[TRIAGE], deployments=[manifest("keep")])  # helper's manifest removed: pruned
    planned = plan(stack)
    [problem] = planned["problems"]
    assert problem["name"] == "agent helper"
    assert problem["message"] == (f"archiving agent {helper} would leave 1 live deployment on it, which the API "
                                  f"auto-pauses: their-job ({theirs}, stack 'team-b')")
    assert problem["hint"].startswith("archive or repoint it in the same plan")
    writes = stack.emulator.write_count()
    assert stack.apply().exit_code == 1
    assert stack.emulator.write_count() == writes
    assert client.beta.agents.retrieve(helper).archived_at is None


def test_an_environment_archive_with_a_deployment_on_it_blocks_unless_the_plan_repoints_it(
        stack: Stack, client: anthropic.Anthropic) -> None:
    other = {**SANDBOX, "name": "other"}
    declare(stack, agents=[TRIAGE], environments=[SANDBOX, other], deployments=[JOB])
    assert stack.apply().exit_code == 0
    sandbox = listed(client, "environment")["sandbox"]["id"]

    # Only the environment's manifest goes: the deployment still names it (by id now, since its
    # name no longer is the stack's): blocked.
    declare(stack, agents=[TRIAGE], environments=[other],
            deployments=[{**{k: v for k, v in JOB.items() if k != "environment"}, "environment_id": sandbox}])
    [problem] = plan(stack)["problems"]
    assert problem["name"] == "environment sandbox" and "would leave 1 live deployment on it" in problem["message"]

    # The same plan repoints the deployment to the other environment: allowed, and it applies.
    declare(stack, agents=[TRIAGE], environments=[other], deployments=[{**JOB, "environment": {"name": "other"}}])
    planned = plan(stack)
    assert planned["problems"] == []
    assert [(a["address"], a["action"]) for a in planned["actions"] if a["action"] != "noop"] == [
        ("deployment.nightly", "update"), ("environment.sandbox", "archive")]
    assert stack.apply().exit_code == 0
    assert "sandbox" not in listed(client, "environment")


def test_an_agent_archived_with_its_deployments_in_the_same_plan_is_not_blocked(stack: Stack) -> None:
    declare(stack, agents=[TRIAGE], environments=[SANDBOX], deployments=[JOB, manifest("keep")])
    assert stack.apply().exit_code == 0
    declare(stack, environments=[SANDBOX], deployments=[manifest("keep")])
    planned = plan(stack)
    assert planned["problems"] == []
    assert stack.apply().exit_code == 0
