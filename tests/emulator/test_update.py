"""Update semantics: omitted preserves, lists replace, metadata patches, some fields clear."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from tests.helpers import get_json, make_deployment_body, raises_api_error

FULL: dict[str, Any] = {
    "description": "first",
    "metadata": {"a": "1", "b": "2"},
    "resources": [{"type": "file", "file_id": "file_1"}],
    "vault_ids": ["vlt_1", "vlt_2"],
    "schedule": {"type": "cron", "expression": "0 9 * * *", "timezone": "UTC"},
    "budget": {"type": "limit", "max_list_cost": {"amount": "100", "currency": "USD"}},
}


@pytest.fixture
def created(client: anthropic.Anthropic) -> Any:
    return client.beta.deployments.create(**make_deployment_body(**FULL))


def test_empty_update_preserves_everything_but_updated_at(client: anthropic.Anthropic, created: Any) -> None:
    updated = client.beta.deployments.update(created.id)
    assert updated.updated_at > created.updated_at
    assert updated.model_dump(exclude={"updated_at"}) == created.model_dump(exclude={"updated_at"})


def test_scalar_fields_replace(client: anthropic.Anthropic, created: Any) -> None:
    updated = client.beta.deployments.update(created.id, name="renamed", environment_id="env_2")
    assert (updated.name, updated.environment_id) == ("renamed", "env_2")
    assert updated.metadata == created.metadata and updated.vault_ids == created.vault_ids


def test_lists_are_full_replacements(client: anthropic.Anthropic, created: Any) -> None:
    events: list[Any] = [{"type": "user.message", "content": [{"type": "text", "text": "new"}]}]
    updated = client.beta.deployments.update(
        created.id, initial_events=events, resources=[{"type": "file", "file_id": "file_9"}], vault_ids=["vlt_9"]
    )
    assert [e.model_dump(exclude_none=True) for e in updated.initial_events] == events
    assert [r.model_dump(exclude_none=True) for r in updated.resources] == [{"type": "file", "file_id": "file_9"}]
    assert updated.vault_ids == ["vlt_9"]


@pytest.mark.parametrize("empty", [None, []])
def test_resources_and_vaults_clear(client: anthropic.Anthropic, created: Any, empty: Any) -> None:
    updated = client.beta.deployments.update(created.id, resources=empty, vault_ids=empty)
    assert updated.resources == [] and updated.vault_ids == []


def test_metadata_is_a_patch(client: anthropic.Anthropic, created: Any) -> None:
    updated = client.beta.deployments.update(created.id, metadata={"a": None, "c": "3", "missing": None})
    assert updated.metadata == {"b": "2", "c": "3"}


def test_metadata_patch_may_not_exceed_16_keys(client: anthropic.Anthropic, created: Any) -> None:
    client.beta.deployments.update(created.id, metadata={f"k{i}": "v" for i in range(14)})
    with raises_api_error(400, r"metadata: .*17 keys"):
        client.beta.deployments.update(created.id, metadata={"one": "more"})
    # Deleting while adding keeps the bag at 16: allowed.
    updated = client.beta.deployments.update(created.id, metadata={"one": "more", "a": None})
    assert len(updated.metadata) == 16


@pytest.mark.parametrize("cleared", ["", None])
def test_description_clears(client: anthropic.Anthropic, created: Any, cleared: Any) -> None:
    assert client.beta.deployments.update(created.id, description=cleared).description is None


def test_schedule_and_budget_clear_with_null(client: anthropic.Anthropic, created: Any) -> None:
    updated = client.beta.deployments.update(created.id, schedule=None, budget=None)
    assert updated.schedule is None and updated.budget is None
    wire = get_json(client, f"/v1/deployments/{created.id}")
    assert "budget" not in wire


def test_schedule_and_budget_replace(client: anthropic.Anthropic, created: Any) -> None:
    updated = client.beta.deployments.update(
        created.id,
        schedule={"type": "cron", "expression": "0 18 * * 5", "timezone": "Asia/Tokyo"},
        budget={"type": "limit", "max_list_cost": {"amount": "7", "currency": "USD"}},
    )
    assert updated.schedule is not None
    assert (updated.schedule.expression, updated.schedule.timezone) == ("0 18 * * 5", "Asia/Tokyo")
    assert updated.budget is not None and updated.budget.max_list_cost.amount == "7"


def test_failed_update_changes_nothing(client: anthropic.Anthropic, created: Any) -> None:
    with pytest.raises(anthropic.BadRequestError):
        client.beta.deployments.update(created.id, name="ok", vault_ids=["v"] * 51)
    assert client.beta.deployments.retrieve(created.id) == created
