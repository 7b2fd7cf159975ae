"""The pure core: normalize, identity, diff and planner, with no server at all."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentops.engine import planfile
from agentops.engine.desired import desired
from agentops.engine.identity import Live
from agentops.engine.plan import Options, Plan, build_plan, stale_targets
from agentops.manifest.schema import Manifest
from agentops.model import tags
from agentops.views.json import render_json, render_saved
from agentops.views.text import render_text

STACK = "core"
ENV = {"REPO_TOKEN": "ghp_secret_value_123456"}


def manifest(name: str = "alpha", **fields: Any) -> Manifest:
    data: dict[str, Any] = {
        "name": name,
        "agent": "agent_1",
        "environment_id": "env_1",
        "initial_events": [{"type": "user.message", "content": [{"type": "text", "text": "hello"}]}],
    }
    data.update(fields)
    return Manifest.model_validate(data)


def want(m: Manifest, environ: dict[str, str] | None = None) -> Any:
    return desired(m, f"deployments/{m.name}.yaml", 1, STACK, ENV if environ is None else environ)


_counter = iter(range(10_000))


def live_from(
    m: Manifest,
    *,
    stack: str | None = STACK,
    status: str = "active",
    created: str | None = None,
    environ: dict[str, str] | None = None,
    **overrides: Any,
) -> Live:
    """What the API would echo after creating `m` (tokens stripped, agent resolved)."""
    body = json.loads(json.dumps(want(m, environ).body))
    if stack is None:
        body["metadata"] = {k: v for k, v in body["metadata"].items() if not tags.is_reserved(k)}
    elif stack != STACK:
        body["metadata"][tags.STACK] = stack
    agent = body["agent"]
    body["agent"] = {
        "type": "agent",
        "id": agent if isinstance(agent, str) else agent["id"],
        "version": 1 if isinstance(agent, str) else agent.get("version", 1),
    }
    for resource in body.get("resources", []):
        resource.pop("authorization_token", None)
    body.setdefault("resources", [])
    body.setdefault("vault_ids", [])
    n = next(_counter)
    body.update(
        id=f"depl_{n:05d}",
        type="deployment",
        status=status,
        paused_reason={"type": "manual"} if status == "paused" else None,
        created_at=created or f"2026-01-01T00:00:{n % 60:02d}.000Z",
        updated_at="2026-01-02T00:00:00.000Z",
        archived_at=None,
    )
    body.update(overrides)
    return Live.from_json(body)


def plan_for(ms: list[Manifest], live: list[Live], **opts: Any) -> Plan:
    return build_plan([want(m) for m in ms], live, Options(stack=STACK, **opts))


def kinds(plan: Plan) -> list[tuple[str, str]]:
    return [(a.kind, a.name) for a in plan.writes]


def test_fresh_workspace_creates_everything_tagged() -> None:
    plan = plan_for([manifest("a"), manifest("b", status="paused")], [])
    assert kinds(plan) == [("create", "a"), ("create", "b"), ("pause", "b")]
    body = plan.actions[0].body or {}
    assert body["metadata"] == {tags.STACK: STACK, tags.NAME: "a"}
    # A paused create is one create: its pause (and schedule) steps are how it is made.
    assert plan.summary() == "Plan: 2 to create, 0 to update, 0 to pause, 0 to unpause, 0 to archive."


def test_in_sync_is_noop() -> None:
    m = manifest(
        schedule={"expression": "0 9 * * 1-5", "timezone": "UTC"},
        resources=[{"type": "memory_store", "memory_store_id": "memstore_1"}],
    )
    plan = plan_for([m], [live_from(m)])
    assert not plan.has_changes
    assert [a.kind for a in plan.actions] == ["noop"]


@pytest.mark.parametrize(
    ("field", "value", "expected_patch"),
    [
        ("description", "new words", {"description": "new words"}),
        ("vault_ids", ["vlt_2"], {"vault_ids": ["vlt_2"]}),
        (
            "schedule",
            {"expression": "0 10 * * *", "timezone": "UTC"},
            {"schedule": {"type": "cron", "expression": "0 10 * * *", "timezone": "UTC"}},
        ),
        ("environment_id", "env_2", {"environment_id": "env_2"}),
    ],
)
def test_one_field_change_patches_only_that_field(
    field: str, value: Any, expected_patch: dict[str, Any]
) -> None:
    base = manifest(
        description="old", vault_ids=["vlt_1"], schedule={"expression": "0 9 * * *", "timezone": "UTC"}
    )
    changed = base.model_copy(
        update={
            field: Manifest.model_validate({**base.model_dump(exclude_none=True), field: value}).__dict__[
                field
            ]
        }
    )
    plan = plan_for([changed], [live_from(base)])
    (action,) = plan.writes
    assert action.kind == "update"
    assert action.patch == expected_patch


def test_removals_follow_patch_rules() -> None:
    base = manifest(
        description="old",
        metadata={"team": "x", "tier": "1"},
        schedule={"expression": "0 9 * * *", "timezone": "UTC"},
        vault_ids=["vlt_1"],
    )
    plan = plan_for([manifest(metadata={"team": "x"})], [live_from(base)])
    (action,) = plan.writes
    assert action.patch == {"description": "", "metadata": {"tier": None}, "schedule": None, "vault_ids": []}


def test_agent_by_id_ignores_version_but_pinned_compares_it() -> None:
    m = manifest()
    assert not plan_for(
        [m], [live_from(m, agent={"type": "agent", "id": "agent_1", "version": 7})]
    ).has_changes
    pinned = manifest(agent={"id": "agent_1", "version": 2})
    plan = plan_for([pinned], [live_from(pinned, agent={"type": "agent", "id": "agent_1", "version": 3})])
    assert plan.writes[0].patch == {"agent": {"type": "agent", "id": "agent_1", "version": 2}}


def test_server_defaults_are_not_drift() -> None:
    m = manifest(
        initial_events=[
            {"type": "user.define_outcome", "description": "d", "rubric": {"type": "text", "content": "r"}}
        ],
        resources=[
            {"type": "file", "file_id": "file_1"},
            {
                "type": "github_repository",
                "url": "https://github.com/o/repo.git",
                "authorization_token": "${REPO_TOKEN}",
            },
        ],
    )
    echoed = live_from(m)
    body = dict(echoed.body)
    body["initial_events"] = [{**body["initial_events"][0], "max_iterations": 3}]
    body["resources"] = [
        {"type": "file", "file_id": "file_1", "mount_path": "/mnt/session/uploads/file_1"},
        {
            "type": "github_repository",
            "url": "https://github.com/o/repo.git",
            "mount_path": "/workspace/repo",
            "checkout": None,
        },
    ]
    assert not plan_for([m], [Live.from_json(body)]).has_changes


def test_rotated_token_updates_resources_without_leaking() -> None:
    m = manifest(
        resources=[
            {
                "type": "github_repository",
                "url": "https://github.com/o/r",
                "authorization_token": "${REPO_TOKEN}",
            }
        ]
    )
    live = live_from(m, environ={"REPO_TOKEN": "old-token-value"})
    plan = plan_for([m], [live])
    (action,) = plan.writes
    assert set(action.patch or {}) == {"metadata", "resources"}
    assert (action.patch or {})["resources"][0]["authorization_token"] == "${REPO_TOKEN}"
    for text in (render_json(plan), render_text(plan)):
        assert ENV["REPO_TOKEN"] not in text and "old-token-value" not in text


def test_untagged_same_name_blocks_until_adopt() -> None:
    m = manifest("taken")
    stranger = live_from(m, stack=None)
    plan = plan_for([m], [stranger])
    assert plan.errored and not plan.writes
    assert "--adopt" in (plan.blockers[0].hint or "") and "--adopt" in str(plan.blockers[0])
    adopted = plan_for([m], [stranger], adopt=True)
    (action,) = adopted.writes
    assert action.kind == "adopt" and action.deployment_id == stranger.id
    assert (action.patch or {})["metadata"] == {tags.STACK: STACK, tags.NAME: "taken"}


def test_foreign_stack_is_never_touched() -> None:
    m = manifest("shared-name")
    other = live_from(m, stack="someone-else")
    plan = plan_for([m], [other])
    assert kinds(plan) == [("create", "shared-name")]
    assert all(a.deployment_id != other.id for a in plan.actions)


def test_duplicates_keep_the_oldest() -> None:
    m = manifest("dup")
    newer = live_from(m, created="2026-02-01T00:00:00.000Z")
    older = live_from(m, created="2026-01-01T00:00:00.000Z")
    plan = plan_for([m], [newer, older])
    assert [(a.kind, a.deployment_id) for a in plan.writes] == [("archive", newer.id)]
    assert older.id in plan.writes[0].reason


def test_prune_and_its_guards() -> None:
    keep, gone = manifest("keep"), manifest("gone")
    protected = manifest("protected", lifecycle={"prevent_archive": True})
    live = [live_from(keep), live_from(gone), live_from(protected)]
    assert kinds(plan_for([keep], live)) == [("archive", "gone")]
    assert kinds(plan_for([keep], live, prune=False)) == []
    assert plan_for([keep], live, max_archive=0).errored
    empty = plan_for([], live)
    assert empty.errored and not empty.writes
    assert kinds(plan_for([keep], live, partial=True)) == []


def test_previous_names_rename_in_place() -> None:
    old = manifest("old-name")
    plan = plan_for([manifest("new-name", previous_names=["old-name"])], [live_from(old)])
    (action,) = plan.writes
    assert action.kind == "update" and "renamed" in action.reason
    assert action.patch == {"name": "new-name", "metadata": {tags.NAME: "new-name"}}


def test_pause_unpause_and_auto_pause_reason() -> None:
    m = manifest()
    paused = live_from(m, status="paused")
    errored = live_from(
        m, status="paused", paused_reason={"type": "error", "error": {"type": "agent_archived_error"}}
    )
    assert kinds(plan_for([manifest(status="paused")], [live_from(m)])) == [("pause", "alpha")]
    assert kinds(plan_for([m], [paused])) == [("unpause", "alpha")]
    unpause = plan_for([m], [errored]).writes[0]
    assert "agent_archived_error" in unpause.reason
    assert "agent_archived_error" in render_text(plan_for([m], [errored]))


def test_ignore_changes_hides_drift() -> None:
    m = manifest(description="mine", lifecycle={"ignore_changes": ["description", "metadata.owner"]})
    drifted = live_from(m, description="console edit")
    drifted_meta = dict(drifted.body)
    drifted_meta["metadata"] = {**drifted.metadata, "owner": "someone"}
    assert not plan_for([m], [Live.from_json(drifted_meta)]).has_changes


def test_target_limits_plan_and_says_so() -> None:
    plan = plan_for([manifest("a"), manifest("b")], [], targets=("b",))
    assert kinds(plan) == [("create", "b")]
    assert any("--target" in w for w in plan.warnings)


def test_long_text_renders_as_unified_diff() -> None:
    old_text = "line one\nline two\nline three"
    m = manifest(
        prompt=None,
        initial_events=[{"type": "user.message", "content": [{"type": "text", "text": old_text}]}],
    )
    new = manifest(
        initial_events=[
            {"type": "user.message", "content": [{"type": "text", "text": old_text.replace("two", "2")}]}
        ]
    )
    text = render_text(plan_for([new], [live_from(m)]))
    assert "-line two" in text and "+line 2" in text


def test_plan_round_trips_and_is_deterministic() -> None:
    ms = [manifest(f"m{i}", description=f"d{i}") for i in range(5)]
    live = [live_from(m, description="x") for m in ms[:3]]
    first, second = plan_for(ms, live), plan_for(ms, live)
    assert render_json(first) == render_json(second)
    assert render_json(planfile.parse(render_saved(first))) == render_json(first)


def test_stale_targets_name_what_changed() -> None:
    m = manifest(description="new")
    live = live_from(manifest(description="old"))
    plan = plan_for([m], [live])
    assert stale_targets(plan, [live]) == []
    moved = Live.from_json({**live.body, "updated_at": "2026-03-03T00:00:00.000Z"})
    (line,) = stale_targets(plan, [moved])
    assert m.name in line and live.id in line
    assert stale_targets(plan, []) and "no longer exists" in stale_targets(plan, [])[0]


def test_text_plan_labels_drift_against_the_base_ref() -> None:
    from dataclasses import replace

    from agentops.engine.drift import CHANGE, DRIFT

    base = manifest(description="old", vault_ids=["vlt_1"])
    plan = plan_for([manifest(description="new", vault_ids=["vlt_2"])], [live_from(base)])
    (action,) = plan.writes
    labelled = tuple(
        replace(c, origin=DRIFT if c.path.startswith("vault_ids") else CHANGE) for c in action.changes
    )
    plan = replace(plan, actions=(replace(action, changes=labelled, origin=CHANGE),), base_ref="origin/main")
    lines = render_text(plan).splitlines()
    (vault,) = [line for line in lines if "vault_ids[0]" in line]
    (description,) = [line for line in lines if "description:" in line]
    assert vault.endswith("[drift: live already differs from origin/main]")
    assert "drift" not in description


def test_a_keyed_fingerprint_says_nothing_without_the_key() -> None:
    from agentops.engine.secrets import fingerprint

    values = [("${GH}", "ghp_short")]
    unkeyed = fingerprint("s", "n", values)
    keyed = fingerprint("s", "n", values, key="k" * 32)
    assert keyed.startswith("k1:") and keyed != unkeyed
    assert fingerprint("s", "n", values, key="k" * 32) == keyed  # stable: no rotation without a change
    assert fingerprint("s", "n", values, key="other") != keyed
    assert fingerprint("s", "n", [("${GH}", "ghp_other")], key="k" * 32) != keyed
