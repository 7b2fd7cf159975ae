"""`agentops plan`: show what apply would change, in the format chosen once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from agentops.adapters.pacing import AS_CONFIGURED, Rates
from agentops.commands.failure import CHANGES, ERROR, OK, Failure
from agentops.commands.target import Target
from agentops.engine.plan import Options
from agentops.files import write_atomic
from agentops.manifest.loader import Project, start_load
from agentops.views.terminal import Console


@dataclass(frozen=True)
class PlanFlags:
    adopt: bool = False
    no_prune: bool = False
    targets: tuple[str, ...] = ()
    max_archive: int | None = None
    allow_empty: bool = False
    strict_names: bool = False
    new_stack: bool = False
    unattended: bool = False  # apply --auto-approve: nobody confirms the plan

    def options(self, project: Project) -> Options:
        return Options(
            stack=project.config.stack,
            adopt=self.adopt,
            prune=not self.no_prune,
            max_archive=self.max_archive if self.max_archive is not None else project.config.max_archive,
            targets=self.targets,
            allow_empty=self.allow_empty,
            strict_names=self.strict_names,
            new_stack=self.new_stack,
            unattended=self.unattended,
        )


def plan(
    path: Path,
    target: Target,
    console: Console,
    flags: PlanFlags,
    *,
    fmt: str = "text",
    out: Path | None = None,
    detailed_exitcode: bool = False,
    base_ref: str | None = None,
    rates: Rates = AS_CONFIGURED,
    health: bool = False,
) -> int:
    pending = start_load(path, target.stack, env=target.env)
    from agentops.commands import machine, reconcile, session
    from agentops.engine.secrets import Redactor
    from agentops.views.json import render_saved

    with session.listing_ahead(pending, target, rates) as ahead:
        project = machine.checked(pending(), fmt, console)
        console.redact = Redactor.for_manifests(project.manifests, os.environ)
        with machine.json_errors(fmt, console), session.project_reads(
            project, target, console.redact, ahead, rates
        ) as api:
            result, live = reconcile.plan_and_live(
                project, api, flags.options(project), base_ref=base_ref, live=ahead.live
            )
            runs = None
            if health:  # a runs listing: off by default, so a plan stays at its request floor
                from agentops.commands.health import read_health

                runs = read_health(project, api, live, os.environ)
    reconcile.show_plan(result, fmt, console, health=runs)
    if out is not None:
        try:
            write_atomic(out, console.redact(render_saved(result)))
        except OSError as exc:
            raise Failure(f"--out {out}: cannot save the plan: {exc.strerror or exc}") from None
        hint = " ".join(part for part in ("agentops", target.flags(), "apply", str(out)) if part)
        console.info(f"Saved the plan to {out}; apply it with: {hint}")
    if result.errored:
        return ERROR
    if detailed_exitcode and result.has_changes:
        return CHANGES
    return OK
