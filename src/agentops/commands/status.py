"""`agentops status`: what the stack runs, when it runs next, and whether it matches its manifests."""

from __future__ import annotations

import json
import os
from pathlib import Path

from agentops.commands.failure import OK
from agentops.commands.reconcile import checked, project_session
from agentops.commands.target import Target
from agentops.engine.secrets import Redactor
from agentops.engine.status import rows
from agentops.manifest.loader import load_project
from agentops.views.status import render_table
from agentops.views.terminal import Console


def status(path: Path, target: Target, console: Console, fmt: str = "text") -> int:
    project = checked(load_project(path, target.stack))
    console.redact = Redactor.for_manifests(project.manifests, os.environ)
    with project_session(project, target, console.redact) as api:
        live = api.list_deployments()
    table = rows(project, live, project.config.stack, os.environ)
    if fmt == "json":
        console.out(json.dumps({"stack": project.config.stack, "deployments": table}, indent=2))
    elif not table:
        console.out(f"Stack {project.config.stack!r} has no manifests and no deployments.")
    else:
        console.out(render_table(table), nl=False)
    return OK
