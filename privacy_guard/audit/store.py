"""The storage interface of the audit log, independent of the database behind it.

A store keeps four things: the records (index → canonical bytes, exactly as hashed), the signed
checkpoints (their note text), a one-row head (size, Merkle compact range, last checkpoint), and
a few metadata strings (origin, format). Everything the log writes for one commit goes through a
single `transaction()`, which must be serialisable across processes and durable on exit: that
is what assigns each record its index under a lock and lets several gateway processes append to
one log. The embedded default is `SqliteStore`; a fleet's is `PostgresStore` (one row lock on
the head, `synchronous_commit = on`), with the same format.

The verifier reads only `records()` and `checkpoints()`: the head is a cache it never trusts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from privacy_guard.errors import AuditStoreError


@dataclass(frozen=True, slots=True)
class Head:
    """Where the log stands: its size, the compact range of its tree (the hashes of the perfect
    subtrees, largest first), and the size and time of the latest checkpoint."""

    size: int
    frontier: bytes
    checkpoint_size: int
    checkpoint_time: float


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    size: int  # as the store says; the verifier reads the size from the signed note
    time: float
    note: str


class HeadMoved(AuditStoreError):
    """Raised by an optimistic `append_transaction()` at commit: another writer moved the head
    since this store last wrote it, so nothing was written; number the batch again."""


class StoreTransaction(Protocol):
    """One serialised, atomic, durable unit of work."""

    def head(self) -> Head | None:
        """The head as of the start of the transaction (None for a log never written)."""
        ...

    def add_records(self, first_index: int, records: Sequence[bytes]) -> None: ...

    def add_checkpoint(self, size: int, time: float, note: str) -> None: ...

    def set_head(self, head: Head) -> None: ...

    def set_meta(self, key: str, value: str) -> None: ...


class AuditStore(Protocol):
    def transaction(self) -> AbstractContextManager[StoreTransaction]:
        """Exclusive across threads and processes; commits durably on a clean exit, rolls back
        on an exception."""
        ...

    def head(self) -> Head | None:
        """A snapshot of the head, without taking the write lock."""
        ...

    def meta(self, key: str) -> str | None: ...

    def count(self) -> int:
        """The number of stored records."""
        ...

    def records(self, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
        """(stored index, bytes) in index order, for indices in [start, end)."""
        ...

    def record(self, index: int) -> bytes | None: ...

    def checkpoints(self) -> list[StoredCheckpoint]:
        """Every stored checkpoint, by size then time."""
        ...

    def latest_checkpoint(self) -> StoredCheckpoint | None: ...

    def close(self) -> None: ...
