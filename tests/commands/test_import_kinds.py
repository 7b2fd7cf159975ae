"""`agentops import --kinds agent,environment,deployment` end to end: agents and environments made in
the "console" (the SDK), imported as manifests, loaded back, and equal to what runs."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import yaml

from agentops.manifest.loader import load_project
from agentops.model import tags
from tests.roundtrip import comparable, create_body, stored_agent, stored_environment
from tests.stack import STACK, Stack, console_body, create

LONG = "\n".join(f"{i}. Check the ticket's history before answering." for i in range(1, 15))
KINDS = "agent,environment,deployment"


def _raw(client: anthropic.Anthropic, kind: str, object_id: str) -> dict[str, Any]:
    resource = client.beta.agents if kind == "agent" else client.beta.environments
    data: dict[str, Any] = resource.with_raw_response.retrieve(object_id).http_response.json()
    return data


def _console(client: anthropic.Anthropic) -> dict[str, str]:
    """Two environments, three agents and two deployments using them, as someone made them by hand
    (prod allows the MCP server of the agent that runs in it: else the plan blocks the deployment)."""
    ids = {
        "prod": client.beta.environments.create(
            name="prod", description="Production.",
            config={"type": "cloud", "networking": {"type": "limited",
                                                    "allowed_hosts": ["api.example.com", "mcp.example.com"],
                                                    "allow_package_managers": True},
                    "packages": {"pip": ["requests"]}}).id,
        "sandbox": client.beta.environments.create(name="sandbox").id,
        "triage-bot": client.beta.agents.create(
            name="triage-bot", model="claude-opus-5", system=LONG, description="Sorts tickets.",
            tools=[{"type": "agent_toolset_20260401",
                    "configs": [{"name": "bash", "permission_policy": {"type": "always_ask"}}]},
                   {"type": "mcp_toolset", "mcp_server_name": "docs"}],
            mcp_servers=[{"type": "url", "name": "docs", "url": "https://mcp.example.com"}],
            skills=[{"type": "anthropic", "skill_id": "xlsx"}], metadata={"team": "support"}).id,
        "writer": client.beta.agents.create(
            name="writer", model={"id": "claude-opus-5", "effort": "low"}, system="Write short notes.").id,
        "bare": client.beta.agents.create(name="bare", model="claude-opus-5").id,
    }
    ids["nightly"] = create(client, console_body("nightly", agent=ids["triage-bot"], environment_id=ids["prod"]))
    ids["notes"] = create(client, console_body("notes", agent=ids["writer"], environment_id=ids["sandbox"]))
    return ids


def test_import_of_every_kind_loads_back_as_what_runs_and_plans_nothing(
    stack: Stack, client: anthropic.Anthropic
) -> None:
    ids = _console(client)
    stack.emulator.reset_counts()
    result = stack.run("import", "--all", "--kinds", KINDS)
    assert result.exit_code == 0, result.output
    assert stack.emulator.write_count() == 7  # one metadata patch per object, nothing else
    assert "Imported 2 environments, 3 agents, 2 deployments into stack" in result.stdout

    folder = stack.root / "deployments"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "agents/_triage-bot.system.md", "agents/bare.yaml", "agents/triage-bot.yaml", "agents/writer.yaml",
        "environments/prod.yaml", "environments/sandbox.yaml", "nightly.yaml", "notes.yaml",
    ]
    triage = yaml.safe_load((folder / "agents/triage-bot.yaml").read_text())
    assert triage["system_file"] == "_triage-bot.system.md" and "system" not in triage
    assert yaml.safe_load((folder / "agents/bare.yaml").read_text()) == {"name": "bare", "model": "claude-opus-5"}
    assert yaml.safe_load((folder / "environments/sandbox.yaml").read_text()) == {"name": "sandbox"}
    nightly = yaml.safe_load((folder / "nightly.yaml").read_text())
    assert nightly["agent"] == {"name": "triage-bot"} and nightly["environment"] == {"name": "prod"}

    # Loaded back: no problems, and each agent and environment, as a create body, is what runs.
    project = load_project(stack.root, stack=STACK)
    assert project.problems == [] and project.counts() == {"environment": 2, "vault": 0, "skill": 0, "memory_store": 0, "agent": 3, "deployment": 2}
    for loaded in project.agents:
        live = _raw(client, "agent", ids[loaded.manifest.name])
        assert stored_agent(create_body(loaded.manifest), live["id"]) == comparable(live)
        assert live["metadata"][tags.STACK] == STACK and live["metadata"][tags.NAME] == loaded.manifest.name
        assert live["version"] == 2  # the API versions every change, the tags' too
    for environment in project.environments:
        live = _raw(client, "environment", ids[environment.manifest.name])
        assert stored_environment(create_body(environment.manifest)) == comparable(live)
        assert live["metadata"][tags.STACK] == STACK

    # The round trip plans no changes, for every kind the planner knows.
    plan = stack.plan_json("--detailed-exitcode")
    assert plan["errored"] is False and plan["has_changes"] is False
    assert {action["action"] for action in plan["actions"]} == {"noop"}
    assert {"nightly", "notes"} <= {action["name"] for action in plan["actions"]}


def test_import_by_name_and_kind_writes_only_that_object(stack: Stack, client: anthropic.Anthropic) -> None:
    ids = _console(client)
    stack.emulator.reset_counts()
    dry = stack.run("import", "writer", "--kinds", "agent", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "agent writer" in dry.stdout and "would write" in dry.stdout
    assert stack.emulator.write_count() == 0 and not (stack.root / "deployments" / "agents").exists()

    result = stack.run("import", "writer", "--kinds", "agent", "--format", "json")
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)["imported"]
    assert record["kind"] == "agent" and record["id"] == ids["writer"] and record["version"] == 2
    assert record["tags"] == [tags.STACK, tags.NAME] and record["system_file"] is None
    assert yaml.safe_load((stack.root / "deployments/agents/writer.yaml").read_text()) == {
        "name": "writer", "model": {"id": "claude-opus-5", "effort": "low"}, "system": "Write short notes."}
    assert stack.emulator.write_count() == 1

    again = stack.run("import", "--all", "--kinds", "agent")
    assert again.exit_code == 0, again.output
    assert "1 agent already managed by a manifest skipped" in again.stdout


def test_names_must_exist_in_a_kind_asked_for_and_other_stacks_are_refused(
    stack: Stack, client: anthropic.Anthropic
) -> None:
    _console(client)
    theirs = client.beta.agents.create(name="theirs", model="claude-opus-5",
                                       metadata={tags.STACK: "team-b", tags.NAME: "theirs"}).id
    stack.emulator.reset_counts()
    missing = stack.run("import", "nobody", "writer", "--kinds", KINDS)
    assert missing.exit_code == 1
    assert "nobody: no live environment or agent or deployment has this name" in missing.stderr
    owned = stack.run("import", "theirs", "--kinds", "agent")
    assert owned.exit_code == 1 and theirs in owned.stderr and "team-b" in owned.stderr
    assert stack.emulator.write_count() == 0 and not (stack.root / "deployments" / "agents").exists()

    everything = stack.run("import", "--all", "--kinds", "agent")
    assert everything.exit_code == 0, everything.output
    assert "1 agent owned by other stacks left alone" in everything.stdout


def test_kinds_must_be_known(stack: Stack) -> None:
    result = stack.run("import", "--all", "--kinds", "agent,credential")
    assert result.exit_code == 1 and "--kinds" in result.stderr and "Traceback" not in result.output
