"""One stack name (per environment) per repository: two folders with the same `stack:` would
share one sticky comment, drift issue and ownership tags, and overwrite each other's plan."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from agentops.adapters.git import config_files
from agentops.manifest.config import load_config

Owner = tuple[str, str | None]


def owners(start: Path) -> dict[Owner, list[str]]:
    """Each (stack, environment) the repository's agentops.yaml files declare, and the folders
    (from the repository's top) declaring it; a file with problems is left out (validate reports it)."""
    top, files = config_files(start)
    found: dict[Owner, list[str]] = defaultdict(list)
    for name in files:
        folder = Path(name).parent.as_posix()
        loaded = load_config(top / folder)
        if loaded.problems:
            continue
        for env in loaded.config.environments or [None]:
            found[(loaded.config.stack, env)].append(folder)
    return found


def describe(owner: Owner, folders: list[str]) -> str:
    where = " and ".join(repr(folder) for folder in sorted(folders))
    env = f" (environment {owner[1]!r})" if owner[1] else ""
    return (f"stack {owner[0]!r}{env} is declared by both {where}: give each folder its own `stack:`, "
            "or they share one sticky comment and overwrite each other's plan")


def clashes(start: Path, only: Owner | None = None) -> list[str]:
    """One line per (stack, environment) declared in more than one folder (`only`: just that one)."""
    return [describe(owner, folders) for owner, folders in sorted(owners(start).items(), key=lambda i: str(i[0]))
            if len(folders) > 1 and (only is None or owner == only)]


def main() -> int:
    """For the action's stacks listing: exit 1 with one line per clash (names are repr-quoted, so a
    folder name cannot start a workflow command)."""
    found = clashes(Path.cwd())
    for line in found:
        print(f"agentops: {line}", file=sys.stderr)
    return 1 if found else 0
