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
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

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
    """The record of a downloaded version (a zip whose one top-level folder is the skill): {} when it
    has none (a skill agentops never uploaded) or it cannot be read (then it is no skill of a stack)."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            found = [name for name in opened.namelist() if name.partition("/")[2] == RECORD_FILE]
            data = json.loads(opened.read(found[0])) if found else {}
    except (zipfile.BadZipFile, ValueError, KeyError, IndexError):
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("metadata"), dict):
        return {}
    return {"digest": str(data.get("digest", "")),
            "metadata": {str(k): str(v) for k, v in data["metadata"].items()}}
