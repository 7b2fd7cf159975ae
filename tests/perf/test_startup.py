"""The offline commands never import the SDK (its import costs about a second), checked in a fresh process."""

from __future__ import annotations

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
    main(sys.argv[1:])
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


def test_the_probe_would_see_the_sdk_imported(tmp_path: Path) -> None:
    # plan does need the SDK: the probe reports it (so False above means something).
    (tmp_path / "agentops.yaml").write_text("stack: probe\n")
    (tmp_path / "deployments").mkdir()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "plan", "--local", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
    )
    assert "SDK True" in done.stdout, done.stdout + done.stderr
