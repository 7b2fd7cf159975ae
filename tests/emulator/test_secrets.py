"""The write-only `authorization_token` is stored but never returned by any endpoint."""

from __future__ import annotations

from typing import Any

import anthropic

from agentops.emulator import EmulatorServer
from tests.helpers import make_deployment_body

TOKEN = "ghp_SECRET_never_returned_0123456789"
ROTATED = "ghp_ROTATED_never_returned_9876543210"


def repo(token: str) -> Any:
    return {"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": token,
            "checkout": {"type": "branch", "name": "main"}}


def test_token_never_returned(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    raw = client.beta.deployments.with_raw_response
    created = raw.create(**make_deployment_body(resources=[repo(TOKEN)])).http_response
    deployment_id = created.json()["id"]
    bodies = {
        "create": created.text,
        "retrieve": raw.retrieve(deployment_id).http_response.text,
        "list": raw.list().http_response.text,
        "update": raw.update(deployment_id, resources=[repo(ROTATED)]).http_response.text,
        "pause": raw.pause(deployment_id).http_response.text,
        "pause again": raw.pause(deployment_id).http_response.text,
        "unpause": raw.unpause(deployment_id).http_response.text,
        "run": raw.run(deployment_id).http_response.text,
        "archive": raw.archive(deployment_id).http_response.text,
        "list archived": raw.list(include_archived=True).http_response.text,
    }
    for endpoint, text in bodies.items():
        assert TOKEN not in text and ROTATED not in text, endpoint
        assert "authorization_token" not in text, endpoint

    public = client.beta.deployments.retrieve(deployment_id).resources[0]
    assert public.model_dump(exclude_none=True) == {
        "type": "github_repository", "url": "https://github.com/o/r", "checkout": {"type": "branch", "name": "main"},
    }
    (stored,) = emulator.raw_deployments()
    assert stored["resources"][0]["authorization_token"] == ROTATED
    assert stored["archived_at"] is not None


def test_other_updates_keep_the_stored_token(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    created = client.beta.deployments.create(**make_deployment_body(resources=[repo(TOKEN)]))
    client.beta.deployments.update(created.id, name="renamed", metadata={"k": "v"})
    assert emulator.raw_deployments()[0]["resources"][0]["authorization_token"] == TOKEN
