"""Loading a registry seed: `{"agents": [{"id": ..., "versions": n, "archived": bool, "name": ...}], ...}`.

Keys other than `id`, `versions`, `archived` and `workspace` are the object's fields: `name`
(agents, environments, memory stores), `display_name` (vaults), `description`, `metadata`, ...
Skills are not seeded: a skill is its uploaded files, so it is made through the API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from agentops.emulator.core import DEFAULT_WORKSPACE
from agentops.emulator.errors import ApiError
from agentops.emulator.registry import SEEDABLE, Registry
from agentops.files import read_text_capped

Seed = dict[str, Any] | str | Path
_CONTROL_KEYS = ("id", "versions", "archived", "workspace")
# A registry of thousands of objects is a few hundred kilobytes; a seed path is operator-given
# and could name a FIFO or a huge file.
SEED_LIMIT = 16 * 1024 * 1024


def load(seed: Seed) -> dict[str, Any]:
    """A seed as a dict; a path is read as JSON (`.json`) or YAML."""
    if isinstance(seed, dict):
        return seed
    path = Path(seed)
    try:
        text = read_text_capped(path, SEED_LIMIT)
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else " ".join(str(exc).split())  # YAML errors span lines; errors here are one line
        raise ValueError(f"{path}: not a readable seed file ({reason})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a seed must be a mapping of agents/environments/vaults/memory_stores lists")
    return data


def apply(registry: Registry, seed: dict[str, Any]) -> None:
    """Register every seeded object that is not already known (a restart keeps later changes)."""
    expected = [f"{kind}s" for kind in SEEDABLE]
    unknown = sorted(set(seed) - set(expected))
    if unknown:
        raise ValueError(f"seed: unknown keys {unknown}; expected {', '.join(expected)}")
    for kind in SEEDABLE:
        for index, item in enumerate(seed.get(f"{kind}s") or []):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise ValueError(f"seed: {kind}s[{index}] needs an 'id' string")
            workspace = str(item.get("workspace") or DEFAULT_WORKSPACE)
            fields = {key: value for key, value in item.items() if key not in _CONTROL_KEYS}
            try:
                registry.register_given(workspace, kind, item["id"], int(item.get("versions", 1)), fields or None,
                                        replace=False)
            except ApiError as exc:
                raise ValueError(f"seed: {kind}s[{index}]: {exc.message}") from None
            if item.get("archived"):
                registry.archive(workspace, kind, item["id"])
