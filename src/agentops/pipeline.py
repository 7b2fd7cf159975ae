"""The imperative shell around the pure core: connect, read live state, plan.

load (manifest) -> normalize -> [live read] -> diff/plan; the CLI renders or applies the result.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from agentops.identity import Live
from agentops.live import Api, make_client
from agentops.manifest.loader import Project
from agentops.manifest.secrets import missing_secrets
from agentops.normalize import Desired, desired
from agentops.plan import Blocker, Options, Plan, build_plan

LOCAL_STATE = ".agentops"
LOCAL_DB = "emulator.sqlite3"


@contextmanager
def connect(local: bool, root: Path, workspace_id: str | None) -> Iterator[Api]:
    """An Api for the real service, or for the embedded emulator with state under `.agentops/`."""
    if not local:
        yield Api(make_client(), workspace_id)
        return
    from agentops.emulator import EmulatorServer  # only --local needs the server code

    state = root / LOCAL_STATE
    state.mkdir(exist_ok=True)
    (state / ".gitignore").write_text("*\n")
    with EmulatorServer(db_path=state / LOCAL_DB) as server:
        yield Api(make_client(base_url=server.url, api_key="local-emulator"), workspace_id)


def desired_state(project: Project, stack: str, environ: Mapping[str, str]) -> list[Desired]:
    return [desired(m.manifest, m.file, m.line, stack, environ) for m in project.manifests]


def make_plan(
    project: Project,
    api: Api,
    options: Options,
    environ: Mapping[str, str] | None = None,
    live: list[Live] | None = None,
) -> Plan:
    """Plan `project` against the workspace (or against `live`, when the caller already listed it)."""
    env = os.environ if environ is None else environ
    wants = desired_state(project, options.stack, env)
    blockers = [
        Blocker(problem.message, None, f"{problem.file}:{problem.line}")
        for problem in missing_secrets(project, env)
    ]
    # The reference lookups and the (sequential) list pages are independent round trips: overlap them.
    with ThreadPoolExecutor(max_workers=1) as pool:
        listing = pool.submit(api.list_deployments) if live is None else None
        blockers.extend(api.check_references(wants))
        current = listing.result() if listing is not None else live or []
    options_for_load = Options(**{**options.__dict__, "partial": options.partial or project.partial})
    return build_plan(wants, current, options_for_load, blockers, workspace_id=api.workspace_id)
