"""The hashed lock: CI installs only from it, and it covers every dependency pyproject.toml names."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "requirements" / "dev.lock"
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;]+)(?:\s*;\s*[^\\]+)?\s*\\$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, list[str]]:
    """Each locked distribution and its hashes."""
    found: dict[str, list[str]] = {}
    current = None
    for line in LOCK.read_text().splitlines():
        if match := PIN.match(line):
            current = canonical(match.group(1))
            found[current] = []
        elif current and (hashed := re.match(r"^\s+--hash=sha256:([0-9a-f]{64})", line)):
            found[current].append(hashed.group(1))
    return found


def test_every_locked_distribution_is_pinned_with_hashes() -> None:
    locked = pins()
    assert locked, "the lock pins nothing"
    assert all(locked.values()), [name for name, hashes in locked.items() if not hashes]
    requirement_lines = [line for line in LOCK.read_text().splitlines() if line and line[0].isalnum()]
    assert len(requirement_lines) == len(locked), "a requirement line without an exact pin"


def test_the_lock_covers_every_direct_dependency_and_the_build_backend() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = [spec for specs in project["optional-dependencies"].values() for spec in specs]
    direct = [*project["dependencies"], *extras, "setuptools"]
    names = {canonical(re.match(r"[A-Za-z0-9_.-]+", spec).group(0)) for spec in direct}  # type: ignore[union-attr]
    # dev names the project's own extras (`agentops-gitops[emulator]`); those are covered above.
    assert names - set(pins()) - {canonical(project["name"])} == set()


def test_ci_installs_from_the_lock_with_hashes_required() -> None:
    script = (REPO / ".ci" / "run").read_text()
    assert "pip install -q --require-hashes -r requirements/dev.lock" in script
    # The project itself goes in without resolving anything: every dependency came from the lock.
    assert "pip install -q --no-deps --no-build-isolation -e ." in script


def test_the_lock_records_the_command_that_refreshes_it() -> None:
    header = LOCK.read_text().splitlines()[1]
    refresh = (REPO / "scripts" / "lock").read_text()
    assert header.lstrip("# ").startswith("uv pip compile pyproject.toml requirements/build.in --extra dev")
    assert "--generate-hashes" in header and "--generate-hashes" in refresh


def test_renovate_config_is_schema_valid() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema", "vendor.renovate",
         str(REPO / "renovate.json")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
