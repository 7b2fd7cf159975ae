"""`agentops fleet`: the fleet section on its own. It lists the workspace and never writes."""

from __future__ import annotations

import json
from pathlib import Path

from agentops.commands.failure import ERROR, OK
from agentops.commands.target import Target
from agentops.engine.plan import Flags
from agentops.views.terminal import Console


def fleet(path: Path, target: Target, console: Console, *, fmt: str = "text", days: int = 7) -> int:
    """Exit 1 when an error-level fleet rule (the cap, a policy rule) is broken, else 0."""
    from agentops.commands import reconcile
    from agentops.commands.workspace import project_against_workspace
    from agentops.views.fleet import render_fleet_text

    with project_against_workspace(path, target, console, fmt=fmt) as workspace:
        project, console = workspace.project, workspace.console
        plan = reconcile.plan_and_live(project, workspace.api, Flags(), fleet_days=days,
                                       live=workspace.live).plan
    section = plan.fleet
    assert section is not None  # plan_and_live always attaches it
    if fmt == "json":
        console.out(json.dumps(section.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n", nl=False)
    else:
        console.out(render_fleet_text(section), nl=False)
        for violation in section.violations:
            console.error(str(violation))
    return ERROR if any(v.level == "error" for v in section.violations) else OK
