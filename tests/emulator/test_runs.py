"""Deployment runs through the SDK: manual runs, scheduled fires on the clock, failures, auto-pause."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anthropic
import pytest

from agentops.emulator import EmulatorServer, Faults
from agentops.model.errors import RUN_ERRORS
from tests.emulator.support import ManualClock
from tests.helpers import api_error, get_json, make_client, make_deployment_body, post_json, raises_api_error

HOURLY = {"type": "cron", "expression": "0 * * * *", "timezone": "UTC"}
START = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def clocked(clock: ManualClock) -> Iterator[tuple[EmulatorServer, anthropic.Anthropic]]:
    with EmulatorServer(clock=clock) as server, make_client(server.url) as sdk:
        yield server, sdk


def hourly(sdk: anthropic.Anthropic, **fields: Any) -> str:
    return sdk.beta.deployments.create(**make_deployment_body(schedule=HOURLY, **fields)).id


def test_manual_run_is_listed_and_retrieved(clocked: tuple[EmulatorServer, anthropic.Anthropic]) -> None:
    _, sdk = clocked
    deployment_id = sdk.beta.deployments.create(**make_deployment_body()).id
    run = sdk.beta.deployments.run(deployment_id)
    assert run.created_at == START and run.trigger_context.type == "manual"
    assert sdk.beta.deployment_runs.retrieve(run.id) == run
    assert sdk.beta.deployment_runs.list().data == [run]
    wire = get_json(sdk, f"/v1/deployment_runs/{run.id}")
    assert set(wire) == {"id", "type", "deployment_id", "agent", "created_at", "session_id", "error",
                         "trigger_context"}
    with pytest.raises(anthropic.NotFoundError) as info:
        sdk.beta.deployment_runs.retrieve("drun_missing")
    assert api_error(info.value)["type"] == "not_found_error"


def test_listing_pages_newest_first_and_filters(
    clocked: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock
) -> None:
    server, sdk = clocked
    first, second = hourly(sdk, name="first"), sdk.beta.deployments.create(**make_deployment_body(name="2")).id
    runs = []
    for _ in range(3):
        clock.advance(59)
        runs.append(sdk.beta.deployments.run(first))
        clock.advance(1)
        runs.append(sdk.beta.deployments.run(second))
    server.faults = Faults(run_errors={second: "session_creation_rejected_error"})
    clock.advance(60)
    failed = sdk.beta.deployments.run(second)
    newest_first = [failed.id] + [r.id for r in reversed(runs)]

    page = sdk.beta.deployment_runs.list(limit=2)
    assert [r.id for r in page.data] == newest_first[:2] and page.next_page is not None
    assert [r.id for r in sdk.beta.deployment_runs.list(limit=2)] == newest_first  # auto-paging
    assert [r.id for r in sdk.beta.deployment_runs.list(deployment_id=first)] == [r.id for r in reversed(runs[::2])]
    assert [r.id for r in sdk.beta.deployment_runs.list(has_error=True)] == [failed.id]
    assert len(sdk.beta.deployment_runs.list(has_error=False).data) == 6
    assert sdk.beta.deployment_runs.list(trigger_type="schedule").data == []
    assert sdk.beta.deployment_runs.list(deployment_id="depl_nope").data == []
    # Runs at 12:00:59, 12:01:00, 12:01:59, 12:02:00, 12:02:59, 12:03:00 and 12:04:00.
    at = [START + timedelta(minutes=m) for m in range(5)]
    assert len(sdk.beta.deployment_runs.list(created_at_gte=at[2]).data) == 4
    assert len(sdk.beta.deployment_runs.list(created_at_gt=at[2]).data) == 3
    assert len(sdk.beta.deployment_runs.list(created_at_lt=at[2]).data) == 3
    assert len(sdk.beta.deployment_runs.list(created_at_lte=at[2], created_at_gt=at[1]).data) == 2


@pytest.mark.parametrize(("params", "message"), [
    ({"limit": 1001}, "limit"), ({"limit": 0}, "limit"), ({"trigger_type": "cron"}, "trigger_type"),
    ({"has_error": "maybe"}, "has_error"), ({"page": "garbage!"}, "cursor"),
    ({"created_at[gt]": "yesterday"}, "created_at[gt]"),
])
def test_bad_listing_parameters(client: anthropic.Anthropic, params: dict[str, Any], message: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        client.beta.deployment_runs.list(extra_query=params)
    assert message in api_error(info.value)["message"]


def test_limit_up_to_1000(client: anthropic.Anthropic) -> None:
    assert client.beta.deployment_runs.list(limit=1000).data == []


def test_runs_belong_to_their_workspace(client: anthropic.Anthropic) -> None:
    deployment_id = client.beta.deployments.create(**make_deployment_body(), workspace_id="wrkspc_a").id
    run = client.beta.deployments.run(deployment_id, workspace_id="wrkspc_a")
    assert client.beta.deployment_runs.list().data == []
    with pytest.raises(anthropic.NotFoundError):
        client.beta.deployment_runs.retrieve(run.id)
    assert client.beta.deployment_runs.retrieve(run.id, workspace_id="wrkspc_a") == run


def test_tick_records_every_passed_fire_time_once(
    clocked: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock
) -> None:
    server, sdk = clocked
    deployment_id = hourly(sdk)
    unscheduled = sdk.beta.deployments.create(**make_deployment_body()).id
    before = sdk.beta.deployments.retrieve(deployment_id)
    clock.advance(3.5 * 3600)
    fired = server.tick()
    hours = [START + timedelta(hours=h) for h in (1, 2, 3)]
    assert [r["trigger_context"]["scheduled_at"] for r in fired] == [
        "2026-03-05T13:00:00.000Z", "2026-03-05T14:00:00.000Z", "2026-03-05T15:00:00.000Z"]
    listed = sdk.beta.deployment_runs.list(trigger_type="schedule").data
    assert [r.created_at for r in listed] == hours[::-1]  # recorded as if fired on time
    assert all(r.session_id and r.error is None and r.deployment_id == deployment_id for r in listed)
    after = sdk.beta.deployments.retrieve(deployment_id)
    assert after.schedule is not None and after.schedule.last_run_at == hours[-1]
    assert after.updated_at == before.updated_at  # a schedule tick is not a user write
    assert server.tick() == [] and post_json(sdk, "/_emulator/tick") == {"data": []}
    assert sdk.beta.deployment_runs.list(deployment_id=unscheduled).data == []
    clock.advance(3600)
    (over_http,) = post_json(sdk, "/_emulator/tick")["data"]
    assert over_http["trigger_context"]["scheduled_at"] == "2026-03-05T16:00:00.000Z"


def test_paused_schedules_skip_and_unpausing_makes_nothing_up(
    clocked: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock
) -> None:
    server, sdk = clocked
    deployment_id = hourly(sdk)
    sdk.beta.deployments.pause(deployment_id)
    clock.advance(3 * 3600 + 60)
    assert server.tick() == []
    sdk.beta.deployments.unpause(deployment_id)
    assert server.tick() == []  # 13:00-15:00 were missed while paused; they stay missed
    clock.advance(3600)
    assert [r["trigger_context"]["scheduled_at"] for r in server.tick()] == ["2026-03-05T16:00:00.000Z"]


def test_a_new_schedule_fires_from_the_update_on(
    clocked: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock
) -> None:
    server, sdk = clocked
    deployment_id = sdk.beta.deployments.create(**make_deployment_body()).id
    clock.advance(3 * 3600 + 60)
    sdk.beta.deployments.update(deployment_id, schedule=HOURLY)  # type: ignore[arg-type]
    assert server.tick() == []
    clock.advance(3600)
    assert len(server.tick()) == 1


@pytest.mark.parametrize("error_type", ["session_rate_limited_error", "session_creation_rejected_error"])
def test_rate_limited_and_rejected_runs_keep_the_schedule_firing(
    clocked: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock, error_type: str
) -> None:
    server, sdk = clocked
    deployment_id = hourly(sdk)
    post_json(sdk, "/_emulator/faults", {"run_errors": {deployment_id: error_type}})
    clock.advance(2 * 3600)
    fired = server.tick()
    assert [r["error"]["type"] for r in fired] == [error_type] * 2
    assert all(r["session_id"] is None for r in fired)
    assert sdk.beta.deployments.retrieve(deployment_id).status == "active"


# Every type that pauses, and one the API may add later (the SDK parses it all the same).
PAUSING = [t for t, known in sorted(RUN_ERRORS.items()) if known.pauses]


@pytest.mark.parametrize("error_type", [*PAUSING, "quota_exhausted_error"])
def test_failing_scheduled_run_auto_pauses_with_its_error(
    clocked: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock, error_type: str
) -> None:
    server, sdk = clocked
    deployment_id, other = hourly(sdk), hourly(sdk, name="healthy")
    server.faults = Faults(run_errors={deployment_id: error_type})
    manual = sdk.beta.deployments.run(deployment_id)
    assert manual.error is not None and manual.error.type == error_type
    assert sdk.beta.deployments.retrieve(deployment_id).status == "active"  # manual runs never pause
    clock.advance(3 * 3600)
    fired = server.tick()
    # Paused by the 13:00 failure: 14:00 and 15:00 never fire.
    assert [r["error"]["type"] for r in fired if r["deployment_id"] == deployment_id] == [error_type]
    assert len([r for r in fired if r["deployment_id"] == other]) == 3
    paused = sdk.beta.deployments.retrieve(deployment_id)
    assert paused.status == "paused" and paused.paused_reason is not None
    assert paused.paused_reason.type == "error" and paused.paused_reason.error.type == error_type  # type: ignore[union-attr]
    assert get_json(sdk, f"/v1/deployments/{deployment_id}")["paused_reason"] == {
        "type": "error", "error": {"type": error_type}}
    assert sdk.beta.deployments.run(deployment_id).trigger_context.type == "manual"  # works while paused


@pytest.mark.parametrize(("kind", "error_type"), [("environment", "environment_archived_error"),
                                                  ("vault", "vault_archived_error")])
def test_archiving_a_referenced_object_fails_the_next_run_and_pauses(
    clocked: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock, kind: str, error_type: str
) -> None:
    server, sdk = clocked
    server.register_environment("env_r")
    server.register_vault("vlt_r")
    deployment_id = hourly(sdk, environment_id="env_r", vault_ids=["vlt_r"])
    clock.advance(3600)
    assert server.tick()[0]["error"] is None
    post_json(sdk, f"/_emulator/{kind}s/{'vlt_r' if kind == 'vault' else 'env_r'}/archive")
    clock.advance(2 * 3600)
    (failed,) = server.tick()
    assert failed["error"]["type"] == error_type and kind in failed["error"]["message"]
    reason = sdk.beta.deployments.retrieve(deployment_id).paused_reason
    assert reason is not None and reason.error.type == error_type  # type: ignore[union-attr]
    assert sdk.beta.deployment_runs.list(has_error=True, deployment_id=deployment_id).data[0].id == failed["id"]


def test_archiving_the_agent_fails_its_runs_and_auto_pauses_scheduled_ones(
    clocked: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock
) -> None:
    """The SDK's run error and paused reason "The deployment's agent was archived": the deployments
    stay (no cascade), a scheduled fire fails and auto-pauses, a manual run fails without pausing."""
    server, sdk = clocked
    agent = sdk.beta.agents.create(name="gone-bot", model="claude-sonnet-4-6").id
    scheduled = hourly(sdk, agent=agent)
    manual = sdk.beta.deployments.create(**make_deployment_body(agent=agent)).id
    unrelated = hourly(sdk, name="other agent")
    sdk.beta.agents.archive(agent)
    assert sdk.beta.deployments.retrieve(scheduled).archived_at is None
    run = sdk.beta.deployments.run(manual)
    assert run.error is not None and run.error.type == "agent_archived_error" and run.session_id is None
    assert sdk.beta.deployments.retrieve(manual).status == "active"
    clock.advance(3600)
    fired = {r["deployment_id"]: r["error"] for r in server.tick()}
    assert fired[scheduled]["type"] == "agent_archived_error" and fired[unrelated] is None
    paused = sdk.beta.deployments.retrieve(scheduled)
    assert paused.status == "paused" and paused.paused_reason is not None
    assert paused.paused_reason.error.type == "agent_archived_error"  # type: ignore[union-attr]
    with pytest.raises(anthropic.BadRequestError) as info:
        sdk.beta.deployments.update(scheduled, agent=agent)  # an archived agent cannot be pinned again
    assert api_error(info.value)["type"] == "invalid_request_error"


def test_bad_run_error_fault_is_refused(client: anthropic.Anthropic) -> None:
    # A name like the API's types is taken (a type it may add); anything else is a mistake.
    with raises_api_error(400, "run_errors"):
        post_json(client, "/_emulator/faults", {"run_errors": {"*": "Vault Archived"}})
    with pytest.raises(ValueError, match="run_errors"):
        Faults(run_errors={"*": "nope"})
    with pytest.raises(ValueError, match="run_errors"):
        Faults(run_errors={"*": 7})  # type: ignore[dict-item]


def test_scheduler_position_survives_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    db = tmp_path / "state.db"
    with EmulatorServer(db_path=db, clock=clock) as first, make_client(first.url) as sdk:
        hourly(sdk)
        clock.advance(2 * 3600)
        assert len(first.tick()) == 2
    with EmulatorServer(db_path=db, clock=clock) as second, make_client(second.url) as sdk:
        assert second.tick() == []
        clock.advance(3600)
        assert len(second.tick()) == 1
        assert len(sdk.beta.deployment_runs.list().data) == 3
