"""The PostgreSQL audit store against a real server: one tree across replicas, append-only
roles, kill -9 mid-append, a database restart, deleted rows and a restored backup.

Replicas are separate processes (fresh interpreters), each with its own `AuditLog` and pool,
appending to one database at once, as gateways on several hosts do.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

import psycopg
import pytest

from privacy_guard.audit import AuditLog, LogOptions
from privacy_guard.audit.checkpoint import Checkpoint, SignedNote
from privacy_guard.audit.merkle import leaf_hash, verify_consistency
from privacy_guard.audit.postgres_store import (
    SCHEMA_VERSION,
    PostgresStore,
    roles_sql,
    schema_sql,
)
from privacy_guard.audit.proofs import consistency_bundle, verify_bundle
from privacy_guard.audit.store import HeadMoved
from privacy_guard.audit.verify import verify_log
from privacy_guard.errors import AuditError, AuditStoreError
from tests.support.audit import LogFixture, decision, make_fixture
from tests.support.postgres import Cluster, create_database, drop_database, with_database

ROOT = Path(__file__).resolve().parents[1]


def _open(fx: LogFixture, url: str, instance: str = "gw-1", **options: object) -> AuditLog:
    return AuditLog(
        PostgresStore(url),
        signer=fx.signer,
        hmac_key=fx.hmac_key,
        instance=instance,
        options=LogOptions(**options),  # type: ignore[arg-type]
    )


def _checkpoint_chain_is_consistent(store: PostgresStore, fx: LogFixture) -> int:
    """Sizes strictly increase and every checkpoint is consistent with the one before."""
    notes = [c.note for c in store.checkpoints()]
    sizes = [Checkpoint.parse(SignedNote.parse(n).text).size for n in notes]
    assert sizes == sorted(set(sizes)), "checkpoint sizes must strictly increase"
    for old, new in pairwise(notes):
        bundle = consistency_bundle(store, old, new)
        verify_bundle(json.dumps(bundle), fx.keyring)
    return len(notes)


def test_schema_is_created_once_and_versioned(pg_url: str, tmp_path: Path) -> None:
    store = PostgresStore(pg_url)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.migrate() == []  # a second replica starting finds it done
    assert store.head() is None  # never written
    store.close()
    readonly = PostgresStore(pg_url, readonly=True)
    with pytest.raises(AuditStoreError, match="read-only"), readonly.transaction():
        pass
    readonly.close()
    assert "CREATE TABLE audit_records" in schema_sql()


def test_an_older_schema_is_migrated_in_place(pg_url: str, tmp_path: Path) -> None:
    """A database left at migration 1 (a log written by an older release) gets the later
    migrations on the next start, its records untouched."""
    from privacy_guard.audit.postgres_store import _VERSION_TABLE, MIGRATIONS

    with psycopg.connect(pg_url, autocommit=True) as conn, conn.transaction():
        conn.execute(_VERSION_TABLE)  # type: ignore[arg-type]
        conn.execute(MIGRATIONS[0][1])  # type: ignore[arg-type]
        conn.execute("INSERT INTO audit_schema_version (version) VALUES (1)")
    fx = make_fixture(tmp_path)
    store = PostgresStore(pg_url, migrate=False)
    assert store.schema_version() == 1
    assert store.migrate() == [m for m, _ in MIGRATIONS[1:]]
    assert store.schema_version() == SCHEMA_VERSION
    store.close()
    with _open(fx, pg_url) as audit:
        assert audit.append_decision(decision(0)) == 0


def test_an_empty_database_is_not_a_log_for_readers(pg_url: str) -> None:
    with pytest.raises(AuditStoreError, match="no privacy-guard audit log"):
        PostgresStore(pg_url, readonly=True)


def test_appends_verify_and_match_the_sqlite_format(pg_url: str, tmp_path: Path) -> None:
    fx = make_fixture(tmp_path)
    with _open(fx, pg_url, checkpoint_every=10) as audit:
        indices = [audit.append_decision(decision(i)) for i in range(35)]
    assert indices == list(range(35))
    store = PostgresStore(pg_url, readonly=True)
    report = verify_log(store, fx.keyring, strict=True)
    assert report.valid, report.problems
    assert report.records == 35 and report.checkpoints == 4  # 10, 20, 30 and the close
    # The bytes stored are the canonical record, with its index: the SQLite format.
    data = store.record(7)
    assert data is not None and json.loads(data)["index"] == 7
    assert [i for i, _ in store.records(30)] == list(range(30, 35))
    assert [i for i, _ in store.records(3, 6)] == [3, 4, 5]
    _checkpoint_chain_is_consistent(store, fx)
    store.close()


_REPLICA = """
import sys, threading, time
sys.path.insert(0, sys.argv[1])
from privacy_guard.audit import AuditLog, LogOptions
from privacy_guard.audit.keys import load_hmac_key, load_signer
from privacy_guard.audit.postgres_store import PostgresStore
from tests.support.audit import ORIGIN, decision
from pathlib import Path
folder, url, name, count = Path(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
audit = AuditLog(PostgresStore(url), signer=load_signer(folder / "signing.pem", ORIGIN),
                 hmac_key=load_hmac_key(folder / "hmac.key"), instance=name,
                 options=LogOptions(checkpoint_every=int(sys.argv[6]), checkpoint_interval=0.05))
base = int(sys.argv[7])
out = []
def work(t):
    for i in range(count):
        event = decision(base + t * 100000 + i)
        out.append(f"{audit.append_decision(event)} {event.request_id}")
threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
[t.start() for t in threads]; [t.join() for t in threads]
audit.close()
print("\\n".join(out), flush=True)
"""


def _replica(fx: LogFixture, url: str, name: str, count: int, every: int, base: int) -> object:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            _REPLICA,
            str(ROOT),
            str(fx.folder),
            url,
            name,
            str(count),
            str(every),
            str(base),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_three_replicas_extend_one_tree_without_gap_or_duplicate(
    pg_url: str, tmp_path: Path
) -> None:
    fx = make_fixture(tmp_path)
    procs = [_replica(fx, pg_url, f"gw-{r}", 60, 37, r * 10_000_000) for r in range(3)]
    acknowledged: dict[int, str] = {}
    for proc in procs:
        out, _ = proc.communicate(timeout=120)  # type: ignore[attr-defined]
        assert proc.returncode == 0  # type: ignore[attr-defined]
        for line in out.splitlines():
            index, request_id = line.split(" ")
            assert int(index) not in acknowledged, "an index was handed out twice"
            acknowledged[int(index)] = request_id
    assert len(acknowledged) == 3 * 8 * 60
    store = PostgresStore(pg_url, readonly=True)
    stored = dict(store.records())
    assert sorted(stored) == list(range(len(stored)))  # no gap
    for index, request_id in acknowledged.items():
        assert json.loads(stored[index])["request_id"] == request_id
    assert {json.loads(d)["instance"] for d in stored.values()} >= {"gw-0", "gw-1", "gw-2"}
    report = verify_log(store, fx.keyring, strict=True)
    assert report.valid, report.problems
    assert _checkpoint_chain_is_consistent(store, fx) >= 3 * 8 * 60 // 37
    head = store.head()
    assert head is not None and head.size == len(stored) == head.checkpoint_size
    store.close()


def test_roles_may_insert_and_read_never_update_or_delete(
    pg_server: str, pg_url: str, tmp_path: Path
) -> None:
    fx = make_fixture(tmp_path)
    with _open(fx, pg_url) as audit:  # the owner creates the schema, then hands over
        for i in range(5):
            audit.append_decision(decision(i))
    suffix = os.urandom(4).hex()
    gateway, officer = f"gw_{suffix}", f"officer_{suffix}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(roles_sql(gateway, officer))  # type: ignore[arg-type]
    gateway_url = pg_url.replace("postgresql://postgres@", f"postgresql://{gateway}@")
    officer_url = pg_url.replace("postgresql://postgres@", f"postgresql://{officer}@")
    try:
        # The gateway's role appends through the log, like a replica.
        with _open(fx, gateway_url, "gw-role") as audit:
            assert audit.append_decision(decision(5)) == 5
        for sql in (
            "UPDATE audit_records SET data = 'x' WHERE idx = 1",
            "DELETE FROM audit_records WHERE idx = 1",
            "TRUNCATE audit_records",
            "DELETE FROM audit_checkpoints",
            "UPDATE audit_checkpoints SET note = 'x'",
            "UPDATE audit_meta SET value = 'x'",
            "DELETE FROM audit_head",
            "DROP TRIGGER audit_records_append_only ON audit_records",
            "ALTER TABLE audit_records DISABLE TRIGGER ALL",
        ):
            with psycopg.connect(gateway_url) as conn, pytest.raises(psycopg.Error) as raised:
                conn.execute(sql)  # type: ignore[arg-type]
            assert raised.value.sqlstate in ("42501", "42P01"), sql  # insufficient privilege
        # Officers read, and only read.
        reader = PostgresStore(officer_url, readonly=True)
        assert verify_log(reader, fx.keyring).valid
        reader.close()
        for sql in ("INSERT INTO audit_meta VALUES ('x', 'y')", "UPDATE audit_head SET size = 0"):
            with psycopg.connect(officer_url) as conn, pytest.raises(psycopg.Error) as raised:
                conn.execute(sql)  # type: ignore[arg-type]
            assert raised.value.sqlstate == "42501"
        # The trigger holds even for the tables' owner.
        for sql in (
            "UPDATE audit_records SET data = 'x' WHERE idx = 1",
            "DELETE FROM audit_records WHERE idx = 4",
            "TRUNCATE audit_checkpoints",
        ):
            with psycopg.connect(pg_url) as conn, pytest.raises(psycopg.Error) as raised:
                conn.execute(sql)  # type: ignore[arg-type]
            assert "append-only" in str(raised.value)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            for role in (gateway, officer):
                conn.execute(f'DROP OWNED BY "{role}"')  # type: ignore[arg-type]
                conn.execute(f'DROP ROLE "{role}"')  # type: ignore[arg-type]


_CRASH_WRITER = """
import os, sys, threading
sys.path.insert(0, sys.argv[1])
from privacy_guard.audit import AuditLog, LogOptions
from privacy_guard.audit.keys import load_hmac_key, load_signer
from privacy_guard.audit.postgres_store import PostgresStore
from tests.support.audit import ORIGIN, decision
from pathlib import Path
folder, url, base = Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
audit = AuditLog(PostgresStore(url), signer=load_signer(folder / "signing.pem", ORIGIN),
                 hmac_key=load_hmac_key(folder / "hmac.key"), instance="crash",
                 options=LogOptions(checkpoint_every=7, checkpoint_interval=0.01, heartbeat=0.05))
def work(t):
    for i in range(10**9):
        e = decision(base + t * 10**6 + i)
        index = audit.append_decision(e)
        os.write(1, f"{index} {e.request_id}\\n".encode())
threads = [threading.Thread(target=work, args=(t,), daemon=True) for t in range(4)]
[t.start() for t in threads]; [t.join() for t in threads]
"""


def test_kill_9_mid_append_loses_no_acknowledged_record(pg_url: str, tmp_path: Path) -> None:
    fx = make_fixture(tmp_path)
    _open(fx, pg_url).close()
    rng = random.Random(3)
    acknowledged: dict[int, str] = {}
    for round_ in range(8):
        # Two writers at once, one killed while the other keeps appending to the same tree.
        victim, survivor = (
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _CRASH_WRITER,
                    str(ROOT),
                    str(fx.folder),
                    pg_url,
                    str((2 * round_ + k) * 10**7),
                ],
                stdout=subprocess.PIPE,
            )
            for k in range(2)
        )
        # Both are appending (each acknowledged one record) before the kill, however slowly
        # this machine starts interpreters; the kill then lands anywhere in an append.
        first = [proc.stdout.readline() for proc in (victim, survivor)]  # type: ignore[union-attr]
        time.sleep(rng.uniform(0.0, 0.4))
        victim.send_signal(signal.SIGKILL)
        time.sleep(rng.uniform(0.05, 0.3))
        survivor.send_signal(signal.SIGKILL)
        for proc, head in zip((victim, survivor), first, strict=True):
            out, _ = proc.communicate(timeout=60)
            for line in (head + out).decode().splitlines():
                parts = line.split(" ")
                if len(parts) == 2:
                    assert int(parts[0]) not in acknowledged, "an index was handed out twice"
                    acknowledged[int(parts[0])] = parts[1]
    assert len(acknowledged) >= 16
    store = PostgresStore(pg_url, readonly=True)
    stored = dict(store.records())
    assert sorted(stored) == list(range(len(stored)))
    lost = [i for i, rid in acknowledged.items() if json.loads(stored[i])["request_id"] != rid]
    assert lost == []
    report = verify_log(store, fx.keyring)
    assert report.valid, report.problems
    store.close()
    # A new replica carries on from the head the killed ones left.
    with _open(fx, pg_url) as audit:
        assert audit.append_decision(decision(1)) == len(stored)


def test_database_restart_fails_closed_then_resumes_by_itself(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    url = create_database(pg_cluster.url)
    fx = make_fixture(tmp_path)
    audit = AuditLog(
        PostgresStore(url, wait_timeout=2.0),
        signer=fx.signer,
        hmac_key=fx.hmac_key,
        instance="gw-1",
        options=LogOptions(checkpoint_every=16, append_timeout=10.0),
    )
    try:
        before = [audit.append_decision(decision(i)) for i in range(20)]
        pg_cluster.stop()
        started = time.monotonic()
        with pytest.raises(AuditError):
            audit.append_decision(decision(100))
        assert time.monotonic() - started < 10  # fails closed promptly, no hang
        pg_cluster.start()
        # The same log object, no restart of the gateway: the pool replaced its connections.
        deadline = time.monotonic() + 30
        while True:
            try:
                after = audit.append_decision(decision(200))
                break
            except AuditError:
                assert time.monotonic() < deadline, "the log did not resume"
                time.sleep(0.2)
        assert after >= before[-1] + 1
        more = [audit.append_decision(decision(300 + i)) for i in range(5)]
        assert more == list(range(after + 1, after + 6))
    finally:
        audit.close()
    store = PostgresStore(url, readonly=True)
    report = verify_log(store, fx.keyring, strict=True)
    assert report.valid, report.problems
    store.close()
    drop_database(pg_cluster.url, url)


def _delete_as_superuser(url: str, where: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        # Someone with database access: a superuser switching the triggers off.
        conn.execute("SET session_replication_role = replica")
        conn.execute(f"DELETE FROM audit_records WHERE {where}")  # type: ignore[arg-type]


def test_deleted_rows_and_a_restored_backup_are_caught(pg_cluster: Cluster, tmp_path: Path) -> None:
    url = create_database(pg_cluster.url)
    fx = make_fixture(tmp_path)
    with _open(fx, url, checkpoint_every=10) as audit:
        for i in range(25):
            audit.append_decision(decision(i))
    bin_dir = pg_cluster.bin
    dump = tmp_path / "backup.sql"
    subprocess.run(
        [str(bin_dir / "pg_dump"), "--dbname", url, "--file", str(dump)], check=True, timeout=60
    )
    with _open(fx, url, checkpoint_every=10) as audit:
        for i in range(25, 60):
            audit.append_decision(decision(i))
        kept = audit.checkpoint().note  # the officer keeps the latest checkpoint
    # 1. A restored old backup: the log is shorter than the kept checkpoint.
    restored = create_database(pg_cluster.url, "restored")
    subprocess.run(
        [str(bin_dir / "psql"), "--quiet", "--dbname", restored, "--file", str(dump)],
        check=True,
        timeout=60,
        capture_output=True,
    )
    store = PostgresStore(restored, readonly=True)
    report = verify_log(store, fx.keyring, kept=[("kept.txt", kept)])
    store.close()
    assert {p.code for p in report.problems} == {"truncated"}
    # 2. Rows deleted from the middle and from the tail.
    _delete_as_superuser(url, "idx IN (12, 13)")
    store = PostgresStore(url, readonly=True)
    report = verify_log(store, fx.keyring, kept=[("kept.txt", kept)])
    assert "deleted" in {p.code for p in report.problems}
    store.close()
    _delete_as_superuser(url, "idx >= 50")
    store = PostgresStore(url, readonly=True)
    report = verify_log(store, fx.keyring, kept=[("kept.txt", kept)])
    assert "truncated" in {p.code for p in report.problems}
    # A writer refuses to append to a log whose head no longer matches its records.
    with pytest.raises(AuditStoreError, match="audit verify"):
        _open(fx, url)
    store.close()
    for db in (url, restored):
        drop_database(pg_cluster.url, db)


def test_checkpoints_never_cover_an_uncommitted_record(pg_url: str, tmp_path: Path) -> None:
    """A transaction that fails after signing leaves neither its records nor its checkpoint."""
    fx = make_fixture(tmp_path)
    with _open(fx, pg_url, checkpoint_every=4) as audit:
        for i in range(4):
            audit.append_decision(decision(i))
    store = PostgresStore(pg_url)
    before = len(store.checkpoints())
    with pytest.raises(RuntimeError), store.transaction() as tx:
        head = tx.head()
        assert head is not None
        tx.add_records(head.size, [b'{"x":1}'])
        tx.add_checkpoint(head.size + 1, time.time(), "note")
        raise RuntimeError("crash before commit")
    assert len(store.checkpoints()) == before and store.count() == 4
    store.close()


def test_concurrent_appends_in_one_process_share_transactions(pg_url: str, tmp_path: Path) -> None:
    fx = make_fixture(tmp_path)
    audit = _open(fx, pg_url, checkpoint_every=10_000)
    results: list[int] = []
    lock = threading.Lock()

    def work(t: int) -> None:
        for i in range(25):
            index = audit.append_decision(decision(t * 1000 + i))
            with lock:
                results.append(index)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    audit.close()
    assert sorted(results) == list(range(400))
    with psycopg.connect(pg_url) as conn:
        # Fewer commits than records: the xact counter of this database tells.
        row = conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None and row[0] < 400
    store = PostgresStore(pg_url, readonly=True)
    leaves = [leaf_hash(d) for _, d in store.records()]
    assert len(leaves) == 400
    store.close()


def test_url_database_swap_helper() -> None:
    assert with_database("postgresql://u@h:1/a?sslmode=disable", "b") == (
        "postgresql://u@h:1/b?sslmode=disable"
    )


def test_consistency_is_checked_between_successive_checkpoints(pg_url: str, tmp_path: Path) -> None:
    fx = make_fixture(tmp_path)
    with _open(fx, pg_url, checkpoint_every=5) as audit:
        for i in range(23):
            audit.append_decision(decision(i))
    store = PostgresStore(pg_url, readonly=True)
    notes = store.checkpoints()
    sizes = [c.size for c in notes]
    assert sizes == [5, 10, 15, 20, 23]
    a, b = (Checkpoint.parse(SignedNote.parse(n.note).text) for n in notes[:2])
    bundle = consistency_bundle(store, notes[0].note, notes[1].note)
    from base64 import b64decode

    verify_consistency(a.size, b.size, [b64decode(h) for h in bundle["proof"]], a.root, b.root)
    store.close()


def test_config_names_the_database_and_keeps_its_password_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from privacy_guard.audit.stores import configured_target, is_url, password_from
    from privacy_guard.config import load_config
    from privacy_guard.errors import ConfigFileError

    config = tmp_path / "privacy-guard.yaml"
    url = "postgresql://audit_gateway@db.internal:5432/audit?sslmode=verify-full"
    config.write_text(f"audit:\n  url: {url}\n  password_env: PG_AUDIT_PASSWORD_TEST\n")
    settings = load_config(config).audit
    assert configured_target(settings) == url and is_url(url) and not is_url(str(tmp_path))
    monkeypatch.delenv("PG_AUDIT_PASSWORD_TEST", raising=False)
    with pytest.raises(AuditStoreError, match="PG_AUDIT_PASSWORD_TEST"):
        password_from(settings)
    monkeypatch.setenv("PG_AUDIT_PASSWORD_TEST", "s3cret-pw")
    assert password_from(settings) == "s3cret-pw"
    config.write_text("audit:\n  url: postgresql://gw:s3cret-pw@db/audit\n")
    with pytest.raises(ConfigFileError) as refused:
        load_config(config)
    assert "password" in str(refused.value) and "s3cret-pw" not in str(refused.value)


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    from tests.support.postgres import free_port

    started = time.monotonic()
    with pytest.raises(AuditStoreError, match="cannot connect") as refused:
        PostgresStore(f"postgresql://gw@127.0.0.1:{free_port()}/audit", connect_timeout=1)
    assert time.monotonic() - started < 15
    assert "gw@" not in str(refused.value)  # the user (like any secret in the URL) is not shown


def test_an_acknowledged_append_is_flushed_to_disk(pg_url: str, tmp_path: Path) -> None:
    """Records alone commit without waiting for the flush (to release the sequencer at once),
    then force it before answering: when an append returns, the server's WAL is flushed as far
    as it was written. Without the forced flush most appends would return with their commit
    still in memory (the WAL writer flushes every 200 ms)."""
    fx = make_fixture(tmp_path)
    unflushed = 0
    with _open(fx, pg_url) as audit, psycopg.connect(pg_url, autocommit=True) as monitor:
        for i in range(60):
            audit.append_decision(decision(i))
            row = monitor.execute(
                "SELECT pg_current_wal_flush_lsn() >= pg_current_wal_insert_lsn()"
            ).fetchone()
            unflushed += not (row and row[0])
    assert unflushed <= 6  # background writes (autovacuum, hint bits) may add a little WAL


def test_a_replica_whose_head_moved_numbers_its_batch_again(pg_url: str, tmp_path: Path) -> None:
    """Two replicas taking turns: each append of one starts from the head it last wrote, finds
    the other moved it (nothing written), and is numbered again from the real head."""
    fx = make_fixture(tmp_path)
    first, second = _open(fx, pg_url, "gw-a"), _open(fx, pg_url, "gw-b")
    moved = 0
    for store in (first.store, second.store):
        original = store.append_transaction  # type: ignore[attr-defined]

        def counting(original=original):  # type: ignore[no-untyped-def]
            nonlocal moved
            try:
                with original() as tx:
                    yield tx
            except HeadMoved:
                moved += 1
                raise

        store.append_transaction = contextmanager(counting)  # type: ignore[attr-defined]
    try:
        indices = []
        for i in range(6):
            indices.append(first.append_decision(decision(2 * i)))
            indices.append(second.append_decision(decision(2 * i + 1)))
    finally:
        first.close()
        second.close()
    assert indices == list(range(12))
    assert moved >= 1
    store = PostgresStore(pg_url, readonly=True)
    assert verify_log(store, fx.keyring, strict=True).valid
    assert [json.loads(d)["instance"] for _, d in store.records()] == ["gw-a", "gw-b"] * 6
    store.close()
