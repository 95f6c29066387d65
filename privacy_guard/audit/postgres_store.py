"""The audit store of a fleet: one PostgreSQL database that every gateway replica appends to.

Same format as the SQLite store (records are the canonical bytes, checkpoints the signed notes),
so the verifier, proofs, reports and exports do not know which store they read.

* **One sequence, no gap, no duplicate.** Every write transaction starts by locking the single
  row of `audit_head` (`SELECT … FOR UPDATE`); the head holds the log's size and its Merkle
  frontier (the compact range). Whichever replica holds the lock reads the size, numbers its
  records from there, extends the frontier, stores both back and commits; the next replica waits
  for the lock and continues from the new head. `audit_records.idx` is the primary key, so even
  a buggy writer cannot store an index twice.
* **Group commit per replica.** `AuditLog`'s writer thread hands everything that is pending in
  the process to one transaction: many requests share one lock round and one commit. Appends
  go through `append_transaction()`, which starts from the head this replica last wrote and
  sends lock, check, writes and COMMIT in one round trip (`HeadMoved` when the head moved).
* **Durable before acknowledged.** Sessions run with `synchronous_commit = on`, and a
  checkpoint is committed synchronously in the transaction of the records it covers: when it
  becomes visible it is on disk (and on synchronous standbys), so no checkpoint ever covers a
  record that is not durable. A transaction of records alone commits without waiting for the
  flush, which releases the sequencer's lock at once, then forces the flush with a small
  transaction of its own (`_FLUSH_WAL`) before anyone is answered: the replicas' flushes
  overlap instead of queueing behind the lock. Records so committed may be read a moment
  before they are durable; a server crash in that moment loses them — unacknowledged, never
  covered by a checkpoint — and the next record takes their index. A replica killed
  mid-transaction leaves nothing: the server rolls back when the connection drops.
* **Append-only in the database.** A trigger raises on UPDATE or DELETE of records, checkpoints
  and metadata (and on TRUNCATE), whoever runs it; the grants of `ROLES_SQL` keep the gateway's
  role to INSERT and SELECT (plus UPDATE of the one head row), officers to SELECT.
* **Failing closed, recovering by itself.** Every psycopg error becomes `AuditStoreError` (the
  request gets 503 `audit_unavailable`); the pool checks a connection before lending it and
  replaces broken ones, so service resumes on its own once the database is back.

The schema is created on first start by numbered migrations (`MIGRATIONS`), applied once each,
under an advisory lock so that replicas starting together do not race.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from privacy_guard.audit.merkle import CompactRange, leaf_hash
from privacy_guard.audit.store import AuditStore, Head, HeadMoved, StoredCheckpoint
from privacy_guard.errors import AuditStoreError

STORE_FORMAT = "privacy-guard-audit-postgresql/1"
_BATCH = 10_000  # records per fetch while streaming
_MIGRATION_LOCK = 0x70726976_61637947  # pg_advisory_xact_lock key: "privacyG"

# Numbered, applied in order, never edited once released: a new change is a new entry.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
CREATE TABLE audit_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE audit_records (idx bigint PRIMARY KEY CHECK (idx >= 0), data bytea NOT NULL);
CREATE TABLE audit_checkpoints (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    size bigint NOT NULL CHECK (size >= 0),
    time double precision NOT NULL,
    note text NOT NULL
);
CREATE INDEX audit_checkpoints_by_size ON audit_checkpoints (size);
-- One row, locked FOR UPDATE by every write transaction: the log's sequencer.
-- checkpoint_time IS NULL: the log was never written.
CREATE TABLE audit_head (
    id integer PRIMARY KEY CHECK (id = 0),
    size bigint NOT NULL,
    frontier bytea NOT NULL,
    checkpoint_size bigint NOT NULL,
    checkpoint_time double precision
);
INSERT INTO audit_head VALUES (0, 0, '', 0, NULL);
INSERT INTO audit_meta VALUES ('format', 'privacy-guard-audit-postgresql/1');
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'privacy-guard audit log: % on % is not allowed (append-only)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_meta_append_only BEFORE UPDATE OR DELETE ON audit_meta
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_meta_no_truncate BEFORE TRUNCATE ON audit_meta
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
-- The head is updated by every append, but never deleted.
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
""",
    ),
    (
        2,
        """
-- The Responses vault (privacy_guard/vault/postgres_store.py) beside the log: sealed
-- placeholder maps under keyed hashes of chain ids, replaced and deleted as chains go on and
-- expire; unlike the log's tables, not append-only.
CREATE TABLE IF NOT EXISTS vault_entries (
    key bytea PRIMARY KEY,
    blob bytea NOT NULL,
    expires_at double precision NOT NULL
);
CREATE INDEX IF NOT EXISTS vault_expiry ON vault_entries (expires_at);
""",
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS audit_schema_version (
    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now()
)"""

# The roles of a fleet, for a database administrator to run once (`privacy-guard audit
# init-db --print-sql`). The tables belong to the administrator who ran the migrations, not to
# the gateway: an owner could drop the trigger, a role with only these grants cannot.
ROLES_SQL = """\
-- Roles (LOGIN with a password or a certificate, as your site does it).
CREATE ROLE {gateway} LOGIN;
CREATE ROLE {officer} LOGIN;
GRANT USAGE ON SCHEMA {schema} TO {gateway}, {officer};
-- The gateways insert and read; the one head row is their sequencer, updated by each append.
GRANT SELECT, INSERT ON audit_records, audit_checkpoints, audit_meta TO {gateway};
GRANT SELECT, UPDATE ON audit_head TO {gateway};
GRANT SELECT ON audit_schema_version TO {gateway};
-- The Responses vault's sealed entries: the gateways' only table they may change or delete.
GRANT SELECT, INSERT, UPDATE, DELETE ON vault_entries TO {gateway};
-- Officers read only.
GRANT SELECT ON audit_records, audit_checkpoints, audit_meta, audit_head,
    audit_schema_version TO {officer};
-- Nobody but the owner may change the schema or the triggers.
REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC;
"""


def schema_sql() -> str:
    """Every migration as one script (what `audit init-db --print-sql` prints)."""
    parts = [_VERSION_TABLE.strip() + ";"]
    for version, body in MIGRATIONS:
        parts.append(f"-- migration {version}\n{body.strip()}")
        parts.append(f"INSERT INTO audit_schema_version (version) VALUES ({version});")
    return "\n".join(parts) + "\n"


def roles_sql(
    gateway: str = "audit_gateway", officer: str = "audit_officer", schema: str = "public"
) -> str:
    ident = lambda name: sql.Identifier(name).as_string(None)  # noqa: E731
    return ROLES_SQL.format(gateway=ident(gateway), officer=ident(officer), schema=ident(schema))


def redacted_url(url: str) -> str:
    """The URL without user info or query, for messages (it may name a password file)."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.Error:
        return "postgresql://…"
    host, port, db = params.get("host", ""), params.get("port"), params.get("dbname", "")
    return f"postgresql://{host}{':' + str(port) if port else ''}/{db}"


def _store_error(action: str, where: str, error: BaseException) -> AuditStoreError:
    # psycopg's messages can quote a row ("Key (idx)=(5) already exists"); records hold no
    # personal data, but the error names only the class and SQLSTATE to stay on the safe side.
    state = getattr(error, "sqlstate", None)
    detail = type(error).__name__ + (f", SQLSTATE {state}" if state else "")
    return AuditStoreError(f"audit store {where}: cannot {action} ({detail})")


class _Transaction:
    """One write transaction, holding the head row's lock.

    Writes are buffered and sent at commit in one pipeline — records, checkpoint, head and the
    COMMIT itself — so that the lock is held for three round trips in all (lock, writes +
    commit, plus the pool's check), not one per statement: under the lock is where replicas
    queue for each other."""

    def __init__(
        self, conn: psycopg.Connection[Any], head: Head | None, *, assumed: bool = False
    ) -> None:
        self._conn = conn
        self._head = head
        # True: `head` is what this store last wrote, not yet locked nor read; the commit's
        # pipeline locks the row and checks it first (`append_transaction`).
        self.assumed = assumed
        self._records: list[tuple[int, bytes]] = []
        self._statements: list[tuple[str, tuple[object, ...]]] = []
        self.signs = False  # holds a checkpoint: must be durable before anyone can see it
        self._assumed = head if assumed else Head(0, b"", 0, 0.0)

    def head(self) -> Head | None:
        return self._head

    def add_records(self, first_index: int, records: Sequence[bytes]) -> None:
        self._records.extend((first_index + offset, data) for offset, data in enumerate(records))
        if len(self._records) >= _FLUSH_ROWS:  # a bulk import: do not hold it all in memory
            self.flush()

    def add_checkpoint(self, size: int, time: float, note: str) -> None:
        self.signs = True
        self._statements.append(
            ("INSERT INTO audit_checkpoints (size, time, note) VALUES (%s, %s, %s)",
             (size, time, note))
        )  # fmt: skip

    def set_head(self, head: Head) -> None:
        self._statements.append(
            (
                "UPDATE audit_head SET size = %s, frontier = %s, checkpoint_size = %s, "
                "checkpoint_time = %s WHERE id = 0",
                (head.size, head.frontier, head.checkpoint_size, head.checkpoint_time),
            )
        )
        self._head = head

    def set_meta(self, key: str, value: str) -> None:
        # Metadata is written once (the origin); a replica racing to set the same value wins
        # nothing and loses nothing. `AuditLog` checks a differing value before appending.
        self._statements.append(
            (
                "INSERT INTO audit_meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                (key, value),
            )
        )

    def flush(self, *, commit: bool = False, early_release: bool = False) -> None:
        """Send everything buffered (and COMMIT) in one pipeline; raises psycopg.Error. The
        order inside does not matter: nothing is visible to anyone before the COMMIT."""
        records, self._records = self._records, []
        statements, self._statements = self._statements, []
        with self._conn.pipeline(), self._conn.cursor() as cur:
            if self.assumed:
                self.assumed = False
                head = self._assumed
                cur.execute("BEGIN")
                cur.execute(f"SELECT {_HEAD_COLUMNS} FROM audit_head WHERE id = 0 FOR UPDATE")
                # Division by zero, aborting everything after it, unless the locked head is
                # the one assumed: then this transaction is exactly the locking one.
                cur.execute(
                    "SELECT 1 / count(*) FROM audit_head WHERE id = 0 AND size = %s AND "
                    "frontier = %s AND checkpoint_size = %s AND checkpoint_time = %s",
                    (head.size, head.frontier, head.checkpoint_size, head.checkpoint_time),
                )
            if records:
                cur.executemany(_INSERT_RECORDS, records)
            for sql, params in statements:
                cur.execute(sql, params)  # type: ignore[arg-type]
            if commit:
                early = early_release and not self.signs
                if early:
                    # Records alone: release the sequencer at COMMIT without waiting for the
                    # WAL flush, so other replicas go on while this one waits. A checkpoint
                    # is always committed synchronously.
                    cur.execute("SET LOCAL synchronous_commit = off")
                cur.execute("COMMIT")
                if early:
                    # Durable before acknowledged: a transaction of ours that writes WAL and
                    # commits synchronously returns once the WAL is flushed up to its commit
                    # record, which lies after ours — in this same round trip, but after the
                    # lock was released, so the replicas' flushes overlap (the server groups
                    # them) instead of queueing behind the lock.
                    cur.execute(_FLUSH_WAL)


class _QuietPipelineAbort(logging.Filter):
    """psycopg logs "error ignored terminating <Pipeline>: pipeline aborted" when a pipeline is
    left by an exception: for `append_transaction` that is the expected `HeadMoved` path (the
    exception itself is handled), not something for the gateway's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("error ignored terminating")


logging.getLogger("psycopg").addFilter(_QuietPipelineAbort())

_LOCK_FIRST_AFTER_MOVE = 64  # after a moved head, appends that lock first before trying again
_INSERT_RECORDS = "INSERT INTO audit_records (idx, data) VALUES (%s, %b)"
# Writes a WAL record in a transaction with an id, so its synchronous commit flushes the WAL
# (a transaction that writes nothing, like `SELECT txid_current()`, commits without a flush).
# Harmless where logical decoding runs: a transactional message with this prefix, empty.
_FLUSH_WAL = "SELECT pg_logical_emit_message(true, 'privacy-guard-audit', '')"
_FLUSH_ROWS = 50_000


def _head_of(row: tuple[Any, ...] | None) -> Head | None:
    if row is None or row[3] is None:
        return None
    return Head(int(row[0]), bytes(row[1]), int(row[2]), float(row[3]))


_HEAD_COLUMNS = "size, frontier, checkpoint_size, checkpoint_time"


class PostgresStore:
    """An `AuditStore` in a PostgreSQL database.

    `readonly` is for officers and tools: no migration, no write, read-only sessions.
    `password` is given to libpq next to the URL (from the config's `password_env`); libpq's
    own PGPASSWORD and ~/.pgpass work too. `lock_timeout`: how long a request may wait for the
    sequencer's row lock before failing closed.
    """

    def __init__(
        self,
        url: str,
        *,
        password: str | None = None,
        readonly: bool = False,
        pool_size: int = 4,
        connect_timeout: float = 5.0,
        wait_timeout: float = 5.0,
        lock_timeout: float = 30.0,
        migrate: bool = True,
    ) -> None:
        self.url = url
        self.where = redacted_url(url)
        self.readonly = readonly
        self._wait_timeout = wait_timeout
        self._lock = threading.RLock()  # one write transaction at a time in this process
        self._known_head: Head | None = None  # as this store last committed it
        self._lock_first = 0  # appends left that take the lock first (`append_transaction`)
        try:
            given = conninfo_to_dict(url)
        except psycopg.Error as error:
            raise _store_error("parse the url", self.where, error) from None
        kwargs: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in given:
            kwargs["connect_timeout"] = max(1, round(connect_timeout))
        if password is not None:
            kwargs["password"] = password
        settings = [
            # Durable on commit, whatever the server's default; also waits for synchronous
            # standbys when the deployment has them.
            "SET synchronous_commit = on",
            f"SET lock_timeout = '{int(lock_timeout * 1000)}ms'",
        ]
        if readonly:
            settings.append("SET default_transaction_read_only = on")

        def configure(conn: psycopg.Connection[Any]) -> None:
            for statement in settings:
                conn.execute(statement)

        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url,
            kwargs=kwargs,
            min_size=1,
            max_size=max(2, pool_size),  # a write transaction plus reads made while it runs
            open=False,
            configure=configure,
            # No check before lending a connection (a round trip per append): the write path
            # replaces a connection the server dropped by itself (`_lock_head`).
            timeout=wait_timeout,
            # Give up a reconnection attempt after a few seconds rather than backing off for
            # ever: the next request then starts a fresh attempt at once, so service resumes
            # within a second or so of the database coming back, however long it was away.
            reconnect_timeout=5.0,
            name="privacy-guard-audit",
        )
        try:
            self._pool.open(wait=True, timeout=connect_timeout + 1)
        except PoolTimeout:
            self._pool.close(timeout=0)
            raise AuditStoreError(
                f"audit store {self.where}: cannot connect to the database"
            ) from None
        try:
            if readonly or not migrate:
                self._check_format()
            else:
                self.migrate()
            self._early_release = not readonly and self._can_flush_wal()
        except BaseException:
            self._pool.close(timeout=0)
            raise

    def __repr__(self) -> str:
        return f"<PostgresStore {self.where}{' read-only' * self.readonly}>"

    # --- connections -----------------------------------------------------------------------

    @contextmanager
    def _connection(self, action: str) -> Iterator[psycopg.Connection[Any]]:
        try:
            with self._pool.connection(timeout=self._wait_timeout) as conn:
                yield conn
        except AuditStoreError:
            raise
        except (psycopg.Error, PoolTimeout) as error:
            raise _store_error(action, self.where, error) from None

    def _can_flush_wal(self) -> bool:
        """Whether this server lets us force a WAL flush (`_FLUSH_WAL`, PostgreSQL 9.6+, any
        role by default). Without it every append commits synchronously under the lock:
        just as durable, slower with several replicas."""
        with self._connection("probe the server") as conn:
            try:
                conn.execute(_FLUSH_WAL)
            except psycopg.Error:
                return False
        return True

    # --- schema ------------------------------------------------------------------------------

    def schema_version(self) -> int | None:
        with self._connection("read the schema version") as conn:
            found = conn.execute("SELECT to_regclass('audit_schema_version')").fetchone()
            if found is None or found[0] is None:
                return None
            row = conn.execute("SELECT max(version) FROM audit_schema_version").fetchone()
            return None if row is None or row[0] is None else int(row[0])

    def migrate(self) -> list[int]:
        """Apply the migrations this database lacks; returns their numbers. Replicas starting
        at once serialise on an advisory lock, and each migration commits with its number."""
        version = self.schema_version()
        if version == SCHEMA_VERSION:
            self._check_format()
            return []
        if version is not None and version > SCHEMA_VERSION:
            raise AuditStoreError(
                f"audit store {self.where}: schema version {version} is newer than this "
                f"privacy-guard knows ({SCHEMA_VERSION}); upgrade privacy-guard"
            )
        applied: list[int] = []
        with self._connection("create the schema") as conn:
            try:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                    conn.execute(_VERSION_TABLE)
                    row = conn.execute("SELECT max(version) FROM audit_schema_version").fetchone()
                    current = int(row[0]) if row and row[0] is not None else 0
                    for number, body in MIGRATIONS:
                        if number > current:
                            conn.execute(body)  # type: ignore[arg-type]
                            conn.execute(
                                "INSERT INTO audit_schema_version (version) VALUES (%s)",
                                (number,),
                            )
                            applied.append(number)
            except psycopg.errors.InsufficientPrivilege:
                raise AuditStoreError(
                    f"audit store {self.where}: the schema is missing and this role may not "
                    "create it; have the database owner run `privacy-guard audit init-db`"
                ) from None
        self._check_format()
        return applied

    def _check_format(self) -> None:
        with self._connection("read the log") as conn:
            try:
                row = conn.execute("SELECT value FROM audit_meta WHERE key = 'format'").fetchone()
            except psycopg.errors.UndefinedTable:
                row = None
        if row is None or row[0] != STORE_FORMAT:
            raise AuditStoreError(
                f"{self.where} holds no privacy-guard audit log "
                "(the gateway creates it on first start, or `privacy-guard audit init-db`)"
            )

    # --- writing -----------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        if self.readonly:
            raise AuditStoreError(f"audit store {self.where} is open read-only")
        with self._lock:
            conn, row = self._lock_head()
            try:
                if row is None:
                    raise AuditStoreError(f"audit store {self.where}: the head row is gone")
                tx = _Transaction(conn, _head_of(row))
                yield tx
                tx.flush(commit=True, early_release=self._early_release)
                self._known_head = tx.head()
            except BaseException as error:
                self._known_head = None
                if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    with suppress(psycopg.Error):
                        conn.execute("ROLLBACK")
                if isinstance(error, psycopg.Error):
                    raise _store_error("write", self.where, error) from None
                raise
            finally:
                self._pool.putconn(conn)

    @contextmanager
    def append_transaction(self) -> Iterator[_Transaction]:
        """`transaction()` for appends, starting from the head this store last committed
        without waiting for the lock first: the lock, a check that the head is still that one,
        the writes and the COMMIT then go in one round trip. If another writer moved the head,
        nothing is written and `HeadMoved` is raised (`AuditLog` numbers the batch again); after
        that, the next appends take the lock first for a while — with several busy replicas
        the head has usually moved. After any failure the next append takes the lock first
        too, which also replaces connections a restarted server dropped (`_lock_head`)."""
        with self._lock:
            known = self._known_head
            if known is None or self._lock_first > 0:
                self._lock_first = max(self._lock_first - 1, 0)
                with self.transaction() as locked:  # re-enters the (reentrant) lock
                    yield locked
                return
            try:
                conn = self._pool.getconn(timeout=self._wait_timeout)
            except PoolTimeout as error:
                raise _store_error("write", self.where, error) from None
            try:
                tx = _Transaction(conn, known, assumed=True)
                yield tx
                tx.flush(commit=True, early_release=self._early_release)
                self._known_head = tx.head()
            except BaseException as error:
                self._known_head = None
                if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    with suppress(psycopg.Error):
                        conn.execute("ROLLBACK")
                if isinstance(error, psycopg.errors.DivisionByZero):
                    self._lock_first = _LOCK_FIRST_AFTER_MOVE
                    raise HeadMoved("another writer moved the head") from None
                if isinstance(error, psycopg.Error):
                    raise _store_error("write", self.where, error) from None
                raise
            finally:
                self._pool.putconn(conn)

    def _lock_head(self) -> tuple[psycopg.Connection[Any], tuple[Any, ...] | None]:
        """A connection in a transaction holding the head's row lock, and the head: BEGIN and
        the lock in one round trip. A pooled connection the server dropped (it restarted) is
        discarded and another tried, so the first request after an outage does not fail;
        nothing was written on it, so trying again is safe."""
        attempts = self._pool.max_size + 1
        for attempt in range(attempts):
            try:
                conn = self._pool.getconn(timeout=self._wait_timeout)
            except PoolTimeout as error:
                raise _store_error("write", self.where, error) from None
            try:
                with conn.pipeline():
                    conn.execute("BEGIN")
                    row = conn.execute(
                        f"SELECT {_HEAD_COLUMNS} FROM audit_head WHERE id = 0 FOR UPDATE"
                    ).fetchone()
                return conn, row
            except psycopg.Error as error:
                broken = conn.broken or conn.closed
                if not broken:
                    with suppress(psycopg.Error):
                        conn.execute("ROLLBACK")
                self._pool.putconn(conn)  # a broken one is discarded by the pool
                if not broken or attempt == attempts - 1:
                    raise _store_error("write", self.where, error) from None
        raise AssertionError("unreachable")

    # --- reading -----------------------------------------------------------------------------

    def head(self) -> Head | None:
        with self._connection("read") as conn:
            row = conn.execute(f"SELECT {_HEAD_COLUMNS} FROM audit_head WHERE id = 0").fetchone()
        return _head_of(row)

    def meta(self, key: str) -> str | None:
        with self._connection("read") as conn:
            row = conn.execute("SELECT value FROM audit_meta WHERE key = %s", (key,)).fetchone()
        return None if row is None else str(row[0])

    def count(self) -> int:
        with self._connection("read") as conn:
            row = conn.execute("SELECT count(*) FROM audit_records").fetchone()
        return int(row[0]) if row else 0

    def records(self, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
        """Streamed through a server-side cursor in binary (bytea arrives as raw bytes, no hex
        decoding), in batches fetched by a helper thread while the caller works on the previous
        batch (psycopg waits for the network without the GIL): verifying a million records
        overlaps the database's work with the hashing, and never holds them all in memory."""
        query = "SELECT idx, data FROM audit_records WHERE idx >= %s"
        params: tuple[object, ...] = (start,)
        if end is not None:
            query += " AND idx < %s"
            params += (end,)
        batches: queue.Queue[list[tuple[int, bytes]] | BaseException | None] = queue.Queue(4)
        stop = threading.Event()

        def fetch() -> None:
            try:
                with (
                    self._connection("read") as conn,
                    conn.transaction(),
                    conn.cursor(name="privacy_guard_records", binary=True) as cur,
                ):
                    cur.itersize = _BATCH
                    cur.execute(query + " ORDER BY idx", params)  # type: ignore[arg-type]
                    while not stop.is_set() and (rows := cur.fetchmany(_BATCH)):
                        batches.put(rows)
                batches.put(None)
            except BaseException as error:  # handed to the reader, raised there
                batches.put(
                    _store_error("read", self.where, error)
                    if isinstance(error, psycopg.Error)
                    else error
                )

        reader = threading.Thread(target=fetch, name="privacy-guard-audit-read", daemon=True)
        reader.start()
        try:
            while (batch := batches.get()) is not None:
                if isinstance(batch, BaseException):
                    raise batch
                yield from batch
        finally:
            stop.set()
            while reader.is_alive():  # let the fetcher finish its put and see `stop`
                with suppress(queue.Empty):
                    batches.get(timeout=0.05)

    def record(self, index: int) -> bytes | None:
        with self._connection("read") as conn:
            row = conn.execute(
                "SELECT data FROM audit_records WHERE idx = %s", (index,), binary=True
            ).fetchone()
        return None if row is None else bytes(row[0])

    def checkpoints(self) -> list[StoredCheckpoint]:
        with self._connection("read") as conn:
            rows = conn.execute(
                "SELECT size, time, note FROM audit_checkpoints ORDER BY size, time, id"
            ).fetchall()
        return [StoredCheckpoint(int(s), float(t), str(n)) for s, t, n in rows]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self._connection("read") as conn:
            row = conn.execute(
                "SELECT size, time, note FROM audit_checkpoints "
                "ORDER BY size DESC, time DESC, id DESC LIMIT 1"
            ).fetchone()
        return None if row is None else StoredCheckpoint(int(row[0]), float(row[1]), str(row[2]))

    def close(self) -> None:
        self._pool.close(timeout=5.0)

    # --- moving a log in -------------------------------------------------------------------------

    def import_log(self, source: AuditStore, *, batch: int = 10_000) -> int:
        """Copy another store's log into this empty one: every record with its index and exact
        bytes, every checkpoint note, the origin. The frontier is recomputed from the bytes, so
        checkpoints kept before the move verify against the copy. Returns the records copied."""
        origin = source.meta("origin")
        frontier = CompactRange()
        with self.transaction() as tx:
            if tx.head() is not None or self.count():
                raise AuditStoreError(
                    f"audit store {self.where} already holds a log; migrate into an empty one"
                )
            if origin is not None:
                tx.set_meta("origin", origin)
            chunk: list[bytes] = []
            first = 0
            for position, (index, data) in enumerate(source.records()):
                if index != position:
                    raise AuditStoreError(
                        f"the source log skips index {position}; run `audit verify` on it first"
                    )
                chunk.append(data)
                frontier.append(leaf_hash(data))
                if len(chunk) >= batch:
                    tx.add_records(first, chunk)
                    first += len(chunk)
                    chunk = []
            if chunk:
                tx.add_records(first, chunk)
            latest: StoredCheckpoint | None = None
            for stored in source.checkpoints():
                tx.add_checkpoint(stored.size, stored.time, stored.note)
                latest = stored
            tx.set_head(
                Head(
                    frontier.size,
                    frontier.to_bytes(),
                    latest.size if latest else 0,
                    latest.time if latest else time.time(),
                )
            )
        return frontier.size
