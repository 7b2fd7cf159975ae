"""`agentops status`: what the stack runs, when it runs next, and whether it matches its manifests."""

from __future__ import annotations

from pathlib import Path

from agentops.engine.plan import Flags
from agentops.engine.status import agent_versions, rows
from agentops.plumbing.failure import OK
from agentops.plumbing.health import read_health
from agentops.plumbing.reconcile import plan_and_live
from agentops.plumbing.target import Target
from agentops.plumbing.workspace import project_against_workspace
from agentops.views.output import view
from agentops.views.terminal import Console


def status(path: Path, target: Target, console: Console, fmt: str = "text") -> int:
    shown = view(fmt)
    with project_against_workspace(path, target, console, view=shown) as workspace:
        project, api, console = workspace.project, workspace.api, workspace.console
        # The plan `agentops plan` would make, with no flags: every verdict of status is its.
        planned = plan_and_live(project, api, Flags(), live=workspace.live)
        health = read_health(project, api, planned.live, planned.desired)
        # One listing: each agent's newest version, against the versions the deployments are pinned to.
        agents = api.listings(["agent"])["agent"] if planned.live else []
    table = rows(planned.plan, planned.desired, planned.live, health.last_runs())
    versions = agent_versions(agents, planned.live, project.config.stack, project.env)
    shown.status(console, project.config.stack, project.env, table, health, versions)
    return OK
