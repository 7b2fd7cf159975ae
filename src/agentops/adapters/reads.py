"""What planning reads from a workspace, whichever process talks to the API.

`Api` answers in this process; `Companion` forwards to a child process that imported the SDK
while this one loaded the manifests. Neither module needs to be imported to name the protocol.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from agentops.engine.identity import Live
from agentops.engine.lookups import Found, Key


class Reads(Protocol):
    @property
    def workspace_id(self) -> str | None: ...

    def list_deployments(self) -> list[Live]: ...

    def listings(self, kinds: Iterable[str]) -> dict[str, list[dict[str, Any]]]: ...

    def look_up(self, keys: Iterable[Key]) -> dict[Key, Found]: ...

    def list_runs(self, since: str | None, deployment_id: str | None = None) -> tuple[list[dict[str, Any]], bool]: ...
