"""Computed schedule times, scheduled fires and the auto-pause a failing fire causes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from agentops.emulator.registry import KINDS, Kind
from tests.helpers import get_json, make_client, make_deployment_body, post_json, raises_api_error

# Thursday 2026-03-05 07:00 in New York (EST, UTC-5). DST starts Sunday 2026-03-08.
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[tuple[EmulatorServer, anthropic.Anthropic]]:
    with EmulatorServer(clock=lambda: NOW) as server, make_client(server.url) as sdk:
        yield server, sdk


def test_upcoming_runs_cross_a_dst_change(frozen: tuple[EmulatorServer, anthropic.Anthropic]) -> None:
    _, sdk = frozen
    created = sdk.beta.deployments.create(**make_deployment_body(
        schedule={"type": "cron", "expression": "30 9 * * 1-5", "timezone": "America/New_York"}
    ))
    assert created.schedule is not None and created.schedule.last_run_at is None
    # 09:30 EST is 14:30Z (Thu, Fri); from Monday 09:30 EDT is 13:30Z.
    assert created.schedule.upcoming_runs_at == [
        datetime(2026, 3, 5, 14, 30, tzinfo=UTC),
        datetime(2026, 3, 6, 14, 30, tzinfo=UTC),
        datetime(2026, 3, 9, 13, 30, tzinfo=UTC),
        datetime(2026, 3, 10, 13, 30, tzinfo=UTC),
        datetime(2026, 3, 11, 13, 30, tzinfo=UTC),
    ]
    wire = get_json(sdk, f"/v1/deployments/{created.id}")
    assert wire["schedule"]["upcoming_runs_at"][0] == "2026-03-05T14:30:00.000Z"


def test_paused_schedule_still_lists_upcoming_runs(frozen: tuple[EmulatorServer, anthropic.Anthropic]) -> None:
    _, sdk = frozen
    created = sdk.beta.deployments.create(**make_deployment_body(
        schedule={"type": "cron", "expression": "0 0 1 1 *", "timezone": "UTC"}
    ))
    paused = sdk.beta.deployments.pause(created.id)
    assert paused.schedule is not None
    assert paused.schedule.upcoming_runs_at == [datetime(2027 + i, 1, 1, tzinfo=UTC) for i in range(5)]


def test_fire_records_a_scheduled_run(frozen: tuple[EmulatorServer, anthropic.Anthropic]) -> None:
    server, sdk = frozen
    created = sdk.beta.deployments.create(**make_deployment_body(
        schedule={"type": "cron", "expression": "0 12 * * *", "timezone": "UTC"}
    ))
    run = server.fire(created.id)
    assert run["error"] is None and run["session_id"].startswith("sesn_")
    assert run["trigger_context"] == {"type": "schedule", "scheduled_at": "2026-03-05T12:00:00.000Z"}
    after = sdk.beta.deployments.retrieve(created.id)
    assert after.schedule is not None and after.schedule.last_run_at == NOW
    assert after.status == "active"
    assert after.updated_at == created.updated_at  # a schedule tick is not a user write


@pytest.mark.parametrize(
    ("kind", "error_type"),
    [("environment", "environment_archived_error"), ("vault", "vault_archived_error")],
)
def test_failing_fire_auto_pauses(client: anthropic.Anthropic, emulator: EmulatorServer,
                                  kind: Kind, error_type: str) -> None:
    for registered in KINDS:
        emulator.register(registered, f"{registered}_1")
    created = client.beta.deployments.create(**make_deployment_body(
        agent="agent_1", environment_id="environment_1", vault_ids=["vault_1"],
        schedule={"type": "cron", "expression": "0 * * * *", "timezone": "UTC"},
    ))
    emulator.archive(kind, f"{kind}_1")
    run = post_json(client, f"/_emulator/deployments/{created.id}/fire")
    assert run["session_id"] is None and run["error"]["type"] == error_type
    paused = client.beta.deployments.retrieve(created.id)
    assert paused.status == "paused"
    assert paused.paused_reason is not None and paused.paused_reason.type == "error"
    assert paused.paused_reason.error.type == error_type
    assert paused.updated_at > created.updated_at


@pytest.mark.parametrize(
    ("seed", "error_type"),
    [({"agents": [{"id": "agent_1"}], "vaults": [{"id": "vlt_1"}]}, "environment_not_found_error"),
     ({"agents": [{"id": "agent_1"}], "environments": [{"id": "env_1"}]}, "vault_not_found_error")],
)
def test_strict_fire_reports_missing_references(tmp_path: Path, seed: dict[str, Any], error_type: str) -> None:
    db = tmp_path / "state.db"
    with EmulatorServer(db_path=db) as lenient, make_client(lenient.url) as sdk:
        created = sdk.beta.deployments.create(**make_deployment_body(
            agent="agent_1", environment_id="env_1", vault_ids=["vlt_1"],
            schedule={"type": "cron", "expression": "0 * * * *", "timezone": "UTC"},
        ))
    # Restarted strict with a registry that lacks one reference, as if it had been deleted.
    with EmulatorServer(db_path=db, seed=seed) as strict, make_client(strict.url) as sdk:
        run = strict.fire(created.id)
        assert run["error"]["type"] == error_type
        reason = sdk.beta.deployments.retrieve(created.id).paused_reason
        assert reason is not None and reason.error.type == error_type  # type: ignore[union-attr]


def test_fire_refuses_unscheduled_and_paused(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    manual = client.beta.deployments.create(**make_deployment_body())
    with raises_api_error(400, "no schedule"):
        post_json(client, f"/_emulator/deployments/{manual.id}/fire")
    scheduled = client.beta.deployments.create(**make_deployment_body(
        schedule={"type": "cron", "expression": "0 * * * *", "timezone": "UTC"}
    ))
    client.beta.deployments.pause(scheduled.id)
    with raises_api_error(400, "paused"):
        post_json(client, f"/_emulator/deployments/{scheduled.id}/fire")
    with pytest.raises(anthropic.NotFoundError):
        post_json(client, "/_emulator/deployments/depl_missing/fire")
