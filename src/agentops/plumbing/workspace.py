"""One way in: a project against a workspace.

`project_against_workspace` is the entry of every command that plans or reads the stack: it
reads agentops.yaml once, starts listing the workspace while the manifests load, checks them,
and yields the loaded project, the `Api` (the one reader and writer) and the live listing.
`connected` is the same connection without manifests (run, import, a saved plan).

A failure to reach or understand the API leaves as one redacted line (a Failure), never a
traceback that could echo a request. The SDK is imported only when a command connects, so
the offline commands never pay for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agentops.adapters.pacing import AS_CONFIGURED, Pacer, Rates
from agentops.engine.identity import Live
from agentops.engine.secrets import Redactor
from agentops.manifest.config import LoadedConfig
from agentops.manifest.config_schema import CONFIG_FILE, ApiConfig, Config
from agentops.manifest.loader import Project, start_load
from agentops.plumbing.failure import Failure
from agentops.plumbing.machine import checked, json_errors
from agentops.plumbing.target import Target
from agentops.views.output import TextView
from agentops.views.terminal import Console

if TYPE_CHECKING:
    from agentops.adapters.api import Api

LOCAL_STATE = ".agentops"
LOCAL_DB = "emulator.sqlite3"
LOCAL_KEY = "local-emulator"


def workspace_of(config: Config | None, target: Target, env: str | None) -> str | None:
    """--workspace-id, else the environment's workspace_id, else agentops.yaml's (None: there is none)."""
    if config is None:
        return target.workspace_id
    chosen = config.environments.get(env) if env is not None else None
    return target.workspace_id or (chosen.workspace_id if chosen else None) or config.workspace_id


def pacer_for(config: Config | None, rates: Rates = AS_CONFIGURED) -> Pacer:
    """The pacer of a run: the flags, else agentops.yaml's `api:`, else the documented limits."""
    limits = config.api if config is not None else ApiConfig()
    return rates.pacer(limits.writes_per_minute, limits.reads_per_minute)


def make_api(target: Target, workspace_id: str | None, pacer: Pacer, env: str | None, base_url: str | None = None,
             api_key: str | None = None) -> Api:
    """The one place an `Api` is made: the SDK client bound to a workspace (ClientSetupError: no client)."""
    from agentops.adapters.api import Api, make_client

    return Api(make_client(base_url, api_key), workspace_id, sleep=target.sleep, pacer=pacer, env=env,
               local=target.local)


def _local_seed(root: Path, config: Config | None) -> Path | None:
    """The seed file agentops.yaml names under `local:`, for the embedded emulator."""
    seed = config.local.seed if config is not None else None
    if seed is None:
        return None
    path = root / seed
    if not path.is_file():
        raise Failure(f"{CONFIG_FILE}: local.seed: {seed} is not a file")
    return path


@contextmanager
def _connect(
    target: Target, root: Path, config: Config | None, workspace_id: str | None, pacer: Pacer, env: str | None
) -> Iterator[Api]:
    """An Api for the real service, or for the embedded emulator with state under `.agentops/`."""
    if not target.local:
        yield make_api(target, workspace_id, pacer, env)
        return
    from agentops.emulator import EmulatorServer  # only --local needs the server code

    state = root / LOCAL_STATE
    state.mkdir(exist_ok=True)
    (state / ".gitignore").write_text("*\n")
    try:
        server = EmulatorServer(db_path=state / LOCAL_DB, seed=_local_seed(root, config))
    except ValueError as exc:
        raise Failure(str(exc)) from None
    with server:
        # The embedded emulator has no rate limits: pacing it would only slow the user down.
        yield make_api(target, workspace_id, Pacer(0, 0), env, base_url=server.url, api_key=LOCAL_KEY)


@contextmanager
def _explained(redact: Redactor) -> Iterator[None]:
    """Every SDK failure leaves as a one-line Failure (its text never echoes a request)."""
    from agentops.adapters.api import explain

    try:
        yield
    except Exception as exc:
        message = explain(exc)
        if message is None:
            raise
        raise Failure(redact(message)) from None


@contextmanager
def connected(
    root: Path, config: Config | None, target: Target, redact: Redactor, env: str | None, rates: Rates = AS_CONFIGURED,
    ahead: Api | None = None,
) -> Iterator[Api]:
    """The `Api` for `config`'s workspace in environment `env` (`config` None: no agentops.yaml;
    `ahead`: an Api already made for it)."""
    with _explained(redact):
        if ahead is not None:
            yield ahead
            return
        with _connect(target, root, config, workspace_of(config, target, env), pacer_for(config, rates), env) as api:
            yield api


@dataclass(frozen=True)
class Workspace:
    """A checked project against its workspace: what every reading or planning command works with."""

    project: Project
    api: Api
    live: Future[list[Live]]  # the workspace's deployments, listed while the manifests loaded
    console: Console  # the command's console, redacting the project's secrets


@contextmanager
def project_against_workspace(
    path: Path,
    target: Target,
    console: Console,
    *,
    view: TextView | None = None,
    rates: Rates = AS_CONFIGURED,
    secrets: tuple[str, ...] = (),
    guards: LoadedConfig | None = None,
) -> Iterator[Workspace]:
    """Load and check the project at `path` and connect to its workspace; `secrets` are more values to
    redact; `view` is the command's output format (its failures are shown in it too); `guards` another
    revision's agentops.yaml whose guards are enforced (see manifest/guards.py).

    The listing starts before the manifests load, so its round trips overlap them; nothing
    starts for --local (its emulator starts with the connection), when agentops.yaml has
    problems (or no environment is picked), or when no client can be made: the connection
    reports that, after any problem in the manifests. Only reads happen before the check.
    """
    view = view or TextView()
    pending = start_load(path, target.stack, env=target.env, guards=guards)
    early: Api | None = None
    if not target.local and pending.usable:
        from agentops.adapters.api import ClientSetupError

        try:
            early = make_api(target, workspace_of(pending.config, target, target.env), pacer_for(pending.config, rates),
                             target.env)
        except ClientSetupError:
            early = None
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        ahead = pool.submit(early.list_deployments) if early is not None else None
        project = checked(pending(), view, console)
        redact = Redactor((*Redactor.for_manifests(project.manifests, os.environ).values,
                           *Redactor.for_vaults(project.vaults, os.environ).values, *secrets))
        shown = console.redacting(redact)
        with json_errors(view, shown), connected(project.root, project.config, target, redact, project.env, rates,
                                                 early) as api:
            live = ahead or pool.submit(api.list_deployments)
            try:
                yield Workspace(project, api, live, shown)
            finally:
                if ahead is None:  # listed through this connection: done before it closes (--local stops its server)
                    wait_for([live])
    finally:
        # A command that stops early (problems in the manifests) does not wait for a listing started ahead.
        pool.shutdown(wait=False, cancel_futures=True)
