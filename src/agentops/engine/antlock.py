"""`ant apply`'s lockfile (`claude-lock.json`): which API objects a repository written for `ant`
created. Pure: text in, entries or one error naming the field out.

Its shape, as `ant apply` writes it (format version 1):

    {"version": 1,
     "origin": {"base_url": ..., "organization_id": ..., "workspace_id": "wrkspc_..."},
     "resources": {"./agents/reviewer.md": {"kind": "agent", "id": "agent_...", "version": "3",
                                            "hash": ..., "remote_hash": ...}, ...}}

The file is not trusted (it comes with a repository): its size, every type, the kinds, the ids
(they become URL path segments) and the paths (relative, inside the repository) are checked, and
a key given twice is an error rather than a silent last-one-wins.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_BYTES = 1024 * 1024
MAX_RESOURCES = 10_000
MAX_PATH = 1024
FORMAT_VERSION = 1
# Every kind `ant apply` writes; agentops adopts the ones it manages and leaves the rest alone.
ANT_KINDS = ("agent", "environment", "deployment", "vault", "skill", "memory_store")
ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class LockfileError(ValueError):
    """A lockfile agentops will not act on: `field` is the path inside it ("" for the whole file)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Entry:
    path: str  # as written, e.g. "./agents/reviewer.md"
    kind: str
    id: str
    version: int | None  # an agent's version when ant last wrote it

    @property
    def where(self) -> str:
        """The entry as a field path, quoted so no character of the file reaches a terminal raw."""
        return f"resources[{json.dumps(self.path)}]"


@dataclass(frozen=True)
class Lockfile:
    workspace_id: str | None
    entries: tuple[Entry, ...]


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise LockfileError(json.dumps(key), "this key is given twice")
        seen[key] = value
    return seen


def _path(path: str) -> str:
    where = f"resources[{json.dumps(path)}]"
    if not path or len(path) > MAX_PATH or _CONTROL.search(path) or "\\" in path:
        raise LockfileError(where, f"not a relative file path (1-{MAX_PATH} printable characters, '/' separated)")
    parts = path.split("/")
    if path.startswith("/") or ".." in parts or (":" in parts[0] and parts[0] != "."):
        raise LockfileError(where, "the path leads outside the repository; ant writes paths like ./agents/x.md")
    return path


def _entry(path: str, value: Any) -> Entry:
    where = f"resources[{json.dumps(_path(path))}]"
    if not isinstance(value, dict):
        raise LockfileError(where, "expected an object with kind and id")
    kind, object_id, version = value.get("kind"), value.get("id"), value.get("version")
    if kind not in ANT_KINDS:
        raise LockfileError(f"{where}.kind", f"expected one of {', '.join(ANT_KINDS)}, got {json.dumps(kind)[:80]}")
    if not isinstance(object_id, str) or not ID.fullmatch(object_id):
        raise LockfileError(f"{where}.id", "expected an API id (letters, digits, '_' and '-', at most 128)")
    number = None
    if version is not None:
        # ant writes an agent's version as a string ("3"); a number is taken too.
        text = str(version) if isinstance(version, int | str) and not isinstance(version, bool) else ""
        if not text.isdigit() or not 1 <= int(text) <= 2**31:
            raise LockfileError(f"{where}.version", "expected a version number (1 or more)")
        number = int(text)
    return Entry(path, kind, object_id, number)


def parse(raw: bytes) -> Lockfile:
    """The lockfile's entries, or a LockfileError saying which field is wrong."""
    if len(raw) > MAX_BYTES:
        raise LockfileError("", f"larger than {MAX_BYTES // 1024} KiB; not an ant lockfile")
    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError:
        raise LockfileError("", "not UTF-8 text") from None
    except RecursionError:
        raise LockfileError("", "nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise LockfileError("", f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, dict):
        raise LockfileError("", "expected a JSON object with version and resources")
    if data.get("version") != FORMAT_VERSION or isinstance(data.get("version"), bool):
        raise LockfileError("version", f"expected {FORMAT_VERSION} (the format ant apply writes), "
                                       f"got {json.dumps(data.get('version'))[:40]}")
    origin = data.get("origin", {})
    workspace = origin.get("workspace_id") if isinstance(origin, dict) else None
    if not isinstance(origin, dict) or not (workspace is None or (isinstance(workspace, str) and ID.fullmatch(workspace))):
        raise LockfileError("origin.workspace_id" if isinstance(origin, dict) else "origin",
                            "expected an object whose workspace_id is a workspace id")
    resources = data.get("resources")
    if not isinstance(resources, dict):
        raise LockfileError("resources", "expected an object: file path -> {kind, id}")
    if len(resources) > MAX_RESOURCES:
        raise LockfileError("resources", f"more than {MAX_RESOURCES} entries")
    entries = tuple(_entry(path, value) for path, value in resources.items())
    first: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in first:
            raise LockfileError(f"{entry.where}.id", f"{entry.id} is also the id of {first[entry.id].where}")
        first[entry.id] = entry
    return Lockfile(workspace, entries)
