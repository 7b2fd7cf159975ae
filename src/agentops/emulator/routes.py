"""Routing: the request as endpoints see it, the route table and every endpoint's wiring."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote

from agentops.emulator.core import Core
from agentops.emulator.errors import ApiError, bad_request
from agentops.emulator.redaction import redact
from agentops.emulator.registry import GENERIC, SEEDABLE, Kind


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, str]
    workspace: str
    body: bytes
    content_type: str = ""

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
_KIND_PLURALS = "|".join(f"{kind}s" for kind in GENERIC)
_SEEDABLE_PLURALS = "|".join(f"{kind}s" for kind in SEEDABLE)


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


@route("POST", "/v1/agents")
def _agent_create(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return core.agents.create(req.workspace, req.json())


@route("POST", f"/v1/agents/{_ID}")
def _agent_update(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.agents.update(req.workspace, ids[0], req.json())


@route("GET", f"/v1/agents/{_ID}/versions")
def _agent_versions(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.agents.versions(req.workspace, ids[0], req.params)


@route("POST", "/v1/environments")
def _environment_create(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return core.environments.create(req.workspace, req.json())


@route("POST", f"/v1/environments/{_ID}")
def _environment_update(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.environments.update(req.workspace, ids[0], req.json())


@route("DELETE", f"/v1/environments/{_ID}")
def _environment_delete(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.environments.delete(req.workspace, ids[0])


@route("POST", "/v1/vaults")
def _vault_create(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return core.vaults.create(req.workspace, req.json())


@route("POST", f"/v1/vaults/{_ID}")
def _vault_update(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.vaults.update(req.workspace, ids[0], req.json())


@route("DELETE", f"/v1/vaults/{_ID}")
def _vault_delete(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.vaults.delete(req.workspace, ids[0])


@route("POST", f"/v1/vaults/{_ID}/credentials")
def _credential_create(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.credentials.create(req.workspace, ids[0], req.json())


@route("GET", f"/v1/vaults/{_ID}/credentials")
def _credential_list(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.credentials.list(req.workspace, ids[0], req.params)


@route("GET", f"/v1/vaults/{_ID}/credentials/{_ID}")
def _credential_retrieve(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.credentials.retrieve(req.workspace, ids[0], ids[1])


@route("POST", f"/v1/vaults/{_ID}/credentials/{_ID}")
def _credential_update(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.credentials.update(req.workspace, ids[0], ids[1], req.json())


@route("DELETE", f"/v1/vaults/{_ID}/credentials/{_ID}")
def _credential_delete(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.credentials.delete(req.workspace, ids[0], ids[1])


@route("POST", f"/v1/vaults/{_ID}/credentials/{_ID}/(archive|mcp_oauth_validate)")
def _credential_action(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    if ids[2] == "archive":
        return core.credentials.archive(req.workspace, ids[0], ids[1])
    return core.credentials.validate(req.workspace, ids[0], ids[1])


@route("POST", "/v1/memory_stores")
def _memory_store_create(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return core.memory_stores.create(req.workspace, req.json())


@route("GET", "/v1/memory_stores")
def _memory_store_list(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return core.registry.list(req.workspace, "memory_store", req.params)


@route("GET", f"/v1/memory_stores/{_ID}")
def _memory_store_retrieve(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.registry.view(req.workspace, "memory_store", ids[0])


@route("POST", f"/v1/memory_stores/{_ID}")
def _memory_store_update(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.memory_stores.update(req.workspace, ids[0], req.json())


@route("DELETE", f"/v1/memory_stores/{_ID}")
def _memory_store_delete(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.memory_stores.delete(req.workspace, ids[0])


@route("POST", f"/(?:v1|_emulator)/memory_stores/{_ID}/archive")
def _memory_store_archive(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.memory_stores.archive(req.workspace, ids[0])


@route("POST", "/v1/skills")
def _skill_create(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return core.skills.create(req.workspace, req.content_type, req.body)


@route("GET", "/v1/skills")
def _skill_list(core: Core, req: Request, _: tuple[str, ...]) -> Any:
    return core.skills.list(req.workspace, req.params)


@route("GET", f"/v1/skills/{_ID}")
def _skill_retrieve(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.skills.retrieve(req.workspace, ids[0])


@route("DELETE", f"/v1/skills/{_ID}")
def _skill_delete(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.skills.delete(req.workspace, ids[0])


@route("POST", f"/v1/skills/{_ID}/versions")
def _skill_version_create(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.skills.create_version(req.workspace, ids[0], req.content_type, req.body)


@route("GET", f"/v1/skills/{_ID}/versions")
def _skill_versions(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.skills.versions(req.workspace, ids[0], req.params)


@route("GET", f"/v1/skills/{_ID}/versions/{_ID}")
def _skill_version_retrieve(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.skills.retrieve_version(req.workspace, ids[0], ids[1])


@route("DELETE", f"/v1/skills/{_ID}/versions/{_ID}")
def _skill_version_delete(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.skills.delete_version(req.workspace, ids[0], ids[1])


@route("GET", f"/v1/skills/{_ID}/versions/{_ID}/content")
def _skill_version_content(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.skills.content(req.workspace, ids[0], ids[1])


@route("GET", f"/v1/({_KIND_PLURALS})")
def _registry_list(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    return core.registry.list(req.workspace, _kind(ids[0]), req.params)


@route("POST", f"/(?:v1|_emulator)/({_KIND_PLURALS})/{_ID}/archive")
def _registry_archive(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    """Deployments referencing an archived object stay; their runs fail (see `runs.py`)."""
    return core.registry.archive(req.workspace, _kind(ids[0]), ids[1])


@route("GET", f"/v1/({_KIND_PLURALS})/{_ID}")
def _registry_get(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    version = req.params.get("version")
    if version is not None and not (version.isascii() and version.isdigit() and int(version) >= 1):
        raise bad_request("version: must be an integer of at least 1")
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


@route("POST", f"/_emulator/({_SEEDABLE_PLURALS})")
def _register(core: Core, req: Request, ids: tuple[str, ...]) -> Any:
    """Register an object with a chosen id; other keys (name, display_name, metadata) are its fields."""
    body = req.json()
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise bad_request('expected {"id": "...", "versions": n, "name": "..."}')
    fields = {key: value for key, value in body.items() if key not in ("id", "versions")}
    versions = body.get("versions", 1)
    if not isinstance(versions, int):
        raise bad_request("versions: must be an integer")
    core.registry.register_given(req.workspace, _kind(ids[0]), body["id"], versions, fields or None)
    return core.registry.view(req.workspace, _kind(ids[0]), body["id"])


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
