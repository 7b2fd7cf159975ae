"""The SDK's own debug log prints request bodies; agentops must keep it from printing tokens."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from agentops.emulator import EmulatorServer
from tests.stack import STACK

TOKEN = "ghp_debuglog_SECRET_7731"


def test_anthropic_log_debug_does_not_print_tokens(tmp_path: Path, emulator: EmulatorServer) -> None:
    (tmp_path / "agentops.yaml").write_text(f"stack: {STACK}\n")
    (tmp_path / "deployments").mkdir()
    manifest = {
        "name": "job",
        "agent": "agent_1",
        "environment_id": "env_1",
        "prompt": "go",
        "resources": [
            {"type": "github_repository", "url": "https://github.com/o/r", "authorization_token": "${REPO_TOKEN}"}
        ],
    }
    (tmp_path / "deployments" / "job.yaml").write_text(yaml.safe_dump(manifest))
    env = {
        **os.environ,
        "ANTHROPIC_LOG": "debug",
        "ANTHROPIC_BASE_URL": emulator.url,
        "ANTHROPIC_API_KEY": "sk-debuglog-key-0042",
        "REPO_TOKEN": TOKEN,
    }
    agentops = Path(sys.executable).parent / "agentops"
    result = subprocess.run(
        [str(agentops), "apply", str(tmp_path), "--auto-approve"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert emulator.raw_deployments()[0]["resources"][0]["authorization_token"] == TOKEN
    for stream in (result.stdout, result.stderr):
        assert TOKEN not in stream
        assert "sk-debuglog-key-0042" not in stream
