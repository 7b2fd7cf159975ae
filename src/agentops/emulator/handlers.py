"""HTTP: routing, headers, fault injection and Anthropic-shaped error responses."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import socket
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from agentops.emulator.core import DEFAULT_WORKSPACE, Core, WriteRecord
from agentops.emulator.errors import ApiError, bad_request
from agentops.emulator.redaction import redact
from agentops.emulator.registry import KINDS, Kind

BETA = "managed-agents-2026-04-01"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, str]
    workspace: str
    body: bytes

    def json(self) -> Any:
        if not self.body.strip():
            return None
        try:
            value = json.loads(self.body, parse_int=_int64, parse_float=_finite, parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise bad_request(f"invalid JSON body: {reason}") from None
        if _depth(value) > MAX_DEPTH:
            raise bad_request(f"invalid JSON body: nested deeper than {MAX_DEPTH} levels")
        return value


MAX_DEPTH = 64  # far beyond any valid body; keeps validators and error paths off deep recursion
MAX_BODY = 32 * 1024 * 1024  # the API's documented request size limit


def _int64(text: str) -> int:
    # The API's integers are 64-bit; bigger ones would overflow SQLite columns (a 500) downstream.
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise ValueError(f"integer out of range: {text[:40]}")
    return value


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not valid JSON")


def _depth(value: Any) -> int:
    """Nesting depth of decoded JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


Handler = Callable[[Core, Request, tuple[str, ...]], Any]
_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []
_KIND_PLURALS = "|".join(f"{kind}s" for kind in KINDS)


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _ROUTES.append((method, re.compile(f"^{pattern}$"), handler))
        return handler

    return register


def _kind(plural: str) -> Kind:
    return cast(Kind, plural[:-1])


# --- the API -------------------------------------------------------------------------------

_ID = r"([^/]+)"


