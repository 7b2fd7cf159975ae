"""The write log: every /v1 POST body as received, tokens masked, for plan-versus-apply tests."""

from __future__ import annotations

import anthropic
import pytest

from agentops.emulator import EmulatorServer, Faults
from tests.helpers import get_json, make_deployment_body, post_json

TOKEN = "ghp_recorded_but_never_shown_123456"


def repo(token: str | None) -> dict[str, object]:
    return {"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": token}


def test_writes_record_bodies_with_tokens_masked(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    body = make_deployment_body(resources=[repo(TOKEN)], metadata={"k": "v"})
    created = client.beta.deployments.create(**body)
    client.beta.deployments.retrieve(created.id)  # reads are not writes
    client.beta.deployments.update(created.id, metadata={"k": None, "new": "x"})
    client.beta.deployments.pause(created.id)
    writes = emulator.writes()
    assert [(w["method"], w["path"], w["deployment_id"], w["status"]) for w in writes] == [
        ("POST", "/v1/deployments", created.id, 200),
        ("POST", f"/v1/deployments/{created.id}", created.id, 200),
        ("POST", f"/v1/deployments/{created.id}/pause", created.id, 200),
    ]
    assert writes[0]["body"] == {**body, "resources": [repo("***")]}
    assert writes[1]["body"] == {"metadata": {"k": None, "new": "x"}}
    assert writes[2]["body"] is None and writes[0]["workspace"] == "default"

    over_http = get_json(client, "/_emulator/writes")
    assert over_http == {"data": writes}
    assert TOKEN not in str(over_http)
    post_json(client, "/_emulator/reset-stats")
    assert emulator.writes() == [] and get_json(client, "/_emulator/writes") == {"data": []}


def test_refused_and_faulted_writes_are_recorded_with_their_status(
    client: anthropic.Anthropic, emulator: EmulatorServer
) -> None:
    with pytest.raises(anthropic.BadRequestError):
        client.beta.deployments.create(**make_deployment_body(name=""))
    emulator.faults = Faults(rate_429=1.0)
    with pytest.raises(anthropic.RateLimitError):
        client.beta.deployments.create(**make_deployment_body(name="limited"))
    emulator.faults = Faults(drop_rate=1.0)
    with pytest.raises(anthropic.APIConnectionError):
        client.beta.deployments.create(**make_deployment_body(name="dropped"))
    refused, limited, dropped = emulator.writes()
    assert (refused["status"], refused["deployment_id"], refused["body"]["name"]) == (400, None, "")
    assert (limited["status"], limited["deployment_id"]) == (429, None)
    # A dropped response still committed: the record names the deployment the client never saw.
    assert dropped["status"] == 0
    assert dropped["deployment_id"] == emulator.raw_deployments()[0]["id"]


def test_unparsable_body_is_recorded_as_none(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    with pytest.raises(anthropic.BadRequestError):
        client.post("/v1/deployments", cast_to=object, content=b"{not json",
                    options={"headers": {"anthropic-beta": "managed-agents-2026-04-01"}})
    (write,) = emulator.writes()
    assert write["body"] is None and write["status"] == 400


def test_masking_keeps_a_null_token_visible(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    created = client.beta.deployments.create(**make_deployment_body(resources=[repo(TOKEN)]))
    with pytest.raises(anthropic.BadRequestError):
        client.beta.deployments.update(created.id, resources=[repo(None)])  # type: ignore[list-item]
    assert emulator.writes()[-1]["body"] == {"resources": [repo(None)]}
