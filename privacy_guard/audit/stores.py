"""Which store a log lives in: the embedded SQLite file, or a fleet's PostgreSQL database.

A log is named by a path (SQLite) or a `postgresql://` URL; the config's `audit.url`, when set,
wins over `audit.path`. psycopg is imported only when a URL is used, so a single gateway on
SQLite never loads it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from privacy_guard.audit.sqlite_store import SqliteStore
from privacy_guard.audit.store import AuditStore
from privacy_guard.errors import AuditStoreError

if TYPE_CHECKING:
    from privacy_guard.config import AuditSettings

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_url(target: str | Path | None) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


def password_from(settings: AuditSettings | None) -> str | None:
    """The database password from the variable `audit.password_env` names (None: libpq's own
    PGPASSWORD or ~/.pgpass apply)."""
    if settings is None or settings.password_env is None:
        return None
    value = os.environ.get(settings.password_env)
    if value is None:
        raise AuditStoreError(f"audit.password_env names {settings.password_env}, which is not set")
    return value


def open_store(
    target: str | Path, *, settings: AuditSettings | None = None, readonly: bool = False
) -> AuditStore:
    """The store at `target` (a path or a postgresql:// URL). A writable PostgreSQL store
    creates or migrates its schema on first open."""
    if is_url(target):
        from privacy_guard.audit.postgres_store import PostgresStore

        return PostgresStore(str(target), password=password_from(settings), readonly=readonly)
    return SqliteStore(Path(target), readonly=readonly)


def configured_target(settings: AuditSettings) -> str | Path:
    return settings.url if settings.url else settings.path


def open_configured_store(settings: AuditSettings, *, readonly: bool = False) -> AuditStore:
    """The store the `audit:` section names."""
    return open_store(configured_target(settings), settings=settings, readonly=readonly)
