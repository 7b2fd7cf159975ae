"""Archive guard: an agent or environment archived while a live deployment still runs on it.

The API auto-pauses such a deployment at its next fire, in any stack of the workspace. So the
plan refuses the archive unless the same plan archives the deployment or repoints it (its
update writes another agent or environment).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agentops.engine.identity import Live
from agentops.engine.versions import agent_id

# The deployment field that points at each kind an archive may strand.
_FIELD = {"agent": "agent", "environment": "environment_id"}


def _points_at(body: Mapping[str, Any], kind: str) -> str | None:
    value = body.get(_FIELD[kind])
    return agent_id(value) if kind == "agent" else (value if isinstance(value, str) else None)


def stranded(archives: Iterable[tuple[str, str]], deployments: Iterable[Live], archived: Iterable[str],
             patches: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[tuple[str, str], list[Live]]:
    """(kind, id) of each archived agent or environment -> the live deployments still on it after the
    plan. `archives`: (kind, id) the plan archives; `archived`: deployment ids it archives; `patches`:
    deployment id -> the patches the plan sends it (a patch of `agent`/`environment_id` repoints it)."""
    wanted = {(kind, object_id) for kind, object_id in archives if kind in _FIELD}
    gone = set(archived)
    out: dict[tuple[str, str], list[Live]] = {}
    for deployment in deployments:
        if deployment.kind != "deployment" or deployment.id in gone or deployment.body.get("archived_at"):
            continue
        for kind in _FIELD:
            now = _points_at(deployment.body, kind)
            for patch in patches.get(deployment.id, ()):
                if _FIELD[kind] in patch:
                    now = _points_at(patch, kind)
            if (kind, now) in wanted:
                out.setdefault((kind, str(now)), []).append(deployment)
    return out
