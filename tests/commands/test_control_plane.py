"""Environments, agents and deployments as one stack, end to end through the SDK against the emulator:
plan, apply in dependency order, converge, saved plans, references to objects the same apply
creates, adoption and ownership, prune and archive guards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import jsonschema
import yaml

from agentops.emulator import EmulatorServer
from agentops.emulator.faults import Faults
from agentops.model import tags
from tests.helpers import make_client
from tests.stack import STACK, Stack, manifest

SANDBOX = {"name": "sandbox", "description": "Jobs run here.",
           "config": {"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["api.github.com"]}}}
TRIAGE = {"name": "triage", "model": "claude-sonnet-4-6", "system": "You triage issues.\nBe brief.",
          "tools": [{"type": "agent_toolset_20260401", "configs": [{"name": "bash", "enabled": False}]}]}


def job(agent: str = "triage") -> dict[str, Any]:
    """The deployment that runs `agent` in the sandbox, both named."""
    out = manifest("nightly", agent={"name": agent}, environment={"name": "sandbox"},
                   schedule={"expression": "0 3 * * *", "timezone": "UTC"})
    del out["environment_id"]
    return out


JOB = job()


def declare(stack: Stack, *, agents: list[dict[str, Any]] = (), environments: list[dict[str, Any]] = (),  # type: ignore[assignment]
            deployments: list[dict[str, Any]] = ()) -> None:  # type: ignore[assignment]
    """Write the stack's manifests: agents and environments in their kind's folder."""
    stack.write(*deployments)
    for folder, items in (("agents", agents), ("environments", environments)):
        path = stack.root / "deployments" / folder
        path.mkdir(exist_ok=True)
        for old in path.glob("*.yaml"):
            old.unlink()
        for item in items:
            (path / f"{item['name']}.yaml").write_text(yaml.safe_dump(item, sort_keys=False))


def plan(stack: Stack, *args: str) -> dict[str, Any]:
    result = stack.run("plan", str(stack.root), "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def listed(client: anthropic.Anthropic, kind: str) -> dict[str, dict[str, Any]]:
    """The live (not archived) objects of a kind, by name, as the SDK lists them."""
    pages = {"agent": client.beta.agents, "environment": client.beta.environments}[kind].list()
    return {item.name: item.model_dump(mode="json") for item in pages if item.archived_at is None}


def posts(stack: Stack) -> list[str]:
    """The collection each write since the last reset went to: "agents", "environments", "deployments"."""
    return [path.split("/")[2] for method, path, _status in stack.emulator.requests if method in ("POST", "DELETE")]


def test_a_stack_of_all_three_kinds_applies_in_order_and_converges(stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, agents=[TRIAGE], environments=[SANDBOX], deployments=[JOB])
    planned = plan(stack)
    assert [a["address"] for a in planned["actions"]] == ["environment.sandbox", "agent.triage", "deployment.nightly"]
    assert planned["order"] == [["environment.sandbox"], ["agent.triage"], ["deployment.nightly"]]
    create = planned["actions"][2]["body"]
    # The deployment's references are to objects this apply creates: known after apply.
    assert create["agent"] == "(known after apply: agent triage)"
    assert create["environment_id"] == "(known after apply: environment sandbox)"
    text = stack.run("plan", str(stack.root))
    assert "+ create environment sandbox" in text.output and "+ create agent triage" in text.output
    assert "1. environment.sandbox\n    2. agent.triage\n    3. deployment.nightly" in text.output

    stack.emulator.reset_counts()
    applied = stack.apply()
    assert applied.exit_code == 0, applied.output
    assert posts(stack) == ["environments", "agents", "deployments"]  # never a reference to a missing object
    agent, environment = listed(client, "agent")["triage"], listed(client, "environment")["sandbox"]
    assert agent["metadata"][tags.STACK] == STACK and agent["metadata"][tags.NAME] == "triage"
    assert environment["metadata"][tags.STACK] == STACK
    [deployment] = [d for d in stack.emulator.raw_deployments() if d["name"] == "nightly"]
    assert deployment["agent"]["id"] == agent["id"] and deployment["environment_id"] == environment["id"]

    # Server defaults (model object, tool configs, networking and packages, execution identity) are not drift.
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0

    # A prompt change is one agent update that sends the prompt only, and a new agent version.
    declare(stack, agents=[{**TRIAGE, "system": "You triage issues.\nBe thorough."}], environments=[SANDBOX],
            deployments=[JOB])
    planned = plan(stack)
    update, repin = [a for a in planned["actions"] if a["action"] != "noop"]
    # Sent against the version it was planned from (optimistic concurrency).
    assert (update["address"], update["patch"]) == ("agent.triage", {"system": "You triage issues.\nBe thorough.",
                                                                     "version": agent["version"]})
    # The deployment follows its agent: re-pinned, in the same apply, to the version the update makes.
    assert (repin["address"], repin["follows"]) == ("deployment.nightly", "agent.triage")
    assert repin["patch"] == {"agent": {"type": "agent", "id": agent["id"], "version": agent["version"] + 1}}
    stack.emulator.reset_counts()
    assert stack.apply().exit_code == 0
    assert posts(stack) == ["agents", "deployments"]
    assert client.beta.agents.retrieve(agent["id"]).version == agent["version"] + 1
    assert client.beta.deployments.retrieve(deployment["id"]).agent.version == agent["version"] + 1
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0


def test_a_saved_plan_is_refused_after_a_console_edit_of_its_agent(stack: Stack, client: anthropic.Anthropic,
                                                                   tmp_path: Path) -> None:
    declare(stack, agents=[TRIAGE], deployments=[manifest("nightly", agent={"name": "triage"})])
    assert stack.apply().exit_code == 0
    declare(stack, agents=[{**TRIAGE, "description": "Triages."}],
            deployments=[manifest("nightly", agent={"name": "triage"})])
    saved = tmp_path / "reviewed.plan"
    assert stack.run("plan", str(stack.root), "--out", str(saved)).exit_code == 0
    assert json.loads(saved.read_text())["actions"][0]["resource"] == "agent"
    agent_id = listed(client, "agent")["triage"]["id"]
    client.beta.agents.update(agent_id, system="Edited in the console.")

    writes = stack.emulator.write_count()
    refused = stack.run("apply", str(saved), "--auto-approve")
    assert refused.exit_code == 1
    assert f"agent.triage: {agent_id} changed since the plan" in refused.output
    assert stack.emulator.write_count() == writes

    assert stack.run("plan", str(stack.root), "--out", str(saved)).exit_code == 0
    assert stack.run("apply", str(saved), "--auto-approve").exit_code == 0
    assert client.beta.agents.retrieve(agent_id).system == TRIAGE["system"]  # the console edit is drift, undone


def test_an_untagged_agent_is_adopted_only_when_asked_and_another_stacks_is_never_touched(
    stack: Stack, client: anthropic.Anthropic
) -> None:
    untagged = client.beta.agents.create(name="triage", model="claude-sonnet-4-6").id
    theirs = client.beta.environments.create(
        name="sandbox", metadata={tags.STACK: "team-b", tags.NAME: "sandbox"}).id
    declare(stack, agents=[TRIAGE], environments=[SANDBOX])
    blocked = plan(stack)
    assert not blocked["applyable"]
    assert [p["message"] for p in blocked["problems"]] == [
        f"an untagged agent {untagged} named 'triage' already exists"]
    assert stack.apply().exit_code == 1

    adopted = plan(stack, "--adopt")
    kinds = {a["address"]: (a["action"], a["id"]) for a in adopted["actions"]}
    assert kinds["agent.triage"] == ("adopt", untagged)
    assert kinds["environment.sandbox"] == ("create", None)  # team-b's sandbox is not this stack's
    assert stack.apply("--adopt").exit_code == 0
    assert client.beta.agents.retrieve(untagged).metadata[tags.STACK] == STACK
    assert client.beta.environments.retrieve(theirs).metadata[tags.STACK] == "team-b"
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0


def test_a_renamed_agent_keeps_its_id_and_a_removed_one_is_archived_last(stack: Stack,
                                                                          client: anthropic.Anthropic) -> None:
    declare(stack, agents=[TRIAGE, {"name": "helper", "model": "claude-sonnet-4-6"}], environments=[SANDBOX],
            deployments=[JOB])
    assert stack.apply().exit_code == 0
    before = listed(client, "agent")

    renamed = {**TRIAGE, "name": "triager", "previous_names": ["triage"]}
    declare(stack, agents=[renamed], environments=[SANDBOX], deployments=[job("triager")])
    planned = plan(stack)
    writes = [(a["address"], a["action"]) for a in planned["actions"] if a["action"] != "noop"]
    # The rename is an agent update (a new version): the deployment that follows it is re-pinned.
    assert writes == [("agent.triager", "update"), ("deployment.nightly", "update"), ("agent.helper", "archive")]
    text = stack.run("plan", str(stack.root)).output
    assert "This plan archives 1 agent; archived objects stop for good" in text
    assert stack.apply().exit_code == 0
    after = listed(client, "agent")
    assert after["triager"]["id"] == before["triage"]["id"] and "helper" not in after
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0


def test_archives_of_every_kind_count_against_max_archive_and_run_in_reverse_order(
    stack: Stack, client: anthropic.Anthropic
) -> None:
    declare(stack, agents=[TRIAGE], environments=[SANDBOX], deployments=[JOB, manifest("keep")])
    assert stack.apply().exit_code == 0
    declare(stack, deployments=[manifest("keep")])
    with (stack.root / "agentops.yaml").open("a") as config:
        config.write("max_archive: 2\n")
    capped = stack.apply()
    assert capped.exit_code == 1
    assert "plan archives 1 deployment, 1 agent and 1 environment, more than the limit of 2" in capped.output

    (stack.root / "agentops.yaml").write_text((stack.root / "agentops.yaml").read_text().replace("max_archive: 2",
                                                                                                 "max_archive: 3"))
    stack.emulator.reset_counts()
    assert stack.apply().exit_code == 0
    assert posts(stack) == ["deployments", "agents", "environments"]
    assert listed(client, "agent") == {} and listed(client, "environment") == {}


def test_prevent_archive_keeps_an_agent_without_a_manifest(stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, agents=[{**TRIAGE, "lifecycle": {"prevent_archive": True}}], deployments=[manifest("keep")])
    assert stack.apply().exit_code == 0
    declare(stack, deployments=[manifest("keep")])
    planned = plan(stack)
    assert "agent triage: no manifest, kept because of lifecycle.prevent_archive" in planned["warnings"]
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0
    assert "triage" in listed(client, "agent")


def test_a_deployment_referencing_a_created_agent_is_not_written_when_that_create_fails(stack: Stack) -> None:
    declare(stack, agents=[{**TRIAGE, "name": "broken"}], deployments=[manifest("nightly", agent={"name": "broken"})])
    stack.emulator.reset_counts()
    # The first write (the agent's create) is refused by a policy: never retried.
    stack.emulator.faults = Faults(error_code="approval_required", error_code_method="POST", error_code_times=1)
    applied = stack.apply()
    assert applied.exit_code == 1
    assert "skipped: it references agent broken, whose create did not succeed" in applied.output
    assert posts(stack) == ["agents"]


def test_the_json_plan_and_apply_of_every_kind_match_their_schemas(stack: Stack) -> None:
    declare(stack, agents=[TRIAGE], environments=[SANDBOX], deployments=[JOB])
    for output, args in (("plan", ("plan", str(stack.root))), ("apply", ("apply", str(stack.root), "--auto-approve"))):
        result = stack.run(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        jsonschema.validate(data, json.loads(stack.run("schema", "--output", output).stdout))
        rows = data["actions"] if output == "plan" else data["results"]
        assert [(row["resource"], row["deployment_id"] is None) for row in rows] == [
            ("environment", True), ("agent", True), ("deployment", output == "plan")]


def test_with_env_each_workspace_gets_its_own_agent_and_environment(tmp_path: Path, emulator: EmulatorServer) -> None:
    with EmulatorServer() as production, make_client(emulator.url) as stg, make_client(production.url) as prd:
        stack = Stack.create(tmp_path, emulator, stack=STACK)
        (tmp_path / "agentops.yaml").write_text(yaml.safe_dump({"stack": STACK, "environments": {
            "staging": {}, "production": {}}}))
        declare(stack, agents=[{**TRIAGE, "overrides": {"production": {"system": "Production prompt."}}}],
                environments=[SANDBOX], deployments=[JOB])
        for env, server in (("staging", emulator), ("production", production)):
            at = {"ANTHROPIC_BASE_URL": server.url}
            assert stack.run("--env", env, "apply", str(tmp_path), "--auto-approve", env=at).exit_code == 0
            assert stack.run("--env", env, "plan", str(tmp_path), "--detailed-exitcode", env=at).exit_code == 0
        for env, sdk, prompt in (("staging", stg, TRIAGE["system"]), ("production", prd, "Production prompt.")):
            agent = listed(sdk, "agent")["triage"]
            assert (agent["metadata"][tags.ENV], agent["system"]) == (env, prompt)
            assert listed(sdk, "environment")["sandbox"]["metadata"][tags.ENV] == env
        [deployment] = production.raw_deployments()
        assert deployment["agent"]["id"] == listed(prd, "agent")["triage"]["id"]
