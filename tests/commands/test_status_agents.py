"""`agentops status` shows each agent's newest version and the stack's deployments pinned behind it."""

from __future__ import annotations

import json

import anthropic

from tests.stack import Stack, console_body, create, manifest


def test_status_counts_deployments_per_agent_version(stack: Stack, client: anthropic.Anthropic) -> None:
    agent_id = client.beta.agents.create(name="triage-bot", model="claude-opus-5", system="v1").id
    for version in range(2, 5):
        client.beta.agents.update(agent_id, system=f"v{version}", version=version - 1)
    # Pinned while the agent was at v4; the others are created (and so pinned) once it is at v5.
    stack.write(manifest("old-triage", agent={"id": agent_id, "version": 4}))
    assert stack.apply().exit_code == 0
    client.beta.agents.update(agent_id, system="v5", version=4)
    following = [manifest(f"triage-{i}", agent=agent_id) for i in range(3)]
    stack.write(manifest("old-triage", agent={"id": agent_id, "version": 4}), *following)
    assert stack.apply().exit_code == 0
    # Not the stack's: it does not count.
    create(client, console_body("someone-elses", agent=agent_id))

    text = stack.run("status", str(stack.root))
    assert text.exit_code == 0, text.output
    assert "agent triage-bot v5: 3 deployments on v5, 1 on v4 (behind)" in text.stdout.splitlines()

    data = json.loads(stack.run("status", str(stack.root), "--format", "json").stdout)
    [row] = data["agents"]
    assert row["name"] == "triage-bot" and row["agent_id"] == agent_id and row["version"] == 5
    assert row["behind"] == 1 and row["found"] is True and row["archived"] is False
    assert row["versions"] == [
        {"version": 5, "deployments": ["triage-0", "triage-1", "triage-2"], "behind": False},
        {"version": 4, "deployments": ["old-triage"], "behind": True},
    ]

    client.beta.agents.archive(agent_id)
    archived = stack.run("status", str(stack.root))
    assert "agent triage-bot v5 (archived): 3 deployments on v5, 1 on v4 (behind)" in archived.stdout


def test_an_agent_the_stack_owns_shows_even_without_deployments(stack: Stack, client: anthropic.Anthropic) -> None:
    client.beta.agents.create(name="spare", model="claude-opus-5")
    stack.write(manifest("job"))
    assert stack.apply().exit_code == 0
    assert stack.run("import", "spare", "--kinds", "agent").exit_code == 0
    text = stack.run("status", str(stack.root))
    assert "agent spare v2: no deployments" in text.stdout.splitlines()
