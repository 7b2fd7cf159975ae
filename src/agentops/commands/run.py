"""`agentops run NAME`: run one of the stack's deployments now, outside its schedule."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentops.adapters.api import Api
from agentops.engine.health import fix_line
from agentops.engine.identity import Live
from agentops.engine.secrets import Redactor
from agentops.manifest.config import load_config
from agentops.manifest.loader import choose_environment, find_root
from agentops.model import tags
from agentops.model.errors import run_failure
from agentops.plumbing.failure import INTERRUPTED, OK, Failure
from agentops.plumbing.machine import json_errors
from agentops.plumbing.target import Target
from agentops.plumbing.workspace import connected
from agentops.views.output import view
from agentops.views.terminal import Console


def find_deployment(api: Api, stack: str, name: str, env: str | None = None) -> Live:
    """The stack's live deployment called `name` (the oldest if duplicated); Failure when there is none."""
    live = api.list_deployments()
    owned = sorted((d for d in live if d.owned_by(stack, env) and d.tag_name == name), key=lambda d: d.age_key)
    if owned:
        return owned[0]
    archived = [
        d
        for page in api.iter_deployment_pages(include_archived=True)
        for d in page
        if d.get("archived_at")
        and (d.get("metadata") or {}).get(tags.STACK) == stack
        and (d.get("metadata") or {}).get(tags.NAME) == name
        and (d.get("metadata") or {}).get(tags.ENV) == env
    ]
    if archived:
        raise Failure(
            f"deployment {name!r} of stack {stack!r} is archived ({archived[-1]['id']}); "
            "an archived deployment cannot run"
        )
    others = [d for d in live if d.name == name]
    if others:
        owner = others[0].stack
        whose = f"owned by stack {owner!r}" if owner else "not managed by agentops (see `agentops import`)"
        raise Failure(f"deployment {name!r} ({others[0].id}) is {whose}, not by stack {stack!r}")
    raise Failure(f"stack {stack!r} has no deployment named {name!r}; see `agentops status`")


# Seconds between two looks at a run that has neither a session nor an error yet.
POLL_INTERVAL = 2.0
DEFAULT_WAIT_TIMEOUT = 600.0


class StillRunning(Exception):
    """Waiting stopped (timeout or Ctrl-C) before the run had a session or an error."""

    def __init__(self, run: dict[str, Any], why: str) -> None:
        super().__init__(why)
        self.run = run
        self.why = why


def settled(run: dict[str, Any]) -> bool:
    """A run is done once it has a session (success) or an error (failure): exactly one is ever set."""
    return bool(run.get("session_id") or run.get("error"))


def follow(
    run: dict[str, Any],
    retrieve: Callable[[str], dict[str, Any]],
    sleep: Callable[[float], None],
    timeout: float,
) -> dict[str, Any]:
    """Poll `retrieve` until the run settles; StillRunning after `timeout` seconds of waiting or on Ctrl-C.

    The time waited is the sum of the sleeps, so an injected sleep makes the wait instant in tests.
    """
    waited = 0.0
    try:
        while not settled(run):
            if waited >= timeout:
                raise StillRunning(run, f"timed out after {timeout:g}s")
            step = min(POLL_INTERVAL, timeout - waited)
            sleep(step)
            waited += step
            run = retrieve(str(run["id"]))
    except KeyboardInterrupt:
        raise StillRunning(run, "interrupted") from None
    return run


def run(
    name: str,
    path: Path,
    target: Target,
    console: Console,
    fmt: str = "text",
    wait: bool = False,
    timeout: float = DEFAULT_WAIT_TIMEOUT,
) -> int:
    """Run NAME now; print the run and session ids (or, as JSON, the run), or fail with the run's error.

    With `wait`, follow the run until it has a session or an error; Ctrl-C stops only the waiting.
    """
    shown = view(fmt)
    console = console.redacting(Redactor(tuple(v for v in (os.environ.get("ANTHROPIC_API_KEY"),) if v)))
    with json_errors(shown, console):
        root = find_root(path.resolve())
        if root is None:
            raise Failure(f"no agentops.yaml in {path} or any parent folder; run `agentops init` first")
        loaded = load_config(root, target.stack)
        problems = [*loaded.problems, *choose_environment(loaded, target.env)]
        if problems:
            raise Failure("agentops.yaml has problems; nothing was run", tuple(str(p) for p in problems))
        config = loaded.config
        with connected(root, config, target, console.redact, target.env) as api:
            deployment = find_deployment(api, config.stack, name, target.env)
            result = api.run(deployment.id)
            if wait:
                try:
                    result = follow(result, api.retrieve_run, target.sleep, timeout)
                except StillRunning as stopped:
                    shown.run_stopped(console, name, deployment.id, stopped.run, stopped.why)
                    return INTERRUPTED if stopped.why == "interrupted" else 1
    error = result.get("error")
    # Whatever the error's shape, the user gets its type, its message and a fix line.
    kind, message = run_failure(error)
    fix = fix_line(kind, message, deployment, None, unmanaged=f"the manifest of {name!r}") if error else None
    shown.run(console, name, deployment.id, result, fix)
    if error:
        raise Failure(console.redact(f"run {result.get('id')} of {name!r} failed: {kind}: {message}; fix: {fix}"))
    return OK
