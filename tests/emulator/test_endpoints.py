"""Every Deployments endpoint through the real SDK: shapes, lifecycle and error responses."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from tests.helpers import api_error, get_json, make_client, make_deployment_body, post_json, raises_api_error

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_create_returns_the_full_deployment(client: anthropic.Anthropic) -> None:
    body = make_deployment_body(
        description="triage", metadata={"team": "infra"}, vault_ids=["vlt_1"],
        budget={"type": "limit", "max_list_cost": {"amount": "500", "currency": "USD"}},
    )
    created = client.beta.deployments.create(**body)
    assert created.id.startswith("depl_")
    assert created.type == "deployment"
    assert created.agent.id == body["agent"] and created.agent.type == "agent" and created.agent.version == 1
    assert created.environment_id == body["environment_id"]
    assert created.initial_events[0].model_dump(exclude_none=True) == body["initial_events"][0]
    assert created.metadata == {"team": "infra"}
    assert created.vault_ids == ["vlt_1"]
    assert created.resources == []
    assert created.schedule is None
    assert created.status == "active" and created.paused_reason is None
    assert created.budget is not None and created.budget.max_list_cost.amount == "500"
    assert created.archived_at is None
    assert created.created_at == created.updated_at

    wire = get_json(client, f"/v1/deployments/{created.id}")
    assert TIMESTAMP.match(wire["created_at"]) and TIMESTAMP.match(wire["updated_at"])
    assert wire["archived_at"] is None


def test_defaults_when_optional_fields_are_omitted(client: anthropic.Anthropic) -> None:
    created = client.beta.deployments.create(**make_deployment_body(description=""))
    wire = get_json(client, f"/v1/deployments/{created.id}")
    assert wire["metadata"] == {} and wire["vault_ids"] == [] and wire["resources"] == []
    assert wire["description"] is None and wire["schedule"] is None
    assert "budget" not in wire


def test_agent_reference_forms(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    emulator.register_agent("agent_multi", versions=3)
    latest = client.beta.deployments.create(**make_deployment_body(agent="agent_multi"))
    pinned = client.beta.deployments.create(
        **make_deployment_body(agent={"type": "agent", "id": "agent_multi", "version": 2})
    )
    assert latest.agent.version == 3
    assert pinned.agent.version == 2
    emulator.register_agent("agent_multi", versions=4)
    repinned = client.beta.deployments.update(pinned.id, agent="agent_multi")
    assert repinned.agent.version == 4


def test_retrieve(client: anthropic.Anthropic) -> None:
    created = client.beta.deployments.create(**make_deployment_body())
    assert client.beta.deployments.retrieve(created.id) == created


def test_pause_unpause_idempotent(client: anthropic.Anthropic) -> None:
    created = client.beta.deployments.create(**make_deployment_body())
    paused = client.beta.deployments.pause(created.id)
    assert paused.status == "paused"
    assert paused.paused_reason is not None and paused.paused_reason.type == "manual"
    assert client.beta.deployments.pause(created.id) == paused
    active = client.beta.deployments.unpause(created.id)
    assert active.status == "active" and active.paused_reason is None
    assert active.updated_at > paused.updated_at
    assert client.beta.deployments.unpause(created.id) == active


def test_archive_hides_from_list_and_freezes(client: anthropic.Anthropic) -> None:
    created = client.beta.deployments.create(**make_deployment_body(
        schedule={"expression": "0 9 * * *", "timezone": "UTC"}
    ))
    client.beta.deployments.pause(created.id)
    archived = client.beta.deployments.archive(created.id)
    assert archived.archived_at is not None
    assert archived.status == "paused"  # archiving keeps status and reason as they were
    assert archived.paused_reason is not None and archived.paused_reason.type == "manual"
    assert archived.schedule is not None and archived.schedule.upcoming_runs_at == []
    assert [d.id for d in client.beta.deployments.list()] == []
    assert [d.id for d in client.beta.deployments.list(include_archived=True)] == [created.id]
    assert client.beta.deployments.retrieve(created.id).archived_at == archived.archived_at

    for call in (
        lambda: client.beta.deployments.update(created.id, name="again"),
        lambda: client.beta.deployments.pause(created.id),
        lambda: client.beta.deployments.unpause(created.id),
        lambda: client.beta.deployments.run(created.id),
        lambda: client.beta.deployments.archive(created.id),
    ):
        with raises_api_error(400, "archived"):
            call()


def test_archive_of_active_keeps_status_active(client: anthropic.Anthropic) -> None:
    created = client.beta.deployments.create(**make_deployment_body())
    archived = client.beta.deployments.archive(created.id)
    assert archived.status == "active" and archived.paused_reason is None


def test_manual_run(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    created = client.beta.deployments.create(**make_deployment_body())
    run = client.beta.deployments.run(created.id)
    assert run.id.startswith("drun_") and run.type == "deployment_run"
    assert run.deployment_id == created.id
    assert run.agent == created.agent
    assert run.session_id is not None and run.session_id.startswith("sesn_")
    assert run.error is None
    assert run.trigger_context.type == "manual"
    assert [r["id"] for r in emulator.runs(created.id)] == [run.id]


def test_manual_run_with_archived_vault_fails_without_pausing(
    client: anthropic.Anthropic, emulator: EmulatorServer
) -> None:
    emulator.register_vault("vlt_old")
    created = client.beta.deployments.create(**make_deployment_body(vault_ids=["vlt_old"]))
    emulator.archive_vault("vlt_old")
    run = client.beta.deployments.run(created.id)
    assert run.session_id is None
    assert run.error is not None and run.error.type == "vault_archived_error" and run.error.message
    assert client.beta.deployments.retrieve(created.id).status == "active"


@pytest.mark.parametrize("action", ["retrieve", "archive", "pause", "unpause", "run"])
def test_unknown_id_is_404(client: anthropic.Anthropic, action: str) -> None:
    with pytest.raises(anthropic.NotFoundError) as info:
        getattr(client.beta.deployments, action)("depl_missing")
    error = api_error(info.value)
    assert error["type"] == "not_found_error" and "depl_missing" in error["message"]
    assert info.value.response.json() == {"type": "error", "error": error, "request_id": info.value.request_id}
    assert info.value.response.headers["request-id"].startswith("req_")


def test_update_unknown_id_is_404(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError):
        client.beta.deployments.update("depl_missing", name="x")


def test_missing_beta_header_is_400(client: anthropic.Anthropic) -> None:
    with raises_api_error(400, "managed-agents-2026-04-01"):
        client.beta.deployments.list(extra_headers={"anthropic-beta": "files-api-2025-04-14"})


def test_invalid_json_is_400(client: anthropic.Anthropic) -> None:
    with raises_api_error(400, "invalid JSON") as info:
        client.post("/v1/deployments", cast_to=object, content=b'{"name": ',
                    options={"headers": {"anthropic-beta": "managed-agents-2026-04-01",
                                         "content-type": "application/json"}})
    assert api_error(info.value)["type"] == "invalid_request_error"
    assert "x-should-retry" not in info.value.response.headers


def test_non_object_body_is_400(client: anthropic.Anthropic) -> None:
    with raises_api_error(400, "JSON object"):
        post_json(client, "/v1/deployments", [1, 2])


def test_unknown_route_is_404(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError):
        get_json(client, "/v1/nothing-here")


def test_updated_at_strictly_increases_within_a_millisecond() -> None:
    frozen = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    with EmulatorServer(clock=lambda: frozen) as server, make_client(server.url) as sdk:
        created = sdk.beta.deployments.create(**make_deployment_body())
        stamps = [created.updated_at]
        stamps.append(sdk.beta.deployments.update(created.id, name="b").updated_at)
        stamps.append(sdk.beta.deployments.pause(created.id).updated_at)
        stamps.append(sdk.beta.deployments.unpause(created.id).updated_at)
        stamps.append(sdk.beta.deployments.archive(created.id).updated_at)
        assert stamps == sorted(set(stamps))
        assert created.created_at == frozen
