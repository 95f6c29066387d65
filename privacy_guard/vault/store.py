"""Where the vault's sealed entries live: a small interface, and an in-memory store.

A store keeps opaque blobs (already encrypted and authenticated by the vault) under opaque keys
(keyed hashes of the chain id), each with an expiry time. It never sees a chain id, a placeholder
or a value. A deployment's store is SQLite (`sqlite_store.py`) by default; a fleet's could be
PostgreSQL: anything with these five methods.
"""

from __future__ import annotations

import threading
from typing import Protocol


class VaultStore(Protocol):
    def put(self, key: bytes, blob: bytes, expires_at: float) -> None:
        """Insert or replace the entry under `key`."""

    def get(self, key: bytes, now: float) -> bytes | None:
        """The entry under `key`, or None if there is none or it expired before `now`."""

    def delete(self, key: bytes) -> bool:
        """Remove the entry; whether there was one."""

    def purge(self, now: float) -> int:
        """Remove every entry expired before `now`; how many."""

    def close(self) -> None: ...


class MemoryVaultStore:
    """Entries in process memory: gone at restart (a chain then gets the unknown-chain error)."""

    def __init__(self) -> None:
        self._entries: dict[bytes, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<MemoryVaultStore: {len(self._entries)} entries>"

    def put(self, key: bytes, blob: bytes, expires_at: float) -> None:
        with self._lock:
            self._entries[key] = (blob, expires_at)

    def get(self, key: bytes, now: float) -> bytes | None:
        with self._lock:
            found = self._entries.get(key)
        if found is None or found[1] <= now:
            return None
        return found[0]

    def delete(self, key: bytes) -> bool:
        with self._lock:
            return self._entries.pop(key, None) is not None

    def purge(self, now: float) -> int:
        with self._lock:
            expired = [key for key, (_, at) in self._entries.items() if at <= now]
            for key in expired:
                del self._entries[key]
        return len(expired)

    def close(self) -> None:
        with self._lock:
            self._entries.clear()


__all__ = ["MemoryVaultStore", "VaultStore"]
