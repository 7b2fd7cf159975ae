"""HTTP: framing, headers, rate limits and fault injection, and Anthropic-shaped error responses."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import socket
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from agentops.emulator import betas
from agentops.emulator.core import DEFAULT_WORKSPACE, Core, WriteRecord
from agentops.emulator.errors import ApiError, bad_request, typed_error
from agentops.emulator.federation import TOKEN_PATH
from agentops.emulator.redaction import redact
from agentops.emulator.responses import Binary
from agentops.emulator.routes import Request, dispatch
from agentops.model.errors import error_code

MAX_BODY = 32 * 1024 * 1024  # the API's documented request size limit
_DROPPED = 0  # the status recorded for a response the client never receives
_DEPLOYMENT_PATH = re.compile(r"^/v1/deployments/([^/]+)")
_AGENT_UPDATE = re.compile(r"^/v1/agents/([^/]+)$")
RACE_EDIT = "Edited in the console while agentops applied."  # the description a raced update meets


def _write_record(req: Request, status: int, payload: Any) -> WriteRecord:
    """What a write sent, secrets masked; `deployment_id` is the created one for a create."""
    try:
        body = req.json()
    except ApiError:
        body = None
    match = _DEPLOYMENT_PATH.match(req.path)
    deployment_id = unquote(match.group(1)) if match else None
    if deployment_id is None and req.path == "/v1/deployments" and status in (200, _DROPPED):
        deployment_id = payload.get("id")
    return {"method": req.method, "path": req.path, "workspace": req.workspace,
            "deployment_id": deployment_id, "status": status, "body": redact(body)}


READ_TIMEOUT = 30.0


def _hostile(payload: Any, text: str) -> Any:
    """An error body whose type and message end with `text` (Faults.hostile_text)."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return payload
    return {**payload, "error": {**error, "type": f"{error.get('type')}{text}", "message": f"{error.get('message')}{text}"}}


