"""A throwaway stack repository (manifests by name) and SDK helpers for end-to-end command tests."""

from __future__ import annotations

import json
from typing import Any

import anthropic

from agentops.emulator import EmulatorServer
from tests.harness import Repo

STACK = "team-a"
TOKEN = "ghp_e2e_SECRET_value_4242"


def manifest(name: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "agent": "agent_011alpha",
        "environment_id": "env_011main",
        "prompt": f"Do the {name} job.",
    }
    data.update(fields)
    return data


class Stack(Repo):
    """A stack repository whose manifests are written as separate arguments."""

    def write(self, *manifests: dict[str, Any]) -> None:  # type: ignore[override]
        super().write(list(manifests))

    def plan_json(self, *args: str) -> dict[str, Any]:
        result = self.run("plan", str(self.root), "--format", "json", *args)
        assert result.exit_code in (0, 1), result.output
        data: dict[str, Any] = json.loads(result.stdout)
        return data


def console_body(name: str, agent: str = "agent_011alpha", environment_id: str = "env_011main",
                 **fields: Any) -> dict[str, Any]:
    """An SDK create body as the console would send it: a one-message prompt, then `fields`."""
    prompt = [{"type": "user.message", "content": [{"type": "text", "text": "x"}]}]
    return {"name": name, "agent": agent, "environment_id": environment_id, "initial_events": prompt, **fields}


def create(client: anthropic.Anthropic, body: dict[str, Any]) -> str:
    """Create a deployment straight through the SDK (as the console would); returns its id."""
    deployment_id: str = client.beta.deployments.create(**body).id
    return deployment_id


def live_by_name(emulator: EmulatorServer) -> dict[str, dict[str, Any]]:
    """Stored deployments that are not archived, by name."""
    return {d["name"]: d for d in emulator.raw_deployments() if not d.get("archived_at")}
