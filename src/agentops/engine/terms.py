"""A change named by the manifest key the user wrote (`prompt`, `environment`, `authorization_token: ${VAR}`),
beside the API path it is sent as."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from agentops.engine.diff import SECRET_PATH, Change
from agentops.model.secretref import resource_refs


def _secret_key(resources: Iterable[Any]) -> str:
    """`resources[0].authorization_token: ${REPO_TOKEN}` for each secret the manifest references."""
    refs = resource_refs(resources)
    return ", ".join(f"{path}: ${{{name}}}" for name, path in refs.items()) or "authorization_token"


def topic(change: Change) -> str:
    """The top-level key a change touches, as the manifest writes it (secrets named as such)."""
    if change.path == SECRET_PATH:
        return "secrets"
    return re.split(r"[.\[]", change.shown, maxsplit=1)[0]


def in_manifest_terms(found: Iterable[Change], keys: Mapping[str, str], body: Mapping[str, Any]) -> list[Change]:
    """Each change with `field` set to what the manifest calls it (None when that is its API path)."""
    out = []
    for change in found:
        if change.path == SECRET_PATH:
            out.append(replace(change, field=_secret_key(body.get("resources") or [])))
            continue
        top = re.split(r"[.\[]", change.path, maxsplit=1)[0]
        key = keys.get(top)
        if key is None:
            out.append(change)
        elif top == "initial_events" and re.fullmatch(r"initial_events\[0\]\.content\[0\]\.text", change.path):
            out.append(replace(change, field=key))  # the one text block a shorthand stands for
        else:
            out.append(replace(change, field=key + change.path[len(top):]))
    return out
