"""MCP egress: an agent's MCP server that its deployment's environment may not reach.

An environment with `limited` networking lets the container reach only `allowed_hosts`, plus every
MCP server of the agent when `allow_mcp_servers` is true (the SDK: "beyond those listed in the
`allowed_hosts` array. Defaults to `false`"). A deployment whose agent names an MCP server on
another host is auto-paused at its next fire with `mcp_egress_blocked_error`. The plan finds it
from the manifests (the stack's own agents and environments as declared) and the listings (the
workspace's, referenced by name or id).

Judgement (the docs only say "domains the container can reach"): an `allowed_hosts` entry allows
its exact host, and `*.example.com` its subdomains; a port or path in an entry is ignored. A
deployment that would run is blocked; a paused one is warned about (it fails only once unpaused).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from agentops.engine.desired import Desired
from agentops.engine.identity import Live
from agentops.engine.resources import pending_refs
from agentops.engine.versions import agent_id


@dataclass(frozen=True)
class Blocked:
    """One MCP server of a deployment's agent whose host its environment does not allow."""

    deployment: Desired
    agent: str  # as the plan names it
    server: str
    host: str
    environment: str

    @property
    def message(self) -> str:
        return (f"agent {self.agent}'s MCP server {self.server!r} ({self.host}) is not reachable from environment "
                f"{self.environment}: its limited networking allows neither this host nor MCP servers; the API "
                "auto-pauses the deployment at its next fire (mcp_egress_blocked_error)")

    hint = "add the host to the environment's networking.allowed_hosts, or set allow_mcp_servers: true"


def host_of(url: str) -> str:
    """The host an URL (or a bare allowed_hosts entry) names, lower case."""
    return (urlsplit(url if "://" in url else f"//{url}").hostname or url).lower()


def allows(networking: Mapping[str, Any] | None, host: str) -> bool:
    """Whether an environment's networking lets the container reach an MCP server on `host`."""
    if not networking or networking.get("type") != "limited" or networking.get("allow_mcp_servers"):
        return True
    for entry in networking.get("allowed_hosts") or []:
        allowed = host_of(str(entry))
        if host == allowed or (allowed.startswith("*.") and host.endswith(allowed[1:])):
            return True
    return False


class _Bodies:
    """Agents and environments by id (as listed) and by name (the stack's own, as declared: what
    the apply leaves them as)."""

    def __init__(self, desired: Iterable[Desired], live: Iterable[Live]) -> None:
        self.by_id = {(item.kind, item.id): (item.tag_name or item.name, item.body) for item in live}
        self.own = {(want.kind, want.name): want.body for want in desired if want.kind != "deployment"}

    def find(self, kind: str, value: str | None, named: Mapping[tuple[str, str], str]) -> tuple[str, Mapping[str, Any]] | None:
        if value is None:
            return None
        for (ref_kind, name), found in named.items():
            if ref_kind == kind and found == value and (kind, name) in self.own:
                return name, self.own[(kind, name)]
        for ref in pending_refs(value):  # created by this apply: as declared
            return (ref[1], self.own[ref]) if ref in self.own else None
        return self.by_id.get((kind, value))


def blocked(desired: Iterable[Desired], live: Iterable[Live]) -> list[Blocked]:
    """Every (deployment, MCP server) of the stack that its environment's networking would block."""
    wants = list(desired)
    bodies = _Bodies(wants, live)
    out = []
    for want in wants:
        if want.kind != "deployment":
            continue
        named = {(item.ref.kind, item.ref.name): item.id for item in want.named if item.id is not None}
        agent = bodies.find("agent", agent_id(want.body.get("agent")), named)
        environment = bodies.find("environment", want.body.get("environment_id"), named)
        if agent is None or environment is None:
            continue
        config = environment[1].get("config")
        networking = config.get("networking") if isinstance(config, Mapping) and config.get("type") == "cloud" else None
        for server in agent[1].get("mcp_servers") or []:
            host = host_of(str(server.get("url", "")))
            if not allows(networking, host):
                out.append(Blocked(want, agent[0], str(server.get("name")), host, environment[0]))
    return out
