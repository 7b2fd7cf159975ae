"""`agentops fleet`: the fleet section on its own. It lists the workspace and never writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

from agentops.commands.failure import ERROR, OK
from agentops.commands.target import Target
from agentops.engine.plan import Flags
from agentops.manifest.loader import start_load
from agentops.views.terminal import Console


def fleet(path: Path, target: Target, console: Console, *, fmt: str = "text", days: int = 7) -> int:
    """Exit 1 when an error-level fleet rule (the cap, a policy rule) is broken, else 0."""
    pending = start_load(path, target.stack, env=target.env)
    from agentops.commands import machine, reconcile, session
    from agentops.engine.secrets import Redactor
    from agentops.views.fleet import render_fleet_text

    with session.listing_ahead(pending, target) as ahead:
        project = machine.checked(pending(), fmt, console)
        console.redact = Redactor.for_manifests(project.manifests, os.environ)
        with machine.json_errors(fmt, console), session.project_reads(project, target, console.redact, ahead) as api:
            plan = reconcile.plan_and_live(project, api, Flags(), fleet_days=days,
                                           live=ahead.live)[0]
    section = plan.fleet
    assert section is not None  # plan_and_live always attaches it
    if fmt == "json":
        console.out(json.dumps(section.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n", nl=False)
    else:
        console.out(render_fleet_text(section), nl=False)
        for violation in section.violations:
            console.error(str(violation))
    return ERROR if any(v.level == "error" for v in section.violations) else OK
