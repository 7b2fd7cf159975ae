"""Shell completion of deployment names, read offline from the manifests (never from the API)."""

from __future__ import annotations

from pathlib import Path

import click
from click.shell_completion import CompletionItem

from agentops.manifest.loader import load_project


def deployment_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Manifest names starting with `incomplete`, from the PATH argument's project (or the current folder)."""
    path = ctx.params.get("path") or ctx.params.get("target") or Path(".")
    try:
        project = load_project(Path(path))
    except OSError:  # an unreadable folder completes nothing rather than crash the shell
        return []
    names = sorted({m.manifest.name for m in project.manifests})
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]
