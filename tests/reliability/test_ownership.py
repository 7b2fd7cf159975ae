"""Deployments the stack does not own (or must keep) are byte-for-byte unchanged by any apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentops.emulator import EmulatorServer
from agentops.model import tags
from tests.harness import STACK, Repo, manifest
from tests.helpers import make_client, make_deployment_body


def _rows(emulator: EmulatorServer, ids: set[str]) -> list[dict[str, Any]]:
    return [row for row in emulator.raw_deployments() if row["id"] in ids]


def test_foreign_and_unclaimed_deployments_are_untouched(tmp_path: Path, emulator: EmulatorServer) -> None:
    repo = Repo.create(tmp_path, emulator)
    repo.write([manifest(i) for i in range(4)])
    assert repo.apply().exit_code == 0
    with make_client(emulator.url) as sdk:
        foreign = [
            # Untagged, with a name no manifest uses.
            make_deployment_body(name="hand-made"),
            # Another stack's deployment carrying a name this stack's manifest has.
            make_deployment_body(name="rel-0001", metadata={tags.STACK: "other", tags.NAME: "rel-0001"}),
            # Another stack's, paused below: an unpause would be a write.
            make_deployment_body(name="theirs", metadata={tags.STACK: "other", tags.NAME: "theirs"}),
            # This stack's, but no manifest claims it: kept while --no-prune is set.
            make_deployment_body(name="retired", metadata={tags.STACK: STACK, tags.NAME: "retired"}),
        ]
        ids = {sdk.beta.deployments.create(**body).id for body in foreign}
        paused = next(r["id"] for r in emulator.raw_deployments() if r["name"] == "theirs")
        sdk.beta.deployments.pause(paused)
    before = _rows(emulator, ids)

    # Every kind of write the stack makes: update, pause, create, archive of its own.
    repo.write([manifest(0, revision=1), manifest(1, status="paused"), manifest(2), manifest(7)])
    assert repo.apply("--no-prune").exit_code == 0
    repo.write([manifest(0, revision=2), manifest(1), manifest(7)])
    assert repo.apply("--no-prune").exit_code == 0
    assert _rows(emulator, ids) == before

    # With pruning on, the unclaimed one of this stack goes; the foreign ones still stay as they were.
    assert repo.apply().exit_code == 0
    after = {row["id"]: row for row in _rows(emulator, ids)}
    for row in before:
        if row["name"] == "retired":
            assert after[row["id"]]["archived_at"]
        else:
            assert after[row["id"]] == row
