"""What must never be printed: the secret values in play, and the filter that removes them from text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from agentops.manifest.loader import Project
from agentops.manifest.secrets import SECRET_REF, secret_refs
from agentops.plan import Plan


@dataclass(frozen=True)
class Redactor:
    """Replaces known secret values in any text before it is shown or written."""

    values: tuple[str, ...]

    def __call__(self, text: str) -> str:
        for value in self.values:
            if len(value) >= 4:
                text = text.replace(value, "***")
        return text


def _values(variables: set[str], environ: Mapping[str, str]) -> list[str]:
    return [environ[var] for var in sorted(variables | {"ANTHROPIC_API_KEY"}) if environ.get(var)]


def secret_values(project: Project, environ: Mapping[str, str]) -> list[str]:
    """The values of every secret the manifests reference, and the API key (to scrub from output)."""
    return _values({var for m in project.manifests for var in secret_refs(m.manifest)}, environ)


def plan_secret_values(plan: Plan, environ: Mapping[str, str]) -> list[str]:
    """The same for a saved plan, from the `${VAR}` references its bodies carry."""
    refs = {
        match.group(1)
        for action in plan.actions
        for resource in (action.patch or {}).get("resources") or []
        if (match := SECRET_REF.match(str(resource.get("authorization_token", ""))))
    }
    return _values(refs, environ)
