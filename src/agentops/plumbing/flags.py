"""The options every planning command takes (plan, apply, comment, report, fleet), as the planner's Options."""

from __future__ import annotations

from dataclasses import dataclass

from agentops.engine.plan import Options
from agentops.manifest.loader import Project


@dataclass(frozen=True)
class PlanFlags:
    adopt: bool = False
    no_prune: bool = False
    targets: tuple[str, ...] = ()
    max_archive: int | None = None
    allow_empty: bool = False
    strict_names: bool = False

    def options(self, project: Project) -> Options:
        return Options(
            stack=project.config.stack,
            adopt=self.adopt,
            prune=not self.no_prune,
            max_archive=self.max_archive if self.max_archive is not None else project.config.max_archive,
            targets=self.targets,
            allow_empty=self.allow_empty,
            strict_names=self.strict_names,
        )