@route("POST", "/v1/deployments")
def _create(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return core.deployments.create(req.workspace, req.json())


@route("GET", "/v1/deployments")
def _list(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return core.deployments.list(req.workspace, req.params)


@route("GET", f"/v1/deployments/{_ID}")
def _retrieve(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.deployments.retrieve(req.workspace, ids[0])


@route("POST", f"/v1/deployments/{_ID}")
def _update(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.deployments.update(req.workspace, ids[0], req.json())


@route("POST", f"/v1/deployments/{_ID}/(archive|pause|unpause)")
def _action(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    action: Callable[[str, str], Any] = getattr(core.deployments, ids[1])
    return action(req.workspace, ids[0])


@route("POST", f"/v1/deployments/{_ID}/run")
def _run(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.runs.run(req.workspace, ids[0])


@route("GET", "/v1/deployment_runs")
def _list_runs(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return core.runs.list(req.workspace, req.params)


@route("GET", f"/v1/deployment_runs/{_ID}")
def _retrieve_run(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.runs.retrieve(req.workspace, ids[0])


@route("POST", f"/v1/({_KIND_PLURALS})")
def _registry_create(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.registry.create(req.workspace, _kind(ids[0]), req.json())


@route("GET", f"/v1/({_KIND_PLURALS})")
def _registry_list(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.registry.list(req.workspace, _kind(ids[0]), req.params)


@route("POST", f"/v1/({_KIND_PLURALS})/{_ID}/archive")
def _registry_archive(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    """Archiving an agent also archives its deployments, as the API does."""
    core.archive_entry(req.workspace, _kind(ids[0]), ids[1])
    return core.registry.view(req.workspace, _kind(ids[0]), ids[1])


@route("GET", f"/v1/({_KIND_PLURALS})/{_ID}")
def _registry_get(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    version = req.params.get("version")
    if version is not None and not version.isdigit():
        raise bad_request("version: must be a positive integer")
    return core.registry.view(req.workspace, _kind(ids[0]), ids[1], int(version) if version else None)


# --- emulator controls (never under /v1, never faulted) ------------------------------------


@route("GET", "/_emulator/faults")
def _faults_get(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return core.faults.to_dict()


@route("POST", "/_emulator/faults")
def _faults_set(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    changes = req.json() or {}
    if not isinstance(changes, dict):
        raise bad_request("expected a JSON object of fault settings")
    try:
        core.faults = core.faults.updated(changes)
    except (TypeError, ValueError) as exc:
        raise bad_request(str(exc)) from None
    return core.faults.to_dict()


@route("GET", "/_emulator/stats")
def _stats(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return {"write_count": core.stats.writes(), "rate_limited": core.stats.rate_limited(),
            "requests": [list(r) for r in core.stats.requests()]}


@route("POST", "/_emulator/reset-stats")
def _reset_stats(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    """Clears the counts, the request log and the recorded writes."""
    core.stats.reset()
    return {"write_count": 0, "rate_limited": 0, "requests": []}


@route("GET", "/_emulator/writes")
def _writes(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return {"data": core.stats.written()}


@route("POST", f"/_emulator/({_KIND_PLURALS})")
def _register(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    """Register an object with a chosen id; other keys (name, display_name, metadata) are its fields."""
    body = req.json()
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise bad_request('expected {"id": "...", "versions": n, "name": "..."}')
    fields = {key: value for key, value in body.items() if key not in ("id", "versions")}
    versions = body.get("versions", 1)
    if not isinstance(versions, int):
        raise bad_request("versions: must be an integer")
    core.registry.register(req.workspace, _kind(ids[0]), body["id"], versions, fields or None)
    return core.registry.view(req.workspace, _kind(ids[0]), body["id"])


@route("POST", f"/_emulator/({_KIND_PLURALS})/{_ID}/archive")
def _archive_entry(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return _registry_archive(core, req, ids)


@route("POST", f"/_emulator/deployments/{_ID}/fire")
def _fire(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.runs.fire(req.workspace, ids[0])


@route("POST", "/_emulator/tick")
def _tick(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    """Record the scheduled runs whose fire times the clock has passed; returns them."""
    return {"data": core.runs.tick()}


@route("GET", "/_emulator/deployments")
def _raw(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    """Stored documents (archived ones too); a stored token shows only as `***`."""
    return {"data": redact(core.store.all_deployments(req.workspace))}


@route("GET", "/_emulator/runs")
def _runs(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return {"data": core.store.runs(req.workspace, req.params.get("deployment_id"))}


def dispatch(core: Core, req: Request) -> Any:
    """Run the matching route; 404 for an unknown path, 405 for a known path and wrong method."""
    known_path = False
    for method, pattern, handler in _ROUTES:
        match = pattern.match(req.path)
        if match is None:
            continue
        known_path = True
        if method == req.method:
            return handler(core, req, tuple(unquote(group) for group in match.groups()))
    if known_path:
        raise ApiError(405, f"method {req.method} not allowed on {req.path}")
    raise ApiError(404, f"no route for {req.method} {req.path}")


# --- the server ----------------------------------------------------------------------------

_DROPPED = 0  # the status recorded for a response the client never receives
_DEPLOYMENT_PATH = re.compile(r"^/v1/deployments/([^/]+)")


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


class HTTPServer(ThreadingHTTPServer):
    """Tracks open connections so stopping also ends idle keep-alive ones."""

    daemon_threads = True
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
        workspace = self.headers.get("anthropic-workspace-id") or DEFAULT_WORKSPACE
        req = Request(self.command, url.path, params, workspace, body)
        if not url.path.startswith("/v1/"):
            self._respond(*self._run(core, req))
            return
        if req.method == "POST":
            core.stats.count_write()
        headers: dict[str, str] = {}
        status, payload = self._serve_api(core, req, headers)
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
        if faults.roll(faults.rate_5xx):
            return 500, ApiError(500, "internal server error (emulated fault)").body()
        if BETA not in [part.strip() for part in self.headers.get("anthropic-beta", "").split(",")]:
            return 400, bad_request(f"the anthropic-beta header must include {BETA}").body()
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
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("request-id", request_id)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client went away (e.g. it timed out)
