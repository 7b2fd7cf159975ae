"""The SDK adapter: the only module that talks to the Deployments API.

Reads return plain JSON data (what the pure core takes); writes take plain bodies. Every
call goes through the official `anthropic` SDK; the SDK's own retries are off because the
executor decides what is safe to retry (a create is not).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anthropic

from agentops import tags
from agentops.identity import Live
from agentops.normalize import Desired
from agentops.plan import Blocker

PAGE_SIZE = 100
LOOKUP_PARALLELISM = 8


class CredentialsMissing(RuntimeError):
    """No API key: say how to provide one (or use --local) instead of a traceback."""


def make_client(
    base_url: str | None = None, api_key: str | None = None, timeout: float = 60.0
) -> anthropic.Anthropic:
    key = api_key or os.environ.get("ANTHROPIC_API_KEY")
    if not key:
        raise CredentialsMissing(
            "ANTHROPIC_API_KEY is not set: export it, or use --local to run against the embedded emulator"
        )
    return anthropic.Anthropic(api_key=key, base_url=base_url, max_retries=0, timeout=timeout)


@dataclass(frozen=True)
class Api:
    """A client bound to one workspace."""

    client: anthropic.Anthropic
    workspace_id: str | None = None

    @property
    def _headers(self) -> dict[str, str]:
        return {"anthropic-workspace-id": self.workspace_id} if self.workspace_id else {}

    def iter_deployment_pages(self, **filters: Any) -> Iterable[list[dict[str, Any]]]:
        """Every page of the listing, as raw JSON, streamed one page at a time."""
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": PAGE_SIZE, **filters}
            if cursor:
                params["page"] = cursor
            raw = self.client.beta.deployments.with_raw_response.list(extra_headers=self._headers, **params)
            body = raw.http_response.json()
            yield list(body.get("data") or [])
            cursor = body.get("next_page")
            if not cursor:
                return

    def list_deployments(self) -> list[Live]:
        return [Live.from_json(item) for page in self.iter_deployment_pages() for item in page]

    def find_owned(self, stack: str, name: str, created_after: datetime | None) -> list[dict[str, Any]]:
        """Deployments of this stack tagged with `name`, created at or after a time (create recovery)."""
        filters: dict[str, Any] = {}
        if created_after is not None:
            filters["created_at_gte"] = created_after.isoformat()
        return [
            item
            for page in self.iter_deployment_pages(**filters)
            for item in page
            if (item.get("metadata") or {}).get(tags.STACK) == stack
            and (item.get("metadata") or {}).get(tags.NAME) == name
        ]

    def _call(self, method: Callable[..., Any], *args: Any, **body: Any) -> dict[str, Any]:
        raw = method(*args, extra_headers=self._headers, **body)
        data: dict[str, Any] = raw.http_response.json()
        return data

    def retrieve(self, deployment_id: str) -> dict[str, Any]:
        return self._call(self.client.beta.deployments.with_raw_response.retrieve, deployment_id)

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._call(self.client.beta.deployments.with_raw_response.create, **body)

    def update(self, deployment_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._call(self.client.beta.deployments.with_raw_response.update, deployment_id, **body)

    def pause(self, deployment_id: str) -> dict[str, Any]:
        return self._call(self.client.beta.deployments.with_raw_response.pause, deployment_id)

    def unpause(self, deployment_id: str) -> dict[str, Any]:
        return self._call(self.client.beta.deployments.with_raw_response.unpause, deployment_id)

    def archive(self, deployment_id: str) -> dict[str, Any]:
        return self._call(self.client.beta.deployments.with_raw_response.archive, deployment_id)

    def run(self, deployment_id: str) -> dict[str, Any]:
        return self._call(self.client.beta.deployments.with_raw_response.run, deployment_id)

    def check_references(self, desired: list[Desired]) -> list[Blocker]:
        """One lookup per distinct agent, environment and vault; missing or archived ones block the plan."""
        users: dict[tuple[str, str], list[Desired]] = {}
        for want in desired:
            agent = want.body["agent"]
            users.setdefault(("agent", agent if isinstance(agent, str) else agent["id"]), []).append(want)
            users.setdefault(("environment", want.body["environment_id"]), []).append(want)
            for vault in want.body.get("vault_ids", []):
                users.setdefault(("vault", vault), []).append(want)
        getters: dict[str, Callable[..., Any]] = {
            "agent": self.client.beta.agents.with_raw_response.retrieve,
            "environment": self.client.beta.environments.with_raw_response.retrieve,
            "vault": self.client.beta.vaults.with_raw_response.retrieve,
        }

        def look(key: tuple[str, str]) -> str | None:
            kind, ref = key
            try:
                found = self._call(getters[kind], ref)
            except anthropic.NotFoundError:
                return f"{kind} {ref} does not exist"
            return f"{kind} {ref} is archived" if found.get("archived_at") else None

        keys = sorted(users)
        with ThreadPoolExecutor(max_workers=LOOKUP_PARALLELISM) as pool:
            verdicts = list(pool.map(look, keys))
        blockers: list[Blocker] = []
        for key, verdict in zip(keys, verdicts, strict=True):
            if verdict:
                blockers.extend(
                    Blocker(f"{verdict} (referenced by the manifest)", w.name, w.file) for w in users[key]
                )
        return sorted(blockers, key=lambda b: (b.file or "", b.name or "", b.message))
