"""Details the real API documents that clients may rely on: request ids, defaults, strict shapes."""

from __future__ import annotations

import socket
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import anthropic
import pytest

from agentops.emulator import EmulatorServer, Faults
from agentops.emulator.handlers import HTTPServer
from tests.helpers import api_error, get_json, make_deployment_body, post_json, raises_api_error

OUTCOME = {"type": "user.define_outcome", "description": "a report", "rubric": {"type": "text", "content": "done"}}


def _errors(client: anthropic.Anthropic, emulator: EmulatorServer) -> list[Callable[[], Any]]:
    def faulted(faults: Faults) -> Any:
        emulator.faults = faults
        try:
            return client.beta.deployments.list()
        finally:
            emulator.faults = Faults()

    return [
        lambda: client.beta.deployments.retrieve("depl_missing"),
        lambda: client.beta.deployments.create(**make_deployment_body(name="")),
        lambda: client.put("/v1/deployments", cast_to=object),
        lambda: faulted(Faults(rate_429=1.0)),
        lambda: faulted(Faults(rate_5xx=1.0)),
    ]


def test_error_bodies_repeat_the_request_id_header(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    for call in _errors(client, emulator):
        with pytest.raises(anthropic.APIStatusError) as info:
            call()
        body = info.value.response.json()
        assert body["type"] == "error" and set(body["error"]) == {"type", "message"}
        assert body["request_id"] == info.value.response.headers["request-id"]
        assert body["request_id"].startswith("req_")
        assert info.value.request_id == body["request_id"]


def test_success_bodies_carry_no_request_id(client: anthropic.Anthropic) -> None:
    created = client.beta.deployments.create(**make_deployment_body())
    assert "request_id" not in get_json(client, f"/v1/deployments/{created.id}")


def test_omitted_max_iterations_is_stored_as_the_default(client: anthropic.Anthropic) -> None:
    message = make_deployment_body()["initial_events"][0]
    created = client.beta.deployments.create(**make_deployment_body(initial_events=[message, OUTCOME]))
    wire = get_json(client, f"/v1/deployments/{created.id}")
    assert wire["initial_events"][1]["max_iterations"] == 3
    assert "max_iterations" not in wire["initial_events"][0]
    updated = client.beta.deployments.update(created.id, initial_events=[message, {**OUTCOME, "max_iterations": 7}])
    assert updated.initial_events[1].max_iterations == 7  # type: ignore[union-attr]
    again = client.beta.deployments.update(created.id, initial_events=[message, OUTCOME])
    assert again.initial_events[1].max_iterations == 3  # type: ignore[union-attr]


def test_agent_object_needs_its_type(client: anthropic.Anthropic) -> None:
    untyped: Any = {"id": "agent_1", "version": 1}
    with pytest.raises(anthropic.BadRequestError) as info:
        client.beta.deployments.create(**make_deployment_body(agent=untyped))
    assert api_error(info.value)["message"].startswith("agent.type: ")
    created = client.beta.deployments.create(**make_deployment_body(agent={**untyped, "type": "agent"}))
    with raises_api_error(400, r"agent\.type"):
        client.beta.deployments.update(created.id, agent=untyped)
    with raises_api_error(400, r"agent\.type"):
        post_json(client, "/v1/deployments", make_deployment_body(agent={"type": "robot", "id": "agent_1"}))


def test_listener_backlog_takes_a_parallel_burst(emulator: EmulatorServer) -> None:
    # A listener that never accepts: only the kernel's queue (the backlog) holds the connections.
    listener = HTTPServer(("127.0.0.1", 0), emulator.core)
    try:
        with ExitStack() as stack:
            for _ in range(128):
                sock = stack.enter_context(socket.socket())
                sock.settimeout(1.0)
                sock.connect(listener.server_address)
    finally:
        listener.server_close()
