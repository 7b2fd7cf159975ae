"""`agentops import --kinds skill,memory_store` end to end against the emulator through the SDK: skills
made in the "console" are written as folders from their latest version and owned through a new
version carrying the record file; memory stores are written as manifests and tagged; the round trip
plans nothing. A refusal writes nothing and uploads nothing."""

from __future__ import annotations

import json

import anthropic
import yaml

from agentops.model import tags
from agentops.model.skillfiles import RECORD_FILE
from tests.stack import STACK, Stack

TRIAGE_MD = b"---\nname: triage-notes\ndescription: How we triage.\n---\nRead the labels first.\r\n"
SCRIPT = b"print('label')\n"
KINDS = "skill,memory_store"


def _console(client: anthropic.Anthropic) -> dict[str, str]:
    """Two skills (one with a subfolder and CRLF text, one guarded) and a memory store, made by hand."""
    guarded = b"---\nname: guarded\ndescription: Kept.\nmetadata:\n  agentops.prevent_delete: \"true\"\n---\nBody.\n"
    return {
        "triage": client.skills.create(display_name="Triage notes", files=[
            ("triage-notes/SKILL.md", TRIAGE_MD), ("triage-notes/scripts/label.py", SCRIPT)]).id,
        "guarded": client.skills.create(files=[("guarded/SKILL.md", guarded)]).id,
        "store": client.beta.memory_stores.create(name="team-notes", description="What we learnt.",
                                                  metadata={"owner": "sre"}).id,
    }


def _versions(client: anthropic.Anthropic, skill_id: str) -> int:
    return len(list(client.skills.versions.list(skill_id)))


def test_skills_and_memory_stores_import_and_plan_nothing(stack: Stack, client: anthropic.Anthropic) -> None:
    ids = _console(client)
    stack.emulator.reset_counts()
    result = stack.run("import", "--all", "--kinds", KINDS)
    assert result.exit_code == 0, result.output
    assert "Imported 2 skills, 1 memory store into stack" in result.stdout
    folder = stack.root / "deployments"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "memory_stores/team-notes.yaml", "skills/guarded/SKILL.md", "skills/triage-notes/SKILL.md",
        "skills/triage-notes/scripts/label.py"]  # never the record file
    assert (folder / "skills/triage-notes/SKILL.md").read_bytes() == TRIAGE_MD  # byte for byte, as downloaded
    assert yaml.safe_load((folder / "memory_stores/team-notes.yaml").read_text()) == {
        "name": "team-notes", "description": "What we learnt.", "metadata": {"owner": "sre"}}
    # Ownership: one new version per skill (its files and the record), one metadata patch for the store.
    assert _versions(client, ids["triage"]) == 2 and _versions(client, ids["guarded"]) == 2
    store = client.beta.memory_stores.retrieve(ids["store"])
    assert store.metadata is not None and store.metadata[tags.STACK] == STACK
    latest = client.skills.retrieve(ids["triage"]).latest_version_id
    content = client.beta.skills.versions.download(latest, skill_id=ids["triage"]).read()
    assert RECORD_FILE.encode() in content
    again = stack.run("plan", str(stack.root), "--detailed-exitcode")
    assert again.exit_code == 0, again.output

    # The guard in the guarded skill's SKILL.md was recorded: removing its folder deletes nothing.
    for path in sorted((folder / "skills/guarded").rglob("*"), reverse=True):
        path.unlink()
    (folder / "skills/guarded").rmdir()
    planned = json.loads(stack.run("plan", str(stack.root), "--format", "json").stdout)
    assert [a["address"] for a in planned["actions"] if a["action"] != "noop"] == []


def test_a_second_import_finds_everything_managed(stack: Stack, client: anthropic.Anthropic) -> None:
    _console(client)
    assert stack.run("import", "--all", "--kinds", KINDS).exit_code == 0
    writes = stack.emulator.write_count()
    again = stack.run("import", "--all", "--kinds", KINDS, "--format", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["imported"] == []
    assert stack.emulator.write_count() == writes


def test_dry_run_and_refusals_write_nothing(stack: Stack, client: anthropic.Anthropic) -> None:
    ids = _console(client)
    writes = stack.emulator.write_count()
    dry = stack.run("import", "--all", "--kinds", KINDS, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would write deployments/skills/triage-notes" in dry.stdout and "would upload a version" in dry.stdout
    assert not (stack.root / "deployments" / "skills").exists()
    assert stack.emulator.write_count() == writes

    taken = stack.root / "deployments" / "skills" / "triage-notes"
    taken.mkdir(parents=True)
    refused = stack.run("import", "--all", "--kinds", KINDS, "--format", "json")
    assert refused.exit_code == 1
    [reason] = json.loads(refused.stdout)["refused"]
    assert reason.startswith("triage-notes: deployments/skills/triage-notes already exists")
    assert list(taken.iterdir()) == [] and not (stack.root / "deployments" / "memory_stores").exists()
    assert stack.emulator.write_count() == writes
    assert _versions(client, ids["triage"]) == 1
