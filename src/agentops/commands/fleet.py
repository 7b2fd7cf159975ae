"""`agentops fleet`: the fleet section on its own. It lists the workspace and never writes."""

from __future__ import annotations

from pathlib import Path

from agentops.engine.plan import Flags
from agentops.plumbing.failure import ERROR, OK
from agentops.plumbing.target import Target
from agentops.views.terminal import Console


def fleet(path: Path, target: Target, console: Console, *, fmt: str = "text", days: int = 7) -> int:
    """Exit 1 when an error-level fleet rule (the cap, a policy rule) is broken, else 0."""
    from agentops.plumbing import reconcile
    from agentops.plumbing.workspace import project_against_workspace
    from agentops.views.output import view

    shown = view(fmt)
    with project_against_workspace(path, target, console, view=shown) as workspace:
        project, console = workspace.project, workspace.console
        plan = reconcile.plan_and_live(project, workspace.api, Flags(), fleet_days=days,
                                       live=workspace.live).plan
    section = plan.fleet
    assert section is not None  # plan_and_live always attaches it
    shown.fleet(console, section)
    return ERROR if any(v.level == "error" for v in section.violations) else OK
