"""A downloaded skill version is untrusted input: `skillfiles.unpack` gives its files only when every
entry stays inside one skill folder, is no symlink, and the whole is within the size cap; the record
file and other hidden files are never written. `read_record` names the skill by its folder."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from agentops.model import skillfiles

SKILL = b"---\nname: triage\ndescription: d\n---\nBody\n"
LIMIT = 1000


def _zip(*entries: tuple[str, bytes], link: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, content in entries:
            out.writestr(name, content)
        if link is not None:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            out.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_a_skill_unpacks_without_its_record_or_hidden_files() -> None:
    archive = _zip(("triage/SKILL.md", SKILL), ("triage/scripts/run.sh", b"echo\n"),
                   ("triage/.agentops.json", b"{}"), ("triage/.env", b"SECRET=1"),
                   ("triage/__pycache__/x.pyc", b"\0"))
    assert skillfiles.unpack(archive, LIMIT) == ("triage", [("SKILL.md", SKILL), ("scripts/run.sh", b"echo\n")])


@pytest.mark.parametrize(("entries", "why"), [
    ((("triage/../../evil", b"x"),), "leaves its folder"),
    ((("/etc/evil", b"x"),), "leaves its folder"),
    ((("C:/evil", b"x"),), "leaves its folder"),
    ((("triage\\..\\evil", b"x"),), "leaves its folder"),
    ((("triage/SKILL.md", SKILL), ("other/SKILL.md", SKILL)), "exactly one skill folder"),
    ((("triage/notes.md", b"x"),), "no SKILL.md"),
    ((("SKILL.md", SKILL),), "outside the skill's folder"),
    ((("triage/SKILL.md", SKILL), ("triage/big.bin", b"x" * LIMIT)), "upload limit"),
])
def test_an_unsafe_archive_is_refused(entries: tuple[tuple[str, bytes], ...], why: str) -> None:
    with pytest.raises(skillfiles.UnsafeArchive, match=why):
        skillfiles.unpack(_zip(*entries), LIMIT)


def test_a_symlink_and_a_non_zip_are_refused() -> None:
    with pytest.raises(skillfiles.UnsafeArchive, match="symlink"):
        skillfiles.unpack(_zip(("triage/SKILL.md", SKILL), link="triage/passwd"), LIMIT)
    with pytest.raises(skillfiles.UnsafeArchive, match="not a zip"):
        skillfiles.unpack(b"PK not really", LIMIT)


def test_a_compressed_bomb_is_stopped_at_the_cap_while_read() -> None:
    """A few kilobytes that inflate to megabytes: refused after reading just past the cap, not inflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("triage/SKILL.md", SKILL)
        out.writestr("triage/zeros.bin", bytes(8 * 1024 * 1024))
    assert len(buffer.getvalue()) < 64 * 1024
    with pytest.raises(skillfiles.UnsafeArchive, match="upload limit"):
        skillfiles.unpack(buffer.getvalue(), LIMIT)


def test_the_record_names_the_skill_by_its_folder() -> None:
    record = skillfiles.record("sha256:00", {"agentops.stack": "s"})
    assert skillfiles.read_record(_zip(("triage/SKILL.md", SKILL), ("triage/.agentops.json", record))) == {
        "name": "triage", "digest": "sha256:00", "metadata": {"agentops.stack": "s"}}
    assert skillfiles.read_record(_zip(("triage/SKILL.md", SKILL))) == {"name": "triage"}
