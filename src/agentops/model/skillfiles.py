"""A skill's files as agentops uploads them, and their content digest.

Which files: every file under the skill's folder except hidden ones (a name starting with '.', at any
depth: `.git/`, `.DS_Store`, an `.env` that must never leave the machine) and `__pycache__/` folders
(interpreter output that changes when a script runs, not when the skill does).

Which bytes: a text file (valid UTF-8 without a NUL byte) has its CRLF line endings turned into LF, so a
Windows checkout (git's autocrlf) uploads and digests the same bytes as a Linux one; other files are
sent byte for byte. Paths are relative to the skill's folder, '/'-separated and in Unicode NFC (macOS
may hand names back decomposed).

The digest: SHA-256 over a version line and then, for each file in byte order of its UTF-8 path, the
path, its length and its bytes (NUL-separated, so no two file sets can run together). Names are all it
sees of the file system: mtimes, permissions and the order a folder lists in change nothing; any byte or
name changed, added or removed changes it.

Where it is recorded: a skill has no metadata, its `display_name` is set once at creation, and a
version's `name` and `description` are read from SKILL.md, so nothing a listing returns can carry it.
agentops therefore adds one file of its own to each upload, RECORD_FILE at the skill's root, holding
the digest and the owning stack (and environment): ownership and content travel together, in the
version they describe. The planner reads it from the latest version's download (one request per
skill of the stack: the listing says which version is latest, and a version never changes, so a
(version id -> digest) pair may be remembered) and uploads only when the digests differ. The record is
hidden, so the digest of a downloaded version, computed by this module, leaves it out and can be
checked against it.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

from agentops.model.kinds import SKILL_FILE

DIGEST_PREFIX = "sha256:"
RECORD_FILE = ".agentops.json"
_VERSION = b"agentops-skill-digest-v1\n"
SKIPPED_FOLDERS = frozenset({"__pycache__"})


def skipped(name: str, folder: bool) -> bool:
    """Whether a file or folder of this name stays out of the upload."""
    return name.startswith(".") or (folder and name in SKIPPED_FOLDERS)


def relative_path(parts: Iterable[str]) -> str:
    """The upload path of a file from its path segments below the skill's folder."""
    return unicodedata.normalize("NFC", "/".join(parts))


def uploaded_bytes(raw: bytes) -> bytes:
    """The bytes agentops uploads for a file read as `raw`: text with LF line endings, anything else as is."""
    if b"\r\n" not in raw or b"\0" in raw:
        return raw
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    return raw.replace(b"\r\n", b"\n")


def digest(files: Iterable[tuple[str, bytes]]) -> str:
    """The content digest of a skill's files: (upload path, uploaded bytes) pairs, in any order."""
    encoded = sorted((path.encode("utf-8"), content) for path, content in files)
    hasher = hashlib.sha256(_VERSION)
    for path, content in encoded:
        hasher.update(path + b"\0" + str(len(content)).encode("ascii") + b"\0")
        hasher.update(content)
    return DIGEST_PREFIX + hasher.hexdigest()


def record(digest_value: str, metadata: Mapping[str, str]) -> bytes:
    """The RECORD_FILE agentops adds to an upload: the content digest and the ownership tags."""
    return json.dumps({"digest": digest_value, "metadata": dict(metadata)}, sort_keys=True).encode("utf-8") + b"\n"


def read_record(archive: bytes) -> dict[str, Any]:
    """What a downloaded version (a zip whose one top-level folder is the skill, named after it) says:
    `name`, the skill's name (its display_name may differ, and cannot be changed: it is no field to
    plan), and the record's `digest` and `metadata`. Without a record (a skill agentops never uploaded)
    or one that cannot be read, no digest and no metadata: it is no skill of a stack."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            names = opened.namelist()
            found = [name for name in names if name.partition("/")[2] == RECORD_FILE]
            tops = {name.partition("/")[0] for name in names}
            data = json.loads(opened.read(found[0])) if found else {}
    except (zipfile.BadZipFile, ValueError, KeyError, IndexError):
        return {}
    named = {"name": tops.pop()} if len(tops) == 1 else {}
    if not isinstance(data, dict) or not isinstance(data.get("metadata"), dict):
        return named
    return {**named, "digest": str(data.get("digest", "")),
            "metadata": {str(k): str(v) for k, v in data["metadata"].items()}}


class UnsafeArchive(ValueError):
    """A downloaded version that is not written to disk: the reason completes "its latest version ..."."""


def unpack(archive: bytes, limit: int) -> tuple[str, list[tuple[str, bytes]]]:
    """The skill folder's name and its files, (path below it, bytes), from a downloaded version.

    The zip is untrusted input: a path with '..', '\\', an empty segment or a drive or root, a symlink, a
    file outside one top-level folder or a duplicate is refused, and so is more than `limit` bytes
    (counted as read, not as the headers claim). Hidden files (the record among them) and
    `__pycache__/` are left out, as an upload leaves them out."""
    try:
        opened = zipfile.ZipFile(io.BytesIO(archive))
    except (zipfile.BadZipFile, ValueError):
        raise UnsafeArchive("is not a zip archive") from None
    tops: set[str] = set()
    files: dict[str, bytes] = {}
    total = 0
    with opened:
        for info in opened.infolist():
            parts = info.filename.split("/")
            if info.is_dir():
                parts = parts[:-1]
            if "\\" in info.filename or info.filename.startswith("/") or ":" in parts[0] \
                    or any(part in ("", ".", "..") for part in parts):
                raise UnsafeArchive(f"holds a path that leaves its folder: {info.filename!r}")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UnsafeArchive(f"holds a symlink: {info.filename!r}")
            tops.add(parts[0])
            if len(tops) > 1 or skipped(parts[0], folder=True):
                raise UnsafeArchive("does not hold exactly one skill folder")
            if info.is_dir() or any(skipped(part, folder=i < len(parts) - 1) for i, part in enumerate(parts[1:], 1)):
                continue
            if len(parts) < 2:
                raise UnsafeArchive(f"holds a file outside the skill's folder: {info.filename!r}")
            try:
                with opened.open(info) as member:
                    content = member.read(limit - total + 1)
            except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError):
                raise UnsafeArchive(f"holds a file that cannot be read: {info.filename!r}") from None
            total += len(content)
            if total > limit:
                raise UnsafeArchive(f"comes to more than the upload limit of {limit} bytes")
            path = relative_path(parts[1:])
            if path in files:
                raise UnsafeArchive(f"holds {path!r} twice")
            files[path] = content
    if not tops:
        raise UnsafeArchive("does not hold exactly one skill folder")
    if SKILL_FILE not in files:
        raise UnsafeArchive(f"has no {SKILL_FILE}")
    return tops.pop(), sorted(files.items())
