"""`agentops run NAME`: run one of the stack's deployments now, outside its schedule."""

from __future__ import annotations

import json
import os
from pathlib import Path

from agentops.adapters.api import Api
from agentops.commands.failure import OK, Failure
from agentops.commands.machine import json_errors
from agentops.commands.reconcile import session, workspace_of
from agentops.commands.target import Target
from agentops.engine.identity import Live
from agentops.engine.secrets import Redactor
from agentops.manifest.config import load_config
from agentops.manifest.loader import choose_environment, find_root
from agentops.model import tags
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


def run(name: str, path: Path, target: Target, console: Console, fmt: str = "text") -> int:
    """Run NAME now; print the run and session ids (or, as JSON, the run), or fail with the run's error."""
    with json_errors(fmt, console):
        root = find_root(path.resolve())
        if root is None:
            raise Failure(f"no agentops.yaml in {path} or any parent folder; run `agentops init` first")
        loaded = load_config(root, target.stack)
        problems = [*loaded.problems, *choose_environment(loaded, target.env)]
        if problems:
            raise Failure("agentops.yaml has problems; nothing was run", tuple(str(p) for p in problems))
        config = loaded.config
        console.redact = Redactor(tuple(v for v in (os.environ.get("ANTHROPIC_API_KEY"),) if v))
        with session(root, target, workspace_of(config, target, target.env), console.redact, target.env) as api:
            deployment = find_deployment(api, config.stack, name, target.env)
            result = api.run(deployment.id)
    error = result.get("error")
    if fmt == "json":
        console.out(json.dumps({"name": name, "deployment_id": deployment.id, "errored": bool(error),
                                "run": result}, indent=2, sort_keys=True, ensure_ascii=False))
    if error:
        raise Failure(console.redact(
            f"run {result.get('id')} of {name!r} failed: {error.get('type', 'unknown_error')}: "
            f"{error.get('message', '')}"
        ))
    if fmt != "json":
        console.out(f"run {result.get('id')} of {name!r} ({deployment.id}) started session {result.get('session_id')}")
    return OK
