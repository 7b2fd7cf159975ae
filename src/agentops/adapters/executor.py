"""The executor: runs a plan's actions against the API, safely under faults.

Phases run one after another (environments, agents, deployments; archives in reverse: see
`Action.phase`), the objects of one phase in parallel. A write that references an object the
same apply creates gets the id that create returned; if the create failed, the write is not made.

Creates are the one write the API cannot make idempotent (no idempotency key), so after an
ambiguous failure (timeout, 5xx, dropped connection) the executor looks the deployment up by
its ownership tags before it tries again; a lost response never makes a duplicate. An answer
that says nothing was done (429, authorization_check_unavailable) is retried after its
Retry-After; a policy block (environment_create_disabled, approval_required, ...) never is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any

import anthropic

from agentops.adapters.api import RETRYABLE, Api, Deadline, backoff_delay, describe_error, nothing_done
from agentops.adapters.skill_upload import SkillChanged, files
from agentops.engine.identity import Live
from agentops.engine.plan import Action, ActionKind, Plan
from agentops.engine.resources import fill
from agentops.engine.secrets import SecretMissing, resolve

# Server and client clocks differ; a recovery lookup reaches this far before the create.
CLOCK_SLACK = timedelta(minutes=10)


@dataclass
class Result:
    action: Action
    ok: bool
    message: str
    id: str | None = None  # the object written (a create: the one it made)
    attempts: int = 1
    recovered: bool = False
    error_code: str | None = None  # the API's `error.details.error_code` of a failure, when it sent one


@dataclass
class Executor:
    api: Api
    stack: str
    environ: Mapping[str, str]
    parallelism: int = 4
    max_attempts: int = 6
    report: Callable[[Result], None] = lambda result: None
    sleep: Callable[[float], None] = time.sleep
    root: Path = Path()  # the project's root: a skill's folder is relative to it
    # (kind, name) -> id created; ("skill_version", name) -> the version a skill upload made
    _created: dict[tuple[str, str], str] = field(default_factory=dict)
    # The address of each agent update that succeeded -> the version its response names (re-pins send it).
    _versions: dict[str, int] = field(default_factory=dict)

    _stopping: threading.Event = field(default_factory=threading.Event)
    _reporting: threading.Lock = field(default_factory=threading.Lock)

    def stop(self) -> None:
        """Start no new deployment's actions; those in flight finish (a paused create is never left active)."""
        self._stopping.set()

    def run(self, plan: Plan) -> list[Result]:
        """Phase by phase; within one, each object's steps in order and the objects in parallel."""
        results: list[Result] = []
        for _phase, batch in groupby(plan.writes, key=lambda a: a.phase):
            chains = [list(steps) for _key, steps in groupby(batch, key=lambda a: (a.resource, a.name, a.id))]
            if self._stopping.is_set():
                break
            with ThreadPoolExecutor(max_workers=max(1, self.parallelism)) as pool:
                for done in pool.map(self._run_chain, chains):
                    results.extend(done)
        return results

    def _run_chain(self, chain: list[Action]) -> list[Result]:
        done: list[Result] = []
        if self._stopping.is_set():
            return done
        for action in chain:
            result = self._run_one(action)
            with self._reporting:
                self.report(result)
            done.append(result)
            if not result.ok:
                break  # later steps of this deployment depend on this one
        return done

    def _run_one(self, action: Action) -> Result:
        target = action.id or self._created.get((action.resource, action.name))
        missing = sorted(ref for ref in action.waits_for if ref not in self._created)
        if missing:
            kind, name = missing[0]
            return Result(action, False, f"skipped: it references {kind} {name}, whose create did not succeed")
        if action.follows is not None and action.follows not in self._versions:
            return Result(action, False, f"skipped: it follows {action.follows}, whose update did not succeed", target)
        try:
            if action.kind is ActionKind.CREATE:
                return self._create(action)
            if target is None:
                return Result(action, False, "skipped: its create did not succeed")
            return self._write(action, target)
        except (SecretMissing, SkillChanged) as exc:
            return Result(action, False, str(exc))
        except anthropic.ConflictError as exc:
            if action.patch is None or "version" not in action.patch:
                return Result(action, False, describe_error(exc), target, error_code=exc.error_code)
            # Optimistic concurrency: the object moved since the plan read it (a console edit).
            return Result(action, False, f"refused (409): {target} changed since the plan read version "
                          f"{action.patch['version']}; nothing is written for it or what follows it; run "
                          "`agentops plan` again", target, error_code=exc.error_code)
        except anthropic.APIStatusError as exc:
            # A policy block (a 400 or 403 with an error code) lands here on its first answer: it is
            # never retried, and its message says who can lift it.
            return Result(action, False, describe_error(exc), target, error_code=exc.error_code)
        except anthropic.APIConnectionError as exc:
            return Result(
                action,
                False,
                f"connection failed after retrying within the time limit: {type(exc).__name__}",
                target,
            )
        except anthropic.APIError as exc:  # its text may echo the request: name the kind only
            return Result(action, False, f"unexpected API response ({type(exc).__name__})", target)

    def _create(self, action: Action) -> Result:
        body = self._sent(action, resolve(fill(action.body or {}, self._created), self.environ))
        since = datetime.now(UTC) - CLOCK_SLACK
        key = (action.resource, action.name)
        ambiguous = False
        deadline = self.api.deadline()
        for attempt in range(1, self.max_attempts + 1):
            try:
                if ambiguous:
                    found = self.api.find_owned(self.stack, action.name, since, action.resource)
                    if found:
                        oldest = min(found, key=lambda d: Live.from_json(d).age_key)
                        self._created[key] = oldest["id"]
                        return Result(
                            action,
                            True,
                            f"created {oldest['id']} (found after a lost response)",
                            oldest["id"],
                            attempt,
                            recovered=True,
                        )
                created = self.api.create(body, deadline.timeout(attempt), action.resource)
                self._created[key] = created["id"]
                self._versioned(action, created)
                return Result(action, True, f"created {created['id']}", created["id"], attempt)
            except RETRYABLE as exc:
                # A create the API says did nothing (429, authorization_check_unavailable) is sent
                # again; after any other 5xx or a lost connection it may have committed: look it up
                # by its tags before creating again.
                ambiguous = ambiguous or not nothing_done(exc)
                self._last_attempt(attempt, exc, deadline)
        raise AssertionError("unreachable")  # pragma: no cover

    def _sent(self, action: Action, body: dict[str, Any]) -> dict[str, Any]:
        """What the SDK is given: a skill's planned body becomes its files (read now, digest checked)."""
        uploads = action.resource == "skill" and action.kind in (ActionKind.CREATE, ActionKind.UPDATE, ActionKind.ADOPT)
        return files(body, self.root) if uploads else body

    def _versioned(self, action: Action, answer: dict[str, Any]) -> None:
        """The version an update made: a skill upload's is what an agent following the skill is updated to
        next, an agent's what the deployments following it are re-pinned to."""
        if action.resource == "skill":
            made = answer.get("latest_version_id" if action.kind is ActionKind.CREATE else "id")
            if made is not None:
                self._created[("skill_version", action.name)] = str(made)
        elif action.resource == "agent" and action.kind is not ActionKind.CREATE:
            self._versions[action.address] = int(answer["version"])

    def _last_attempt(self, attempt: int, exc: Exception, deadline: Deadline) -> None:
        if attempt >= self.max_attempts or deadline.passed():
            raise exc
        self.sleep(backoff_delay(attempt, exc))

    def _write(self, action: Action, target: str) -> Result:
        body = self._sent(action, resolve(fill(action.patch or {}, self._created), self.environ))
        if action.follows is not None:  # the version the agent's update made, not the one foreseen
            body["agent"] = {**body["agent"], "version": self._versions[action.follows]}
        kind = action.resource
        calls: dict[ActionKind, Callable[[float], dict[str, Any]]] = {
            ActionKind.UPDATE: lambda s: self.api.update(target, body, s, kind),
            # An adoption is an update that also adds the ownership tags.
            ActionKind.ADOPT: lambda s: self.api.update(target, body, s, kind),
            ActionKind.PAUSE: lambda s: self.api.pause(target, s),
            ActionKind.UNPAUSE: lambda s: self.api.unpause(target, s),
            ActionKind.ARCHIVE: lambda s: self.api.archive(target, s, kind),
        }
        deadline = self.api.deadline()
        for attempt in range(1, self.max_attempts + 1):
            try:
                answer = calls[action.kind](deadline.timeout(attempt))
                if action.kind in (ActionKind.UPDATE, ActionKind.ADOPT):
                    self._versioned(action, answer)
                return Result(action, True, action.past, target, attempt)
            except anthropic.BadRequestError:
                # Archived already: by our own earlier try whose response was lost, or by a
                # concurrent apply that archived the same duplicate. Either way the intent holds.
                if action.kind is ActionKind.ARCHIVE and self.api.retrieve(target, kind).get("archived_at"):
                    return Result(action, True, "archived", target, attempt, recovered=True)
                raise
            except RETRYABLE as exc:
                self._last_attempt(attempt, exc, deadline)
        raise AssertionError("unreachable")  # pragma: no cover
