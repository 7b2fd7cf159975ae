"""A throwaway stack repository and a CLI runner wired to the test emulator through the real SDK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture
def stack(tmp_path: Path, emulator: EmulatorServer) -> Stack:
    return Stack.create(tmp_path, emulator, stack=STACK, GITHUB_TOKEN=TOKEN)
