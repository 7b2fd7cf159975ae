"""`status` says what `plan` would do, on every lifecycle case: both read the one planner."""

from __future__ import annotations

import json
from typing import Any

import anthropic

from tests.stack import Stack, console_body, create, live_by_name, manifest

# What a status verdict starts with, for what the plan does to that row.
SAYS = {
    "create": "no deployment (apply creates it",
    "archive": ("no manifest (apply archives it)", "duplicate (apply archives it)"),
    "update": "drifted: ",
    "pause": "drifted: ",
    "unpause": "drifted: ",
    "noop": "in sync",
}


def _status(stack: Stack) -> dict[tuple[str, str | None], dict[str, Any]]:
    result = stack.run("status", str(stack.root), "--format", "json")
    assert result.exit_code == 0, result.output
    return {(row["name"], row["deployment_id"]): row for row in json.loads(result.stdout)["deployments"]}


def _plan_kinds(plan: dict[str, Any], name: str, deployment_id: str | None) -> set[str]:
    if deployment_id is None:
        return {a["action"] for a in plan["actions"] if a["name"] == name and a["deployment_id"] is None}
    return {a["action"] for a in plan["actions"] if a["deployment_id"] == deployment_id}


def _lifecycle(stack: Stack, client: anthropic.Anthropic) -> None:
    """Live: steady, changed, held (active, manifest pauses it), woken (paused by hand), gone and
    guarded (their manifests removed, guarded with prevent_archive), a duplicate of steady; new: fresh, quiet."""
    guarded = manifest("guarded", lifecycle={"prevent_archive": True})
    stack.write(manifest("steady"), manifest("changed"), manifest("held"), manifest("woken"),
                manifest("gone"), guarded)
    assert stack.apply().exit_code == 0
    live = live_by_name(stack.emulator)
    client.beta.deployments.pause(live["woken"]["id"])
    create(client, console_body("steady", metadata=live["steady"]["metadata"]))
    stack.write(manifest("steady"), manifest("changed", prompt="A new job."), manifest("held", status="paused"),
                manifest("woken"), manifest("fresh"), manifest("quiet", status="paused"))


def test_status_takes_every_verdict_from_the_plan(stack: Stack, client: anthropic.Anthropic) -> None:
    _lifecycle(stack, client)
    plan = stack.plan_json()
    rows = _status(stack)
    assert plan["applyable"], plan["problems"]
    seen = set()
    for (name, deployment_id), row in rows.items():
        kinds = _plan_kinds(plan, name, deployment_id)
        said = row["verdict"]
        if not kinds:
            assert said == "no manifest, kept (prevent_archive)", (name, said)
            seen.add("kept")
            continue
        main = "create" if "create" in kinds else "archive" if "archive" in kinds else min(kinds - {"noop"} or kinds)
        assert said.startswith(SAYS[main]), (name, kinds, said)
        seen.add(main)
    assert seen == {"create", "archive", "update", "pause", "unpause", "noop", "kept"}
    assert rows[("quiet", None)]["verdict"] == "no deployment (apply creates it paused)"
    assert rows[("guarded", live_by_name(stack.emulator)["guarded"]["id"])]["verdict"] == (
        "no manifest, kept (prevent_archive)"
    )
    text = stack.run("status", str(stack.root), env={"COLUMNS": "250"}).stdout
    guarded_line = next(line for line in text.splitlines() if line.startswith("guarded"))
    assert "kept (prevent_archive)" in guarded_line and "archives" not in guarded_line


def test_status_says_a_blocked_plan_writes_nothing(stack: Stack, client: anthropic.Anthropic) -> None:
    _lifecycle(stack, client)
    # Two archives over a limit of one: plan refuses the whole apply, and status says so on every write.
    config = stack.root / "agentops.yaml"
    config.write_text(config.read_text() + "max_archive: 1\n")
    plan = stack.plan_json()
    assert not plan["applyable"]
    rows = _status(stack)
    for (name, deployment_id), row in rows.items():
        kinds = _plan_kinds(plan, name, deployment_id) - {"noop"}
        assert ("blocked" in row["verdict"]) == bool(kinds), (name, kinds, row["verdict"])


def test_status_says_another_manifest_blocks_the_apply(stack: Stack, client: anthropic.Anthropic) -> None:
    stack.write(manifest("steady"))
    assert stack.apply().exit_code == 0
    create(client, console_body("stray"))  # untagged, with a manifest's name: the plan is blocked
    stack.write(manifest("steady", prompt="Changed."), manifest("stray"))
    assert not stack.plan_json()["applyable"]
    rows = {name: row for (name, _), row in _status(stack).items()}
    assert rows["stray"]["verdict"].startswith("not managed yet: agentops import stray")
    assert rows["steady"]["verdict"] == "drifted: prompt; apply is blocked: by the problems of stray"
