"""`agentops run NAME`: run one of the stack's deployments now, outside its schedule."""

from __future__ import annotations

import os
from pathlib import Path

import click

from agentops.adapters.api import Api
from agentops.cli.app import GlobalOptions, global_options
from agentops.commands.failure import Failure
from agentops.commands.reconcile import session
from agentops.engine.identity import Live
from agentops.engine.secrets import Redactor
from agentops.manifest.config import load_config
from agentops.manifest.loader import find_root
from agentops.model import tags


def find_deployment(api: Api, stack: str, name: str) -> Live:
    """The stack's live deployment called `name` (the oldest if duplicated); Failure when there is none."""
    live = api.list_deployments()
    owned = sorted((d for d in live if d.stack == stack and d.tag_name == name), key=lambda d: d.age_key)
    if owned:
        return owned[0]
    archived = [
        d
        for page in api.iter_deployment_pages(include_archived=True)
        for d in page
        if d.get("archived_at")
        and (d.get("metadata") or {}).get(tags.STACK) == stack
        and (d.get("metadata") or {}).get(tags.NAME) == name
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


@click.command("run")
@click.argument("name")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@global_options
@click.pass_obj
def run(opts: GlobalOptions, /, name: str, path: Path) -> None:
    """Run the deployment NAME now; print the run and session ids, or why the run failed."""
    root = find_root(path.resolve())
    if root is None:
        raise Failure(f"no agentops.yaml in {path} or any parent folder; run `agentops init` first")
    loaded = load_config(root, opts.stack)
    if loaded.problems:
        for problem in loaded.problems:
            click.echo(str(problem), err=True)
        raise Failure("agentops.yaml has problems; nothing was run")
    config = loaded.config
    redact = Redactor(tuple(v for v in (os.environ.get("ANTHROPIC_API_KEY"),) if v))
    with session(root, opts.workspace_id or config.workspace_id, opts.local, redact) as api:
        target = find_deployment(api, config.stack, name)
        result = api.run(target.id)
    error = result.get("error")
    if error:
        raise Failure(
            redact(
                f"run {result.get('id')} of {name!r} failed: {error.get('type', 'unknown_error')}: "
                f"{error.get('message', '')}"
            )
        )
    click.echo(f"run {result.get('id')} of {name!r} ({target.id}) started session {result.get('session_id')}")
