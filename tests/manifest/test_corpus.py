"""The invalid-input corpus: each case holds one mistake and the file:line and path it must be reported at."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentops.cli import main
from agentops.manifest.documents import MAX_BYTES
from tests.manifest.conftest import Writer

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "invalid"
CASES = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())
MANIFEST = "name: x\nagent: agent_1\nenvironment_id: env_1\n"


def _expected(case: Path) -> list[tuple[str, int, str, str]]:
    """Lines `file:line [path] | fragment of message or hint`."""
    out = []
    for line in (case / "expected.txt").read_text().splitlines():
        where, _, fragment = line.partition(" | ")
        place, _, path = where.partition(" ")
        file, _, number = place.rpartition(":")
        out.append((file, int(number), path, fragment))
    return out


def _validate(root: Path, fmt: str = "json") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", str(root), "--format", fmt])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _assert_reported(root: Path, expected: list[tuple[str, int, str, str]]) -> None:
    code, out, err = _validate(root)
    assert code == 1
    assert "Traceback" not in out + err
    report = json.loads(out)
    assert report["valid"] is False
    for file, line, path, fragment in expected:
        matches = [
            p for p in report["problems"]
            if (p["file"], p["line"], p["path"]) == (file, line, path)
            and fragment in f"{p['message']} {p['hint'] or ''}"
        ]
        assert matches, f"{file}:{line} {path} | {fragment} not in {json.dumps(report['problems'], indent=1)}"


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", CASES)
def test_case(name: str, tmp_path: Path) -> None:
    # Copied out of the repository so its own agentops.yaml is not found as the root.
    root = tmp_path / name
    shutil.copytree(CORPUS / name, root)
    _assert_reported(root, _expected(root))
    code, out, err = _validate(root, "text")
    assert code == 1
    assert "Traceback" not in out + err
    assert " in " in out.splitlines()[-1]
    for file, line, _, _ in _expected(root):
        assert f"{file}:{line}:" in err


def test_prompt_file_symlink_outside(project: Writer, tmp_path: Path) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("not part of the repository")
    root = project({"deployments/a.yaml": MANIFEST + "prompt_file: _prompts/link.md\n"})
    (root / "deployments" / "_prompts").mkdir()
    (root / "deployments" / "_prompts" / "link.md").symlink_to(secret)
    _assert_reported(root, [("deployments/a.yaml", 4, "prompt_file", "outside the repository")])


def test_prompt_file_symlink_inside_is_fine(project: Writer) -> None:
    root = project({"deployments/a.yaml": MANIFEST + "prompt_file: link.txt\n", "prompts/real.txt": "Go.\n"})
    (root / "deployments" / "link.txt").symlink_to(root / "prompts" / "real.txt")
    assert _validate(root)[0] == 0


def test_file_over_size_cap(project: Writer) -> None:
    padding = "# padding\n" * (MAX_BYTES // 10 + 1)
    root = project({"deployments/big.yaml": MANIFEST + "prompt: hi\n" + padding})
    _assert_reported(root, [("deployments/big.yaml", 1, "", "the limit is")])


def test_prompt_file_over_size_cap(project: Writer) -> None:
    root = project({"deployments/a.yaml": MANIFEST + "prompt_file: ../big.txt\n", "big.txt": "x" * (MAX_BYTES + 1)})
    _assert_reported(root, [("deployments/a.yaml", 4, "prompt_file", "the limit is")])


def test_subprocess_reports_without_traceback(tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(CORPUS / "alias-bomb", root)
    done = subprocess.run(
        [sys.executable, "-c", "from agentops.cli import main; main()", "validate", str(root)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "deployments/a.yaml:1:" in done.stderr
