"""A skill's removal is a delete (the API has no skill archive): every view, the prompt and destroy say
"delete", while the action stays an archive for the guards. `agentops.prevent_delete` in SKILL.md's
metadata keeps a skill from prune and destroy. End to end through the SDK against the emulator."""

from __future__ import annotations

import json
import shutil

import anthropic

from tests.commands.test_skills import live_skills, skill
from tests.harness import on_a_terminal
from tests.stack import Stack, manifest

GUARDED = "---\nname: guarded\ndescription: Kept.\nmetadata:\n  agentops.prevent_delete: \"true\"\n---\nKeep me.\n"


def _applied_then_removed(stack: Stack) -> None:
    skill(stack, "triage-notes")
    stack.write(manifest("keep"))
    assert stack.apply().exit_code == 0
    shutil.rmtree(stack.root / "deployments" / "skills" / "triage-notes")


def test_a_skill_removal_reads_as_a_delete_in_every_view(stack: Stack, client: anthropic.Anthropic) -> None:
    _applied_then_removed(stack)
    text = stack.run("plan", str(stack.root)).output
    assert "- delete skill triage-notes" in text and "archive skill" not in text
    assert "This plan deletes 1 skill; deleted skills stop for good" in text
    markdown = stack.run("plan", str(stack.root), "--format", "markdown").output
    assert "**delete**" in markdown and "This plan **deletes 1 skill**" in markdown
    [action] = [a for a in json.loads(stack.run("plan", str(stack.root), "--format", "json").stdout)["actions"]
                if a["action"] != "noop"]
    assert (action["address"], action["action"], action["verb"]) == ("skill.triage-notes", "archive", "delete")

    code, shown = on_a_terminal(stack, ["apply", str(stack.root)], b"(or yes) to apply: ", "1")
    assert "This plan deletes 1 skill." in shown and "a deleted skill loses every version" in shown
    assert code == 0, shown
    assert "] delete skill triage-notes: " in shown  # the progress line
    assert live_skills(client) == {}


def test_apply_results_name_the_delete(stack: Stack, client: anthropic.Anthropic) -> None:
    _applied_then_removed(stack)
    result = stack.run("apply", str(stack.root), "--auto-approve", "--format", "json")
    assert result.exit_code == 0, result.output
    [done] = [r for r in json.loads(result.stdout)["results"] if r["resource"] == "skill"]
    assert (done["action"], done["verb"], done["message"], done["ok"]) == ("archive", "delete", "deleted", True)
    assert live_skills(client) == {}


def test_destroy_deletes_skills_and_archives_the_rest(stack: Stack, client: anthropic.Anthropic) -> None:
    skill(stack, "triage-notes")
    stack.write(manifest("keep"))
    assert stack.apply().exit_code == 0
    code, shown = on_a_terminal(stack, ["destroy", str(stack.root)], b"to destroy: ", "2")
    assert "- delete skill triage-notes" in shown and "- archive keep" in shown
    assert "This plan archives 1 deployment and deletes 1 skill; archived and deleted objects stop" in shown
    assert code == 0, shown
    assert live_skills(client) == {}


def test_prevent_delete_keeps_a_skill_from_prune_and_destroy(stack: Stack, client: anthropic.Anthropic) -> None:
    folder = stack.root / "deployments" / "skills" / "guarded"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(GUARDED)
    stack.write(manifest("keep"))
    assert stack.apply().exit_code == 0
    shutil.rmtree(folder)
    planned = json.loads(stack.run("plan", str(stack.root), "--format", "json").stdout)
    assert [a for a in planned["actions"] if a["resource"] == "skill"] == []
    assert "skill guarded: no manifest, kept because of agentops.prevent_delete" in planned["warnings"]
    assert stack.apply().exit_code == 0
    destroyed = stack.run("destroy", str(stack.root), "--auto-approve")
    assert destroyed.exit_code == 0, destroyed.output
    assert "skill guarded: kept because of agentops.prevent_delete" in destroyed.output
    assert set(live_skills(client)) == {"guarded"}


def test_a_bad_prevent_delete_value_is_refused_offline(stack: Stack) -> None:
    folder = stack.root / "deployments" / "skills" / "guarded"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(GUARDED.replace('"true"', "yes"))
    stack.write(manifest("keep"))
    writes = stack.emulator.write_count()
    result = stack.run("plan", str(stack.root))
    assert result.exit_code == 1
    assert "deployments/skills/guarded/SKILL.md" in result.output and "metadata" in result.output
    assert "Traceback" not in result.output
    assert stack.emulator.write_count() == writes


def test_a_saved_destroy_plan_with_a_skill_applies(stack: Stack, client: anthropic.Anthropic) -> None:
    """A saved plan holds skill (and memory store) actions like any other kind's."""
    skill(stack, "triage-notes")
    stack.write(manifest("keep"))
    assert stack.apply().exit_code == 0
    saved = stack.root / "destroy.json"
    assert stack.run("destroy", str(stack.root), "--out", str(saved)).exit_code == 0
    applied = stack.run("apply", str(saved), "--destroy", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert live_skills(client) == {}
