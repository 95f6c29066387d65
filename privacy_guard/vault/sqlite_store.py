"""The vault's default store: one SQLite file beside the audit log (`vault.db`).

Rows are (keyed hash of the chain id, sealed blob, expiry). The file holds no chain id, no
placeholder and no value in clear: the vault encrypts before it stores. Expired rows are deleted
by `purge` (the vault calls it as it writes) and are never returned before that.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vault_entries (
    key BLOB PRIMARY KEY,
    blob BLOB NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vault_expiry ON vault_entries (expires_at);
"""


class SQLiteVaultStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The file holds only sealed blobs, but there is no reason for others to read them.
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # Entries are re-creatable state (a lost one reads as an unknown chain), not records:
        # no fsync per write on the request path; WAL keeps the file consistent.
        self._db.execute("PRAGMA synchronous=NORMAL")
        # A deleted map must not linger in free pages of the file.
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"<SQLiteVaultStore {self.path.name}>"

    def put(self, key: bytes, blob: bytes, expires_at: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO vault_entries (key, blob, expires_at) VALUES (?, ?, ?)",
                (key, blob, expires_at),
            )

    def get(self, key: bytes, now: float) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT blob FROM vault_entries WHERE key = ? AND expires_at > ?", (key, now)
            ).fetchone()
        return None if row is None else bytes(row[0])

    def delete(self, key: bytes) -> bool:
        with self._lock:
            cursor = self._db.execute("DELETE FROM vault_entries WHERE key = ?", (key,))
        return cursor.rowcount > 0

    def purge(self, now: float) -> int:
        with self._lock:
            cursor = self._db.execute("DELETE FROM vault_entries WHERE expires_at <= ?", (now,))
        return cursor.rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()


__all__ = ["SQLiteVaultStore"]
