"""`AuditLog`: the audit sink the gateway appends to — HMACs, group commit, checkpoints.

The calling thread validates the event and computes its HMACs, then hands it to one writer
thread and waits. The writer takes everything pending, and in one store transaction (the store's
write lock, shared with other processes on the same log) reads the head, gives each record the
next index and the current time, hashes it into the Merkle tree, signs any checkpoint that falls
due, and commits — one fsync for the whole batch. Only then are the waiting callers released
with their indices. If anything fails, every caller of that batch gets `AuditError` and nothing
of the batch is in the log: the request fails closed.

Checkpoints are signed inside the same transaction as the records they cover: every
`checkpoint_every` records, or when records have waited `checkpoint_interval` seconds without
one; when the log has been idle for `heartbeat` seconds, a heartbeat record and a checkpoint
are appended, so that an officer can tell a quiet gateway from a silenced one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from privacy_guard.audit.checkpoint import Checkpoint, sign_checkpoint
from privacy_guard.audit.events import DecisionEvent, OutcomeEvent
from privacy_guard.audit.keys import CALLER_DOMAIN, PROMPT_DOMAIN, HmacKey, Signer
from privacy_guard.audit.merkle import CompactRange, leaf_hash
from privacy_guard.audit.record import (
    canonical,
    check_instance,
    decision_fields,
    format_time,
    heartbeat_fields,
    outcome_fields,
)
from privacy_guard.audit.store import (
    AuditStore,
    Head,
    HeadMoved,
    StoredCheckpoint,
    StoreTransaction,
)
from privacy_guard.errors import AuditError, AuditEventError, AuditStoreError

log = logging.getLogger("privacy_guard.audit")


@dataclass(frozen=True, slots=True)
class LogOptions:
    checkpoint_every: int = 1024  # records between checkpoints while busy
    checkpoint_interval: float = 10.0  # seconds a record may wait for its checkpoint
    heartbeat: float = 300.0  # seconds of silence before a heartbeat record + checkpoint
    max_batch: int = 4096  # records per transaction at most
    append_timeout: float = 60.0  # a caller waits this long for its commit, then fails closed


class _Pending:
    """One record waiting for the writer; resolved with its index or an error."""

    __slots__ = ("done", "error", "fields", "future", "index")

    def __init__(
        self,
        fields: dict[str, Any],
        future: tuple[asyncio.AbstractEventLoop, asyncio.Future[int]] | None = None,
    ) -> None:
        self.fields = fields
        self.future = future
        self.done = threading.Event() if future is None else None
        self.index = -1
        self.error: AuditError | None = None

    def resolve(self, index: int, error: AuditError | None) -> None:
        self.index, self.error = index, error
        if self.done is not None:
            self.done.set()
            return
        assert self.future is not None
        loop, future = self.future
        with contextlib.suppress(RuntimeError):  # the caller's loop is gone: nobody waits
            loop.call_soon_threadsafe(_settle, future, index, error)


def _settle(future: asyncio.Future[int], index: int, error: AuditError | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(index)


class AuditLog:
    """An append-only, signed, tamper-evident log; implements `AuditSink`.

    Thread-safe; one instance per process (the writer thread does not survive a fork: open the
    log in each worker, after it starts). Several processes may open the same store.
    """

    nonblocking = False  # appends wait for an fsync: call them off the event loop, or use *_async

    def __init__(
        self,
        store: AuditStore,
        *,
        signer: Signer,
        hmac_key: HmacKey,
        instance: str,
        options: LogOptions | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.signer = signer
        self.origin = signer.name
        self.hmac_key = hmac_key
        self.instance = check_instance(instance)
        self.options = options or LogOptions()
        self._clock = clock
        self._pid = os.getpid()
        self._queue: list[_Pending] = []
        self._cond = threading.Condition()
        self._closing = False
        self._broken: AuditError | None = None
        self._initialise()
        self._writer = threading.Thread(
            target=self._run, name="privacy-guard-audit-writer", daemon=True
        )
        self._writer.start()

    def __repr__(self) -> str:
        return f"<AuditLog {self.origin!r} at {getattr(self.store, 'path', self.store)!r}>"

    # --- the AuditSink interface -------------------------------------------------------------

    def append_decision(self, event: DecisionEvent) -> int:
        """Append a decision; return its index once durable. AuditError: fail closed."""
        return self._wait(self._submit(self._decision(event)))

    def append_outcome(self, event: OutcomeEvent) -> int:
        """Append a request's outcome (latency, upstream status); same guarantees."""
        return self._wait(self._submit(outcome_fields(event, instance=self.instance)))

    async def append_decision_async(self, event: DecisionEvent) -> int:
        """`append_decision` for an event loop: waits without holding a worker thread."""
        return await self._wait_async(self._decision(event))

    async def append_outcome_async(self, event: OutcomeEvent) -> int:
        return await self._wait_async(outcome_fields(event, instance=self.instance))

    # --- operations ----------------------------------------------------------------------------

    def checkpoint(self) -> StoredCheckpoint:
        """Sign a checkpoint covering every record now in the log (unless the latest already
        does), and return the latest checkpoint."""
        self._check_usable()
        with self.store.transaction() as tx:
            head = self._head(tx)
            latest = self.store.latest_checkpoint()
            if latest is None or latest.size < head.size:
                frontier = CompactRange.from_bytes(head.size, head.frontier)
                tx.set_head(self._sign(tx, frontier, self._clock(), head))
        latest = self.store.latest_checkpoint()
        assert latest is not None
        return latest

    def close(self) -> None:
        """Commit what is pending, sign a last checkpoint, stop the writer, close the store."""
        with self._cond:
            if self._closing:
                return
            self._closing = True
            self._cond.notify_all()
        if self._writer.is_alive() and os.getpid() == self._pid:
            self._writer.join()
        self.store.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- callers' side ---------------------------------------------------------------------

    def _decision(self, event: DecisionEvent) -> dict[str, Any]:
        key = self.hmac_key
        if not isinstance(event, DecisionEvent):
            raise AuditEventError("append_decision takes a DecisionEvent")
        if not isinstance(event.caller_key, str) or not isinstance(event.prompt_text, str):
            raise AuditEventError("audit event fields `caller_key` and `prompt_text` are text")
        return decision_fields(
            event,
            caller_hmac=key.digest(CALLER_DOMAIN, event.caller_key),
            prompt_hmac=key.digest(PROMPT_DOMAIN, event.prompt_text),
            hmac_key_id=key.key_id,
            instance=self.instance,
        )

    def _check_usable(self) -> None:
        if os.getpid() != self._pid:
            raise AuditError(
                "the audit log was opened before this process was forked; open it in each worker"
            )
        if self._broken is not None:
            raise AuditError(f"the audit log is unusable: {self._broken}")
        if self._closing:
            raise AuditError("the audit log is closed")

    def _submit(self, fields: dict[str, Any], pending: _Pending | None = None) -> _Pending:
        self._check_usable()
        pending = pending or _Pending(fields)
        with self._cond:
            if self._closing:
                raise AuditError("the audit log is closed")
            self._queue.append(pending)
            self._cond.notify()
        return pending

    def _wait(self, pending: _Pending) -> int:
        assert pending.done is not None
        if not pending.done.wait(self.options.append_timeout):
            raise AuditError(
                f"the audit log did not commit within {self.options.append_timeout:g} s"
            )
        if pending.error is not None:
            raise pending.error
        return pending.index

    async def _wait_async(self, fields: dict[str, Any]) -> int:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._submit(fields, _Pending(fields, (loop, future)))
        try:
            return await asyncio.wait_for(future, self.options.append_timeout)
        except TimeoutError:
            raise AuditError(
                f"the audit log did not commit within {self.options.append_timeout:g} s"
            ) from None

    # --- the writer ----------------------------------------------------------------------------

    def _initialise(self) -> None:
        """Record the origin and check the head against the records before the first append."""
        stored_origin = self.store.meta("origin")
        if stored_origin is not None and stored_origin != self.origin:
            raise AuditStoreError(
                f"this log's origin is {stored_origin!r} but the configured origin is "
                f"{self.origin!r}; a log keeps its origin for life"
            )
        with self.store.transaction() as tx:
            if stored_origin is None:
                tx.set_meta("origin", self.origin)
            head = self._head(tx)
            if head.size != self.store.count():
                raise AuditStoreError(
                    f"the log's head says {head.size} records but {self.store.count()} are "
                    "stored; run `privacy-guard audit verify` before appending"
                )
            if tx.head() is None:
                tx.set_head(head)  # the idle heartbeat counts from the log's creation

    def _head(self, tx: StoreTransaction) -> Head:
        return tx.head() or Head(0, b"", 0, self._clock())

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    idle = not self._queue and not self._closing
                if idle:
                    wait = self._idle_wait()  # reads the store: not under the queue's lock
                    with self._cond:
                        if not self._queue and not self._closing:
                            self._cond.wait(wait)
                with self._cond:
                    batch = self._queue[: self.options.max_batch]
                    del self._queue[: len(batch)]
                    closing = self._closing and not self._queue
                if batch:
                    self._commit(batch)
                else:
                    self._timed_duties(final=closing)
                if closing and not batch:
                    return
        except BaseException as error:  # never leave callers waiting on a dead writer
            self._broken = AuditError(f"the audit writer stopped ({type(error).__name__})")
            log.error("audit writer stopped: %s", type(error).__name__)
            with self._cond:
                stranded, self._queue = self._queue, []
            for pending in stranded:
                pending.resolve(-1, self._broken)

    def _idle_wait(self) -> float:
        try:
            head = self.store.head()
        except AuditError:
            head = None  # a passing read error: look again after the interval
        if head is None:
            return self.options.checkpoint_interval
        now = self._clock()
        due = head.checkpoint_time + self.options.heartbeat
        if head.size > head.checkpoint_size:
            due = min(due, head.checkpoint_time + self.options.checkpoint_interval)
        return min(max(due - now, 0.05), self.options.checkpoint_interval)

    def _commit(self, batch: list[_Pending]) -> None:
        # A store may offer `append_transaction()`: a transaction that starts from the head the
        # store last wrote, without first waiting for the lock (one round trip less to a
        # database server), and raises `HeadMoved` — having written nothing — when another
        # writer moved the head meanwhile. The batch is then simply numbered again.
        begin = getattr(self.store, "append_transaction", self.store.transaction)
        try:
            for attempt in range(3):
                try:
                    self._write(batch, begin)
                    break
                except HeadMoved:
                    if attempt == 2:
                        raise
        except Exception as error:
            failure = (
                error
                if isinstance(error, AuditError)
                else AuditStoreError(f"audit append failed ({type(error).__name__})")
            )
            log.error("audit append of %d record(s) failed: %s", len(batch), failure)
            for pending in batch:
                pending.resolve(-1, failure)
            return
        for pending in batch:
            pending.resolve(pending.index, None)

    def _write(
        self, batch: list[_Pending], begin: Callable[[], AbstractContextManager[StoreTransaction]]
    ) -> None:
        """Number, hash and store one batch (and any checkpoint due) in one transaction."""
        with begin() as tx:
            head = self._head(tx)
            now = self._clock()
            frontier = CompactRange.from_bytes(head.size, head.frontier)
            stamp = format_time(now)
            every = self.options.checkpoint_every
            records: list[bytes] = []
            for pending in batch:
                fields = pending.fields
                fields["index"] = pending.index = frontier.size
                fields["time"] = stamp
                data = canonical(fields)
                records.append(data)
                frontier.append(leaf_hash(data))
                # A checkpoint exactly every `every` records, even inside a large batch.
                if frontier.size - head.checkpoint_size >= every:
                    tx.add_records(frontier.size - len(records), records)
                    records = []
                    head = self._sign(tx, frontier, now, head)
            if records:
                tx.add_records(frontier.size - len(records), records)
            if (
                frontier.size > head.checkpoint_size
                and now - head.checkpoint_time >= self.options.checkpoint_interval
            ):
                head = self._sign(tx, frontier, now, head)
            tx.set_head(
                Head(
                    frontier.size,
                    frontier.to_bytes(),
                    head.checkpoint_size,
                    head.checkpoint_time,
                )
            )

    def _sign(self, tx: StoreTransaction, frontier: CompactRange, now: float, head: Head) -> Head:
        note = sign_checkpoint(Checkpoint(self.origin, frontier.size, frontier.root()), self.signer)
        tx.add_checkpoint(frontier.size, now, note)
        return Head(frontier.size, frontier.to_bytes(), frontier.size, now)

    def _timed_duties(self, *, final: bool) -> None:
        """Between batches: sign a checkpoint for records that waited too long, or write a
        heartbeat when the log has been idle; on close, cover every record."""
        try:
            head = self.store.head()
            if head is None:
                return
            now = self._clock()
            uncovered = head.size > head.checkpoint_size
            late = now - head.checkpoint_time >= self.options.checkpoint_interval
            idle = now - head.checkpoint_time >= self.options.heartbeat
            if not ((uncovered and (late or final)) or idle):
                return
            with self.store.transaction() as tx:
                # Re-read under the lock: another process may have done it meanwhile.
                head = self._head(tx)
                now = self._clock()
                frontier = CompactRange.from_bytes(head.size, head.frontier)
                if head.size > head.checkpoint_size and (
                    final or now - head.checkpoint_time >= self.options.checkpoint_interval
                ):
                    tx.set_head(self._sign(tx, frontier, now, head))
                elif now - head.checkpoint_time >= self.options.heartbeat:
                    fields = heartbeat_fields(instance=self.instance)
                    fields["index"] = frontier.size
                    fields["time"] = format_time(now)
                    data = canonical(fields)
                    tx.add_records(frontier.size, [data])
                    frontier.append(leaf_hash(data))
                    tx.set_head(self._sign(tx, frontier, now, head))
        except AuditError as error:
            # Nobody is waiting on these; the next append or tick tries again.
            log.warning("audit checkpoint or heartbeat failed: %s", error)
