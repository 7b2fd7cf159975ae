"""`agentops import --from-ant claude-lock.json` end to end: exactly the objects `ant apply`'s
lockfile names are adopted; a bad or hostile lockfile is one error line, exit 1, zero writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import pytest

from agentops.model import tags
from tests.stack import STACK, Stack, console_body, create


def _ant_objects(client: anthropic.Anthropic) -> dict[str, str]:
    """What `ant apply` made (and an agent of the same name made by hand, which ant cannot tell apart)."""
    ids = {
        "env": client.beta.environments.create(name="review-env").id,
        "agent": client.beta.agents.create(name="reviewer", model="claude-opus-5", system="Review.").id,
        "twin": client.beta.agents.create(name="reviewer", model="claude-opus-5", system="A copy.").id,
        "other": client.beta.agents.create(name="unrelated", model="claude-opus-5").id,
    }
    ids["deployment"] = create(client, console_body("nightly-review", agent=ids["agent"], environment_id=ids["env"]))
    return ids


def _write_lock(root: Path, resources: dict[str, Any], workspace: str = "default") -> Path:
    path = root / "claude-lock.json"
    path.write_text(json.dumps({"version": 1, "origin": {"base_url": "https://api.anthropic.com",
                                                         "organization_id": "org", "workspace_id": workspace},
                                "resources": resources}))
    return path


def _resources(ids: dict[str, str]) -> dict[str, Any]:
    return {
        "./agents/reviewer.md": {"kind": "agent", "id": ids["agent"], "version": "1", "hash": "a", "remote_hash": "b"},
        "./environments/review-env.yaml": {"kind": "environment", "id": ids["env"], "hash": "c", "remote_hash": "d"},
        "./deployments/nightly.yaml": {"kind": "deployment", "id": ids["deployment"], "hash": "e", "remote_hash": "e"},
        "./memory.yaml": {"kind": "memory_store", "id": "memstore_011notmanaged", "hash": "f", "remote_hash": "f"},
    }


def _metadata(client: anthropic.Anthropic, kind: str, object_id: str) -> dict[str, str]:
    resource = {"agent": client.beta.agents, "environment": client.beta.environments,
                "deployment": client.beta.deployments}[kind]
    data: dict[str, str] = resource.with_raw_response.retrieve(object_id).http_response.json()["metadata"]
    return data


def test_from_ant_adopts_exactly_the_locked_objects(stack: Stack, client: anthropic.Anthropic) -> None:
    ids = _ant_objects(client)
    lock = _write_lock(stack.root, _resources(ids))
    stack.emulator.reset_counts()
    result = stack.run("import", "--from-ant", str(lock), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {(r["kind"], r.get("id") or r["deployment_id"]) for r in data["imported"]} == {
        ("environment", ids["env"]), ("agent", ids["agent"]), ("deployment", ids["deployment"])}
    assert any("1 lockfile entry left alone (memory store)" in note for note in data["notes"])
    assert stack.emulator.write_count() == 3

    # The locked agent is owned now; its same-named twin and the unrelated agent are untouched.
    assert _metadata(client, "agent", ids["agent"])[tags.STACK] == STACK
    assert tags.STACK not in _metadata(client, "agent", ids["twin"])
    assert tags.STACK not in _metadata(client, "agent", ids["other"])
    assert _metadata(client, "environment", ids["env"])[tags.NAME] == "review-env"
    assert _metadata(client, "deployment", ids["deployment"])[tags.NAME] == "nightly-review"
    folder = stack.root / "deployments"
    assert (folder / "agents" / "reviewer.yaml").is_file() and (folder / "environments" / "review-env.yaml").is_file()
    # Two live agents share the name: the deployment keeps the agent's id, which names exactly one.
    assert f"agent: {ids['agent']}" in (folder / "nightly-review.yaml").read_text()

    assert stack.run("plan", str(stack.root), "--detailed-exitcode").exit_code == 0


def test_from_ant_kinds_narrows_what_is_adopted(stack: Stack, client: anthropic.Anthropic) -> None:
    ids = _ant_objects(client)
    lock = _write_lock(stack.root, _resources(ids))
    result = stack.run("import", "--from-ant", str(lock), "--kinds", "environment")
    assert result.exit_code == 0, result.output
    assert "3 lockfile entries left alone (agent, deployment, memory store)" in result.stdout
    assert tags.STACK not in _metadata(client, "agent", ids["agent"])
    assert _metadata(client, "environment", ids["env"])[tags.STACK] == STACK


HOSTILE: list[tuple[str, Any, str]] = [
    ("not json", "{", "claude-lock.json: not JSON"),
    ("traversal", {"version": 1, "resources": {"../../etc/x": {"kind": "agent", "id": "agent_1"}}},
     'claude-lock.json: resources["../../etc/x"]: the path leads outside the repository'),
    ("id as a path", {"version": 1, "resources": {"./a.md": {"kind": "agent", "id": "../deployments"}}},
     'claude-lock.json: resources["./a.md"].id: expected an API id'),
    ("unknown kind", {"version": 1, "resources": {"./a.md": {"kind": "robot", "id": "x"}}},
     'claude-lock.json: resources["./a.md"].kind: expected one of'),
]


@pytest.mark.parametrize(("content", "expected"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_a_bad_lockfile_is_one_line_exit_1_and_zero_writes(
    stack: Stack, client: anthropic.Anthropic, content: Any, expected: str
) -> None:
    _ant_objects(client)
    lock = stack.root / "claude-lock.json"
    lock.write_text(content if isinstance(content, str) else json.dumps(content))
    stack.emulator.reset_counts()
    result = stack.run("import", "--from-ant", str(lock))
    assert result.exit_code == 1
    assert expected in result.stderr and "Traceback" not in result.output
    assert stack.emulator.write_count() == 0
    assert not (stack.root / "deployments" / "agents").exists()


def test_locked_ids_that_are_not_ours_to_take_refuse_the_whole_import(
    stack: Stack, client: anthropic.Anthropic
) -> None:
    ids = _ant_objects(client)
    theirs = client.beta.agents.create(name="theirs", model="claude-opus-5",
                                       metadata={tags.STACK: "team-b", tags.NAME: "theirs"}).id
    client.beta.environments.archive(ids["env"])
    resources = {**_resources(ids), "./agents/theirs.md": {"kind": "agent", "id": theirs},
                 "./agents/gone.md": {"kind": "agent", "id": "agent_011doesnotexist"}}
    lock = _write_lock(stack.root, resources)
    stack.emulator.reset_counts()
    result = stack.run("import", "--from-ant", str(lock))
    assert result.exit_code == 1
    assert f'resources["./agents/theirs.md"]: agent {theirs} is owned by stack \'team-b\'' in result.stderr
    assert 'resources["./agents/gone.md"]: agent agent_011doesnotexist does not exist' in result.stderr
    assert f'resources["./environments/review-env.yaml"]: environment {ids["env"]} is archived' in result.stderr
    assert stack.emulator.write_count() == 0


def test_a_lockfile_of_another_workspace_is_refused(stack: Stack, client: anthropic.Anthropic) -> None:
    ids = _ant_objects(client)
    lock = _write_lock(stack.root, _resources(ids), workspace="wrkspc_elsewhere")
    stack.emulator.reset_counts()
    result = stack.run("import", "--from-ant", str(lock))
    assert result.exit_code == 1
    assert "origin.workspace_id" in result.stderr and "wrkspc_elsewhere" in result.stderr
    assert stack.emulator.write_count() == 0


def test_from_ant_takes_no_names(stack: Stack) -> None:
    lock = _write_lock(stack.root, {})
    result = stack.run("import", "x", "--from-ant", str(lock))
    assert result.exit_code == 1 and "--from-ant imports exactly what the lockfile names" in result.stderr
    missing = stack.run("import", "--from-ant", str(stack.root / "nope.json"))
    assert missing.exit_code == 1 and "nope.json: no such file" in missing.stderr
