"""Shared test helpers."""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anthropic
import anthropic.types.beta as beta
import pytest

_MINIMAL: dict[str, Any] = {
    "name": "nightly-triage",
    "agent": "agent_011CZkYqphY8vELVzwCUpqiQ",
    "environment_id": "env_011CZkZaBF1tNoB5wlCeusgy",
    "initial_events": [{"type": "user.message", "content": [{"type": "text", "text": "Triage new issues."}]}],
}


# The SDK's classes of the typed API errors (`error.details.error_code`) agentops knows.
SDK_ERRORS: dict[str, type[anthropic.APIStatusError]] = {
    "environment_create_disabled": beta.BetaEnvironmentCreateDisabledError,
    "environment_update_disabled": beta.BetaEnvironmentUpdateDisabledError,
    "approval_required": beta.BetaApprovalRequiredError,
    "authorization_check_unavailable": beta.BetaAuthorizationCheckUnavailableError,
}


def make_deployment_body(**overrides: Any) -> dict[str, Any]:
    """A minimal valid create body; keyword arguments replace (or add) top-level fields."""
    return {**copy.deepcopy(_MINIMAL), **overrides}


def make_client(base_url: str, **options: Any) -> anthropic.Anthropic:
    """A real SDK client for an emulator at `base_url`; no retries unless `options` say so."""
    settings: dict[str, Any] = {"api_key": "test-key", "max_retries": 0, **options}
    # Plain HTTP on loopback needs no CA bundle; loading one costs ~40 ms per client.
    settings.setdefault("http_client", anthropic.DefaultHttpxClient(verify=False))
    return anthropic.Anthropic(base_url=base_url, **settings)


_BETA = {"anthropic-beta": "managed-agents-2026-04-01"}


def get_json(client: anthropic.Anthropic, path: str) -> Any:
    """GET through the SDK and return the body as JSON, for wire formats the SDK's models parse away."""
    return client.get(path, cast_to=object, options={"headers": _BETA})


def post_json(client: anthropic.Anthropic, path: str, body: Any = None) -> Any:
    """POST through the SDK (e.g. to /_emulator/ control paths) and return the JSON body."""
    return client.post(path, cast_to=object, body=body, options={"headers": _BETA})


def api_error(exc: anthropic.APIStatusError) -> dict[str, Any]:
    """The `error` object of an Anthropic error body: {"type": ..., "message": ...}."""
    body: Any = exc.body
    error: dict[str, Any] = body["error"]
    return error


_ERROR_TYPES = {400: "invalid_request_error", 404: "not_found_error", 429: "rate_limit_error"}


@contextmanager
def raises_api_error(
    status: int, message: str = "", error_type: str | None = None
) -> Iterator[pytest.ExceptionInfo[anthropic.APIStatusError]]:
    """The block fails with an API error: its status, the body's `error.type`, a `request_id`, and a
    body `error.message` that `message` (a regex) is found in.

    Read from the response, never from `str(exc)`: the SDK's wording of that changes between releases."""
    with pytest.raises(anthropic.APIStatusError) as info:
        yield info
    exc = info.value
    assert exc.status_code == status, (exc.status_code, api_error(exc))
    error = api_error(exc)
    assert error["type"] == (error_type or _ERROR_TYPES[status]), error
    assert re.search(message, error["message"]), error
    assert (exc.request_id or "").startswith("req_")


def answer_json(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    """Answer a fake API's request with `body` as JSON."""
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("content-type", "application/json")
    handler.send_header("content-length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A throwaway HTTP server on 127.0.0.1 (a free port) for fake APIs; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
