"""The pure export: a live deployment's manifest loads back to the same comparable shape."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from agentops.engine.desired import desired
from agentops.engine.export import load_back, to_manifest, to_yaml
from agentops.engine.normalize import Context, normalize
from agentops.model import tags

STACK = "team-a"


def live(**fields: Any) -> dict[str, Any]:
    """A deployment as the API returns it: resolved agent, nulls, computed schedule times."""
    base: dict[str, Any] = {
        "id": "depl_011x",
        "type": "deployment",
        "name": "nightly",
        "description": None,
        "agent": {"type": "agent", "id": "agent_011a", "version": 4},
        "environment_id": "env_011e",
        "initial_events": [{"type": "user.message", "content": [{"type": "text", "text": "Go."}]}],
        "metadata": {},
        "resources": [],
        "vault_ids": [],
        "schedule": None,
        "status": "active",
        "paused_reason": None,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "archived_at": None,
    }
    return {**base, **fields}


SAMPLES = {
    "minimal": live(),
    "scheduled-paused": live(
        status="paused",
        paused_reason={"type": "error", "error": {"type": "agent_archived_error"}},
        schedule={
            "type": "cron",
            "expression": "0 6 * * 1-5",
            "timezone": "Asia/Tokyo",
            "last_run_at": "2026-01-02T06:00:00Z",
            "upcoming_runs_at": ["2026-01-03T06:00:00Z"],
        },
    ),
    "resources": live(
        resources=[
            {
                "type": "github_repository",
                "url": "https://github.com/a/b",
                "checkout": None,
                "mount_path": "/workspace/b",
            },
            {
                "type": "memory_store",
                "memory_store_id": "memstore_1",
                "access": "read_write",
                "instructions": None,
            },
        ]
    ),
    "events": live(
        initial_events=[
            {
                "type": "user.message",
                "content": [
                    {
                        "type": "document",
                        "source": {"type": "url", "url": "https://x"},
                        "context": None,
                        "title": None,
                    }
                ],
            },
            {
                "type": "user.define_outcome",
                "description": "d",
                "rubric": {"type": "text", "content": "r"},
                "max_iterations": 3,
            },
        ]
    ),
    "tagged": live(
        metadata={"team": "x", tags.STACK: STACK, tags.NAME: "nightly", tags.PREVENT_ARCHIVE: "true"},
        budget={"type": "limit", "max_list_cost": {"amount": "5", "currency": "USD"}},
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_export_loads_back_to_the_live_shape(name: str) -> None:
    item = SAMPLES[name]
    data = yaml.safe_load(to_yaml(to_manifest(item), ["a comment"]))
    want = desired(load_back(data), "x.yaml", 1, STACK, {"REPO_TOKEN": "t"})
    ours = {tags.STACK, tags.NAME, tags.SECRETS, tags.PREVENT_ARCHIVE}
    after = normalize(want.body, Context())
    before = normalize(item, Context())
    after["metadata"] = {k: v for k, v in after["metadata"].items() if k not in ours - set(item["metadata"])}
    assert after == before
    assert want.status == item["status"]


def test_shortest_forms() -> None:
    assert to_manifest(SAMPLES["minimal"]) == {
        "name": "nightly",
        "agent": "agent_011a",
        "environment_id": "env_011e",
        "prompt": "Go.",
    }
    assert to_manifest(SAMPLES["minimal"], pin_versions=True)["agent"] == {"id": "agent_011a", "version": 4}
    scheduled = to_manifest(SAMPLES["scheduled-paused"])
    assert scheduled["schedule"] == {"expression": "0 6 * * 1-5", "timezone": "Asia/Tokyo"}
    assert scheduled["status"] == "paused"
    repo, memory = to_manifest(SAMPLES["resources"], token_var="REPO_TOKEN")["resources"]
    assert repo == {
        "type": "github_repository",
        "url": "https://github.com/a/b",
        "authorization_token": "${REPO_TOKEN}",
    }
    assert memory == {"type": "memory_store", "memory_store_id": "memstore_1"}
    document, outcome = to_manifest(SAMPLES["events"])["initial_events"]
    assert document["content"][0] == {"type": "document", "source": {"type": "url", "url": "https://x"}}
    assert "max_iterations" not in outcome
    tagged = to_manifest(SAMPLES["tagged"])
    assert tagged["metadata"] == {"team": "x"}
    assert tagged["lifecycle"] == {"prevent_archive": True}


def test_prompt_shorthand_only_when_it_loads_back_exactly() -> None:
    def events(*texts: str) -> list[dict[str, Any]]:
        return [{"type": "user.message", "content": [{"type": "text", "text": t} for t in texts]}]

    assert to_manifest(live(initial_events=events("one\ntwo")))["prompt"] == "one\ntwo"
    for kept in (events("a", "b"), events("trailing\n"), events("")):
        assert "prompt" not in to_manifest(live(initial_events=kept))


def test_values_the_config_defaults_supply_are_left_out() -> None:
    item = live(
        metadata={"owner": "platform", "team": "x"},
        schedule={"type": "cron", "expression": "0 6 * * *", "timezone": "Europe/Berlin"},
    )
    defaults = {
        "environment_id": "env_011e",
        "metadata": {"owner": "platform"},
        "schedule": {"timezone": "Europe/Berlin"},
        "description": "Default text.",
    }
    data = to_manifest(item, defaults=defaults)
    assert data == {
        "name": "nightly",
        "description": "",
        "agent": "agent_011a",
        "schedule": {"expression": "0 6 * * *"},
        "prompt": "Go.",
        "metadata": {"team": "x"},
    }
    loaded = desired(load_back(data, defaults), "x.yaml", 1, STACK, {})
    shape = normalize(loaded.body, Context())
    shape["metadata"] = {k: v for k, v in shape["metadata"].items() if not tags.is_reserved(k)}
    assert shape == normalize(item, Context())


def test_export_does_not_mutate_its_input() -> None:
    item = copy.deepcopy(SAMPLES["tagged"])
    to_manifest(item)
    assert item == SAMPLES["tagged"]
