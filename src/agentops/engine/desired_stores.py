"""Desired state of memory stores and skills: each manifest as the body it asks for, tagged for
ownership like every managed kind (engine/desired.py `owned`)."""

from __future__ import annotations

from typing import Any

from agentops.engine.desired import Desired, owned
from agentops.engine.normalize_stores import MEMORY_STORE_FIELDS
from agentops.manifest.loader import LoadedMemoryStore


def memory_store_desired(loaded: LoadedMemoryStore, stack: str, env: str | None) -> Desired:
    manifest = loaded.manifest
    body: dict[str, Any] = manifest.model_dump(mode="json", exclude_none=True, include=set(MEMORY_STORE_FIELDS))
    body["metadata"] = owned(manifest.metadata, stack, manifest.name, env, manifest.lifecycle.prevent_archive)
    return Desired(
        name=manifest.name, file=loaded.file, line=loaded.line, body=body, status="active", agent_pinned=False,
        prevent_archive=manifest.lifecycle.prevent_archive, ignore_changes=tuple(manifest.lifecycle.ignore_changes),
        previous_names=tuple(manifest.previous_names), kind="memory_store",
    )
