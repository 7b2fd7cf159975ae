"""The file operations every layer shares: a size-capped read and a write that never follows a link.

Paths given by an operator or a checkout (`GITHUB_EVENT_PATH`, `--seed`, manifests) may name a
FIFO, a device or a huge file; `read_capped` reads at most `limit + 1` bytes of a regular file
and says what anything else is. `write_atomic` replaces a file in one rename, so a reader never
sees half a file and an existing symlink is refused rather than followed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISLNK, "a symlink"),
)


def kind(mode: int) -> str | None:
    """What a non-regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def read_capped(path: str | os.PathLike[str], limit: int, mode: int | None = None) -> bytes | str:
    """At most `limit` + 1 bytes of a regular file, or why it is not one (e.g. "a FIFO").

    Checked with stat before opening (opening some devices has effects; `mode` when the caller
    has already stat-ed this very path) and again on the open descriptor, which is opened
    non-blocking so a FIFO swapped in between cannot hang the read. OSError propagates.
    """
    found = kind(os.stat(path).st_mode if mode is None else mode)
    if found is not None:
        return found
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        found = kind(os.fstat(fd).st_mode)
        if found is not None:
            return found
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class FileRefused(OSError):
    """A path that is read or written only when it is a regular file within the limit."""


def read_text_capped(path: str | os.PathLike[str], limit: int) -> str:
    """A whole UTF-8 regular file of at most `limit` bytes; FileRefused (an OSError) otherwise."""
    raw = read_capped(path, limit)
    if isinstance(raw, str):
        raise FileRefused(f"is {raw}, not a regular file")
    if len(raw) > limit:
        raise FileRefused(f"is larger than the limit of {limit:,} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("is not UTF-8 text") from None


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file renamed over it.

    An existing symlink at `path` is refused (FileRefused), never followed: a checkout or another
    user could point it at a file the operator did not mean to overwrite. The rename replaces the
    directory entry itself, so a link swapped in after the check is replaced, not written through.
    The file is created readable by its owner only (mkstemp's 0600).
    """
    with contextlib.suppress(FileNotFoundError):
        found = kind(os.lstat(path).st_mode)
        if found is not None:
            raise FileRefused(f"it is {found}; name a regular file to write")
    folder = path.parent
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
