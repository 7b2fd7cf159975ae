"""How the layers of a manifest merge: config defaults < environment defaults < manifest <
`overrides.<env>`; mappings merge recursively, lists and scalars are replaced."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

# Keys that say the same thing two ways: a layer that sets one replaces the other from below,
# so `environment: {name: ...}` in a manifest wins over a default `environment_id`.
_ONE_OF = (frozenset({"environment", "environment_id"}),)


def _under(lower: Mapping[str, Any], upper: Mapping[str, Any]) -> dict[str, Any]:
    """`lower` without the keys `upper` replaces through an alternative spelling."""
    dropped = {key for group in _ONE_OF if group & upper.keys() for key in group}
    return {key: value for key, value in lower.items() if key not in dropped or key in upper}


def merge_defaults(defaults: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` over `defaults`: mappings merge recursively, lists and scalars are replaced.

    A default never creates a `schedule` (that would make every deployment recurring); it only
    fills in keys of schedules that manifests declare, e.g. a common timezone.
    """
    out = dict(data)
    for key, value in _under(defaults, data).items():
        if key not in out:
            if key != "schedule":
                out[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(out[key], dict):
            out[key] = _deep(value, out[key])
    return out


def layer(lower: Mapping[str, Any], upper: Mapping[str, Any]) -> dict[str, Any]:
    """`upper` over `lower` (environment defaults over config defaults, an override over its manifest)."""
    return _deep(_under(lower, upper), upper)


def _deep(under: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(over)
    for key, value in under.items():
        if key not in out:
            out[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(out[key], dict):
            out[key] = _deep(value, out[key])
    return out
