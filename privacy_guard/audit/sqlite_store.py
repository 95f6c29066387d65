"""The embedded audit store: one SQLite file in WAL mode.

Durability: `synchronous=FULL` in WAL mode fsyncs the write-ahead log at every commit, so a
record is on disk when `transaction()` returns — group commit makes many records share that
fsync. Serialisation: `BEGIN IMMEDIATE` takes SQLite's write lock before the head is read, so
processes sharing the file (uvicorn workers) assign indices one after the other; readers (a
verification running next to the gateway) are never blocked. A process killed mid-transaction
leaves nothing behind: SQLite discards the unfinished WAL frames when the file is next opened.

Records are stored as BLOBs holding their canonical bytes, so what is hashed is what is read.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from privacy_guard.audit.durable import fsync_dir
from privacy_guard.audit.store import Head, StoredCheckpoint
from privacy_guard.errors import AuditStoreError

STORE_FORMAT = "privacy-guard-audit-sqlite/1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (idx INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints (
    id INTEGER PRIMARY KEY, size INTEGER NOT NULL, time REAL NOT NULL, note TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS checkpoints_by_size ON checkpoints (size);
CREATE TABLE IF NOT EXISTS head (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    size INTEGER NOT NULL,
    frontier BLOB NOT NULL,
    checkpoint_size INTEGER NOT NULL,
    checkpoint_time REAL NOT NULL
);
"""


def _store_error(action: str, path: Path, error: BaseException) -> AuditStoreError:
    # SQLite's messages name the problem ("database is locked", "disk I/O error"), never a
    # value: every value reaches SQLite as a bound parameter.
    return AuditStoreError(f"audit store {path}: cannot {action}: {error}")


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def head(self) -> Head | None:
        return _read_head(self._conn)

    def add_records(self, first_index: int, records: Sequence[bytes]) -> None:
        self._conn.executemany(
            "INSERT INTO records (idx, data) VALUES (?, ?)",
            ((first_index + i, data) for i, data in enumerate(records)),
        )

    def add_checkpoint(self, size: int, time: float, note: str) -> None:
        self._conn.execute(
            "INSERT INTO checkpoints (size, time, note) VALUES (?, ?, ?)", (size, time, note)
        )

    def set_head(self, head: Head) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO head (id, size, frontier, checkpoint_size, checkpoint_time) "
            "VALUES (0, ?, ?, ?, ?)",
            (head.size, head.frontier, head.checkpoint_size, head.checkpoint_time),
        )

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def _read_head(conn: sqlite3.Connection) -> Head | None:
    row = conn.execute(
        "SELECT size, frontier, checkpoint_size, checkpoint_time FROM head WHERE id = 0"
    ).fetchone()
    return None if row is None else Head(int(row[0]), bytes(row[1]), int(row[2]), float(row[3]))


class SqliteStore:
    """An `AuditStore` in one SQLite file. `readonly` opens an existing log for verification
    and never writes (not even the WAL mode switch)."""

    def __init__(self, path: Path, *, readonly: bool = False, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._lock = threading.RLock()
        try:
            if readonly:
                if not self.path.is_file():
                    raise AuditStoreError(f"no audit log at {self.path}")
                uri = self.path.resolve().as_uri() + "?mode=ro"
                self._conn = sqlite3.connect(
                    uri, uri=True, timeout=busy_timeout, check_same_thread=False
                )
                # Bytes, not str: a tampered TEXT cell with invalid UTF-8 must be reported,
                # not crash the read.
                self._conn.text_factory = bytes
                self._check_format()
            else:
                self._conn = self._open_for_writing(busy_timeout)
        except sqlite3.Error as error:
            raise _store_error("open the log", self.path, error) from None

    def _open_for_writing(self, busy_timeout: float) -> sqlite3.Connection:
        created = not self.path.exists()
        if created:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            str(self.path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise AuditStoreError(f"audit store {self.path}: cannot switch to WAL mode")
        conn.execute("PRAGMA synchronous=FULL")
        conn.text_factory = bytes
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            found = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if found is None:
                conn.execute("INSERT INTO meta (key, value) VALUES ('format', ?)", (STORE_FORMAT,))
            elif _text(found[0]) != STORE_FORMAT:
                raise AuditStoreError(f"{self.path} is not a privacy-guard audit log")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if created:
            os.chmod(self.path, 0o640)
            fsync_dir(self.path.parent)
        return conn

    def _check_format(self) -> None:
        try:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.DatabaseError:
            row = None
        if row is None or _text(row[0]) != STORE_FORMAT:
            raise AuditStoreError(f"{self.path} is not a privacy-guard audit log")

    # --- writing ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        if self.readonly:
            raise AuditStoreError(f"audit store {self.path} is open read-only")
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise _store_error("lock the log", self.path, error) from None
            try:
                yield _Transaction(conn)
            except BaseException as error:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise _store_error("write", self.path, error) from None
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as error:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise _store_error("commit", self.path, error) from None

    # --- reading ---------------------------------------------------------------------------

    def _query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        try:
            with self._lock:
                return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise _store_error("read", self.path, error) from None

    def head(self) -> Head | None:
        try:
            with self._lock:
                return _read_head(self._conn)
        except sqlite3.Error as error:
            raise _store_error("read", self.path, error) from None

    def meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return _text(rows[0][0]) if rows else None

    def count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM records")[0][0])  # type: ignore[arg-type]

    def records(self, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
        sql = "SELECT idx, data FROM records WHERE idx >= ?"
        params: tuple[object, ...] = (start,)
        if end is not None:
            sql += " AND idx < ?"
            params += (end,)
        try:
            cursor = self._conn.execute(sql + " ORDER BY idx", params)
            while rows := cursor.fetchmany(8192):
                for idx, data in rows:
                    yield idx, data if isinstance(data, bytes) else _as_bytes(data)
        except sqlite3.Error as error:
            raise _store_error("read", self.path, error) from None

    def record(self, index: int) -> bytes | None:
        rows = self._query("SELECT data FROM records WHERE idx = ?", (index,))
        return _as_bytes(rows[0][0]) if rows else None

    def checkpoints(self) -> list[StoredCheckpoint]:
        rows = self._query("SELECT size, time, note FROM checkpoints ORDER BY size, time, id")
        return [StoredCheckpoint(int(s), float(t), _text(n)) for s, t, n in rows]  # type: ignore[arg-type]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        rows = self._query(
            "SELECT size, time, note FROM checkpoints ORDER BY size DESC, time DESC, id DESC "
            "LIMIT 1"
        )
        if not rows:
            return None
        size, time, note = rows[0]
        return StoredCheckpoint(int(size), float(time), _text(note))  # type: ignore[arg-type]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _as_bytes(value: object) -> bytes:
    # A tampered row may hold TEXT or a number instead of a BLOB; hash what is there.
    if isinstance(value, bytes):
        return value
    if isinstance(value, memoryview):
        return value.tobytes()
    return str(value).encode("utf-8", "surrogatepass")