class HTTPServer(ThreadingHTTPServer):
    """Tracks open connections so stopping also ends idle keep-alive ones."""

    # stop() waits for requests in flight (their sockets are shut down first), so none reaches
    # the store after it is closed: a client that went away early no longer prints a traceback.
    daemon_threads = False
    block_on_close = True
    # socketserver's default backlog of 5 drops SYNs from a parallel client; a retried SYN costs 1 s.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], core: Core, read_timeout: float = READ_TIMEOUT) -> None:
        self.core = core
        self.read_timeout = read_timeout
        self._connections: set[socket.socket] = set()
        super().__init__(address, RequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the SDK reuses connections
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: HTTPServer

    def setup(self) -> None:
        # A stalled or idle client gives its worker thread back after this long (the SDK's pool
        # drops idle connections after 5 s, so a live client never meets it).
        super().setup()
        self.connection.settimeout(self.server.read_timeout)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and `agentops emulator` own stdout/stderr."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _body(self) -> bytes:
        """The request body; a length that cannot be trusted is an ApiError (and ends the connection)."""
        if self.headers.get("transfer-encoding"):
            self.close_connection = True
            raise bad_request("transfer-encoding is not supported; send content-length")
        text = (self.headers.get("content-length") or "0").strip()
        if not text.isascii() or not text.isdigit():
            self.close_connection = True  # where this body ends is unknowable
            raise bad_request(f"content-length: expected a non-negative integer, got {text[:40]!r}")
        length = int(text[:12]) if len(text) <= 12 else MAX_BODY + 1
        if length > MAX_BODY:
            self.close_connection = True
            raise ApiError(413, f"request body of {text[:40]} bytes exceeds the limit of {MAX_BODY} bytes")
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            self.close_connection = True
            raise bad_request("request body ended before content-length bytes")
        return body

    def _handle(self) -> None:
        core = self.server.core
        url = urlsplit(self.path)
        try:
            body = self._body()
        except ApiError as exc:
            self._respond(exc.status, exc.body())
            return
        params = {key: values[-1] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
        if core.federation is not None and url.path == TOKEN_PATH and self.command == "POST":
            self._exchange(core, body)
            return
        try:
            bound = self._bound_workspace(core)
        except ApiError as exc:
            core.stats.record(self.command, url.path, exc.status)
            self._respond(exc.status, exc.body())
            return
        workspace = bound or self.headers.get("anthropic-workspace-id") or DEFAULT_WORKSPACE
        req = Request(self.command, url.path, params, workspace, body, self.headers.get("content-type", ""))
        if not url.path.startswith("/v1/"):
            self._respond(*self._run(core, req))
            return
        if req.method == "POST":
            core.stats.count_write()
        # Every answer names the workspace the credential resolved to, as the API's do.
        headers: dict[str, str] = {"anthropic-workspace-id": workspace}
        status, payload = self._serve_api(core, req, headers)
        if status >= 400 and core.faults.hostile_text:
            payload = _hostile(payload, core.faults.hostile_text)
        core.stats.record(req.method, req.path, status)
        if req.method == "POST":
            core.stats.record_write(_write_record(req, status, payload))
        if status == _DROPPED:
            # The write is committed; the client just never hears back.
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._respond(status, payload, headers)

    def _bound_workspace(self, core: Core) -> str | None:
        """The workspace the request's credential is bound to, when federation is configured."""
        if core.federation is None:
            return None
        return core.federation.workspace_of(self.headers.get("authorization"), self.headers.get("x-api-key"))

    def _exchange(self, core: Core, body: bytes) -> None:
        """`POST /v1/oauth/token`: not an API write (never counted, faulted or rate limited)."""
        assert core.federation is not None
        try:
            data = json.loads(body) if body.strip() else None
        except (ValueError, UnicodeDecodeError):
            data = None
        status, payload, workspace = core.federation.exchange(data)
        self._respond(status, payload, {"anthropic-workspace-id": workspace} if workspace else None)

    def _serve_api(self, core: Core, req: Request, headers: dict[str, str]) -> tuple[int, Any]:
        """Status and body of a /v1 request after faults; `_DROPPED` for a dropped response."""
        faults = core.faults
        if faults.latency > 0:
            time.sleep(faults.latency)
        kind, per_minute = (("writes", faults.writes_per_minute) if req.method == "POST"
                            else ("reads", faults.reads_per_minute))
        wait = core.limiter.take(kind, per_minute)
        if wait is not None:
            headers["retry-after"] = str(wait)
            return 429, ApiError(429, f"rate limit exceeded: at most {per_minute:g} {kind} per minute").body()
        if faults.roll(faults.rate_429):
            headers["retry-after"] = format(faults.retry_after, "g")
            return 429, ApiError(429, "rate limited (emulated fault)").body()
        if faults.roll(faults.rate_5xx) or (req.method == "POST" and faults.roll(faults.write_5xx)):
            return 500, ApiError(500, "internal server error (emulated fault)").body()
        code = faults.take_error_code(req.method)
        if code is not None:
            error = typed_error(code)
            if error_code(code).retry:  # the API says when to ask again
                headers["retry-after"] = format(faults.retry_after, "g")
            return error.status, error.body()
        refused = betas.refusal(req.path, self.headers.get("anthropic-beta", ""))
        if refused is not None:
            return 400, bad_request(refused).body()
        raced = _AGENT_UPDATE.match(req.path) if req.method == "POST" else None
        if raced and faults.take_agent_race():
            with contextlib.suppress(ApiError):  # an unknown agent: the update itself says so
                core.agents.update(req.workspace, raced.group(1), {"description": RACE_EDIT})
        status, payload = self._run(core, req)
        if req.method == "POST" and faults.roll(faults.drop_rate):
            return _DROPPED, payload
        return status, payload

    @staticmethod
    def _run(core: Core, req: Request) -> tuple[int, Any]:
        try:
            return 200, dispatch(core, req)
        except ApiError as exc:
            return exc.status, exc.body()
        except Exception as exc:  # a bug in the emulator: say so in the API's shape
            traceback.print_exc(file=sys.stderr)
            return 500, ApiError(500, f"emulator error: {exc}").body()

    def _respond(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        request_id = "req_" + secrets.token_hex(12)
        if status >= 400 and isinstance(payload, dict):
            # The API repeats the header's id in error bodies, so a logged body alone can be traced.
            payload = {**payload, "request_id": request_id}
        binary = isinstance(payload, Binary)
        data = payload.content if binary else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", payload.content_type if binary else "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("request-id", request_id)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client went away (e.g. it timed out)
