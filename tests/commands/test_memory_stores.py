"""Memory stores as a managed kind, end to end through the SDK against the emulator: created with
their own beta header, referenced by name or path from a deployment's resources (the id of a store
created by the same apply filled in), updated in place, adopted, archived by prune."""

from __future__ import annotations

from typing import Any

import anthropic
import yaml

from agentops.model import tags
from tests.commands.test_control_plane import plan, posts
from tests.stack import STACK, Stack, manifest

NOTES = {"name": "team-notes", "description": "What the team learnt.", "metadata": {"owner": "sre"}}


def declare(stack: Stack, stores: list[dict[str, Any]], *deployments: dict[str, Any]) -> None:
    stack.write(*deployments)
    folder = stack.root / "deployments" / "memory_stores"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.yaml"):
        old.unlink()
    for item in stores:
        (folder / f"{item['name']}.yaml").write_text(yaml.safe_dump(item, sort_keys=False))


def stores(client: anthropic.Anthropic) -> dict[str, dict[str, Any]]:
    """The live memory stores by name, as the SDK lists them (it sends the memory beta header)."""
    return {item.name: item.model_dump(mode="json") for item in client.beta.memory_stores.list()
            if item.archived_at is None}


def mounting(store: dict[str, Any]) -> dict[str, Any]:
    return manifest("nightly", resources=[{"type": "memory_store", "memory_store": store, "access": "read_only"}])


def test_a_store_and_the_deployment_mounting_it_by_name_apply_in_order_and_converge(
        stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, [NOTES], mounting({"name": "team-notes"}))
    planned = plan(stack)
    assert [a["address"] for a in planned["actions"]] == ["memory_store.team-notes", "deployment.nightly"]
    [resource] = planned["actions"][1]["body"]["resources"]
    assert resource == {"type": "memory_store", "access": "read_only",
                        "memory_store_id": "(known after apply: memory_store team-notes)"}
    stack.emulator.reset_counts()
    applied = stack.apply()
    assert applied.exit_code == 0, applied.output
    assert posts(stack) == ["memory_stores", "deployments"]
    store = stores(client)["team-notes"]
    assert store["description"] == NOTES["description"]
    assert store["metadata"][tags.STACK] == STACK and store["metadata"]["owner"] == "sre"
    [deployment] = [d for d in stack.emulator.raw_deployments() if d["name"] == "nightly"]
    assert deployment["resources"][0]["memory_store_id"] == store["id"]
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0

    # A description change is one update of the store; removing it sends "" (the API's clear).
    declare(stack, [{**NOTES, "description": None}], mounting({"name": "team-notes"}))
    planned = plan(stack)
    [update] = [a for a in planned["actions"] if a["action"] != "noop"]
    assert (update["address"], update["patch"]) == ("memory_store.team-notes", {"description": ""})
    assert stack.apply().exit_code == 0
    assert client.beta.memory_stores.retrieve(store["id"]).description == ""
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0


def test_a_store_named_by_path_resolves_to_the_stacks_own_store(stack: Stack, client: anthropic.Anthropic) -> None:
    # Another stack's store of the same name: by name alone the reference would be ambiguous.
    other = client.beta.memory_stores.create(name="team-notes", metadata={tags.STACK: "other", tags.NAME: "team-notes"})
    declare(stack, [NOTES], mounting("./memory_stores/team-notes.yaml"))
    applied = stack.apply()
    assert applied.exit_code == 0, applied.output
    [deployment] = [d for d in stack.emulator.raw_deployments() if d["name"] == "nightly"]
    mounted = deployment["resources"][0]["memory_store_id"]
    assert mounted != other.id
    assert client.beta.memory_stores.retrieve(mounted).metadata[tags.STACK] == STACK
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0


def test_a_removed_store_is_archived_unless_prevent_archive_holds_it(stack: Stack, client: anthropic.Anthropic) -> None:
    declare(stack, [NOTES, {"name": "kept", "lifecycle": {"prevent_archive": True}}], manifest("keep"))
    assert stack.apply().exit_code == 0
    declare(stack, [], manifest("keep"))
    planned = plan(stack)
    assert "memory_store kept: no manifest, kept because of lifecycle.prevent_archive" in planned["warnings"]
    assert [(a["address"], a["action"]) for a in planned["actions"] if a["action"] != "noop"] == [
        ("memory_store.team-notes", "archive")]
    stack.emulator.reset_counts()
    assert stack.apply().exit_code == 0
    assert posts(stack) == ["memory_stores"]
    assert set(stores(client)) == {"kept"}
    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0


def test_an_archived_store_blocks_the_plan_by_name_or_by_id(stack: Stack, client: anthropic.Anthropic) -> None:
    archived = client.beta.memory_stores.create(name="old-notes")
    client.beta.memory_stores.archive(archived.id)
    for store in ({"name": "old-notes"}, None):
        resource = ({"type": "memory_store", "memory_store": store} if store is not None
                    else {"type": "memory_store", "memory_store_id": archived.id})
        declare(stack, [], manifest("nightly", resources=[resource]))
        writes = stack.emulator.write_count()
        applied = stack.apply()
        assert applied.exit_code == 1
        [blocker] = plan(stack)["problems"]
        assert "archived" in blocker["message"] and blocker["name"] == "nightly"
        assert stack.emulator.write_count() == writes  # zero API writes
