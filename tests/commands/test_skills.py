"""Skills as a managed kind, end to end through the SDK against the emulator: uploaded from their
folders with agentops's record file, one new version per content change (none otherwise), an agent
following a skill re-pinned in the same apply, a pinned one left alone, deletion by prune."""

from __future__ import annotations

from typing import Any

import anthropic
import yaml

from tests.commands.test_control_plane import TRIAGE, plan, posts
from tests.stack import Stack, manifest


def skill(stack: Stack, name: str, body: str = "Do it well.\n", **files: str) -> None:
    folder = stack.root / "deployments" / "skills" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "SKILL.md").write_text(f"---\nname: {name}\ndescription: The {name} skill.\n---\n{body}")
    for path, text in files.items():
        (folder / path).write_text(text)


def agent(stack: Stack, skills: list[Any]) -> None:
    folder = stack.root / "deployments" / "agents"
    folder.mkdir(exist_ok=True)
    (folder / "triage.yaml").write_text(yaml.safe_dump({**TRIAGE, "skills": skills}, sort_keys=False))


def live_skills(client: anthropic.Anthropic) -> dict[str, Any]:
    return {item.display_name: item for item in client.skills.list()}


def agent_skills(client: anthropic.Anthropic) -> list[dict[str, Any]]:
    [found] = [item for item in client.beta.agents.list() if item.name == "triage" and item.archived_at is None]
    return [entry.model_dump(mode="json") for entry in found.skills]


def test_two_skills_and_an_agent_following_them_plan_apply_and_converge(
        stack: Stack, client: anthropic.Anthropic) -> None:
    skill(stack, "triage-notes", reference="Labels: bug, feature.\n")
    skill(stack, "pr-summary")
    agent(stack, ["./../skills/triage-notes/", {"name": "pr-summary"}])
    stack.write(manifest("keep"))
    planned = plan(stack)
    assert [a["address"] for a in planned["actions"] if a["action"] == "create"] == [
        "skill.pr-summary", "skill.triage-notes", "agent.triage", "deployment.keep"]
    [create] = [a for a in planned["actions"] if a["address"] == "agent.triage"]
    assert create["body"]["skills"][0] == {"type": "custom", "skill_id": "(known after apply: skill triage-notes)",
                                           "version": "(known after apply: skill_version triage-notes)"}
    stack.emulator.reset_counts()
    applied = stack.apply()
    assert applied.exit_code == 0, applied.output
    assert posts(stack)[:3] == ["skills", "skills", "agents"]
    skills = live_skills(client)
    assert set(skills) == {"triage-notes", "pr-summary"}
    pinned = {entry["skill_id"]: entry["version"] for entry in agent_skills(client)}
    assert pinned == {item.id: item.latest_version_id for item in skills.values()}
    # The record file travels in the version: the stack's tags and the content digest.
    content = client.beta.skills.versions.download(skills["pr-summary"].latest_version_id,
                                                   skill_id=skills["pr-summary"].id).read()
    assert b".agentops.json" in content
    stack.emulator.reset_counts()
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0
    downloads = [path for method, path, _ in stack.emulator.requests if path.endswith("/content")]
    assert len(downloads) == 2  # one download per skill per plan, no upload


def test_a_skill_edit_uploads_one_version_and_repins_only_its_following_agent(
        stack: Stack, client: anthropic.Anthropic) -> None:
    skill(stack, "triage-notes")
    skill(stack, "pr-summary")
    stack.write(manifest("keep"))
    assert stack.apply().exit_code == 0
    first = live_skills(client)
    pin = first["pr-summary"].latest_version_id
    agent(stack, [{"name": "triage-notes"}, {"name": "pr-summary", "version": pin}])
    assert stack.apply().exit_code == 0

    skill(stack, "triage-notes", "Do it better.\n")
    skill(stack, "pr-summary", "Changed too.\n")
    planned = plan(stack)
    changed = {a["address"]: a for a in planned["actions"] if a["action"] != "noop"}
    assert set(changed) == {"skill.triage-notes", "skill.pr-summary", "agent.triage"}
    assert changed["agent.triage"]["patch"]["skills"][0]["version"] == "(known after apply: skill_version triage-notes)"
    stack.emulator.reset_counts()
    applied = stack.apply()
    assert applied.exit_code == 0, applied.output
    uploads = [path for method, path, _ in stack.emulator.requests if method == "POST" and "/versions" in path]
    assert len(uploads) == 2  # exactly one new version per edited skill
    now = live_skills(client)
    entries = {entry["skill_id"]: entry["version"] for entry in agent_skills(client)}
    assert entries[now["triage-notes"].id] == now["triage-notes"].latest_version_id  # following: re-pinned
    assert entries[now["pr-summary"].id] == pin  # pinned: stays
    assert now["triage-notes"].latest_version_id != first["triage-notes"].latest_version_id
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0


def test_deleting_a_skill_needs_confirmation_and_leaves_other_stacks_skills(
        stack: Stack, client: anthropic.Anthropic) -> None:
    skill(stack, "triage-notes")
    stack.write(manifest("keep"))
    assert stack.apply().exit_code == 0
    foreign = client.skills.create(files=[("theirs/SKILL.md", b"---\nname: theirs\ndescription: Not ours.\n---\n")])
    (stack.root / "deployments" / "skills" / "triage-notes" / "SKILL.md").unlink()
    (stack.root / "deployments" / "skills" / "triage-notes").rmdir()
    planned = plan(stack)
    assert [(a["address"], a["action"]) for a in planned["actions"] if a["action"] != "noop"] == [
        ("skill.triage-notes", "archive")]
    refused = stack.run("apply", str(stack.root))  # no terminal, no --auto-approve: nothing deleted
    assert refused.exit_code == 1
    assert set(live_skills(client)) == {"triage-notes", "theirs"}
    assert stack.apply().exit_code == 0
    assert set(live_skills(client)) == {"theirs"}
    assert client.skills.retrieve(foreign.id).id == foreign.id
