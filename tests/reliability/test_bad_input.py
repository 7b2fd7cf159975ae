"""Bad input never reaches the API: plan and apply exit 1 with a located message and write nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agentops.emulator import EmulatorServer
from agentops.manifest.documents import MAX_BYTES
from tests.harness import API_KEY, Repo, census, manifest

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "invalid"
CASES = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())
VALID = "name: ok\nagent: agent_011x\nenvironment_id: env_011x\nprompt: Fine.\n"


def _locations(case: Path) -> list[str]:
    """`file:line` of every problem the corpus case expects (its expected.txt)."""
    return [line.split(" ")[0] for line in (case / "expected.txt").read_text().splitlines()]


def _refused(root: Path, emulator: EmulatorServer, locations: list[str]) -> None:
    repo = Repo(root, emulator, {"ANTHROPIC_BASE_URL": emulator.url, "ANTHROPIC_API_KEY": API_KEY})
    for args in (["plan", str(root)], ["apply", str(root), "--auto-approve"]):
        result = repo.run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output
        for location in locations:
            assert f"{location}:" in result.stderr, (args, location, result.stderr)
    assert emulator.write_count() == 0


@pytest.mark.parametrize("name", CASES)
def test_corpus_case_is_refused_without_writes(name: str, tmp_path: Path, emulator: EmulatorServer) -> None:
    root = tmp_path / name
    shutil.copytree(CORPUS / name, root)
    _refused(root, emulator, _locations(root))


def _repo_with(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    root = tmp_path / "repo"
    (root / "deployments").mkdir(parents=True)
    (root / "agentops.yaml").write_text("stack: team-a\n")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def test_huge_file_is_refused(tmp_path: Path, emulator: EmulatorServer) -> None:
    padding = "# " + "x" * 100 + "\n"
    root = _repo_with(tmp_path, {"deployments/big.yaml": VALID + padding * (MAX_BYTES // len(padding) + 1)})
    _refused(root, emulator, ["deployments/big.yaml:1"])


def test_prompt_file_symlink_out_of_the_repository(tmp_path: Path, emulator: EmulatorServer) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("a file outside the repository")
    root = _repo_with(
        tmp_path, {"deployments/a.yaml": VALID.replace("prompt: Fine.", "prompt_file: link.md")}
    )
    (root / "deployments" / "link.md").symlink_to(outside)
    _refused(root, emulator, ["deployments/a.yaml:4"])


def test_non_utf8_bytes_are_refused(tmp_path: Path, emulator: EmulatorServer) -> None:
    root = _repo_with(tmp_path, {"deployments/a.yaml": VALID.encode() + b"description: caf\xe9\xff\n"})
    _refused(root, emulator, ["deployments/a.yaml:5"])


def test_empty_folder_with_nothing_live_is_nothing_to_do(tmp_path: Path, emulator: EmulatorServer) -> None:
    """No manifests and no deployments: a plan with nothing in it, not an error."""
    repo = Repo.create(tmp_path, emulator)
    result = repo.run("plan", str(tmp_path), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert repo.apply().exit_code == 0
    assert emulator.write_count() == 0


def test_empty_folder_never_archives_the_whole_stack(tmp_path: Path, emulator: EmulatorServer) -> None:
    """Manifests gone (a bad checkout, a wrong path) must not wipe the stack unless asked explicitly."""
    repo = Repo.create(tmp_path, emulator)
    wanted = [manifest(i) for i in range(3)]
    repo.write(wanted)
    assert repo.apply().exit_code == 0
    repo.write([])
    emulator.reset_counts()
    for args in (["plan", str(tmp_path)], ["apply", str(tmp_path), "--auto-approve"]):
        result = repo.run(*args)
        assert result.exit_code == 1, result.output
        assert "no manifests found: refusing to archive all 3" in result.output
        assert "Traceback" not in result.output
    assert emulator.write_count() == 0
    assert census(emulator, wanted).exactly_one
    assert repo.apply("--allow-empty").exit_code == 0
    assert emulator.write_count() == 3
