"""Read the stack's run health: one runs listing, assessed against the live and desired state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentops.engine.desired import Desired
from agentops.engine.health import Health, assess, listing_since, owned
from agentops.engine.identity import Live
from agentops.manifest.loader import Project
from agentops.manifest.where import FieldLocator

if TYPE_CHECKING:
    from agentops.adapters.api import Api


def read_health(project: Project, api: Api, live: list[Live], wants: list[Desired]) -> Health:
    """Health of the stack's deployments in `live`, against the desired state the plan used (ids
    resolved from names, in the project's environment): no request when it has none, else one listing."""
    stack = project.config.stack
    mine = owned(live, stack)
    locator = FieldLocator(project.root)
    if not mine:
        return assess([], [], wants, stack)
    # One deployment: let the API filter; several: one listing of the workspace since the oldest window.
    runs, truncated = api.list_runs(listing_since(mine), mine[0].id if len(mine) == 1 else None)
    return assess(runs, mine, wants, stack, lambda want, loc: locator(want.file, want.line, loc), truncated)
