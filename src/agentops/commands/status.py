"""`agentops status`: what the stack runs, when it runs next, and whether it matches its manifests."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from agentops.commands.failure import OK
from agentops.commands.health import read_health
from agentops.commands.machine import checked, json_errors
from agentops.commands.reconcile import resolution
from agentops.commands.session import listing_ahead, project_reads
from agentops.commands.target import Target
from agentops.engine.secrets import Redactor
from agentops.engine.status import rows
from agentops.manifest.loader import start_load
from agentops.views.health import render_health_text
from agentops.views.status import render_table
from agentops.views.terminal import Console


def status(path: Path, target: Target, console: Console, fmt: str = "text") -> int:
    pending = start_load(path, target.stack, env=target.env)
    with listing_ahead(pending, target) as ahead:
        project = checked(pending(), fmt, console)
        console.redact = Redactor.for_manifests(project.manifests, os.environ)
        with json_errors(fmt, console), project_reads(project, target, console.redact, ahead) as api:
            live = ahead.live.result() if ahead.live else api.list_deployments()
            names = resolution(api, (m.manifest for m in project.manifests))
            health = read_health(project, api, live, os.environ)
    table = rows(project, live, project.config.stack, os.environ, names, health.last_runs())
    if fmt == "json":
        data = {"stack": project.config.stack, "env": project.env, "deployments": table, "health": health.to_dict()}
        console.out(json.dumps(data, indent=2))
    elif not table:
        console.line(f"Stack {project.config.stack!r} has no manifests and no deployments.")
    else:
        # A terminal (or COLUMNS) sets the width; piped output keeps whole cells for grep and scripts.
        fit = sys.stdout.isatty() or "COLUMNS" in os.environ
        console.out(render_table(table, shutil.get_terminal_size().columns if fit else None), nl=False)
        console.out(render_health_text(health), nl=False)
    return OK
