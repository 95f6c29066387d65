"""The audit sink: what it stores, group commit, checkpoints, several processes, failing closed."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from privacy_guard.audit import AuditLog, open_audit_log
from privacy_guard.audit.checkpoint import open_checkpoint
from privacy_guard.audit.keys import CALLER_DOMAIN, PROMPT_DOMAIN
from privacy_guard.audit.sqlite_store import SqliteStore
from privacy_guard.audit.verify import verify_log
from privacy_guard.config import AuditSettings
from privacy_guard.errors import (
    AuditError,
    AuditEventError,
    AuditKeyError,
    AuditStoreError,
)
from tests.support.audit import ORIGIN, LogFixture, decision, make_fixture, outcome, populate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fx(tmp_path: Path) -> LogFixture:
    return make_fixture(tmp_path)


def _records(fx: LogFixture) -> list[dict]:  # type: ignore[type-arg]
    store = fx.reader()
    try:
        return [json.loads(data) for _, data in store.records()]
    finally:
        store.close()


def test_a_decision_record_holds_what_the_issue_lists_and_digests_only(fx: LogFixture) -> None:
    event = decision(1)
    with fx.open() as audit:
        assert audit.append_decision(event) == 0
        assert audit.append_outcome(outcome(1, latency_ms=12.3456)) == 1
    first, second = _records(fx)
    assert first == {
        "v": 1,
        "type": "decision",
        "index": 0,
        "time": first["time"],
        "instance": "test-gw",
        "request_id": "req-000001",
        "team": "engineering",
        "caller_hmac": fx.hmac_key.digest(CALLER_DOMAIN, event.caller_key),
        "policy_id": "engineering",
        "policy_hash": event.policy_hash,
        "mode": "enforce",
        "requested_model": "gpt-4o",
        "routed_model": "gpt-4o",
        "routed_access": "saas-api",
        "routed_jurisdiction": "US",
        "action": "allow",
        "effective_action": "allow",
        "entities": {"EMAIL_ADDRESS": 1, "PERSON": 1},
        "rules": ["names-redacted"],
        "detector_hash": event.detector_hash,
        "prompt_hmac": fx.hmac_key.digest(PROMPT_DOMAIN, event.prompt_text),
        "hmac_key_id": fx.hmac_key.key_id,
        "error_code": None,
    }
    assert first["time"].endswith("Z") and len(first["time"]) == 27
    assert second["type"] == "outcome" and second["latency_us"] == 12346
    assert second["upstream_status"] == 200 and second["request_id"] == "req-000001"


def test_stored_bytes_are_canonical_json(fx: LogFixture) -> None:
    populate(fx, 3)
    store = fx.reader()
    for _, data in store.records():
        record = json.loads(data)
        assert (
            data
            == json.dumps(
                record, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode()
        )
    store.close()


@pytest.mark.parametrize(
    "change",
    [
        {"request_id": "jean.dupont@example.fr"},
        {"request_id": "req 1"},
        {"team": "Jean Dupont"},
        {"requested_model": "gpt-4o for jean@example.fr"},
        {"routed_model": "a\nb"},
        {"action": "maybe"},
        {"mode": "lenient"},
        {"routed_access": "cloud"},
        {"entity_counts": {"Jean Dupont": 1}},
        {"entity_counts": {"PERSON": -1}},
        {"rules": ("rule with spaces",)},
        {"error_code": "upstream said: Jean Dupont is not allowed"},
        {"prompt_text": None},
    ],
)
def test_free_text_where_an_identifier_belongs_is_refused(
    fx: LogFixture,
    change: dict,  # type: ignore[type-arg]
) -> None:
    with fx.open() as audit:
        with pytest.raises(AuditEventError) as caught:
            audit.append_decision(replace(decision(0), **change))
        for value in change.values():
            if isinstance(value, str):
                assert value not in str(caught.value)
        assert audit.append_decision(decision(1)) == 0  # nothing was written
    assert len(_records(fx)) == 1


def test_identifiers_the_policy_package_produces_are_accepted(fx: LogFixture) -> None:
    team = "t" * 64
    event = replace(
        decision(0),
        team=team,
        policy_id=team,
        rules=("hr.rules[2]", f"{team}.allowed_models", "default.secrets-never-leave"),
        entity_counts={"PROJECT_CODENAME": 3, "SECURITY_TICKET": 1},
        routed_jurisdiction="self-hosted",
        request_id="pg-" + "0f" * 16,
    )
    with fx.open() as audit:
        assert audit.append_decision(event) == 0
        # A fail-closed error before any policy was chosen.
        error = replace(event, policy_id="", policy_hash="", action="error", error_code="x_y")
        assert audit.append_decision(error) == 1


@pytest.mark.parametrize("change", [{"upstream_status": 42}, {"latency_ms": float("nan")}])
def test_bad_outcomes_are_refused(fx: LogFixture, change: dict) -> None:  # type: ignore[type-arg]
    with fx.open() as audit, pytest.raises(AuditEventError):
        audit.append_outcome(outcome(0, **change))


class _CountingStore(SqliteStore):
    transactions = 0

    @contextmanager
    def transaction(self):  # type: ignore[no-untyped-def,override]
        type(self).transactions += 1
        with super().transaction() as tx:
            yield tx


def test_concurrent_appends_share_commits_and_get_one_sequence(fx: LogFixture) -> None:
    store = _CountingStore(fx.db)
    audit = AuditLog(store, signer=fx.signer, hmac_key=fx.hmac_key, instance="gw")
    indices: list[int] = []
    lock = threading.Lock()

    def worker(t: int) -> None:
        for i in range(40):
            index = audit.append_decision(decision(t * 1000 + i))
            with lock:
                indices.append(index)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(24)]
    _CountingStore.transactions = 0
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    audit.close()
    assert sorted(indices) == list(range(24 * 40))
    # Group commit: far fewer transactions (fsyncs) than records.
    assert _CountingStore.transactions < 24 * 40 / 2
    stored = fx.reader()
    assert verify_log(stored, fx.keyring).valid
    stored.close()


def test_checkpoints_every_n_records_and_at_close(fx: LogFixture) -> None:
    populate(fx, 35, checkpoint_every=10)
    store = fx.reader()
    sizes = [open_checkpoint(c.note, fx.keyring).checkpoint.size for c in store.checkpoints()]
    assert sizes == [10, 20, 30, 35]
    report = verify_log(store, fx.keyring)
    assert report.valid and report.summary() == "35 records, 4 checkpoints: valid"
    store.close()


def test_a_large_batch_still_gets_a_checkpoint_every_n(fx: LogFixture) -> None:
    audit = fx.open(checkpoint_every=8)
    threads = [
        threading.Thread(target=lambda i=i: audit.append_decision(decision(i))) for i in range(50)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    audit.close()
    store = fx.reader()
    sizes = [open_checkpoint(c.note, fx.keyring).checkpoint.size for c in store.checkpoints()]
    assert sizes[:6] == [8, 16, 24, 32, 40, 48] and sizes[-1] == 50
    store.close()


def test_records_waiting_too_long_get_a_checkpoint_while_the_log_is_open(fx: LogFixture) -> None:
    audit = fx.open(checkpoint_interval=0.2)
    for i in range(3):
        audit.append_decision(decision(i))
    deadline = time.monotonic() + 5
    store = fx.reader()
    while time.monotonic() < deadline:
        latest = store.latest_checkpoint()
        if latest and latest.size == 3:
            break
        time.sleep(0.05)
    assert latest is not None and latest.size == 3
    audit.close()
    store.close()


def test_an_idle_log_writes_heartbeats(fx: LogFixture) -> None:
    audit = fx.open(heartbeat=0.2, checkpoint_interval=0.1)
    time.sleep(0.9)
    audit.close()
    records = _records(fx)
    assert records and {r["type"] for r in records} == {"heartbeat"}
    assert all(r["instance"] == "test-gw" for r in records)
    store = fx.reader()
    assert verify_log(store, fx.keyring, strict=True).valid
    store.close()


def test_async_appends(fx: LogFixture) -> None:
    async def main(audit: AuditLog) -> list[int]:
        return list(
            await asyncio.gather(*(audit.append_decision_async(decision(i)) for i in range(50)))
            + [await audit.append_outcome_async(outcome(1))]
        )

    with fx.open() as audit:
        indices = asyncio.run(main(audit))
    assert sorted(indices) == list(range(51))


class _BrokenStore(SqliteStore):
    broken = False

    @contextmanager
    def transaction(self):  # type: ignore[no-untyped-def,override]
        with super().transaction() as tx:
            yield tx
            if self.broken:
                raise AuditStoreError("audit store: cannot commit: disk I/O error")


def test_a_failed_commit_fails_every_caller_closed_and_writes_nothing(fx: LogFixture) -> None:
    store = _BrokenStore(fx.db)
    audit = AuditLog(store, signer=fx.signer, hmac_key=fx.hmac_key, instance="gw")
    assert audit.append_decision(decision(0)) == 0
    store.broken = True
    with pytest.raises(AuditError, match="disk I/O error"):
        audit.append_decision(decision(1))
    store.broken = False
    assert audit.append_decision(decision(2)) == 1
    audit.close()
    assert [r["request_id"] for r in _records(fx)] == ["req-000000", "req-000002"]


def test_a_closed_log_refuses_appends(fx: LogFixture) -> None:
    audit = fx.open()
    audit.close()
    with pytest.raises(AuditError, match="closed"):
        audit.append_decision(decision(0))


def test_a_head_that_does_not_match_the_records_stops_the_log(fx: LogFixture) -> None:
    populate(fx, 5)
    import sqlite3

    with sqlite3.connect(fx.db) as conn:
        conn.execute("DELETE FROM records WHERE idx = 4")
    with pytest.raises(AuditStoreError, match="audit verify"):
        fx.open()


def test_a_log_keeps_its_origin(fx: LogFixture, tmp_path: Path) -> None:
    populate(fx, 1)
    other = make_fixture(tmp_path / "other")
    from privacy_guard.audit.keys import Signer

    renamed = Signer("renamed.example/log", other.signer.private_key)
    with pytest.raises(AuditStoreError, match="origin"):
        AuditLog(SqliteStore(fx.db), signer=renamed, hmac_key=fx.hmac_key, instance="gw")


def test_open_audit_log_from_the_config(tmp_path: Path) -> None:
    fx = make_fixture(tmp_path / "keys")
    settings = AuditSettings(
        path=tmp_path / "audit" / "audit.db",
        signing_key=fx.folder / "signing.pem",
        hmac_key=fx.folder / "hmac.key",
        origin=ORIGIN,
        instance="gw-1",
        checkpoint_every=2,
    )
    with open_audit_log(settings) as audit:
        assert [audit.append_decision(decision(i)) for i in range(3)] == [0, 1, 2]
        assert audit.instance == "gw-1"
    store = SqliteStore(settings.path, readonly=True)
    assert verify_log(store, fx.keyring).summary() == "3 records, 2 checkpoints: valid"
    store.close()
    with pytest.raises(AuditKeyError, match="keys init"):
        open_audit_log(settings.model_copy(update={"hmac_key": tmp_path / "missing.key"}))
    os.chmod(fx.folder / "hmac.key", 0o644)
    with pytest.raises(AuditKeyError, match="chmod 600"):
        open_audit_log(settings)


_WORKER = """
import sys
from tests.support.audit import LogFixture, decision
from privacy_guard.audit.keys import load_hmac_key, load_signer
from pathlib import Path
folder = Path(sys.argv[1])
fx = LogFixture(folder, folder / "audit.db", load_signer(folder / "signing.pem", sys.argv[2]),
                load_hmac_key(folder / "hmac.key"))
import threading
audit = fx.open(checkpoint_every=16)
out = []
def work(t):
    for i in range(int(sys.argv[3])):
        out.append(audit.append_decision(decision(t * 10000 + i)))
threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
[t.start() for t in threads]; [t.join() for t in threads]
audit.close()
print(" ".join(map(str, out)))
"""


def test_several_processes_append_to_one_log(fx: LogFixture) -> None:
    populate(fx, 1)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(fx.folder), ORIGIN, "60"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    acknowledged: list[int] = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        acknowledged += [int(x) for x in out.split()]
    assert sorted(acknowledged) == list(range(1, 1 + 3 * 4 * 60))
    store = fx.reader()
    report = verify_log(store, fx.keyring, strict=True)
    assert report.valid, [str(p) for p in report.problems]
    assert report.records == 721
    store.close()


def test_the_audit_package_imports_neither_litellm_nor_starlette() -> None:
    code = (
        "import sys, privacy_guard.audit, privacy_guard.audit.verify, privacy_guard.audit.proofs,"
        " privacy_guard.audit.query\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('litellm', 'starlette',"
        " 'spacy', 'presidio_analyzer'))\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
