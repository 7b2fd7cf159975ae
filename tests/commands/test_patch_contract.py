"""The plan is the contract, end to end: what apply sends is exactly the JSON plan's patch (for a
deployment and for an agent).

Random manifests (ignore_changes, secrets, status, previous_names) and random console drift
(made through the SDK) meet the real CLI and the emulator, which records every write's body.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import anthropic
from hypothesis import given, settings
from hypothesis import strategies as st

from agentops.emulator import EmulatorServer
from agentops.engine.diff import sent_paths, shown
from agentops.engine.plan import Change
from agentops.model import tags
from tests.engine.test_patch_contract import drift, manifests
from tests.engine.test_patch_contract_objects import agent_edits, agents
from tests.helpers import make_client
from tests.stack import STACK, Stack

MASK = "***"


def _masked(body: Any) -> Any:
    """A body as the emulator records it: write-only tokens masked."""
    if isinstance(body, dict):
        return {k: (MASK if k == "authorization_token" and v is not None else _masked(v)) for k, v in body.items()}
    if isinstance(body, list):
        return [_masked(v) for v in body]
    return body


def _console(sdk: anthropic.Anthropic, emulator: EmulatorServer, changes: dict[str, Any]) -> None:
    """Someone changes the live deployment in the console (through the SDK)."""
    (live,) = [d for d in emulator.raw_deployments() if d["metadata"].get(tags.STACK) == STACK
               and not d.get("archived_at")]
    update: dict[str, Any] = {}
    for field in changes["touch"]:
        if field == "metadata":
            update["metadata"] = dict(changes["metadata"])
        elif field == "status":
            if changes["status"] != live["status"]:
                (sdk.beta.deployments.pause if changes["status"] == "paused" else sdk.beta.deployments.unpause)(
                    live["id"]
                )
        else:
            update[field] = changes[field] if changes[field] is not None else ([] if field == "vault_ids" else None)
    if update:
        sdk.beta.deployments.update(live["id"], **update)


@settings(max_examples=20, deadline=None)
@given(want=manifests(), old=manifests(), console=drift(),
       tokens=st.tuples(st.sampled_from(["tok-one-1111", "tok-two-2222"]), st.sampled_from(["tok-one-1111", "tok-two-2222"])))
def test_apply_sends_exactly_the_reviewed_patch(
    want: dict[str, Any], old: dict[str, Any], console: dict[str, Any], tokens: tuple[str, str]
) -> None:
    first, second = tokens
    with tempfile.TemporaryDirectory() as tmp, EmulatorServer() as emulator, make_client(emulator.url) as sdk:
        stack = Stack.create(Path(tmp), emulator, stack=STACK, REPO_TOKEN=first)
        stack.write({**old, "name": "job", "previous_names": []})
        assert stack.apply().exit_code == 0
        _console(sdk, emulator, console)

        stack.write(want)
        stack.env["REPO_TOKEN"] = second
        saved = Path(tmp) / "reviewed.plan"
        planned = stack.run("plan", str(stack.root), "--out", str(saved))
        assert planned.exit_code == 0, planned.output
        plan = json.loads(saved.read_text())
        before = {d["id"]: d for d in emulator.raw_deployments()}
        emulator.reset_counts()
        applied = stack.run("apply", str(saved), "--auto-approve")
        assert applied.exit_code == 0, applied.output

        updates = [a for a in plan["actions"] if a["action"] in ("update", "adopt")]
        sent = [w for w in emulator.writes() if w["path"].count("/") == 3 and w["status"] == 200]
        assert [w["body"] for w in sent] == [_masked(a["patch"]) for a in updates]  # byte for byte
        ignored = set(want.get("lifecycle", {}).get("ignore_changes", []))
        for action in updates:
            changes = [Change(c["path"], c["before"], c["after"]) for c in action["changes"]]
            for path in sent_paths(action["patch"]):
                assert shown(path, changes) and path not in ignored, path

        again = stack.run("plan", str(stack.root), "--detailed-exitcode")
        assert again.exit_code == 0, again.output
        after = {d["id"]: d for d in emulator.raw_deployments()}
        for deployment_id, old_doc in before.items():
            for path in ignored:
                if path.startswith("metadata."):
                    key = path.removeprefix("metadata.")
                    assert after[deployment_id]["metadata"].get(key) == old_doc["metadata"].get(key)
                elif path == "status":
                    assert after[deployment_id]["status"] == old_doc["status"]
                else:
                    assert after[deployment_id].get(path) == old_doc.get(path), path


def _write_agent(root: Path, data: dict[str, Any]) -> None:
    folder = root / "deployments" / "agents"
    folder.mkdir(exist_ok=True)
    (folder / "triage.yaml").write_text(json.dumps(data))


@settings(max_examples=10, deadline=None)
@given(want=agents(), old=agents(), console=agent_edits())
def test_apply_sends_exactly_the_reviewed_agent_patch(
    want: dict[str, Any], old: dict[str, Any], console: dict[str, Any]
) -> None:
    """An agent's update body is byte for byte the saved plan's patch, and one apply converges."""
    with tempfile.TemporaryDirectory() as tmp, EmulatorServer() as emulator, make_client(emulator.url) as sdk:
        stack = Stack.create(Path(tmp), emulator, stack=STACK)
        # Roster entries name agent_other: the emulator's default mode presumes an unknown id exists.
        _write_agent(stack.root, old)
        assert stack.apply().exit_code == 0
        (agent,) = [a for a in sdk.beta.agents.list() if a.name == "triage"]
        if console:
            sdk.beta.agents.update(agent.id, **console)
        planned_from = sdk.beta.agents.retrieve(agent.id).version

        _write_agent(stack.root, want)
        saved = Path(tmp) / "reviewed.plan"
        assert stack.run("plan", str(stack.root), "--out", str(saved)).exit_code == 0
        plan = json.loads(saved.read_text())
        emulator.reset_counts()
        applied = stack.run("apply", str(saved), "--auto-approve")
        assert applied.exit_code == 0, applied.output
        updates = [a for a in plan["actions"] if a["action"] in ("update", "adopt")]
        sent = [w for w in emulator.writes() if w["path"].startswith("/v1/agents/") and w["status"] == 200]
        assert [w["body"] for w in sent] == [a["patch"] for a in updates]
        for action in updates:
            changes = [Change(c["path"], c["before"], c["after"]) for c in action["changes"]]
            # `version` is no change: the version the update was planned against (optimistic concurrency).
            assert action["patch"]["version"] == planned_from
            for path in sent_paths({k: v for k, v in action["patch"].items() if k != "version"}):
                assert shown(path, changes), path
        again = stack.run("plan", str(stack.root), "--detailed-exitcode")
        assert again.exit_code == 0, again.output
