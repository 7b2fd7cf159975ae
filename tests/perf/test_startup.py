"""The offline commands and shell completion never import the SDK (its import costs about a second),
checked in a fresh process; the commands that read the workspace import it in their own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Runs the CLI as the installed script does, then reports what it imported (the CLI leaves
# through sys.exit when given its arguments, so control comes back here).
PROBE = """
import sys
from agentops.cli import main
try:
    main(sys.argv[1:], prog_name="agentops")
except SystemExit as exc:
    code = exc.code
print("EXIT", code, "SDK", "anthropic" in sys.modules)
"""


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--help"], "Commands:"),
        (["plan", "--help"], "--writes-per-minute"),
        (["apply", "--help"], "--reads-per-minute"),
        (["validate", str(REPO)], "manifests valid"),
        (["schema"], '"properties"'),
        (["init", "--stack", "probe"], "created agentops.yaml"),
    ],
)
def test_offline_commands_never_import_the_sdk(args: list[str], expect: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path
    )
    assert expect in done.stdout + done.stderr, done.stdout + done.stderr
    assert done.stdout.rstrip().splitlines()[-1] == "EXIT 0 SDK False"


def test_shell_completion_never_imports_the_sdk(tmp_path: Path) -> None:
    (tmp_path / "agentops.yaml").write_text("stack: probe\n")
    (tmp_path / "deployments").mkdir()
    (tmp_path / "deployments" / "nightly.yaml").write_text(
        "name: nightly\nagent: agent_011CZprobe\nenvironment_id: env_011CZprobe\nprompt: Hi.\n"
    )
    env = {**os.environ, "_AGENTOPS_COMPLETE": "bash_complete", "COMP_WORDS": "agentops run ni", "COMP_CWORD": "2"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path, env=env
    )
    lines = done.stdout.rstrip().splitlines()
    assert "plain,nightly" in lines, done.stdout + done.stderr
    assert lines[-1] == "EXIT 0 SDK False"


@pytest.mark.parametrize("command", ["plan", "status", "fleet"])
def test_the_read_commands_import_the_sdk_in_their_own_process(command: str, tmp_path: Path) -> None:
    # One read path, in process: the probe sees the import (so False above means something).
    (tmp_path / "agentops.yaml").write_text("stack: probe\n")
    (tmp_path / "deployments").mkdir()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, command, "--local", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
    )
    assert done.stdout.rstrip().splitlines()[-1] == "EXIT 0 SDK True", done.stdout + done.stderr
