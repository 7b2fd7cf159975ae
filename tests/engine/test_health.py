"""Run health from plain data: windows, states and fix lines (no server)."""

from __future__ import annotations

from typing import Any

import pytest

from agentops.engine.desired import Desired
from agentops.engine.health import assess, fix_line, listing_since, window_start
from agentops.engine.identity import Live
from agentops.model import tags
from agentops.model.errors import RUN_ERRORS, UNRECOGNIZED_RUN_ERROR

STACK = "team-a"


def live(name: str, updated: str, paused: str | None = None, last_run: str | None = None, **body: Any) -> Live:
    data = {
        "id": f"depl_{name}",
        "name": name,
        "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": updated,
        "status": "paused" if paused else "active",
        "paused_reason": {"type": "error", "error": {"type": paused}} if paused else None,
        "metadata": {tags.STACK: STACK, tags.NAME: name},
        "schedule": {"expression": "0 6 * * *", "timezone": "UTC", "last_run_at": last_run},
        "environment_id": "env_1",
        "agent": {"type": "agent", "id": "agent_1", "version": 1},
        **body,
    }
    return Live.from_json(data)


def want(name: str, **body: Any) -> Desired:
    return Desired(name, f"deployments/{name}.yaml", 1, {"environment_id": "env_1", "agent": "agent_1", **body},
                   "active", False)


def run(name: str, at: str, error: str | None = None) -> dict[str, Any]:
    return {
        "id": f"drun_{name}_{at}",
        "deployment_id": f"depl_{name}",
        "created_at": at,
        "session_id": None if error else "sesn_1",
        "error": {"type": error, "message": f"{error}!"} if error else None,
        "trigger_context": {"type": "schedule"},
    }


def test_an_auto_pause_window_opens_at_the_run_that_paused_it() -> None:
    paused = live("a", "2026-03-02T10:00:00.000Z", "vault_archived_error", last_run="2026-03-02T06:00:00.000Z")
    steady = live("b", "2026-03-01T00:00:00.000Z", last_run="2026-03-02T06:00:00.000Z")
    assert window_start(paused) == "2026-03-02T06:00:00.000Z"
    assert window_start(steady) == "2026-03-01T00:00:00.000Z"
    assert listing_since([paused, steady]) == "2026-03-01T00:00:00.000Z"
    assert listing_since([]) is None


def test_states_counts_and_runs_outside_the_window() -> None:
    deployments = [
        live("ok", "2026-03-01T00:00:00.000Z"),
        live("bad", "2026-03-01T00:00:00.000Z"),
        live("new", "2026-03-05T00:00:00.000Z"),
        Live.from_json({"id": "depl_other", "metadata": {tags.STACK: "other"}}),
    ]
    runs = [
        run("ok", "2026-03-02T00:00:00Z", "session_rate_limited_error"),
        run("ok", "2026-03-03T00:00:00Z"),
        run("bad", "2026-03-02T00:00:00Z"),
        run("bad", "2026-03-03T00:00:00Z", "session_rate_limited_error"),
        run("new", "2026-03-04T00:00:00Z", "unknown_error"),  # before its last change
        run("other", "2026-03-04T00:00:00Z", "unknown_error"),
    ]
    health = assess(runs, deployments, [want("ok"), want("bad")], STACK)
    by_name = {d.name: d for d in health.deployments}
    assert set(by_name) == {"ok", "bad", "new"}
    assert (by_name["ok"].state, by_name["ok"].runs, by_name["ok"].failed) == ("ok", 2, 1)
    assert (by_name["bad"].state, by_name["bad"].failed) == ("failing", 1)
    assert by_name["bad"].fix is not None and "deployments/bad.yaml:1" in by_name["bad"].fix
    assert (by_name["new"].state, by_name["new"].runs) == ("no_runs", 0)
    assert [d.name for d in health.problems] == ["bad"]
    assert health.summary() == "Health: 1 failing, 0 auto-paused, 2 healthy."


@pytest.mark.parametrize("error_type", [*sorted(RUN_ERRORS), "quota_exhausted_error"])
def test_every_error_type_has_a_one_line_fix(error_type: str) -> None:
    deployment = live("x", "2026-03-01T00:00:00.000Z")
    line = fix_line(error_type, "", deployment, want("x", vault_ids=["vlt_1"]), lambda w, loc: f"F:{len(loc)}")
    assert line and "\n" not in line and "{" not in line
    fix = RUN_ERRORS.get(error_type, UNRECOGNIZED_RUN_ERROR).fix
    assert ("F:" in line) == ("{where}" in fix)


def test_a_type_agentops_does_not_know_keeps_its_message_and_gets_the_generic_fix() -> None:
    deployment = live("x", "2026-03-01T00:00:00.000Z", "quota_exhausted_error")
    runs = [run("x", "2026-03-02T00:00:00Z", "quota_exhausted_error")]
    item = assess(runs, [deployment], [want("x")], STACK).deployments[0]
    assert (item.state, item.paused_reason) == ("auto_paused", "quota_exhausted_error")
    assert item.last_error is not None and item.last_error["message"] == "quota_exhausted_error!"
    assert item.fix is not None and item.fix.startswith("agentops does not know this error type")


@pytest.mark.parametrize(("error", "paused_reason"), [
    ("vault gone", {"type": "error", "error": "vault gone"}),  # an error that is a string
    ({"message": 7}, {"type": "error"}),  # no type, a message that is no string
    (["x"], ["error"]),  # neither is an object
])
def test_an_undocumented_error_shape_is_an_unknown_error_not_a_crash(error: Any, paused_reason: Any) -> None:
    deployment = live("x", "2026-03-01T00:00:00.000Z", paused_reason=paused_reason, status="paused")
    failed = {**run("x", "2026-03-02T00:00:00Z"), "error": error, "trigger_context": "schedule"}
    item = assess([failed], [deployment], [want("x")], STACK).deployments[0]
    assert item.failed == 1 and item.last_error is not None
    assert (item.last_error["type"], item.last_error["message"]) == ("unknown_error", "")
    assert item.state == ("auto_paused" if isinstance(paused_reason, dict) else "failing")
    assert item.fix is not None and "the API did not say why" in item.fix


def test_the_fix_names_the_vault_from_the_message_and_points_at_its_line() -> None:
    deployment = live("x", "2026-03-01T00:00:00.000Z", "vault_archived_error")
    wanted = want("x", vault_ids=["vlt_a", "vlt_ab"])
    line = fix_line("vault_archived_error", "vault 'vlt_ab' is archived", deployment, wanted,
                    lambda w, loc: "/".join(map(str, loc)), auto_paused=True)
    assert line == ("vault vlt_ab is archived: restore it or remove it from vault_ids in vault_ids/1; "
                    "then agentops apply unpauses it")
    unnamed = fix_line("vault_archived_error", "a vault is archived", deployment, wanted)
    assert unnamed is not None and unnamed.startswith("a vault in vault_ids (vlt_a, vlt_ab) is archived")
    assert "the API did not say why" in fix_line("unknown_error", "?", deployment, wanted)
    orphan = fix_line("environment_archived_error", "", deployment, None)
    assert orphan is not None and "it has none" in orphan
