"""`agentops import` end to end: deployments made in the "console" (the SDK), imported, then in sync."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import yaml

from agentops.emulator import EmulatorServer
from agentops.model import tags
from tests.stack import STACK, TOKEN, Stack, create, live_by_name

AGENT = "agent_011pinned"
SHA = "0123456789abcdef0123456789abcdef01234567"


def _text(text: str) -> dict[str, Any]:
    return {"type": "user.message", "content": [{"type": "text", "text": text}]}


def _variant(i: int) -> dict[str, Any]:
    """Deployment i of 20; together they use every field kind of the create body."""
    body: dict[str, Any] = {
        "name": f"console job {i:02d}" if i % 5 == 0 else f"job-{i:02d}",
        "agent": {"type": "agent", "id": AGENT, "version": 2} if i % 3 == 0 else f"agent_011a{i % 4}",
        "environment_id": f"env_011e{i % 2}",
        "initial_events": [_text(f"Do job {i}.")],
    }
    if i % 2 == 0:
        body["description"] = f"Job number {i}"
    if i % 4 == 1:
        body["schedule"] = {"type": "cron", "expression": f"{i} 6 * * 1-5", "timezone": "Europe/Berlin"}
    if i % 4 == 3:
        body["schedule"] = {"type": "cron", "expression": "0 */2 * * *", "timezone": "America/New_York"}
    if i in (2, 9, 15):
        body["resources"] = [
            {
                "type": "github_repository",
                "url": f"https://github.com/acme/repo{i}",
                "authorization_token": TOKEN,
                "checkout": {"type": "branch", "name": "main"},
            },
            {
                "type": "github_repository",
                "url": "https://github.com/acme/pinned.git",
                "authorization_token": TOKEN,
                "checkout": {"type": "commit", "sha": SHA},
                "mount_path": "/workspace/custom",
            },
        ]
    if i in (4, 9, 18):
        body["resources"] = [
            *body.get("resources", []),
            {"type": "file", "file_id": f"file_011f{i}"},
            {"type": "file", "file_id": "file_011g", "mount_path": "/mnt/data/g.csv"},
            {
                "type": "memory_store",
                "memory_store_id": "memstore_011m",
                "access": "read_only",
                "instructions": "Look up earlier findings first.\nThen record new ones.",
            },
            {"type": "memory_store", "memory_store_id": "memstore_011n", "access": "read_write"},
        ]
    if i % 6 == 1:
        body["vault_ids"] = ["vlt_011a", "vlt_011b"]
    if i % 3 == 1:
        body["metadata"] = {"team": f"team-{i % 2}", "cost-center": "4711"}
    if i in (5, 11):
        body["budget"] = {"type": "limit", "max_list_cost": {"amount": "2500", "currency": "USD"}}
    if i in (6, 12):
        body["initial_events"] = [
            _text("Draft the release notes."),
            {
                "type": "user.define_outcome",
                "description": "Notes grouped by component.",
                "rubric": {"type": "text", "content": "- Every PR once.\n- Breaking changes first.\n"},
                "max_iterations": 5 if i == 6 else 3,
            },
            {
                "type": "user.define_outcome",
                "description": "A file-graded outcome.",
                "rubric": {"type": "file", "file_id": "file_011rubric"},
            },
        ]
    if i in (7, 13):
        body["initial_events"] = [
            _text("Summarise the week.\n\nKeep it short."),
            {"type": "system.message", "content": [{"type": "text", "text": "Be terse."}]},
        ]
    if i == 8:  # two blocks, and text whose edge blank lines `prompt:` would trim: both keep the long form
        body["initial_events"] = [
            {
                "type": "user.message",
                "content": [{"type": "text", "text": "Part one."}, {"type": "text", "text": "Part two."}],
            }
        ]
    if i == 10:
        body["initial_events"] = [_text("\nLeading blank line.\n")]
    if i == 14:
        body["initial_events"] = [_text("A multi-line prompt:\n- first\n- second")]
    return body


PAUSED = {3, 11, 17}


def _console(client: anthropic.Anthropic, emulator: EmulatorServer) -> dict[str, str]:
    emulator.register_agent(AGENT, versions=3)
    ids = {}
    for i in range(20):
        body = _variant(i)
        ids[body["name"]] = create(client, body)
        if i in PAUSED:
            client.beta.deployments.pause(ids[body["name"]])
    return ids


def _files(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((root / "deployments").glob("*.yaml"))}


def test_import_all_round_trip_plans_nothing_and_applies_nothing(
    stack: Stack, client: anthropic.Anthropic
) -> None:
    ids = _console(client, stack.emulator)
    stack.emulator.reset_counts()

    result = stack.run("import", "--all", "--fingerprint-secrets", "--out", str(stack.root / "deployments"))
    assert result.exit_code == 0, result.output
    assert stack.emulator.write_count() == 20  # one metadata patch per deployment, nothing else
    files = _files(stack.root)
    assert len(files) == 20
    assert "console-job-00.yaml" in files and "job-01.yaml" in files

    # Owned now: tagged with stack and name, and a secrets fingerprint where tokens are used.
    live = live_by_name(stack.emulator)
    assert {d["metadata"][tags.STACK] for d in live.values()} == {STACK}
    assert all(d["metadata"][tags.NAME] == name for name, d in live.items())
    assert {n for n, d in live.items() if tags.SECRETS in d["metadata"]} == {
        "job-02",
        "job-09",
        "console job 15",
    }
    assert {n for n, d in live.items() if d["status"] == "paused"} == {"job-03", "job-11", "job-17"}

    plan = stack.run("plan", str(stack.root), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "Plan: 0 to create, 0 to update, 0 to pause, 0 to unpause, 0 to archive." in plan.stdout
    stack.emulator.reset_counts()
    applied = stack.apply()
    assert applied.exit_code == 0, applied.output
    assert stack.emulator.write_count() == 0
    assert sorted(d["id"] for d in live_by_name(stack.emulator).values()) == sorted(ids.values())

    # Clean manifests: no server-only fields, no reserved tags, no token, the shortest forms.
    everything = "\n".join(files.values()) + result.output
    assert TOKEN not in everything
    for text in files.values():
        data = yaml.safe_load(text)
        assert not {"id", "type", "created_at", "updated_at", "archived_at", "paused_reason"} & set(data)
        assert "agentops." not in json.dumps(data.get("metadata", {}))
        assert "last_run_at" not in text and "upcoming_runs_at" not in text and "null" not in text
    simple = yaml.safe_load(files["job-01.yaml"])
    assert simple == {
        "name": "job-01",
        "agent": "agent_011a1",
        "environment_id": "env_011e1",
        "schedule": {"expression": "1 6 * * 1-5", "timezone": "Europe/Berlin"},
        "prompt": "Do job 1.",
        "vault_ids": ["vlt_011a", "vlt_011b"],
        "metadata": {"team": "team-1", "cost-center": "4711"},
    }
    repos = yaml.safe_load(files["job-09.yaml"])["resources"]
    assert repos[0] == {
        "type": "github_repository",
        "url": "https://github.com/acme/repo9",
        "authorization_token": "${REPO_TOKEN}",
        "checkout": {"type": "branch", "name": "main"},
    }
    assert repos[1]["mount_path"] == "/workspace/custom"
    assert repos[2] == {"type": "file", "file_id": "file_011f9"}  # the default mount path is left out
    assert repos[4] == {
        "type": "memory_store",
        "memory_store_id": "memstore_011m",
        "access": "read_only",
        "instructions": "Look up earlier findings first.\nThen record new ones.",
    }
    assert repos[5] == {"type": "memory_store", "memory_store_id": "memstore_011n"}
    assert yaml.safe_load(files["job-03.yaml"])["status"] == "paused"
    outcome = yaml.safe_load(files["job-12.yaml"])["initial_events"][1]
    assert "max_iterations" not in outcome  # 3 is the default
    assert yaml.safe_load(files["job-06.yaml"])["initial_events"][1]["max_iterations"] == 5
    assert "initial_events" in yaml.safe_load(files["job-08.yaml"])
    assert "initial_events" in yaml.safe_load(files["console-job-10.yaml"])
    assert "prompt: |" in files["job-14.yaml"]
    assert "${REPO_TOKEN}" in result.output and "export REPO_TOKEN" in result.output


def test_dry_run_writes_nothing_and_calls_no_write(stack: Stack, client: anthropic.Anthropic) -> None:
    create(client, _variant(2))
    stack.emulator.reset_counts()
    result = stack.run("import", "--all", "--dry-run", "--fingerprint-secrets", "--out", str(stack.root / "deployments"))
    assert result.exit_code == 0, result.output
    assert (
        "would write" in result.stdout
        and "would tag agentops.stack, agentops.name, agentops.secrets" in result.stdout
    )
    assert stack.emulator.write_count() == 0
    assert _files(stack.root) == {}
    assert tags.STACK not in live_by_name(stack.emulator)["job-02"]["metadata"]


def test_another_stacks_deployment_is_refused_by_name_and_skipped_by_all(
    stack: Stack, client: anthropic.Anthropic
) -> None:
    theirs = create(client, {**_variant(1), "metadata": {tags.STACK: "team-b", tags.NAME: "job-01"}})
    create(client, _variant(4))
    stack.emulator.reset_counts()

    named = stack.run("import", "job-01", "job-04", "--out", str(stack.root / "deployments"))
    assert named.exit_code == 1
    assert "job-01" in named.stderr and theirs in named.stderr and "team-b" in named.stderr
    assert stack.emulator.write_count() == 0 and _files(stack.root) == {}

    unknown = stack.run("import", "no-such-job", "--out", str(stack.root / "deployments"))
    assert unknown.exit_code == 1 and "no-such-job: no live deployment has this name" in unknown.stderr

    everything = stack.run("import", "--all", "--out", str(stack.root / "deployments"))
    assert everything.exit_code == 0, everything.output
    assert list(_files(stack.root)) == ["job-04.yaml"]
    assert "1 deployment owned by other stacks left alone" in everything.stdout
    assert live_by_name(stack.emulator)["job-01"]["metadata"][tags.STACK] == "team-b"


def test_unset_token_variable_means_the_first_apply_resends_it(
    stack: Stack, client: anthropic.Anthropic
) -> None:
    create(client, _variant(2))
    result = stack.run("import", "--all", "--out", str(stack.root / "deployments"), env={"REPO_TOKEN": ""})
    assert result.exit_code == 0, result.output
    assert "the first apply will resend the token to job-02" in result.stdout
    metadata = live_by_name(stack.emulator)["job-02"]["metadata"]
    assert tags.SECRETS not in metadata and metadata[tags.STACK] == STACK

    plan = stack.plan_json()
    [action] = plan["actions"]
    assert action["action"] == "update" and action["patch"].keys() == {"resources", "metadata"}
    stack.emulator.reset_counts()
    assert stack.apply().exit_code == 0
    assert stack.emulator.write_count() == 1
    assert stack.plan_json()["has_changes"] is False


def test_existing_files_are_never_overwritten_and_managed_ones_skipped(
    stack: Stack, client: anthropic.Anthropic
) -> None:
    other = stack.root / "deployments" / "job-01.yaml"
    other.write_text("name: something-else\nagent: agent_011x\nenvironment_id: env_011x\nprompt: Hi.\n")
    before = other.read_text()
    create(client, _variant(1))
    result = stack.run("import", "job-01", "--out", str(stack.root / "deployments"))
    assert result.exit_code == 0, result.output
    assert other.read_text() == before
    assert yaml.safe_load((stack.root / "deployments" / "job-01-2.yaml").read_text())["name"] == "job-01"

    stack.emulator.reset_counts()
    again = stack.run("import", "--all", "--out", str(stack.root / "deployments"))
    assert again.exit_code == 0, again.output
    assert "1 deployment already managed by a manifest skipped" in again.stdout
    assert stack.emulator.write_count() == 0
    assert sorted(_files(stack.root)) == ["job-01-2.yaml", "job-01.yaml"]


def test_import_needs_names_or_all(stack: Stack) -> None:
    result = stack.run("import", "--out", str(stack.root / "deployments"))
    assert result.exit_code == 1 and "name the deployments to import, or pass --all" in result.stderr



def test_import_records_no_fingerprint_unless_asked(stack: Stack, client: anthropic.Anthropic) -> None:
    """In Actions GITHUB_TOKEN is always set: its value says nothing about the live token."""
    _console(client, stack.emulator)
    result = stack.run("import", "--all", "--out", str(stack.root / "deployments"))
    assert result.exit_code == 0, result.output
    live = live_by_name(stack.emulator)
    assert all(tags.SECRETS not in d["metadata"] for d in live.values())
    assert "--fingerprint-secrets" in result.output
    plan = stack.run("plan", str(stack.root), "--format", "json")
    updates = {a["name"] for a in json.loads(plan.output)["actions"] if a["action"] == "update"}
    assert updates == {"job-02", "job-09", "console job 15"}  # the first apply records the fingerprint


def test_import_format_json_says_what_was_imported_and_noted(stack: Stack, client: anthropic.Anthropic) -> None:
    deployment_id = create(client, _variant(2))
    create(client, {**_variant(1), "metadata": {tags.STACK: "team-b", tags.NAME: "job-01"}})
    out = str(stack.root / "deployments")
    result = stack.run("import", "--all", "--format", "json", "--out", out, env={"REPO_TOKEN": ""})
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["errored"] is False and data["dry_run"] is False and data["refused"] == []
    [record] = data["imported"]
    assert record["name"] == "job-02" and record["deployment_id"] == deployment_id and record["wrote_file"]
    assert record["file"].endswith("deployments/job-02.yaml")
    assert record["tags"] == [tags.STACK, tags.NAME]
    assert any("owned by other stacks left alone" in note for note in data["notes"])
    assert any("will resend the token to job-02" in note for note in data["notes"])
    assert live_by_name(stack.emulator)["job-02"]["metadata"][tags.STACK] == STACK


def test_import_format_json_refusals_are_json_and_write_nothing(stack: Stack, client: anthropic.Anthropic) -> None:
    theirs = create(client, {**_variant(1), "metadata": {tags.STACK: "team-b", tags.NAME: "job-01"}})
    create(client, _variant(4))
    stack.emulator.reset_counts()
    result = stack.run("import", "job-01", "job-04", "--format", "json", "--out", str(stack.root / "deployments"))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["errored"] is True and data["imported"] == []
    [refused] = data["refused"]
    assert refused.startswith("job-01") and theirs in refused and "team-b" in refused
    assert stack.emulator.write_count() == 0 and _files(stack.root) == {}

    usage = stack.run("import", "--format", "json", "--out", str(stack.root / "deployments"))
    assert usage.exit_code == 1
    assert "name the deployments to import" in json.loads(usage.stdout)["error"]
