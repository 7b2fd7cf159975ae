"""A skill's content digest: equal content gives an equal digest whatever the order, mtimes or line
endings of the checkout; any change of a byte, a name, or the set of files gives another."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from agentops.manifest.skill import collect
from agentops.model import skillfiles

FILES = [("SKILL.md", b"---\nname: triage\ndescription: d\n---\nBody\n"), ("scripts/run.sh", b"echo hi\n"),
         ("data.bin", bytes(range(256)))]


def test_the_digest_is_sha256_over_the_files() -> None:
    digest = skillfiles.digest(FILES)
    assert digest.startswith("sha256:") and len(digest) == len("sha256:") + 64


@given(st.permutations(FILES))
def test_the_order_files_come_in_changes_nothing(files: list[tuple[str, bytes]]) -> None:
    assert skillfiles.digest(files) == skillfiles.digest(FILES)


def test_any_change_gives_another_digest() -> None:
    base = skillfiles.digest(FILES)
    changed = [
        [("SKILL.md", FILES[0][1] + b" "), *FILES[1:]],  # one byte more
        [("SKILL.md", FILES[0][1].replace(b"Body", b"Bodz")), *FILES[1:]],  # one byte other
        [FILES[0], ("scripts/run2.sh", FILES[1][1]), FILES[2]],  # a file renamed
        FILES[:2],  # a file removed
        [*FILES, ("empty.txt", b"")],  # an empty file added
    ]
    digests = {skillfiles.digest(files) for files in changed}
    assert base not in digests and len(digests) == len(changed)


def test_files_cannot_run_together() -> None:
    """Without lengths and separators, ("ab", "c") and ("a", "bc") would hash alike."""
    assert skillfiles.digest([("a", b"bc")]) != skillfiles.digest([("ab", b"c")])
    assert skillfiles.digest([("x", b"1"), ("y", b"2")]) != skillfiles.digest([("x", b"1y\x002")])


def test_crlf_text_uploads_and_digests_as_lf_and_binary_stays_as_is() -> None:
    assert skillfiles.uploaded_bytes(b"a\r\nb\r\n") == b"a\nb\n"
    assert skillfiles.uploaded_bytes(b"a\r\n\x00b") == b"a\r\n\x00b"  # a NUL byte: binary
    assert skillfiles.uploaded_bytes(b"\xff\r\n") == b"\xff\r\n"  # not UTF-8: binary
    assert skillfiles.uploaded_bytes(b"lone\rcr\n") == b"lone\rcr\n"


def _skill(root: Path, crlf: bool = False) -> Path:
    folder = root / "skills" / "triage"
    (folder / "scripts").mkdir(parents=True)
    newline = "\r\n" if crlf else "\n"
    (folder / "SKILL.md").write_bytes(newline.join(["---", "name: triage", "description: d", "---", "Body", ""]).encode())
    (folder / "scripts" / "run.sh").write_bytes(f"echo hi{newline}".encode())
    (folder / "data.bin").write_bytes(bytes(range(256)))
    return folder


def test_a_windows_checkout_has_the_digest_of_a_linux_one(tmp_path: Path) -> None:
    linux, _ = collect(_skill(tmp_path / "linux"), tmp_path)
    windows, _ = collect(_skill(tmp_path / "windows", crlf=True), tmp_path)
    assert linux == windows
    assert skillfiles.digest(linux) == skillfiles.digest(windows)


def test_mtimes_and_modes_change_nothing_and_hidden_files_stay_out(tmp_path: Path) -> None:
    folder = _skill(tmp_path)
    before = skillfiles.digest(collect(folder, tmp_path)[0])
    os.utime(folder / "SKILL.md", (0, 0))
    (folder / "scripts" / "run.sh").chmod(0o755)
    (folder / ".env").write_text("TOKEN=never-uploaded\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("x")
    (folder / "scripts" / "__pycache__").mkdir()
    (folder / "scripts" / "__pycache__" / "run.cpython-311.pyc").write_bytes(b"\x00")
    files, problems = collect(folder, tmp_path)
    assert problems == []
    assert [path for path, _ in files] == ["SKILL.md", "data.bin", "scripts/run.sh"]
    assert skillfiles.digest(files) == before
    (folder / "scripts" / "run.sh").write_text("echo bye\n")
    assert skillfiles.digest(collect(folder, tmp_path)[0]) != before


def test_the_record_file_is_hidden_so_a_downloaded_version_digests_like_its_folder() -> None:
    assert skillfiles.skipped(skillfiles.RECORD_FILE, folder=False)
