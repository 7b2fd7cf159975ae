"""The reconcile suite's stack repository (`stack` fixture, wired to the test emulator), and SDK helpers."""

from __future__ import annotations

from typing import Any

import anthropic

from agentops.emulator import EmulatorServer
from tests.reconcile.conftest import STACK, TOKEN, Stack, manifest, stack

__all__ = ["STACK", "TOKEN", "Stack", "create", "live_by_name", "manifest", "stack"]


def create(client: anthropic.Anthropic, body: dict[str, Any]) -> str:
    """Create a deployment straight through the SDK (as the console would); returns its id."""
    deployment_id: str = client.beta.deployments.create(**body).id
    return deployment_id


def live_by_name(emulator: EmulatorServer) -> dict[str, dict[str, Any]]:
    """Stored deployments that are not archived, by name."""
    return {d["name"]: d for d in emulator.raw_deployments() if not d.get("archived_at")}
