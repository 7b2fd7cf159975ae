"""A throwaway stack repository and a CLI runner wired to the test emulator through the real SDK."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from agentops.cli import main
from agentops.emulator import EmulatorServer

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


@dataclass
class Stack:
    root: Path
    emulator: EmulatorServer
    env: dict[str, str]

    def write(self, *manifests: dict[str, Any]) -> None:
        folder = self.root / "deployments"
        for old in folder.glob("*.yaml"):
            old.unlink()
        for item in manifests:
            (folder / f"{item['name']}.yaml").write_text(yaml.safe_dump(item, sort_keys=False))

    def run(self, *args: str, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(main, list(args), env={**self.env, **(env or {})}, catch_exceptions=False)

    def plan_json(self, *args: str) -> dict[str, Any]:
        result = self.run("plan", str(self.root), "--format", "json", *args)
        assert result.exit_code in (0, 1), result.output
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    def apply(self, *args: str) -> Result:
        return self.run("apply", str(self.root), "--auto-approve", *args)


@pytest.fixture
def stack(tmp_path: Path, emulator: EmulatorServer) -> Stack:
    (tmp_path / "agentops.yaml").write_text(f"stack: {STACK}\n")
    (tmp_path / "deployments").mkdir()
    env = {"ANTHROPIC_BASE_URL": emulator.url, "ANTHROPIC_API_KEY": "sk-test-key-0000", "GITHUB_TOKEN": TOKEN}
    return Stack(tmp_path, emulator, env)


Writer = Callable[..., None]
