"""Connections to a workspace: the SDK in this process, or the companion process reading for a plan.

Whichever it is, a failure to reach or understand the API leaves as one redacted line (a
Failure), never a traceback that could echo a request. This module imports the SDK only when
it connects in process, so a plan read by the companion never pays for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agentops.adapters.companion import Companion, ReadFailed, Setup
from agentops.adapters.pacing import AS_CONFIGURED, Pacer, Rates
from agentops.adapters.reads import Reads
from agentops.commands.failure import Failure
from agentops.commands.reconcile import workspace_of
from agentops.commands.target import Target
from agentops.engine.identity import Live
from agentops.engine.secrets import Redactor
from agentops.manifest.config import (
    CONFIG_FILE,
    DEFAULT_READS_PER_MINUTE,
    DEFAULT_WRITES_PER_MINUTE,
    Config,
    load_config,
)
from agentops.manifest.loader import Pending, Project

if TYPE_CHECKING:
    from agentops.adapters.api import Api

LOCAL_STATE = ".agentops"
LOCAL_DB = "emulator.sqlite3"


def _local_seed(root: Path) -> Path | None:
    """The seed file agentops.yaml names under `local:`, for the embedded emulator."""
    loaded = load_config(root)
    seed = loaded.config.local.seed
    if seed is None:
        return None
    path = root / seed
    if not path.is_file():
        raise Failure(f"{CONFIG_FILE}: local.seed: {seed} is not a file")
    return path


@contextmanager
def connect(
    target: Target, root: Path, workspace_id: str | None, pacer: Pacer, env: str | None = None
) -> Iterator[Api]:
    """An Api for the real service, or for the embedded emulator with state under `.agentops/`."""
    from agentops.adapters.api import Api, make_client

    if not target.local:
        yield Api(make_client(), workspace_id, sleep=target.sleep, pacer=pacer, env=env)
        return
    from agentops.emulator import EmulatorServer  # only --local needs the server code

    state = root / LOCAL_STATE
    state.mkdir(exist_ok=True)
    (state / ".gitignore").write_text("*\n")
    try:
        server = EmulatorServer(db_path=state / LOCAL_DB, seed=_local_seed(root))
    except ValueError as exc:
        raise Failure(str(exc)) from None
    with server:
        # The embedded emulator has no rate limits: pacing it would only slow the user down.
        client = make_client(base_url=server.url, api_key="local-emulator")
        yield Api(client, workspace_id, sleep=target.sleep, env=env)


@contextmanager
def session(
    root: Path,
    target: Target,
    workspace: str | None,
    redact: Redactor,
    pacer: Pacer | None = None,
    env: str | None = None,
) -> Iterator[Api]:
    """A connected Api; every SDK failure leaves as a one-line Failure (its text never echoes a request).

    Without a `pacer`, requests are paced at the documented organization limits."""
    from agentops.adapters.api import explain

    if pacer is None:
        pacer = Rates().pacer(DEFAULT_WRITES_PER_MINUTE, DEFAULT_READS_PER_MINUTE)
    try:
        with connect(target, root, workspace, pacer, env) as api:
            yield api
    except Exception as exc:
        message = explain(exc)
        if message is None:
            raise
        raise Failure(redact(message)) from None


def project_session(
    project: Project, target: Target, redact: Redactor, rates: Rates = AS_CONFIGURED, pacer: Pacer | None = None
) -> AbstractContextManager[Api]:
    """A session for the project's workspace, paced by `pacer`, else the flags, else its `api:` settings."""
    if pacer is None:
        pacer = rates.pacer(project.config.api.writes_per_minute, project.config.api.reads_per_minute)
    return session(project.root, target, workspace_of(project.config, target, project.env), redact, pacer, project.env)


def _setup(config: Config, target: Target, env: str | None, rates: Rates) -> Setup:
    writes, reads = rates.resolved(config.api.writes_per_minute, config.api.reads_per_minute)
    return Setup(workspace_of(config, target, env), env, writes, reads)


@dataclass(frozen=True)
class Ahead:
    """The workspace's listing, started before the manifests load (None when it was not), the
    pacer it runs under, and the companion process doing the reading when there is one."""

    pacer: Pacer
    live: Future[list[Live]] | None
    companion: Companion | None = None


@contextmanager
def listing_ahead(pending: Pending, target: Target, rates: Rates = AS_CONFIGURED) -> Iterator[Ahead]:
    """Start reading the workspace now: its round trips overlap loading the manifests.

    Nothing starts for --local (its emulator starts with the session), when agentops.yaml has
    problems (or no environment is picked), or when no client can be made: the session reports
    that, after any problem in the manifests. Only reads happen here.
    """
    limits = pending.config.api
    pacer = rates.pacer(limits.writes_per_minute, limits.reads_per_minute)
    companion = None if target.local else target.companion
    if target.local or not pending.usable:
        yield Ahead(pacer, None, companion)
        return
    if companion is not None:
        companion.configure(_setup(pending.config, target, target.env, rates))
        yield Ahead(pacer, companion.live, companion)
        return
    from agentops.adapters.api import Api, ClientSetupError, make_client

    try:
        workspace = workspace_of(pending.config, target, target.env)
        api = Api(make_client(), workspace, sleep=target.sleep, pacer=pacer, env=target.env)
    except ClientSetupError:
        yield Ahead(pacer, None)
        return
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        yield Ahead(pacer, pool.submit(api.list_deployments))
    finally:
        # A plan that stops early (problems in the manifests) does not wait for the listing.
        pool.shutdown(wait=False, cancel_futures=True)


@contextmanager
def project_reads(
    project: Project, target: Target, redact: Redactor, ahead: Ahead, rates: Rates = AS_CONFIGURED
) -> Iterator[Reads]:
    """What a plan of `project` reads through: the companion when one was started, else an in-process session."""
    companion = ahead.companion
    if companion is None:
        with project_session(project, target, redact, pacer=ahead.pacer) as api:
            yield api
        return
    if not companion.configured:
        companion.configure(_setup(project.config, target, project.env, rates))
    try:
        yield companion
    except ReadFailed as exc:
        raise Failure(redact(str(exc))) from None
