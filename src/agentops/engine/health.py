"""Run health: which of the stack's deployments fail or were auto-paused, and the fix for each.

Pure: deployment runs (as listed, newest first), the live deployments and the desired state
in; per-deployment health out. A deployment's runs count from its last change (`updated_at`),
so a fixed deployment starts clean; an auto-pause is itself a change, so for an auto-paused
deployment the window opens at its last scheduled run (the one that paused it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agentops.engine.desired import Desired
from agentops.engine.identity import Live
from agentops.model.errors import pause_error, run_error, run_failure

Loc = tuple[str | int, ...]
# Where a manifest field was written, as "file:line" (the command layer reads the files).
Locate = Callable[[Desired, Loc], str]

OK, FAILING, AUTO_PAUSED, NO_RUNS = "ok", "failing", "auto_paused", "no_runs"


def document_start(want: Desired, loc: Loc) -> str:
    """The fallback locator: the manifest's first line."""
    return f"{want.file}:{want.line}"


def _instant(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def window_start(live: Live) -> str:
    """Where the deployment's runs start to count: its last change, or the run that auto-paused it."""
    start = live.updated_at
    last_run = (live.body.get("schedule") or {}).get("last_run_at")
    if _auto_paused(live) and last_run:
        first, second = _instant(last_run), _instant(start)
        if first is not None and (second is None or first < second):
            start = str(last_run)
    return start


def owned(live: Iterable[Live], stack: str) -> list[Live]:
    return [d for d in live if d.stack == stack]


def listing_since(live: Sequence[Live]) -> str | None:
    """The earliest window start of the stack's deployments: where one runs listing begins."""
    starts = [(_instant(window_start(d)), window_start(d)) for d in live]
    known = [(moment, text) for moment, text in starts if moment is not None]
    return min(known)[1] if known else None


def _auto_paused(live: Live) -> bool:
    return live.status == "paused" and pause_error(live.paused_reason) is not None


@dataclass(frozen=True)
class DeploymentHealth:
    name: str
    deployment_id: str
    file: str | None
    state: str  # ok | failing | auto_paused | no_runs
    since: str
    runs: int
    failed: int
    last_run: Mapping[str, Any] | None
    last_error: Mapping[str, Any] | None  # {type, message, run_id, created_at}
    paused_reason: str | None  # the error type of an auto-pause
    fix: str | None

    @property
    def healthy(self) -> bool:
        return self.state in (OK, NO_RUNS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "deployment_id": self.deployment_id,
            "file": self.file,
            "state": self.state,
            "since": self.since,
            "runs": self.runs,
            "failed": self.failed,
            "last_run": dict(self.last_run) if self.last_run else None,
            "last_error": dict(self.last_error) if self.last_error else None,
            "paused_reason": self.paused_reason,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class Health:
    stack: str
    since: str | None
    deployments: tuple[DeploymentHealth, ...]
    # The listing stopped at its page cap: the oldest runs of the window were not counted.
    truncated: bool = False

    @property
    def problems(self) -> list[DeploymentHealth]:
        return [d for d in self.deployments if not d.healthy]

    @property
    def healthy(self) -> bool:
        return not self.problems

    def last_runs(self) -> dict[str, str]:
        """Deployment id -> when its newest run (in its window) started."""
        return {d.deployment_id: str(d.last_run["created_at"]) for d in self.deployments
                if d.last_run and d.last_run.get("created_at")}

    def count(self, state: str) -> int:
        return sum(1 for d in self.deployments if d.state == state)

    def summary(self) -> str:
        parts = f"{self.count(FAILING)} failing, {self.count(AUTO_PAUSED)} auto-paused"
        rest = len(self.deployments) - self.count(FAILING) - self.count(AUTO_PAUSED)
        return f"Health: {parts}, {rest} healthy."

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "truncated": self.truncated,
            "healthy": self.healthy,
            "failing": self.count(FAILING),
            "auto_paused": self.count(AUTO_PAUSED),
            "deployments": [d.to_dict() for d in self.deployments],
        }


def _run_view(run: Mapping[str, Any]) -> dict[str, Any]:
    error = run.get("error") or None
    trigger = run.get("trigger_context")
    kind, message = run_failure(error)
    return {
        "id": run.get("id"),
        "created_at": run.get("created_at"),
        "trigger": trigger.get("type") if isinstance(trigger, Mapping) else None,
        "session_id": run.get("session_id"),
        # Any error the API sent, of whatever shape, is a failure: never dropped, never a crash.
        "error": None if error is None else {"type": kind, "message": message},
    }


def assess(
    runs: Iterable[Mapping[str, Any]],
    live: Iterable[Live],
    wants: Iterable[Desired],
    stack: str,
    locate: Locate = document_start,
    truncated: bool = False,
) -> Health:
    """Per deployment of `stack`: runs and failures since its window start, the state, and a fix line."""
    mine = sorted(owned(live, stack), key=lambda d: (d.tag_name or d.name, d.age_key))
    by_name = {w.name: w for w in wants}
    per: dict[str, list[Mapping[str, Any]]] = {d.id: [] for d in mine}
    for run in runs:
        if run.get("deployment_id") in per:
            per[str(run["deployment_id"])].append(run)
    out = []
    for deployment in mine:
        since = window_start(deployment)
        start = _instant(since)
        counted = [
            r for r in per[deployment.id]
            if start is None or (_instant(r.get("created_at")) or start) >= start
        ]
        # Newest first, whatever order the listing had.
        counted.sort(key=lambda r: str(r.get("created_at") or ""), reverse=True)
        failed = [r for r in counted if r.get("error")]
        name = deployment.tag_name or deployment.name
        want = by_name.get(name)
        paused = pause_error(deployment.paused_reason) if _auto_paused(deployment) else None
        last_error = _run_view(failed[0]) if failed else None
        if paused is not None:
            state = AUTO_PAUSED
        elif counted and counted[0].get("error"):
            state = FAILING
        else:
            state = OK if counted else NO_RUNS
        error_type = paused or (last_error["error"]["type"] if last_error else None)
        message = last_error["error"]["message"] if last_error else ""
        fix = None
        if state in (AUTO_PAUSED, FAILING) and error_type:
            fix = fix_line(error_type, message, deployment, want, locate, paused is not None)
        out.append(
            DeploymentHealth(
                name=name,
                deployment_id=deployment.id,
                file=want.file if want else None,
                state=state,
                since=since,
                runs=len(counted),
                failed=len(failed),
                last_run=_run_view(counted[0]) if counted else None,
                last_error=None if last_error is None else {
                    "type": last_error["error"]["type"],
                    "message": last_error["error"]["message"],
                    "run_id": last_error["id"],
                    "created_at": last_error["created_at"],
                },
                paused_reason=paused,
                fix=fix,
            )
        )
    return Health(stack, listing_since(mine), tuple(out), truncated)


# --- fix lines --------------------------------------------------------------------------------


def _vault(message: str, vault_ids: Sequence[str]) -> tuple[str, int | None]:
    """Which vault the error is about: named in the message, or the only one; else all of them."""
    named = [i for i, v in enumerate(vault_ids) if re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", message)]
    if len(named) == 1 or len(vault_ids) == 1:
        index = named[0] if named else 0
        return f"vault {vault_ids[index]}", index
    return ("a vault in vault_ids (" + ", ".join(vault_ids) + ")") if vault_ids else "a vault", None


def fix_line(
    error_type: str,
    message: str,
    live: Live,
    want: Desired | None,
    locate: Locate = document_start,
    auto_paused: bool = False,
    unmanaged: str = "its manifest (it has none: agentops apply archives it)",
) -> str:
    """One line that says what to change and where; a generic one for a type agentops does not know.

    Without `want`, the line points at `unmanaged` instead of a file:line."""
    known = run_error(error_type)
    loc, template = known.field, known.fix
    body: Mapping[str, Any] = want.body if want else live.body
    vault_ids = [str(v) for v in body.get("vault_ids") or []]
    vault, index = _vault(message, vault_ids)
    if loc == ("vault_ids",) and index is not None:
        loc = ("vault_ids", index)
    agent = body.get("agent")
    where = locate(want, loc) if want else unmanaged
    line = template.format(
        vault=vault,
        environment=body.get("environment_id", "?"),
        agent=agent.get("id", "?") if isinstance(agent, Mapping) else agent,
        where=where,
    )
    if auto_paused and want is not None and want.status == "active":
        line += "; then agentops apply unpauses it"
    return line
