"""The version policy and optimistic concurrency, end to end through the SDK against the emulator:
a deployment that follows its agent is re-pinned in the apply that updates the agent, a pinned one
stays, and an agent edited between plan and apply is refused with zero writes for it and its
followers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic

from agentops.emulator.handlers import RACE_EDIT
from tests.commands.test_control_plane import TRIAGE, declare, listed, plan
from tests.stack import Stack, manifest

FOLLOWS = manifest("nightly", agent={"name": "triage"})
PINNED = manifest("pinned", agent={"name": "triage", "version": 1})


def _agent_of(client: anthropic.Anthropic, name: str) -> tuple[str, int | None]:
    """(agent id, version) a live deployment is pinned to."""
    [found] = [d for d in client.beta.deployments.list() if d.name == name and d.archived_at is None]
    return found.agent.id, found.agent.version


def _writes(stack: Stack) -> list[tuple[str, int]]:
    return [(w["path"], w["status"]) for w in stack.emulator.writes()]


def test_an_agent_update_repins_its_followers_in_the_same_apply_and_pinned_ones_stay(
        stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, agents=[TRIAGE], deployments=[FOLLOWS, PINNED])
    assert stack.apply().exit_code == 0
    agent_id = listed(client, "agent")["triage"]["id"]
    assert _agent_of(client, "nightly") == _agent_of(client, "pinned") == (agent_id, 1)

    declare(stack, agents=[{**TRIAGE, "system": "You triage issues.\nBe thorough."}], deployments=[FOLLOWS, PINNED])
    planned = plan(stack)
    repins = [a for a in planned["actions"] if a["follows"]]
    assert [(a["name"], a["reason"]) for a in repins] == [("nightly", "agent triage v1 -> v2 (follows)")]
    assert repins[0]["changes"] == [{"path": "agent.version", "field": "agent.version", "before": 1, "after": 2,
                                     "origin": None, "diff": None}]
    assert ("pinned: pinned to agent triage v1, behind its newest v2 (made by this apply); raise agent.version "
            "in its manifest to run the newest") in planned["warnings"]
    text = stack.run("plan", str(stack.root)).output
    assert "~ update nightly" in text and "(agent triage v1 -> v2 (follows))" in text
    markdown = stack.run("plan", str(stack.root), "--format", "markdown").output
    assert "<b>nightly</b>" in markdown and "**update**: agent triage v1 -&#62; v2 (follows)" in markdown

    # The fleet section counts the stack's deployments per agent version, before -> after.
    assert planned["fleet"]["agent_versions"] == [
        {"agent": "triage", "version": 1, "before": 2, "after": 1, "newest": 2},
        {"agent": "triage", "version": 2, "before": 0, "after": 1, "newest": 2}]
    assert ("Agent versions run by this stack: 2 versions of 1 agent; warning: 1 deployment behind its agent's "
            "newest version") in text
    assert "triage v1: 2 -> 1 (behind the newest, v2)" in text and "triage v2: 0 -> 1\n" in text

    assert stack.apply().exit_code == 0
    assert _agent_of(client, "nightly") == (agent_id, 2)
    assert _agent_of(client, "pinned") == (agent_id, 1)
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0


def test_a_tag_only_agent_update_repins_its_followers(stack: Stack, client: anthropic.Anthropic) -> None:
    """The API versions a metadata change too: a follower is re-pinned, or the next plan would find it behind."""
    declare(stack, agents=[TRIAGE], deployments=[FOLLOWS])
    assert stack.apply().exit_code == 0
    declare(stack, agents=[{**TRIAGE, "metadata": {"team": "ops"}}], deployments=[FOLLOWS])
    writes = [(a["address"], a["action"]) for a in plan(stack)["actions"] if a["action"] != "noop"]
    assert writes == [("agent.triage", "update"), ("deployment.nightly", "update")]
    assert stack.apply().exit_code == 0
    assert _agent_of(client, "nightly")[1] == 2
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0


def test_a_follower_behind_an_agent_edited_outside_the_plan_is_repinned_with_why(
        stack: Stack, client: anthropic.Anthropic) -> None:
    """A workspace agent (not the stack's) edited in the console: its followers run the old version."""
    shared = client.beta.agents.create(name="shared", model="claude-sonnet-4-6", system="v1")
    stack.write(manifest("nightly", agent={"name": "shared"}), manifest("pinned", agent={"name": "shared", "version": 1}))
    assert stack.apply().exit_code == 0
    client.beta.agents.update(shared.id, system="Edited in the console.")

    planned = plan(stack)
    [repin] = [a for a in planned["actions"] if a["action"] != "noop"]
    assert (repin["name"], repin["follows"]) == ("nightly", None)
    assert repin["reason"] == "agent shared v1 -> v2 (follows; the agent changed outside this plan)"
    assert repin["patch"] == {"agent": {"type": "agent", "id": shared.id, "version": 2}}
    assert any(w.startswith("pinned: pinned to agent shared v1, behind its newest v2;") for w in planned["warnings"])
    assert stack.apply().exit_code == 0
    assert _agent_of(client, "nightly") == (shared.id, 2) and _agent_of(client, "pinned") == (shared.id, 1)
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0


def test_a_targeted_repin_without_its_agent_update_blocks(stack: Stack) -> None:
    declare(stack, agents=[TRIAGE], deployments=[FOLLOWS])
    assert stack.apply().exit_code == 0
    declare(stack, agents=[{**TRIAGE, "description": "Triages."}], deployments=[FOLLOWS])
    planned = plan(stack, "--target", "nightly")
    assert [p["message"] for p in planned["problems"]] == [
        "is re-pinned to the version agent.triage makes; add --target triage"]


def _race(stack: Stack, client: anthropic.Anthropic, tmp_path: Path) -> tuple[dict[str, Any], str]:
    """A reviewed plan that updates agent triage (and re-pins nightly) and changes deployment `other`."""
    other = manifest("other", agent="agent_011alpha")
    declare(stack, agents=[TRIAGE], deployments=[FOLLOWS, other])
    assert stack.apply().exit_code == 0
    declare(stack, agents=[{**TRIAGE, "description": "Triages."}],
            deployments=[FOLLOWS, {**other, "description": "Independent."}])
    saved = tmp_path / "reviewed.plan"
    assert stack.run("plan", str(stack.root), "--out", str(saved)).exit_code == 0
    data = json.loads(saved.read_text())
    return data, str(saved)


def test_a_console_edit_after_the_claim_check_is_refused_and_stops_the_agent_and_its_followers(
        stack: Stack, client: anthropic.Anthropic, tmp_path: Path) -> None:
    """The race a saved plan's claim check cannot see: the edit lands after the check, just before the
    agent's update (the emulator's `agent_races` fault makes it then, as a console would)."""
    data, saved = _race(stack, client, tmp_path)
    agent_id = listed(client, "agent")["triage"]["id"]
    assert [(a["address"], a["patch"].get("version")) for a in data["actions"] if a["action"] == "update"] == [
        ("agent.triage", 1), ("deployment.nightly", None), ("deployment.other", None)]
    stack.emulator.reset_counts()
    stack.emulator.faults = stack.emulator.faults.updated({"agent_races": 1})
    applied = stack.run("apply", saved, "--auto-approve", "--format", "json")
    assert applied.exit_code == 1
    outcome = {(r["name"], r["ok"]) for r in json.loads(applied.stdout)["results"]}
    # The agent is refused, its follower not written, the independent update made.
    assert outcome == {("triage", False), ("nightly", False), ("other", True)}
    writes = _writes(stack)
    assert [status for path, status in writes if path.startswith("/v1/agents/")] == [409]
    other = [d.id for d in client.beta.deployments.list() if d.name == "other"]
    assert [path for path, _status in writes if path.startswith("/v1/deployments/")] == [f"/v1/deployments/{other[0]}"]
    assert client.beta.agents.retrieve(agent_id).description == RACE_EDIT
    assert _agent_of(client, "nightly") == (agent_id, 1)


def test_a_console_edit_between_plan_and_apply_of_a_saved_plan_is_refused_with_zero_writes(
        stack: Stack, client: anthropic.Anthropic, tmp_path: Path) -> None:
    _data, saved = _race(stack, client, tmp_path)
    client.beta.agents.update(listed(client, "agent")["triage"]["id"], system="Edited in the console.")
    writes = stack.emulator.write_count()
    applied = stack.run("apply", saved, "--auto-approve")
    assert applied.exit_code == 1
    assert "agent.triage" in applied.output and "changed since the plan" in applied.output
    assert stack.emulator.write_count() == writes


def test_an_unsaved_apply_raced_by_a_console_edit_stops_with_one_clear_line(
        stack: Stack, client: anthropic.Anthropic) -> None:
    """apply plans and writes in one go: the emulator refuses the agent's update as the API would when
    the agent moved in between (a 409 conflict_error injected on that one write)."""
    declare(stack, agents=[TRIAGE], deployments=[FOLLOWS])
    assert stack.apply().exit_code == 0
    declare(stack, agents=[{**TRIAGE, "description": "Triages."}], deployments=[FOLLOWS])
    stack.emulator.reset_counts()
    stack.emulator.faults = stack.emulator.faults.updated({"agent_races": 1})
    applied = stack.apply()
    assert applied.exit_code == 1
    assert "update agent triage: refused (409):" in applied.output, applied.output
    assert "changed since the plan read version 1" in applied.output
    assert [status for _path, status in _writes(stack)] == [409]
    assert _agent_of(client, "nightly")[1] == 1
