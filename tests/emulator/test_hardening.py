"""Hostile or broken input to the emulator: a clear 4xx or a one-line error, never a hang or a 500."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anthropic
import pytest

from agentops.commands.emulator import is_loopback
from agentops.emulator import EmulatorServer
from tests.emulator.support import run_cli
from tests.helpers import api_error, get_json, make_deployment_body, raises_api_error

TOKEN = "ghp_stored_token_never_served_42"
_BETA = {"anthropic-beta": "managed-agents-2026-04-01", "content-type": "application/json"}


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname or "", parts.port or 80), timeout=5)


def raw_request(url: str, head: str, body: bytes = b"") -> tuple[int, dict[str, Any], bool]:
    """Send hand-made bytes; return status, JSON body and whether the server then closed."""
    with _connect(url) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + body)
        response = http.client.HTTPResponse(sock)
        response.begin()
        payload = json.loads(response.read())
        closed = sock.recv(1) == b""
    return response.status, payload, closed


def post_raw(client: anthropic.Anthropic, content: bytes) -> Any:
    return client.post("/v1/deployments", cast_to=object, content=content, options={"headers": _BETA})


def test_control_listing_masks_stored_tokens(client: anthropic.Anthropic, emulator: EmulatorServer) -> None:
    client.beta.deployments.create(**make_deployment_body(
        resources=[{"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": TOKEN}]
    ))
    raw = get_json(client, "/_emulator/deployments")
    assert raw["data"][0]["resources"][0]["authorization_token"] == "***"
    assert TOKEN not in json.dumps(raw)
    assert emulator.raw_deployments()[0]["resources"][0]["authorization_token"] == TOKEN  # in-process only


@pytest.mark.parametrize(("length", "status", "error_type"), [
    ("abc", 400, "invalid_request_error"),
    ("-5", 400, "invalid_request_error"),
    ("1e3", 400, "invalid_request_error"),
    ("99999999999999999999999", 413, "request_too_large"),
    (str(32 * 1024 * 1024 + 1), 413, "request_too_large"),
])
def test_bad_content_length_is_answered_and_closed(
    emulator: EmulatorServer, length: str, status: int, error_type: str
) -> None:
    head = f"POST /v1/deployments HTTP/1.1\nHost: x\nContent-Length: {length}\n\n"
    got, body, closed = raw_request(emulator.url, head, b"{}")
    assert (got, body["error"]["type"]) == (status, error_type)
    assert "content-length" in body["error"]["message"] or "exceeds" in body["error"]["message"]
    assert closed  # the rest of the stream cannot be framed, so the connection ends
    assert emulator.raw_deployments() == []


def test_chunked_body_is_refused(emulator: EmulatorServer) -> None:
    head = "POST /v1/deployments HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n"
    status, body, closed = raw_request(emulator.url, head, b"2\r\n{}\r\n0\r\n\r\n")
    assert status == 400 and "transfer-encoding" in body["error"]["message"] and closed


def test_body_shorter_than_its_length_is_refused(emulator: EmulatorServer) -> None:
    with _connect(emulator.url) as sock:
        sock.sendall(b"POST /v1/deployments HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}")
        sock.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert response.status == 400 and b"ended before" in response.read()


def test_stalled_client_is_disconnected() -> None:
    with EmulatorServer(read_timeout=0.2) as server, _connect(server.url) as sock:
        sock.sendall(b"POST /v1/deployments HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"na")
        started = time.monotonic()
        assert sock.recv(1) == b""  # the server gave up on the missing 46 bytes and closed
        assert time.monotonic() - started < 4
        assert server.raw_deployments() == []


def test_idle_keep_alive_connection_is_closed() -> None:
    with EmulatorServer(read_timeout=0.2) as server, _connect(server.url) as sock:
        assert sock.recv(1) == b""


@pytest.mark.parametrize(("content", "reason"), [
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"metadata": {"a": ' + b"[" * 70 + b"]" * 70 + b"}}", "nested deeper than 64"),
    (b'{"name": ' + b"9" * 5000 + b"}", "digits"),
    (b'{"name": 1e400}', "out of range"),
    (b'{"name": 99999999999999999999}', "out of range"),
    (b'{"name": NaN}', "NaN"),
    (b'{"name": -Infinity}', "Infinity"),
])
def test_pathological_json_is_a_400(client: anthropic.Anthropic, content: bytes, reason: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        post_raw(client, content)
    error = api_error(info.value)
    assert error["type"] == "invalid_request_error" and reason in error["message"]


def test_huge_integer_to_a_control_path_is_a_400(client: anthropic.Anthropic) -> None:
    with raises_api_error(400, "out of range"):
        client.post("/_emulator/agents", cast_to=object, content=b'{"id": "a", "versions": 1' + b"0" * 30 + b"}",
                    options={"headers": _BETA})


def test_forged_cursor_with_a_huge_number_is_a_400(client: anthropic.Anthropic) -> None:
    forged = base64.urlsafe_b64encode(b"9" * 30 + b":depl_x").decode().rstrip("=")
    with raises_api_error(400, "cursor"):
        client.beta.deployments.list(page=forged)


@pytest.mark.parametrize("content", [b"x" * 5000, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_corrupt_database_is_a_one_line_error(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "state.db"
    db.write_bytes(content)
    result = run_cli("--db", str(db))
    assert result.exit_code == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert f"{db}: not a usable emulator database" in result.stderr


def test_foreign_sqlite_file_is_a_one_line_error(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE deployments (name TEXT)")
    conn.close()
    result = run_cli("--db", str(db))
    assert result.exit_code == 1 and "not a usable emulator database" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_seed_is_a_one_line_error(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("agents: [\n  - id: a\n")
    result = run_cli("--seed", str(seed))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "not a readable seed file" in result.stderr


def test_non_loopback_host_warns_before_binding() -> None:
    # 192.0.2.1 (TEST-NET-1) is never a local address: the bind fails, so nothing is exposed.
    result = run_cli("--host", "192.0.2.1")
    warning, error = result.stderr.strip().splitlines()
    assert warning.startswith("warning: listening on 192.0.2.1, not loopback")
    assert result.exit_code == 1 and error.startswith("error: ")


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.3.2.1", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("example.com", False),
])
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_loopback_host_has_no_warning(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    db.write_bytes(b"x" * 5000)  # fail fast after the host check: the run ends by itself
    result = run_cli("--host", "127.0.0.1", "--db", str(db))
    assert "warning" not in result.stderr
