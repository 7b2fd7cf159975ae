"""Listing: keyset pagination that survives concurrent creates, filters and parameter errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import anthropic
import pytest

from agentops.emulator import EmulatorServer
from tests.helpers import make_client, make_deployment_body, raises_api_error


def create_many(client: anthropic.Anthropic, count: int, prefix: str = "d") -> list[str]:
    return [client.beta.deployments.create(**make_deployment_body(name=f"{prefix}{i}")).id for i in range(count)]


def test_250_in_three_pages_each_exactly_once(client: anthropic.Anthropic) -> None:
    ids = create_many(client, 250)
    page = client.beta.deployments.list(limit=100)
    sizes, seen, stamps = [], [], []
    while True:
        sizes.append(len(page.data))
        seen += [d.id for d in page.data]
        stamps += [d.created_at for d in page.data]
        if not page.has_next_page():
            break
        page = page.get_next_page()
    assert sizes == [100, 100, 50]
    assert page.next_page is None
    assert sorted(seen) == sorted(ids) and len(set(seen)) == 250
    assert stamps == sorted(stamps, reverse=True)  # newest first


def test_creates_between_pages_neither_duplicate_nor_drop(client: anthropic.Anthropic) -> None:
    ids = create_many(client, 250)
    page = client.beta.deployments.list(limit=100)
    seen = [d.id for d in page.data]
    while page.has_next_page():
        create_many(client, 7, prefix="late")
        page = page.get_next_page()
        seen += [d.id for d in page.data]
    assert len(seen) == len(set(seen))
    assert set(ids) <= set(seen)


def test_archives_between_pages_do_not_shift_pages(client: anthropic.Anthropic) -> None:
    ids = create_many(client, 30)
    page = client.beta.deployments.list(limit=10)
    seen = [d.id for d in page.data]
    for deployment_id in seen:
        client.beta.deployments.archive(deployment_id)
    while page.has_next_page():
        page = page.get_next_page()
        seen += [d.id for d in page.data]
    assert sorted(seen) == sorted(ids)


def test_default_limit_is_20(client: anthropic.Anthropic) -> None:
    create_many(client, 21)
    page = client.beta.deployments.list()
    assert len(page.data) == 20 and page.next_page is not None


def test_auto_pagination_iterates_everything(client: anthropic.Anthropic) -> None:
    ids = create_many(client, 45)
    assert sorted(d.id for d in client.beta.deployments.list(limit=10)) == sorted(ids)


@pytest.mark.parametrize(("params", "message"), [
    ({"limit": 0}, "limit"),
    ({"limit": 101}, "limit"),
    ({"status": "archived"}, "status"),
    ({"status": "active", "include_archived": True}, "include_archived"),
    ({"page": "!!not-a-cursor!!"}, "page"),
    ({"created_at_gte": "yesterday"}, "created_at[gte]"),
])
def test_bad_parameters_are_400(client: anthropic.Anthropic, params: dict[str, object], message: str) -> None:
    with raises_api_error(400, message.replace("[", r"\[")):
        client.beta.deployments.list(**params)  # type: ignore[arg-type]


def test_filters(client: anthropic.Anthropic) -> None:
    first = client.beta.deployments.create(**make_deployment_body(agent="agent_x"))
    second = client.beta.deployments.create(**make_deployment_body(agent="agent_y"))
    client.beta.deployments.pause(second.id)
    archived = client.beta.deployments.create(**make_deployment_body(agent="agent_x"))
    client.beta.deployments.archive(archived.id)

    def ids(**params: object) -> set[str]:
        return {d.id for d in client.beta.deployments.list(**params)}  # type: ignore[arg-type]

    assert ids() == {first.id, second.id}
    assert ids(agent_id="agent_x") == {first.id}
    assert ids(agent_id="agent_x", include_archived=True) == {first.id, archived.id}
    assert ids(status="paused") == {second.id}
    assert ids(status="active") == {first.id}
    assert ids(include_archived=False) == {first.id, second.id}


class Ticking:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def ticking() -> Iterator[tuple[Ticking, anthropic.Anthropic]]:
    clock = Ticking(datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    with EmulatorServer(clock=clock) as server, make_client(server.url) as sdk:
        yield clock, sdk


def test_created_at_bounds_are_inclusive(ticking: tuple[Ticking, anthropic.Anthropic]) -> None:
    clock, sdk = ticking
    created = []
    for _ in range(3):
        created.append(sdk.beta.deployments.create(**make_deployment_body()))
        clock.now += timedelta(minutes=1)
    middle = created[1].created_at

    def ids(**params: object) -> list[str]:
        return [d.id for d in sdk.beta.deployments.list(**params)]  # type: ignore[arg-type]

    assert ids(created_at_gte=middle) == [created[2].id, created[1].id]
    assert ids(created_at_lte=middle) == [created[1].id, created[0].id]
    assert ids(created_at_gte=middle, created_at_lte=middle) == [created[1].id]
    assert ids(created_at_gte="2026-05-01T12:01:00.001Z") == [created[2].id]


def test_same_millisecond_creates_still_page_once(ticking: tuple[Ticking, anthropic.Anthropic]) -> None:
    _, sdk = ticking  # the clock never moves: every created_at ties, the id breaks the tie
    ids = create_many(sdk, 25)
    seen = [d.id for d in sdk.beta.deployments.list(limit=4)]
    assert sorted(seen) == sorted(ids)
