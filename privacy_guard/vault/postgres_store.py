"""The vault's store for a fleet: the same PostgreSQL database as the audit log.

A chain continued on another replica finds its map there. Rows are (keyed hash of the chain
id, sealed blob, expiry), exactly as in SQLite: the database holds no chain id, placeholder or
value in clear. Unlike the audit tables, entries are replaced and deleted (a chain's map grows,
expires, is deleted with the chain), so the gateways' role needs DELETE and UPDATE on this
table only (the audit store's `ROLES_SQL`; its migration 2 creates the table). Every database
error becomes `VaultError`: the request fails closed (`vault_unavailable`); the pool replaces
broken connections, as the audit store's does.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from privacy_guard.vault.vault import VaultError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vault_entries (
    key bytea PRIMARY KEY,
    blob bytea NOT NULL,
    expires_at double precision NOT NULL
);
CREATE INDEX IF NOT EXISTS vault_expiry ON vault_entries (expires_at);
"""
_SCHEMA_LOCK = 0x70726976_7661756C  # advisory lock key: replicas create the table one at a time

def _error(action: str, error: BaseException) -> VaultError:
    state = getattr(error, "sqlstate", None)
    detail = type(error).__name__ + (f", SQLSTATE {state}" if state else "")
    return VaultError(f"vault store (PostgreSQL): cannot {action} ({detail})")


class PostgresVaultStore:
    """A `VaultStore` in PostgreSQL; `url` and `password` as for the audit store."""

    def __init__(
        self,
        url: str,
        *,
        password: str | None = None,
        pool_size: int = 4,
        wait_timeout: float = 5.0,
    ) -> None:
        kwargs: dict[str, Any] = {"autocommit": True}
        if password is not None:
            kwargs["password"] = password
        self._wait_timeout = wait_timeout
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url,
            kwargs=kwargs,
            min_size=1,
            max_size=pool_size,
            open=False,
            check=ConnectionPool.check_connection,
            timeout=wait_timeout,
            reconnect_timeout=5.0,  # as the audit store: retry on demand, not on a long backoff
            name="privacy-guard-vault",
        )
        try:
            self._pool.open(wait=True, timeout=wait_timeout + 1)
        except PoolTimeout:
            self._pool.close(timeout=0)
            raise VaultError("vault store (PostgreSQL): cannot connect to the database") from None
        try:
            with self._pool.connection() as conn, conn.transaction():
                # Normally made by the audit store's migrations (with its grants); created here
                # only when missing, so a role without CREATE works once the owner made it.
                found = conn.execute("SELECT to_regclass('vault_entries')").fetchone()
                if found is None or found[0] is None:
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                    conn.execute(_SCHEMA)
        except psycopg.Error as error:
            self._pool.close(timeout=0)
            raise _error("create its table", error) from None

    def __repr__(self) -> str:
        return "<PostgresVaultStore>"

    def _run(self, action: str, sql: str, params: tuple[object, ...]) -> psycopg.Cursor[Any]:
        try:
            with self._pool.connection(timeout=self._wait_timeout) as conn:
                return conn.execute(sql, params, binary=True)  # type: ignore[arg-type]
        except (psycopg.Error, PoolTimeout) as error:
            raise _error(action, error) from None

    def put(self, key: bytes, blob: bytes, expires_at: float) -> None:
        self._run(
            "write",
            "INSERT INTO vault_entries (key, blob, expires_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE "
            "SET blob = excluded.blob, expires_at = excluded.expires_at",
            (key, blob, expires_at),
        )

    def get(self, key: bytes, now: float) -> bytes | None:
        try:
            with self._pool.connection(timeout=self._wait_timeout) as conn:
                row = conn.execute(
                    "SELECT blob FROM vault_entries WHERE key = %s AND expires_at > %s",
                    (key, now),
                    binary=True,
                ).fetchone()
        except (psycopg.Error, PoolTimeout) as error:
            raise _error("read", error) from None
        return None if row is None else bytes(row[0])

    def delete(self, key: bytes) -> bool:
        return self._run("delete", "DELETE FROM vault_entries WHERE key = %s", (key,)).rowcount > 0

    def purge(self, now: float) -> int:
        cursor = self._run("purge", "DELETE FROM vault_entries WHERE expires_at <= %s", (now,))
        return max(cursor.rowcount, 0)

    def close(self) -> None:
        self._pool.close(timeout=5.0)


__all__ = ["PostgresVaultStore"]
