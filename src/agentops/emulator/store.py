"""SQLite persistence: deployments (as stored JSON documents), the registry, vault credentials,
skill versions and run records.

One connection guarded by a re-entrant lock: handlers run on many threads, and every
endpoint is a read-modify-write that must be atomic (`Store.atomic`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deployments (
    workspace TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    archived INTEGER NOT NULL,
    status TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deployments_order ON deployments (workspace, created_ms, id);
CREATE TABLE IF NOT EXISTS registry (
    workspace TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    versions INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    archived_ms INTEGER,
    fields TEXT NOT NULL DEFAULT '{}',
    updated_ms INTEGER,
    deleted_ms INTEGER,
    PRIMARY KEY (workspace, kind, id)
);
CREATE INDEX IF NOT EXISTS registry_order ON registry (workspace, kind, created_ms, id);
CREATE TABLE IF NOT EXISTS agent_versions (
    workspace TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    fields TEXT NOT NULL,
    PRIMARY KEY (workspace, agent_id, version)
);
CREATE TABLE IF NOT EXISTS credentials (
    workspace TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    vault_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    archived_ms INTEGER,
    doc TEXT NOT NULL,
    secrets TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS credentials_order ON credentials (workspace, vault_id, created_ms, id);
CREATE TABLE IF NOT EXISTS skill_versions (
    workspace TEXT NOT NULL,
    skill_id TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    created_ms INTEGER NOT NULL,
    deleted_ms INTEGER,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    files TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS skill_versions_order ON skill_versions (workspace, skill_id, created_ms, id);
CREATE TABLE IF NOT EXISTS runs (
    workspace TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    deployment_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_order ON runs (workspace, created_ms, id);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class StoredDeployment:
    doc: dict[str, Any]
    created_ms: int
    updated_ms: int


@dataclass(frozen=True)
class RegistryEntry:
    kind: str
    id: str
    versions: int
    created_ms: int
    archived_ms: int | None
    fields: dict[str, Any] = field(default_factory=dict)  # name, metadata, ... (the latest version's)
    updated_ms: int | None = None  # None: never updated since created
    deleted_ms: int | None = None  # a deleted environment stays as a tombstone: runs must not find it


_ENTRY_COLUMNS = "kind, id, versions, created_ms, archived_ms, fields, updated_ms, deleted_ms"


def _entry(row: tuple[Any, ...]) -> RegistryEntry:
    return RegistryEntry(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], row[7])


@dataclass(frozen=True)
class AgentVersion:
    version: int
    updated_ms: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class StoredCredential:
    """A vault credential: `doc` is what responses show (no secret), `secrets` only ever stored."""

    id: str
    vault_id: str
    created_ms: int
    updated_ms: int
    archived_ms: int | None
    doc: dict[str, Any]
    secrets: dict[str, str]


_CREDENTIAL_COLUMNS = "id, vault_id, created_ms, updated_ms, archived_ms, doc, secrets"


def _credential(row: tuple[Any, ...]) -> StoredCredential:
    return StoredCredential(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), json.loads(row[6]))


@dataclass(frozen=True)
class SkillVersionRow:
    """One uploaded version of a skill; `files` maps each path (under the skill's directory) to its
    base64 content."""

    id: str
    skill_id: str
    created_ms: int
    deleted_ms: int | None
    name: str
    description: str
    files: dict[str, str]


_VERSION_COLUMNS = "id, skill_id, created_ms, deleted_ms, name, description, files"


def _version(row: tuple[Any, ...]) -> SkillVersionRow:
    return SkillVersionRow(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]))


@dataclass(frozen=True)
class ListQuery:
    limit: int
    after: tuple[int, str] | None = None
    agent_id: str | None = None
    status: str | None = None
    include_archived: bool = False
    created_gte_us: int | None = None
    created_lte_us: int | None = None

    def created(self) -> tuple[tuple[str, int], ...]:
        bounds = ((">=", self.created_gte_us), ("<=", self.created_lte_us))
        return tuple((operator, value) for operator, value in bounds if value is not None)


@dataclass(frozen=True)
class RunQuery:
    limit: int
    after: tuple[int, str] | None = None
    deployment_id: str | None = None
    has_error: bool | None = None
    trigger_type: str | None = None
    # Bounds in µs: (SQL operator, instant) pairs such as (">=", t).
    created: tuple[tuple[str, int], ...] = ()


# One query per table naming every column the emulator uses: a file with other tables fails it.
_PROBES = (
    "SELECT workspace, id, created_ms, updated_ms, archived, status, agent_id, doc FROM deployments",
    "SELECT workspace, kind, id, versions, created_ms, archived_ms, fields, updated_ms, deleted_ms FROM registry",
    "SELECT workspace, agent_id, version, updated_ms, fields FROM agent_versions",
    "SELECT workspace, id, deployment_id, created_ms, doc FROM runs",
    f"SELECT workspace, {_CREDENTIAL_COLUMNS} FROM credentials",
    f"SELECT workspace, {_VERSION_COLUMNS} FROM skill_versions",
    "SELECT key, value FROM meta",
)


class StoreError(ValueError):
    """The database file cannot be used as emulator state."""


class Store:
    """All emulator state; `path=None` keeps it in memory."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self._conn = sqlite3.connect(
                ":memory:" if path is None else str(path), check_same_thread=False, isolation_level=None
            )
            if path is not None:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            self._migrate()
            for probe in _PROBES:
                self._conn.execute(probe + " LIMIT 0")
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: not a usable emulator database ({exc})") from None

    def _migrate(self) -> None:
        """Bring a database written by an older emulator up to this schema."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(registry)")}
        added = {"fields": "TEXT NOT NULL DEFAULT '{}'", "updated_ms": "INTEGER", "deleted_ms": "INTEGER"}
        for name, declaration in added.items():
            if columns and name not in columns:
                self._conn.execute(f"ALTER TABLE registry ADD COLUMN {name} {declaration}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction, exclusive across threads; nested calls join the outer one."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    def _page(
        self, sql: list[str], args: list[Any], after: tuple[int, str] | None,
        created: tuple[tuple[str, int], ...], limit: int,
    ) -> list[Any]:
        """Rows of a listing query: newest first, keyset-paged on (created_ms, id) so items
        created while a client pages never shift or repeat a page."""
        if after is not None:
            sql.append("AND (created_ms < ? OR (created_ms = ? AND id < ?))")
            args += [after[0], after[0], after[1]]
        # Timestamps are stored in ms; compare in µs so a bound inside a millisecond is exact.
        for operator, instant_us in created:
            sql.append(f"AND created_ms * 1000 {operator} ?")
            args.append(instant_us)
        sql.append("ORDER BY created_ms DESC, id DESC LIMIT ?")
        args.append(limit)
        with self._lock:
            return self._conn.execute(" ".join(sql), args).fetchall()

    # --- deployments ------------------------------------------------------------------------

    def get_deployment(self, workspace: str, deployment_id: str) -> StoredDeployment | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT doc, created_ms, updated_ms FROM deployments WHERE workspace = ? AND id = ?",
                (workspace, deployment_id),
            ).fetchone()
        return None if row is None else StoredDeployment(json.loads(row[0]), row[1], row[2])

    def put_deployment(self, workspace: str, doc: dict[str, Any], created_ms: int, updated_ms: int) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO deployments"
                " (workspace, id, created_ms, updated_ms, archived, status, agent_id, doc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    workspace,
                    doc["id"],
                    created_ms,
                    updated_ms,
                    int(doc.get("archived_at") is not None),
                    doc["status"],
                    doc["agent"]["id"],
                    json.dumps(doc, separators=(",", ":")),
                ),
            )

    def list_deployments(self, workspace: str, query: ListQuery) -> list[dict[str, Any]]:
        sql = ["SELECT doc FROM deployments WHERE workspace = ?"]
        args: list[Any] = [workspace]
        if not query.include_archived:
            sql.append("AND archived = 0")
        if query.agent_id is not None:
            sql.append("AND agent_id = ?")
            args.append(query.agent_id)
        if query.status is not None:
            sql.append("AND status = ?")
            args.append(query.status)
        return [json.loads(row[0]) for row in self._page(sql, args, query.after, query.created(), query.limit)]

    def all_deployments(self, workspace: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT doc FROM deployments WHERE workspace = ? ORDER BY created_ms, id", (workspace,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    # --- registry ---------------------------------------------------------------------------

    def get_entry(self, workspace: str, kind: str, entry_id: str) -> RegistryEntry | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM registry WHERE workspace = ? AND kind = ? AND id = ?",
                (workspace, kind, entry_id),
            ).fetchone()
        return None if row is None else _entry(row)

    def upsert_entry(
        self, workspace: str, kind: str, entry_id: str, versions: int, now_ms: int,
        fields: dict[str, Any] | None = None, *, replace: bool = True,
    ) -> None:
        """Register an object; `replace=False` (seeding) leaves an existing one untouched, and
        `fields=None` keeps the ones it has."""
        conflict = "NOTHING"
        if replace:
            conflict = "UPDATE SET versions = excluded.versions" + (", fields = excluded.fields" if fields else "")
        with self._lock:
            self._conn.execute(
                "INSERT INTO registry (workspace, kind, id, versions, created_ms, fields) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (workspace, kind, id) DO " + conflict,
                (workspace, kind, entry_id, versions, now_ms, json.dumps(fields or {})),
            )

    def list_entries(self, workspace: str, kind: str, query: ListQuery) -> list[RegistryEntry]:
        sql = [f"SELECT {_ENTRY_COLUMNS} FROM registry WHERE workspace = ? AND kind = ?"]
        args: list[Any] = [workspace, kind]
        sql.append("AND deleted_ms IS NULL")
        if not query.include_archived:
            sql.append("AND archived_ms IS NULL")
        return [_entry(row) for row in self._page(sql, args, query.after, query.created(), query.limit)]

    def archive_entry(self, workspace: str, kind: str, entry_id: str, now_ms: int) -> bool:
        with self._lock:
            cursor = self._conn.execute(
                "UPDATE registry SET archived_ms = COALESCE(archived_ms, ?)"
                " WHERE workspace = ? AND kind = ? AND id = ?",
                (now_ms, workspace, kind, entry_id),
            )
        return cursor.rowcount > 0

    def update_entry(self, workspace: str, kind: str, entry_id: str, versions: int, fields: dict[str, Any],
                     updated_ms: int) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE registry SET versions = ?, fields = ?, updated_ms = ? WHERE workspace = ? AND kind = ? AND id = ?",
                (versions, json.dumps(fields), updated_ms, workspace, kind, entry_id),
            )

    def delete_entry(self, workspace: str, kind: str, entry_id: str, now_ms: int) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE registry SET deleted_ms = ? WHERE workspace = ? AND kind = ? AND id = ?",
                (now_ms, workspace, kind, entry_id),
            )

    # --- vault credentials ------------------------------------------------------------------

    def get_credential(self, workspace: str, vault_id: str, credential_id: str) -> StoredCredential | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_CREDENTIAL_COLUMNS} FROM credentials WHERE workspace = ? AND vault_id = ? AND id = ?",
                (workspace, vault_id, credential_id),
            ).fetchone()
        return None if row is None else _credential(row)

    def put_credential(self, workspace: str, credential: StoredCredential) -> None:
        with self._lock:
            self._conn.execute(
                f"INSERT OR REPLACE INTO credentials (workspace, {_CREDENTIAL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (workspace, credential.id, credential.vault_id, credential.created_ms, credential.updated_ms,
                 credential.archived_ms, json.dumps(credential.doc), json.dumps(credential.secrets)),
            )

    def list_credentials(self, workspace: str, vault_id: str, query: ListQuery) -> list[StoredCredential]:
        sql = [f"SELECT {_CREDENTIAL_COLUMNS} FROM credentials WHERE workspace = ? AND vault_id = ?"]
        if not query.include_archived:
            sql.append("AND archived_ms IS NULL")
        return [_credential(row) for row in self._page(sql, [workspace, vault_id], query.after, (), query.limit)]

    def vault_credentials(self, workspace: str, vault_id: str) -> list[StoredCredential]:
        """Every credential of a vault, archived ones too, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_CREDENTIAL_COLUMNS} FROM credentials WHERE workspace = ? AND vault_id = ?"
                " ORDER BY created_ms, id", (workspace, vault_id),
            ).fetchall()
        return [_credential(row) for row in rows]

    def delete_credentials(self, workspace: str, vault_id: str, credential_id: str | None = None) -> None:
        """Forget one credential (secrets included), or every credential of the vault."""
        sql, args = "DELETE FROM credentials WHERE workspace = ? AND vault_id = ?", [workspace, vault_id]
        if credential_id is not None:
            sql += " AND id = ?"
            args.append(credential_id)
        with self._lock:
            self._conn.execute(sql, args)

    # --- skill versions ---------------------------------------------------------------------

    def add_skill_version(self, workspace: str, version: SkillVersionRow) -> None:
        with self._lock:
            self._conn.execute(
                f"INSERT INTO skill_versions (workspace, {_VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (workspace, version.id, version.skill_id, version.created_ms, version.deleted_ms, version.name,
                 version.description, json.dumps(version.files)),
            )

    def get_skill_version(self, workspace: str, skill_id: str, version_id: str) -> SkillVersionRow | None:
        """A version, deleted ones included (a run must tell a deleted pin from an unknown one)."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_VERSION_COLUMNS} FROM skill_versions WHERE workspace = ? AND skill_id = ? AND id = ?",
                (workspace, skill_id, version_id),
            ).fetchone()
        return None if row is None else _version(row)

    def latest_skill_version(self, workspace: str, skill_id: str) -> SkillVersionRow | None:
        """The newest version not deleted."""
        rows = self._page([f"SELECT {_VERSION_COLUMNS} FROM skill_versions WHERE workspace = ? AND skill_id = ?"
                           " AND deleted_ms IS NULL"], [workspace, skill_id], None, (), 1)
        return _version(rows[0]) if rows else None

    def list_skill_versions(self, workspace: str, skill_id: str, query: ListQuery) -> list[SkillVersionRow]:
        sql = [f"SELECT {_VERSION_COLUMNS} FROM skill_versions WHERE workspace = ? AND skill_id = ?"
               " AND deleted_ms IS NULL"]
        return [_version(row) for row in self._page(sql, [workspace, skill_id], query.after, (), query.limit)]

    def delete_skill_versions(self, workspace: str, skill_id: str, version_id: str | None, now_ms: int) -> None:
        """Mark one version (or every version of the skill) deleted; files are dropped, the row stays."""
        sql = "UPDATE skill_versions SET deleted_ms = ?, files = '{}' WHERE workspace = ? AND skill_id = ?"
        args: list[Any] = [now_ms, workspace, skill_id]
        if version_id is not None:
            sql += " AND id = ?"
            args.append(version_id)
        with self._lock:
            self._conn.execute(sql + " AND deleted_ms IS NULL", args)

    # --- agent versions ---------------------------------------------------------------------

    def put_agent_version(self, workspace: str, agent_id: str, snapshot: AgentVersion) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO agent_versions (workspace, agent_id, version, updated_ms, fields)"
                " VALUES (?, ?, ?, ?, ?)",
                (workspace, agent_id, snapshot.version, snapshot.updated_ms, json.dumps(snapshot.fields)),
            )

    def agent_versions(self, workspace: str, agent_id: str, low: int, high: int) -> list[AgentVersion]:
        """Stored snapshots from `low` up to the first one at or above `high`, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT version, updated_ms, fields FROM agent_versions WHERE workspace = ? AND agent_id = ?"
                " AND version >= ? AND version <= COALESCE((SELECT MIN(version) FROM agent_versions"
                " WHERE workspace = ? AND agent_id = ? AND version >= ?), ?) ORDER BY version",
                (workspace, agent_id, low, workspace, agent_id, high, high),
            ).fetchall()
        return [AgentVersion(row[0], row[1], json.loads(row[2])) for row in rows]

    # --- runs -------------------------------------------------------------------------------

    def add_run(self, workspace: str, doc: dict[str, Any], created_ms: int) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO runs (workspace, id, deployment_id, created_ms, doc) VALUES (?, ?, ?, ?, ?)",
                (workspace, doc["id"], doc["deployment_id"], created_ms, json.dumps(doc)),
            )

    def get_run(self, workspace: str, run_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT doc FROM runs WHERE workspace = ? AND id = ?", (workspace, run_id)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def list_runs(self, workspace: str, query: RunQuery) -> list[dict[str, Any]]:
        sql = ["SELECT doc FROM runs WHERE workspace = ?"]
        args: list[Any] = [workspace]
        if query.deployment_id is not None:
            sql.append("AND deployment_id = ?")
            args.append(query.deployment_id)
        if query.has_error is not None:
            sql.append("AND json_extract(doc, '$.error') IS " + ("NOT NULL" if query.has_error else "NULL"))
        if query.trigger_type is not None:
            sql.append("AND json_extract(doc, '$.trigger_context.type') = ?")
            args.append(query.trigger_type)
        return [json.loads(row[0]) for row in self._page(sql, args, query.after, query.created, query.limit)]

    def scheduled_deployments(self) -> list[tuple[str, StoredDeployment]]:
        """Every active, unarchived deployment with a schedule, in every workspace."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT workspace, doc, created_ms, updated_ms FROM deployments"
                " WHERE archived = 0 AND status = 'active' AND json_extract(doc, '$.schedule') IS NOT NULL"
                " ORDER BY created_ms, id"
            ).fetchall()
        return [(row[0], StoredDeployment(json.loads(row[1]), row[2], row[3])) for row in rows]

    def get_meta(self, key: str) -> int | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else int(row[0])

    def set_meta(self, key: str, value: int) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def runs(self, workspace: str, deployment_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT doc FROM runs WHERE workspace = ?"
        args: list[Any] = [workspace]
        if deployment_id is not None:
            sql += " AND deployment_id = ?"
            args.append(deployment_id)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY created_ms, rowid", args).fetchall()
        return [json.loads(row[0]) for row in rows]
