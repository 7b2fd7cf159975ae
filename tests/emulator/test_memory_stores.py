"""Memory stores through the SDK, and their beta header rule: `agent-memory-2026-07-22` (what the SDK
sends) or `managed-agents-2026-04-01`, never both."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from agentops.model.kinds import MANAGED_AGENTS_BETA, MEMORY_BETA
from tests.emulator.support import ManualClock
from tests.helpers import make_client, raises_api_error


@pytest.fixture
def clocked(clock: ManualClock) -> Iterator[anthropic.Anthropic]:
    with EmulatorServer(clock=clock) as server, make_client(server.url) as sdk:
        yield sdk


def test_create_retrieve_update_and_list(clocked: anthropic.Anthropic, clock: ManualClock) -> None:
    sdk = clocked
    store = sdk.beta.memory_stores.create(name="Customer notes", metadata={"team": "support"})
    assert store.id.startswith("memstore_") and store.type == "memory_store"
    assert (store.name, store.description, store.metadata, store.archived_at) == (
        "Customer notes", "", {"team": "support"}, None)
    assert sdk.beta.memory_stores.retrieve(store.id) == store
    clock.advance(5)
    updated = sdk.beta.memory_stores.update(store.id, description="What customers asked.",
                                            metadata={"team": None, "owner": "ops"})
    assert (updated.name, updated.description, updated.metadata) == (
        "Customer notes", "What customers asked.", {"owner": "ops"})
    assert updated.updated_at > store.updated_at
    cleared = sdk.beta.memory_stores.update(store.id, description="", name="notes")
    assert (cleared.name, cleared.description) == ("notes", "")
    clock.advance(5)
    other = sdk.beta.memory_stores.create(name="notes")  # names need not be unique
    assert [s.id for s in sdk.beta.memory_stores.list()] == [other.id, store.id]
    assert [s.id for s in sdk.beta.memory_stores.list(created_at_gte=other.created_at)] == [other.id]
    assert [s.id for s in sdk.beta.memory_stores.list(limit=1)] == [other.id, store.id]  # auto-paging
    with raises_api_error(400, "limit: "):
        sdk.beta.memory_stores.list(limit=101)


@pytest.mark.parametrize(("body", "message"), [
    ({"name": ""}, "name: "),
    ({"name": "x" * 256}, "name: "),
    ({"name": "a\nb"}, "name: "),
    ({"name": "n", "description": "d" * 1025}, "description: "),
    ({"name": "n", "metadata": {f"k{i}": "v" for i in range(17)}}, "metadata: "),
])
def test_create_refuses_what_the_sdk_documents(client: anthropic.Anthropic, body: dict[str, object],
                                               message: str) -> None:
    with raises_api_error(400, message):
        client.post("/v1/memory_stores", cast_to=object, body=body, options={"headers": {"anthropic-beta": MEMORY_BETA}})


def test_archive_is_final_and_idempotent_and_delete_removes(clocked: anthropic.Anthropic, clock: ManualClock) -> None:
    sdk = clocked
    store = sdk.beta.memory_stores.create(name="notes")
    clock.advance(5)
    archived = sdk.beta.memory_stores.archive(store.id)
    assert archived.archived_at is not None and archived.updated_at == archived.archived_at  # archiving updates it
    clock.advance(5)
    assert sdk.beta.memory_stores.archive(store.id) == archived  # "returns it unchanged"
    with raises_api_error(400, "archived"):
        sdk.beta.memory_stores.update(store.id, name="again")
    assert sdk.beta.memory_stores.list().data == []
    assert [s.id for s in sdk.beta.memory_stores.list(include_archived=True)] == [store.id]
    deleted = sdk.beta.memory_stores.delete(store.id)  # an archived store can still be deleted
    assert (deleted.id, deleted.type) == (store.id, "memory_store_deleted")
    with raises_api_error(404, "not found"):
        sdk.beta.memory_stores.retrieve(store.id)


def test_the_managed_agents_header_alone_is_accepted(client: anthropic.Anthropic) -> None:
    store = client.beta.memory_stores.create(
        name="notes", extra_headers={"anthropic-beta": MANAGED_AGENTS_BETA})
    assert client.beta.memory_stores.retrieve(store.id, extra_headers={"anthropic-beta": MANAGED_AGENTS_BETA}) == store


def test_both_headers_on_a_memory_store_call_are_refused(emulator: EmulatorServer, client: anthropic.Anthropic) -> None:
    # The SDK appends its own header to `betas`, so asking for the other one sends both.
    with raises_api_error(400, "not both"):
        client.beta.memory_stores.create(name="notes", betas=[MANAGED_AGENTS_BETA])
    store = client.beta.memory_stores.create(name="notes")
    with raises_api_error(400, "not both"):
        client.beta.memory_stores.list(betas=[MANAGED_AGENTS_BETA])
    with raises_api_error(400, "not both"):
        client.beta.memory_stores.archive(store.id, extra_headers={"anthropic-beta": f"{MEMORY_BETA},{MANAGED_AGENTS_BETA}"})
    assert client.beta.memory_stores.retrieve(store.id).archived_at is None
    assert [s.id for s in client.beta.memory_stores.list()] == [store.id]  # the refused create made nothing


def test_a_memory_store_call_without_either_header_is_refused(client: anthropic.Anthropic) -> None:
    with raises_api_error(400, MEMORY_BETA):
        client.beta.memory_stores.list(extra_headers={"anthropic-beta": "files-api-2025-04-14"})


def test_the_memory_header_does_not_open_other_endpoints(client: anthropic.Anthropic) -> None:
    with raises_api_error(400, MANAGED_AGENTS_BETA):
        client.beta.vaults.list(extra_headers={"anthropic-beta": MEMORY_BETA})
