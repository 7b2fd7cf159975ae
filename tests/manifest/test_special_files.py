"""Only regular files inside the repository are read: links to devices, FIFOs and links out are refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from agentops.manifest import load_project
from agentops.manifest.documents import MAX_BYTES
from agentops.model.problems import Problem
from tests.manifest.conftest import Writer

MANIFEST = "name: x\nagent: agent_1\nenvironment_id: env_1\nprompt: hi\n"


def _validate(root: Path, *paths: str) -> tuple[int, dict[str, Any], str]:
    """In a child process with a deadline, so a hang fails the test instead of stalling the suite."""
    done = subprocess.run(
        [sys.executable, "-c", "from agentops.cli import main; main()", "validate",
         *(paths or (str(root),)), "--format", "json"],
        capture_output=True, text=True, timeout=60, check=False, cwd=root,
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


def _only(problems: list[Problem], file: str) -> Problem:
    found = [problem for problem in problems if problem.file == file]
    assert len(found) == 1, problems
    return found[0]


def test_symlink_to_dev_zero_is_refused_without_reading(project: Writer) -> None:
    root = project({"deployments/a.yaml": MANIFEST})
    (root / "deployments" / "z.yaml").symlink_to("/dev/zero")
    code, report, _ = _validate(root)
    assert code == 1
    problems = [Problem(**p) for p in report["problems"]]
    problem = _only(problems, "deployments/z.yaml")
    assert (problem.line, problem.path) == (1, "")
    assert "is a character device, not a regular file" in problem.message
    assert report["manifests"] == 1


def test_fifo_manifest_is_refused_not_waited_on(project: Writer) -> None:
    root = project({"deployments/a.yaml": MANIFEST})
    os.mkfifo(root / "deployments" / "x.yaml")
    code, report, _ = _validate(root)
    assert code == 1
    problems = [Problem(**p) for p in report["problems"]]
    assert "is a FIFO, not a regular file" in _only(problems, "deployments/x.yaml").message


def test_fifo_named_on_the_command_line_is_refused(project: Writer) -> None:
    root = project({})
    os.mkfifo(root / "deployments" / "x.yaml")
    code, report, _ = _validate(root, "deployments/x.yaml")
    assert code == 1
    assert "FIFO" in json.dumps(report["problems"])


def test_symlink_to_a_file_outside_the_repository(project: Writer, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(MANIFEST.replace("name: x", "name: foreign"))
    root = project({"deployments/a.yaml": MANIFEST})
    (root / "deployments" / "link.yaml").symlink_to(outside)
    loaded = load_project(root)
    problem = _only(loaded.problems, "deployments/link.yaml")
    assert "resolves outside the repository" in problem.message
    assert [m.manifest.name for m in loaded.manifests] == ["x"]


def test_symlink_inside_the_repository_is_read(project: Writer) -> None:
    root = project({"shared/real.yaml": MANIFEST})
    (root / "deployments" / "link.yaml").symlink_to(root / "shared" / "real.yaml")
    loaded = load_project(root)
    assert loaded.problems == []
    assert [m.manifest.name for m in loaded.manifests] == ["x"]


def test_config_through_a_device_link_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "deployments").mkdir(parents=True)
    (root / "agentops.yaml").symlink_to("/dev/zero")
    code, report, _ = _validate(root)
    assert code == 1
    problems = [Problem(**p) for p in report["problems"]]
    assert "character device" in _only(problems, "agentops.yaml").message


def test_config_fifo_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "deployments").mkdir(parents=True)
    os.mkfifo(root / "agentops.yaml")
    code, report, _ = _validate(root)
    assert code == 1
    assert "FIFO" in json.dumps(report["problems"])


def test_prompt_file_fifo_and_device_link(project: Writer) -> None:
    root = project({
        "deployments/a.yaml": MANIFEST.replace("prompt: hi", "prompt_file: fifo.md"),
        "deployments/b.yaml": MANIFEST.replace("name: x", "name: y").replace("prompt: hi", "prompt_file: zero.md"),
    })
    os.mkfifo(root / "deployments" / "fifo.md")
    (root / "deployments" / "zero.md").symlink_to("/dev/zero")
    code, report, _ = _validate(root)
    assert code == 1
    by_file = {p["file"]: p for p in report["problems"]}
    assert "FIFO" in by_file["deployments/a.yaml"]["message"]
    assert by_file["deployments/a.yaml"]["path"] == "prompt_file"
    assert "outside the repository" in by_file["deployments/b.yaml"]["message"]


def _bytes_read() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def test_an_oversized_file_is_read_only_up_to_the_limit(project: Writer) -> None:
    root = project({"deployments/big.yaml": MANIFEST + "#" * (MAX_BYTES * 20)})
    load_project(root)  # warm caches (imports, timezone list) so the measured run reads only files
    before = _bytes_read()
    loaded = load_project(root)
    read = _bytes_read() - before
    assert "the limit is" in _only(loaded.problems, "deployments/big.yaml").message
    assert read < 2 * MAX_BYTES, f"read {read:,} bytes of a {MAX_BYTES * 20:,}-byte file"
