"""`agentops status`: what the stack runs, when it runs next, and whether it matches its manifests."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from agentops.commands.failure import OK
from agentops.commands.health import read_health
from agentops.commands.reconcile import resolution
from agentops.commands.target import Target
from agentops.commands.workspace import project_against_workspace
from agentops.engine.desired import desired_state
from agentops.engine.status import rows
from agentops.views.health import render_health_text
from agentops.views.status import render_table
from agentops.views.terminal import Console


def status(path: Path, target: Target, console: Console, fmt: str = "text") -> int:
    with project_against_workspace(path, target, console, fmt=fmt) as workspace:
        project, api, console = workspace.project, workspace.api, workspace.console
        stack = project.config.stack
        names = resolution(api, (m.manifest for m in project.manifests))
        # The desired state a plan would use: the project's environment, names resolved to ids.
        wants = desired_state(project.manifests, stack, os.environ, project.env, names)
        live = workspace.live.result()
        health = read_health(project, api, live, wants)
    table = rows(wants, live, stack, project.env, health.last_runs())
    if fmt == "json":
        data = {"stack": stack, "env": project.env, "deployments": table, "health": health.to_dict()}
        console.out(json.dumps(data, indent=2))
    elif not table:
        console.line(f"Stack {stack!r} has no manifests and no deployments.")
    else:
        # A terminal (or COLUMNS) sets the width; piped output keeps whole cells for grep and scripts.
        fit = sys.stdout.isatty() or "COLUMNS" in os.environ
        console.out(render_table(table, shutil.get_terminal_size().columns if fit else None), nl=False)
        console.out(render_health_text(health), nl=False)
    return OK
