"""The executor: runs a plan's actions against the API, safely under faults.

Creates are the one write the API cannot make idempotent (no idempotency key), so after an
ambiguous failure (timeout, 5xx, dropped connection) the executor looks the deployment up by
its ownership tags before it tries again; a lost response never makes a duplicate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import anthropic

from agentops.identity import Live
from agentops.live import AMBIGUOUS, Api, backoff_delay
from agentops.manifest.secrets import SECRET_REF
from agentops.plan import PHASES, Action, Plan

# Server and client clocks differ; a recovery lookup reaches this far before the create.
CLOCK_SLACK = timedelta(minutes=10)


class SecretMissing(RuntimeError):
    pass


def resolve_secrets(body: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """A copy of `body` with `${VAR}` token references replaced by their values, just before sending."""
    out = dict(body)
    if out.get("resources"):
        resources = []
        for resource in out["resources"]:
            token = resource.get("authorization_token")
            match = SECRET_REF.match(token) if isinstance(token, str) else None
            if match:
                if match.group(1) not in environ:
                    raise SecretMissing(f"environment variable {match.group(1)} is not set")
                resource = {**resource, "authorization_token": environ[match.group(1)]}
            resources.append(resource)
        out["resources"] = resources
    return out


@dataclass
class Result:
    action: Action
    ok: bool
    message: str
    deployment_id: str | None = None
    attempts: int = 1
    recovered: bool = False


@dataclass
class Executor:
    api: Api
    stack: str
    environ: Mapping[str, str]
    parallelism: int = 4
    max_attempts: int = 6
    report: Callable[[Result], None] = lambda result: None
    sleep: Callable[[float], None] = time.sleep
    _created: dict[str, str] = field(default_factory=dict)

    def run(self, plan: Plan) -> list[Result]:
        results: list[Result] = []
        for phase in sorted(set(PHASES.values())):
            batch = [a for a in plan.writes if PHASES[a.action] == phase]
            if not batch:
                continue
            with ThreadPoolExecutor(max_workers=max(1, self.parallelism)) as pool:
                for result in pool.map(self._run_one, batch):
                    self.report(result)
                    results.append(result)
        return results

    def _run_one(self, action: Action) -> Result:
        target = action.deployment_id or self._created.get(action.name)
        try:
            if action.action == "create":
                return self._create(action)
            if target is None:
                return Result(action, False, "skipped: its create did not succeed")
            return self._write(action, target)
        except SecretMissing as exc:
            return Result(action, False, str(exc))
        except anthropic.APIStatusError as exc:
            return Result(action, False, describe_error(exc), target)
        except anthropic.APIConnectionError as exc:
            return Result(
                action,
                False,
                f"connection failed after {self.max_attempts} attempts: {type(exc).__name__}",
                target,
            )
        except anthropic.APIError as exc:  # its text may echo the request: name the kind only
            return Result(action, False, f"unexpected API response ({type(exc).__name__})", target)

    def _create(self, action: Action) -> Result:
        body = resolve_secrets(action.patch or {}, self.environ)
        since = datetime.now(UTC) - CLOCK_SLACK
        ambiguous = False
        for attempt in range(1, self.max_attempts + 1):
            try:
                if ambiguous:
                    found = self.api.find_owned(self.stack, action.name, since)
                    if found:
                        oldest = min(found, key=lambda d: Live.from_json(d).age_key)
                        self._created[action.name] = oldest["id"]
                        return Result(
                            action,
                            True,
                            f"created {oldest['id']} (found after a lost response)",
                            oldest["id"],
                            attempt,
                            recovered=True,
                        )
                created = self.api.create(body, attempt)
                self._created[action.name] = created["id"]
                return Result(action, True, f"created {created['id']}", created["id"], attempt)
            except anthropic.RateLimitError as exc:
                self._last_attempt(attempt, exc)
            except AMBIGUOUS as exc:
                # The create may have committed: look it up by its tags before creating again.
                ambiguous = True
                self._last_attempt(attempt, exc)
        raise AssertionError("unreachable")  # pragma: no cover

    def _last_attempt(self, attempt: int, exc: Exception) -> None:
        if attempt >= self.max_attempts:
            raise exc
        self.sleep(backoff_delay(attempt, exc))

    def _write(self, action: Action, target: str) -> Result:
        update: Callable[[int], dict[str, Any]] = lambda n: self.api.update(  # noqa: E731
            target, resolve_secrets(action.patch or {}, self.environ), n
        )
        calls: dict[str, Callable[[int], dict[str, Any]]] = {
            "update": update,
            "adopt": update,  # an adoption is an update that also adds the ownership tags
            "pause": lambda n: self.api.pause(target, n),
            "unpause": lambda n: self.api.unpause(target, n),
            "archive": lambda n: self.api.archive(target, n),
        }
        for attempt in range(1, self.max_attempts + 1):
            try:
                calls[action.action](attempt)
                return Result(action, True, _DONE[action.action], target, attempt)
            except anthropic.BadRequestError:
                # Archived already: by our own earlier try whose response was lost, or by a
                # concurrent apply that archived the same duplicate. Either way the intent holds.
                if action.action == "archive" and self.api.retrieve(target).get("archived_at"):
                    return Result(action, True, "archived", target, attempt, recovered=True)
                raise
            except (anthropic.RateLimitError, *AMBIGUOUS) as exc:
                self._last_attempt(attempt, exc)
        raise AssertionError("unreachable")  # pragma: no cover


_DONE = {
    "update": "updated",
    "adopt": "adopted",
    "pause": "paused",
    "unpause": "unpaused",
    "archive": "archived",
}


def describe_error(exc: anthropic.APIStatusError) -> str:
    """The API's own message and status, never the request (which may hold a token)."""
    message = exc.api_message or exc.response.reason_phrase or "request failed"
    return f"API error {exc.status_code} ({exc.type or 'error'}): {message}"
