"""client.beta.environments against the emulator: config defaults and update rules, archive,
delete, listing, persistence, and what archived or deleted environments do to deployments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from tests.emulator.support import ManualClock
from tests.helpers import api_error, get_json, make_client, make_deployment_body

LIMITED = {"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["api.github.com"]}}
HOURLY = {"type": "cron", "expression": "0 * * * *", "timezone": "UTC"}


@pytest.fixture
def emulated(clock: ManualClock) -> Iterator[tuple[EmulatorServer, anthropic.Anthropic]]:
    with EmulatorServer(clock=clock) as server, make_client(server.url) as client:
        yield server, client


@pytest.fixture
def sdk(emulated: tuple[EmulatorServer, anthropic.Anthropic]) -> anthropic.Anthropic:
    return emulated[1]


def config_of(sdk: anthropic.Anthropic, environment_id: str) -> Any:
    return get_json(sdk, f"/v1/environments/{environment_id}")["config"]


def test_create_defaults(sdk: anthropic.Anthropic) -> None:
    plain = sdk.beta.environments.create(name="plain")
    assert plain.config.model_dump() == {
        "type": "cloud", "networking": {"type": "unrestricted"},
        "packages": {"type": "packages", "apt": [], "cargo": [], "gem": [], "go": [], "npm": [], "pip": []}}
    assert (plain.description, plain.metadata, plain.scope, plain.archived_at) == (None, {}, "organization", None)
    limited = sdk.beta.environments.create(name="limited", config=LIMITED)
    assert config_of(sdk, limited.id)["networking"] == {
        "type": "limited", "allowed_hosts": ["api.github.com"], "allow_mcp_servers": False,
        "allow_package_managers": False}
    hosted = sdk.beta.environments.create(name="hosted", config={"type": "self_hosted"}, metadata={"team": "a"})
    assert hosted.config.type == "self_hosted" and hosted.metadata == {"team": "a"}
    assert sdk.beta.environments.retrieve(hosted.id) == hosted


@pytest.mark.parametrize("body", [
    {"name": "e", "scope": "account"},  # "API organizations support only 'organization'"
    {"name": "e", "config": {"type": "cloud", "networking": {"type": "limited"}, "packages": {"pip": ["x"]}}},
    {"name": "e", "config": {"type": "moon"}},
    {"name": ""},
])
def test_create_validation(sdk: anthropic.Anthropic, body: dict[str, Any]) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        sdk.beta.environments.create(**body)
    assert api_error(info.value)["type"] == "invalid_request_error"
    assert sdk.beta.environments.list().data == []


def test_update_preserves_what_it_omits(sdk: anthropic.Anthropic, clock: ManualClock) -> None:
    env = sdk.beta.environments.create(name="e", description="d", metadata={"a": "1", "b": "2", "c": "3"},
                                       config={**LIMITED, "packages": {"pip": ["requests"]},
                                               "networking": {**LIMITED["networking"], "allow_package_managers": True}})
    clock.advance(5)
    updated = sdk.beta.environments.update(env.id, config={"type": "cloud", "networking": {"type": "limited",
                                                                                            "allow_mcp_servers": True}},
                                           metadata={"a": None, "b": "", "d": "4"})
    config = config_of(sdk, env.id)
    assert config["networking"] == {"type": "limited", "allowed_hosts": ["api.github.com"], "allow_mcp_servers": True,
                                    "allow_package_managers": True}
    assert config["packages"]["pip"] == ["requests"]  # omitted: preserved
    assert updated.metadata == {"c": "3", "d": "4"}  # null and "" delete a key
    assert (updated.name, updated.description) == ("e", "d") and updated.updated_at > env.updated_at
    sdk.beta.environments.update(env.id, config={"type": "cloud", "packages": {"npm": ["left-pad"]}})
    assert config_of(sdk, env.id)["packages"]["pip"] == []  # a sent `packages` replaces the lists
    assert sdk.beta.environments.update(env.id, description="").description == ""  # stored as sent
    assert sdk.beta.environments.update(env.id, description=None).description is None
    unrestricted = sdk.beta.environments.update(env.id, config={"type": "cloud", "networking": {"type": "unrestricted"}})
    assert unrestricted.config.networking.type == "unrestricted"  # type: ignore[union-attr]
    clock.advance(5)
    assert sdk.beta.environments.update(env.id, name="e", metadata={}) == unrestricted  # no change, no new updated_at


def test_update_refusals_use_the_sdk_error_codes(sdk: anthropic.Anthropic) -> None:
    env = sdk.beta.environments.create(name="e", config=LIMITED)
    with pytest.raises(anthropic.BadRequestError) as changed:
        sdk.beta.environments.update(env.id, config={"type": "self_hosted"})
    assert changed.value.error_code == "invalid_config_type_change"
    with pytest.raises(anthropic.BadRequestError) as packages:
        sdk.beta.environments.update(env.id, config={"type": "cloud", "packages": {"apt": ["git"]}})
    assert packages.value.error_code is None and "packages" in api_error(packages.value)["message"]
    sdk.beta.environments.archive(env.id)
    with pytest.raises(anthropic.BadRequestError) as archived:
        sdk.beta.environments.update(env.id, name="renamed")
    assert archived.value.error_code == "environment_archived"
    assert sdk.beta.environments.retrieve(env.id).name == "e"
    with pytest.raises(anthropic.NotFoundError):
        sdk.beta.environments.update("env_missing", name="x")


def test_archive_and_delete(emulated: tuple[EmulatorServer, anthropic.Anthropic], clock: ManualClock) -> None:
    server, sdk = emulated
    archived_env = sdk.beta.environments.create(name="archived")
    deleted_env = sdk.beta.environments.create(name="deleted")
    on_archived = sdk.beta.deployments.create(**make_deployment_body(environment_id=archived_env.id, schedule=HOURLY))
    on_deleted = sdk.beta.deployments.create(**make_deployment_body(environment_id=deleted_env.id, name="d",
                                                                    schedule=HOURLY))
    archived = sdk.beta.environments.archive(archived_env.id)
    assert archived.archived_at is not None
    assert sdk.beta.environments.archive(archived_env.id).archived_at == archived.archived_at
    assert sdk.beta.environments.delete(deleted_env.id).model_dump() == {"id": deleted_env.id,
                                                                         "type": "environment_deleted"}
    assert [e.id for e in sdk.beta.environments.list(include_archived=True)] == [archived_env.id]
    assert sdk.beta.environments.list().data == []
    with pytest.raises(anthropic.NotFoundError):
        sdk.beta.environments.retrieve(deleted_env.id)
    with pytest.raises(anthropic.NotFoundError):
        sdk.beta.environments.delete(deleted_env.id)
    for environment_id in (archived_env.id, deleted_env.id):
        with pytest.raises(anthropic.BadRequestError):
            sdk.beta.deployments.create(**make_deployment_body(environment_id=environment_id, name="new"))
    clock.advance(3600)
    errors = {run["deployment_id"]: run["error"]["type"] for run in server.tick()}
    assert errors == {on_archived.id: "environment_archived_error", on_deleted.id: "environment_not_found_error"}
    assert sdk.beta.deployments.retrieve(on_deleted.id).status == "paused"


def test_list_pages(sdk: anthropic.Anthropic, clock: ManualClock) -> None:
    made = []
    for index in range(3):
        made.append(sdk.beta.environments.create(name=f"e{index}").id)
        clock.advance(1)
    page = sdk.beta.environments.list(limit=2)
    assert [e.id for e in page.data] == made[::-1][:2] and page.next_page
    assert [e.id for e in sdk.beta.environments.list(limit=2)] == made[::-1]


def test_environments_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with EmulatorServer(db_path=db) as first, make_client(first.url) as sdk:
        kept = sdk.beta.environments.update(sdk.beta.environments.create(name="kept", config=LIMITED).id,
                                            description="changed")
        gone = sdk.beta.environments.create(name="gone").id
        sdk.beta.environments.delete(gone)
    with EmulatorServer(db_path=db) as second, make_client(second.url) as sdk:
        assert sdk.beta.environments.retrieve(kept.id) == kept
        with pytest.raises(anthropic.NotFoundError):
            sdk.beta.environments.retrieve(gone)
