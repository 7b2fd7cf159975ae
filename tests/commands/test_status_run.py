"""`agentops status` and `agentops run` end to end against the emulator."""

from __future__ import annotations

import json

import anthropic

from tests.stack import Stack, live_by_name, manifest

SCHEDULE = {"expression": "0 6 * * 1-5", "timezone": "Europe/Berlin"}


def _deploy(stack: Stack) -> None:
    stack.emulator.register_vault("vlt_011doomed")
    stack.write(
        manifest("nightly", vault_ids=["vlt_011doomed"], schedule=SCHEDULE),
        manifest("drifty"),
        manifest("steady", schedule={"expression": "30 7 * * *", "timezone": "Asia/Tokyo"}),
        manifest("leftover"),
    )
    assert stack.apply().exit_code == 0


def test_status_shows_auto_pause_reason_drift_and_unmatched(
    stack: Stack, client: anthropic.Anthropic
) -> None:
    _deploy(stack)
    live = live_by_name(stack.emulator)
    stack.emulator.archive_vault("vlt_011doomed")
    run = stack.emulator.fire(live["nightly"]["id"])
    assert run["error"]["type"] == "vault_archived_error"
    client.beta.deployments.update(live["drifty"]["id"], description="changed in the console")
    stack.write(
        manifest("nightly", vault_ids=["vlt_011doomed"], schedule=SCHEDULE),
        manifest("drifty"),
        manifest("steady", schedule={"expression": "30 7 * * *", "timezone": "Asia/Tokyo"}),
        manifest("brand-new"),
    )
    stack.emulator.reset_counts()

    text = stack.run("status", str(stack.root))
    assert text.exit_code == 0, text.output
    lines = {line.split()[0]: line for line in text.stdout.splitlines()[1:]}
    assert "auto-paused: vault_archived_error" in lines["nightly"]
    assert "0 6 * * 1-5 (Europe/Berlin)" in lines["nightly"]
    # Plan refuses to unpause it onto an archived vault: status says the plan's verdict, not "drifted".
    assert "blocked: vault vlt_011doomed is archived" in lines["nightly"]
    assert "apply is blocked: by the problems of nightly" in lines["drifty"]
    assert "drifted: description" in lines["drifty"]
    assert "in sync" in lines["steady"] and "30 7 * * * (Asia/Tokyo)" in lines["steady"]
    assert "no manifest" in lines["leftover"]
    assert "no deployment" in lines["brand-new"]

    data = json.loads(stack.run("status", str(stack.root), "--format", "json").stdout)
    rows = {row["name"]: row for row in data["deployments"]}
    nightly = rows["nightly"]
    assert nightly["status"] == "paused"
    assert nightly["paused_reason"] == {"type": "error", "error": {"type": "vault_archived_error"}}
    assert nightly["last_run"] is not None and nightly["next_run"] is None  # paused: no next run
    assert nightly["schedule"] == SCHEDULE and nightly["drift"] == ["status"]
    assert rows["drifty"]["drifted"] is True and rows["drifty"]["drift"] == ["description"]
    assert rows["steady"]["drifted"] is False and rows["steady"]["last_run"] is None
    assert rows["leftover"]["state"] == "no_manifest" and rows["brand-new"]["state"] == "not_deployed"
    assert stack.emulator.write_count() == 0


def test_status_ignores_the_fingerprint_when_the_token_is_unset(stack: Stack) -> None:
    repo = {
        "type": "github_repository",
        "url": "https://github.com/a/b",
        "authorization_token": "${REPO_TOKEN}",
    }
    stack.write(manifest("with-repo", resources=[repo]))
    assert stack.apply().exit_code == 0
    data = json.loads(
        stack.run("status", str(stack.root), "--format", "json", env={"REPO_TOKEN": ""}).stdout
    )
    assert data["deployments"][0]["drifted"] is False
    rotated = json.loads(
        stack.run("status", str(stack.root), "--format", "json", env={"REPO_TOKEN": "rotated-token"}).stdout
    )
    assert rotated["deployments"][0]["drift"] == ["secrets"]  # as the plan's reason names it


def test_run_prints_run_and_session(stack: Stack) -> None:
    _deploy(stack)
    result = stack.run("run", "steady", str(stack.root))
    assert result.exit_code == 0, result.output
    [recorded] = stack.emulator.runs(live_by_name(stack.emulator)["steady"]["id"])
    assert recorded["id"] in result.stdout and recorded["session_id"] in result.stdout


def test_run_reports_the_runs_error(stack: Stack) -> None:
    _deploy(stack)
    stack.emulator.archive_vault("vlt_011doomed")
    result = stack.run("run", "nightly", str(stack.root))
    assert result.exit_code == 1
    assert "vault_archived_error" in result.stderr and "vault 'vlt_011doomed' is archived" in result.stderr


def test_run_refuses_archived_unknown_and_unmanaged_names(stack: Stack, client: anthropic.Anthropic) -> None:
    _deploy(stack)
    stack.write(manifest("steady", schedule={"expression": "30 7 * * *", "timezone": "Asia/Tokyo"}))
    assert stack.apply().exit_code == 0  # prunes (archives) the others
    stack.emulator.reset_counts()

    archived = stack.run("run", "drifty", str(stack.root))
    assert archived.exit_code == 1
    assert "deployment 'drifty' of stack 'team-a' is archived" in archived.stderr
    unknown = stack.run("run", "nope", str(stack.root))
    assert unknown.exit_code == 1 and "stack 'team-a' has no deployment named 'nope'" in unknown.stderr
    client.beta.deployments.create(
        name="console-made",
        agent="agent_011x",
        environment_id="env_011x",
        initial_events=[{"type": "user.message", "content": [{"type": "text", "text": "Hi"}]}],
    )
    unmanaged = stack.run("run", "console-made", str(stack.root))
    assert unmanaged.exit_code == 1 and "not managed by agentops" in unmanaged.stderr
    assert "Traceback" not in archived.output + unknown.output + unmanaged.output
    assert stack.emulator.write_count() == 1  # only the console create
