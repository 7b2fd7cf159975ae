"""plan/apply end to end: the CLI, the real anthropic SDK over HTTP, and the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import pytest

from agentops.emulator import EmulatorServer, Faults
from agentops.model import tags
from tests.stack import STACK, TOKEN, Stack, console_body, manifest


def owned(emulator: EmulatorServer) -> list[dict[str, Any]]:
    return [
        d for d in emulator.raw_deployments() if d["metadata"].get(tags.STACK) == STACK and not d.get("archived_at")
    ]


def sdk(stack: Stack) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=stack.emulator.url, api_key="test", max_retries=0)


def writes(stack: Stack) -> list[tuple[str, str, int]]:
    return [(m, p, s) for (m, p, s) in stack.emulator.requests if m == "POST"]


def test_fresh_apply_then_nothing_to_do(stack: Stack) -> None:
    stack.write(*(manifest(f"job-{i}") for i in range(3)))
    first = stack.run("plan", str(stack.root), "--detailed-exitcode")
    assert first.exit_code == 2
    assert "Plan: 3 to create, 0 to update, 0 to pause, 0 to unpause, 0 to archive." in first.stdout

    assert stack.apply().exit_code == 0
    live = owned(stack.emulator)
    assert sorted(d["metadata"][tags.NAME] for d in live) == ["job-0", "job-1", "job-2"]
    assert all(d["name"] == d["metadata"][tags.NAME] for d in live)

    again = stack.run("plan", str(stack.root), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes" in again.stdout
    stack.emulator.reset_counts()
    assert stack.apply().exit_code == 0
    assert stack.emulator.write_count() == 0


@pytest.mark.parametrize(
    ("change", "expected_patch"),
    [
        ({"description": "now described"}, {"description": "now described"}),
        ({"prompt": "A different job."}, {"initial_events": "*"}),
        ({"metadata": {"team": "a"}}, {"metadata": {"team": None}}),
        ({"schedule": None}, {"schedule": None}),
        ({"vault_ids": ["vlt_2"]}, {"vault_ids": ["vlt_2"]}),
        ({"environment_id": "env_011other"}, {"environment_id": "env_011other"}),
    ],
)
def test_each_field_change_is_one_minimal_update(
    stack: Stack, change: dict[str, Any], expected_patch: dict[str, Any]
) -> None:
    base = manifest(
        "job",
        metadata={"team": "a", "tier": "1"},
        schedule={"expression": "0 9 * * 1-5", "timezone": "Europe/Berlin"},
        vault_ids=["vlt_1"],
    )
    stack.write(base)
    assert stack.apply().exit_code == 0
    edited = {**base, **change}
    if change.get("metadata"):
        edited["metadata"] = {"tier": "1"}
    edited = {k: v for k, v in edited.items() if v is not None}
    stack.write(edited)
    plan = stack.plan_json()
    (action,) = [a for a in plan["actions"] if a["action"] != "noop"]
    assert action["action"] == "update"
    assert set(action["patch"]) == set(expected_patch)
    for key, value in expected_patch.items():
        if value != "*":
            assert action["patch"][key] == value
    assert stack.apply().exit_code == 0
    assert stack.plan_json()["has_changes"] is False


def test_console_drift_is_reverted(stack: Stack) -> None:
    stack.write(manifest("job", description="from git"))
    stack.apply()
    (live,) = owned(stack.emulator)
    sdk(stack).beta.deployments.update(live["id"], description="edited in the console", vault_ids=["vlt_x"])
    plan = stack.plan_json()
    (action,) = [a for a in plan["actions"] if a["action"] == "update"]
    paths = {c["path"] for c in action["changes"]}
    assert paths == {"description", "vault_ids[0]"}
    assert stack.apply().exit_code == 0
    (live,) = owned(stack.emulator)
    assert live["description"] == "from git" and live["vault_ids"] == []


def test_pause_unpause_and_auto_pause_reason(stack: Stack) -> None:
    nightly = {"expression": "0 3 * * *", "timezone": "UTC"}
    stack.write(manifest("job", status="paused", schedule=nightly))
    stack.apply()
    (live,) = owned(stack.emulator)
    assert live["status"] == "paused"
    stack.write(manifest("job", schedule=nightly))
    assert [a["action"] for a in stack.plan_json()["actions"]] == ["unpause"]
    stack.apply()
    assert owned(stack.emulator)[0]["status"] == "active"

    stack.emulator.register_environment(live["environment_id"])
    stack.emulator.archive_environment(live["environment_id"])
    stack.emulator.fire(live["id"])
    result = stack.run("plan", str(stack.root))
    assert "unpause job" in result.stdout
    assert "auto-paused after a failed run (environment_archived_error)" in result.stdout


def test_prune_and_guards(stack: Stack) -> None:
    stack.write(manifest("keep"), manifest("gone"), manifest("guarded", lifecycle={"prevent_archive": True}))
    stack.apply()
    foreign_client = sdk(stack)
    foreign = foreign_client.beta.deployments.create(**console_body(
        "gone", "agent_x", "env_x", metadata={tags.STACK: "other-stack", tags.NAME: "gone"}))
    untagged = foreign_client.beta.deployments.create(**console_body("stray", "agent_x", "env_x"))
    before = {d["id"]: d for d in stack.emulator.raw_deployments()}

    stack.write(manifest("keep"))
    assert stack.apply("--no-prune").exit_code == 0
    assert len(owned(stack.emulator)) == 3

    stack.write()
    empty = stack.apply()
    assert empty.exit_code == 1 and "refusing to archive all" in empty.output
    assert len(owned(stack.emulator)) == 3

    stack.write(manifest("keep"))
    result = stack.apply()
    assert result.exit_code == 0
    assert sorted(d["metadata"][tags.NAME] for d in owned(stack.emulator)) == ["guarded", "keep"]
    after = {d["id"]: d for d in stack.emulator.raw_deployments()}
    assert after[foreign.id] == before[foreign.id]
    assert after[untagged.id] == before[untagged.id]


def test_untagged_conflict_blocks_until_adopt(stack: Stack) -> None:
    existing = sdk(stack).beta.deployments.create(
        name="job", agent="agent_011alpha", environment_id="env_011main", description="hand made",
        initial_events=[{"type": "user.message", "content": [{"type": "text", "text": "Do the job job."}]}],
    )
    stack.write(manifest("job"))
    blocked = stack.run("plan", str(stack.root))
    assert blocked.exit_code == 1 and "--adopt" in blocked.stdout
    assert stack.apply().exit_code == 1
    assert stack.emulator.write_count() == 1  # only the SDK create above

    assert stack.apply("--adopt").exit_code == 0
    (live,) = owned(stack.emulator)
    assert live["id"] == existing.id and live["description"] is None
    assert len(stack.emulator.raw_deployments()) == 1


def test_duplicates_keep_the_oldest(stack: Stack) -> None:
    stack.write(manifest("job"))
    stack.apply()
    (first,) = owned(stack.emulator)
    body = {k: first[k] for k in ("name", "environment_id", "initial_events", "metadata")}
    second = sdk(stack).beta.deployments.create(agent="agent_011alpha", **body)
    plan = stack.plan_json()
    assert [(a["action"], a["deployment_id"]) for a in plan["actions"] if a["action"] != "noop"] == [
        ("archive", second.id)
    ]
    stack.apply()
    assert [d["id"] for d in owned(stack.emulator)] == [first["id"]]


def test_token_rotation_is_an_update_and_never_printed(stack: Stack, tmp_path: Path) -> None:
    repo = {"type": "github_repository", "url": "https://github.com/acme/app", "authorization_token": "${REPO_TOKEN}"}
    stack.write(manifest("job", resources=[repo]))
    first = stack.apply()
    assert first.exit_code == 0
    stored = stack.emulator.raw_deployments()[0]["resources"][0]
    assert stored["authorization_token"] == TOKEN

    rotated = "ghp_ROTATED_value_9999"
    saved = tmp_path / "plan.json"
    plan = stack.run("plan", str(stack.root), "--out", str(saved), env={"REPO_TOKEN": rotated})
    # Named as the manifest writes it; the API path stays in the JSON.
    assert "resources[0].authorization_token: ${REPO_TOKEN}: " in plan.stdout
    json_plan = stack.run("plan", str(stack.root), "--format", "json", env={"REPO_TOKEN": rotated})
    (action,) = [a for a in json.loads(json_plan.stdout)["actions"] if a["action"] == "update"]
    assert set(action["patch"]) == {"metadata", "resources"}
    assert [(c["path"], c["field"]) for c in action["changes"]] == [
        ("resources[*].authorization_token", "resources[0].authorization_token: ${REPO_TOKEN}")]
    applied = stack.run("apply", str(saved), "--auto-approve", env={"REPO_TOKEN": rotated})
    assert applied.exit_code == 0, applied.output
    assert stack.emulator.raw_deployments()[0]["resources"][0]["authorization_token"] == rotated
    for text in (first.output, plan.output, json_plan.output, applied.output, saved.read_text()):
        assert TOKEN not in text and rotated not in text


def test_stale_saved_plan_is_refused(stack: Stack, tmp_path: Path) -> None:
    stack.write(manifest("job", description="one"))
    stack.apply()
    stack.write(manifest("job", description="two"))
    saved = tmp_path / "plan.json"
    assert stack.run("plan", str(stack.root), "--out", str(saved)).exit_code == 0
    (live,) = owned(stack.emulator)
    sdk(stack).beta.deployments.update(live["id"], description="someone else")
    stack.emulator.reset_counts()
    refused = stack.run("apply", str(saved), "--auto-approve")
    assert refused.exit_code == 1
    assert "stale" in refused.output and live["id"] in refused.output and "job" in refused.output
    assert stack.emulator.write_count() == 0


def test_missing_agent_blocks_in_strict_mode(tmp_path: Path) -> None:
    seed = {"agents": [{"id": "agent_011alpha"}], "environments": [{"id": "env_011main"}]}
    with EmulatorServer(seed=seed) as strict:
        (tmp_path / "agentops.yaml").write_text(f"stack: {STACK}\n")
        (tmp_path / "deployments").mkdir()
        stack = Stack(tmp_path, strict, {"ANTHROPIC_BASE_URL": strict.url, "ANTHROPIC_API_KEY": "k"})
        stack.write(manifest("fine"), manifest("broken", agent="agent_011missing"))
        result = stack.run("plan", str(tmp_path))
        assert result.exit_code == 1
        assert "agent agent_011missing does not exist" in result.stdout
        assert "broken" in result.stdout and "deployments/broken.yaml" in result.stdout
        assert stack.apply().exit_code == 1
        assert strict.write_count() == 0


def test_dropped_create_responses_never_duplicate(stack: Stack) -> None:
    stack.write(*(manifest(f"job-{i}") for i in range(20)))
    stack.emulator.faults = Faults(drop_rate=0.5, seed=7)
    for _ in range(5):
        if stack.apply().exit_code == 0:
            break
    stack.emulator.faults = Faults()
    names = [d["metadata"][tags.NAME] for d in owned(stack.emulator)]
    assert sorted(names) == sorted(f"job-{i}" for i in range(20))
    assert stack.plan_json()["has_changes"] is False


def test_apply_refuses_without_a_terminal_or_approval(stack: Stack) -> None:
    stack.write(manifest("job"))
    result = stack.run("apply", str(stack.root))
    assert result.exit_code == 1 and "--auto-approve" in result.output
    assert stack.emulator.write_count() == 0


def test_a_paused_create_is_one_create_in_the_plan_and_in_the_apply(stack: Stack) -> None:
    stack.write(manifest("quiet", status="paused", schedule={"expression": "0 9 * * *", "timezone": "UTC"}))
    planned = stack.run("plan", str(stack.root))
    assert "Plan: 1 to create, 0 to update, 0 to pause, 0 to unpause, 0 to archive." in planned.output
    applied = stack.apply()
    assert applied.exit_code == 0 and "Apply complete: 1 succeeded, 0 failed." in applied.output
    assert stack.emulator.write_count() == 3  # still created paused, then scheduled: never active with a schedule
