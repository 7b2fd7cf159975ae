"""`agentops status`: what the stack runs, when it runs next, and whether it matches its manifests."""

from __future__ import annotations

import os
from pathlib import Path

from agentops.engine.desired import desired_state
from agentops.engine.status import rows
from agentops.plumbing.failure import OK
from agentops.plumbing.health import read_health
from agentops.plumbing.reconcile import resolution
from agentops.plumbing.target import Target
from agentops.plumbing.workspace import project_against_workspace
from agentops.views.output import view
from agentops.views.terminal import Console


def status(path: Path, target: Target, console: Console, fmt: str = "text") -> int:
    shown = view(fmt)
    with project_against_workspace(path, target, console, view=shown) as workspace:
        project, api, console = workspace.project, workspace.api, workspace.console
        stack = project.config.stack
        names = resolution(api, (m.manifest for m in project.manifests))
        # The desired state a plan would use: the project's environment, names resolved to ids.
        wants = desired_state(project.manifests, stack, os.environ, project.env, names)
        live = workspace.live.result()
        health = read_health(project, api, live, wants)
    table = rows(wants, live, stack, project.env, health.last_runs())
    shown.status(console, stack, project.env, table, health)
    return OK
