"""Tampering with the log, one way per reason code: the verifier names it and the range.

Each test builds a 50-record log with a checkpoint every 10 records, changes the store the way
someone with write access to the file (or, for a fork, with the signing key too) could, and
checks the exact problems `verify_log` reports.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from privacy_guard.audit.checkpoint import Checkpoint, sign_checkpoint
from privacy_guard.audit.keys import Keyring, Signer
from privacy_guard.audit.merkle import leaf_hash, root_of
from privacy_guard.audit.record import canonical
from privacy_guard.audit.verify import REASON_CODES, VerifyReport, verify_log
from tests.support.audit import ORIGIN, LogFixture, make_fixture, populate

N = 50


@pytest.fixture
def fx(tmp_path: Path) -> LogFixture:
    fixture = make_fixture(tmp_path)
    populate(fixture, N, checkpoint_every=10)
    return fixture


def _sql(fx: LogFixture, *statements: tuple[str, tuple]) -> None:  # type: ignore[type-arg]
    with sqlite3.connect(fx.db) as conn:
        for sql, params in statements:
            conn.execute(sql, params)


def _data(fx: LogFixture, index: int) -> bytes:
    with sqlite3.connect(fx.db) as conn:
        return conn.execute("SELECT data FROM records WHERE idx = ?", (index,)).fetchone()[0]


def _rewrite(fx: LogFixture, index: int, **changes: object) -> None:
    record = json.loads(_data(fx, index))
    record.update(changes)
    _sql(fx, ("UPDATE records SET data = ? WHERE idx = ?", (canonical(record), index)))


def _verify(fx: LogFixture, keyring: Keyring | None = None, **kwargs: object) -> VerifyReport:
    store = fx.reader()
    try:
        return verify_log(store, keyring or fx.keyring, **kwargs)  # type: ignore[arg-type]
    finally:
        store.close()


def _found(report: VerifyReport) -> list[tuple[str, int | None, int | None]]:
    return [(p.code, p.start, p.end) for p in report.problems]


def _keep(fx: LogFixture, size: int) -> tuple[str, str]:
    with sqlite3.connect(fx.db) as conn:
        note = conn.execute("SELECT note FROM checkpoints WHERE size = ?", (size,)).fetchone()[0]
    return (f"kept-{size}.txt", note)


def test_an_untouched_log_is_valid(fx: LogFixture) -> None:
    report = _verify(fx, strict=True)
    assert report.valid and report.summary() == "50 records, 5 checkpoints: valid"
    assert report.latest is not None and report.latest.size == N


def test_the_head_is_not_trusted(fx: LogFixture) -> None:
    _sql(fx, ("UPDATE head SET size = 3, frontier = ?", (b"x" * 64,)))
    assert _verify(fx).valid


def test_modified(fx: LogFixture) -> None:
    _rewrite(fx, 23, team="marketing")
    report = _verify(fx)
    assert _found(report) == [("modified", 20, 30)]
    assert "2 later checkpoint(s)" in report.problems[0].detail
    assert report.summary() == "50 records, 5 checkpoints: INVALID (1 problem)"


def test_modified_in_the_last_interval(fx: LogFixture) -> None:
    _rewrite(fx, 49, team="marketing")
    assert _found(_verify(fx)) == [("modified", 40, 50)]


def test_deleted(fx: LogFixture) -> None:
    _sql(fx, ("DELETE FROM records WHERE idx IN (23, 24, 25)", ()))
    report = _verify(fx)
    assert _found(report) == [("deleted", 23, 26)]
    assert any("consequence" in note for note in report.notes)


def test_inserted(fx: LogFixture) -> None:
    forged = json.loads(_data(fx, 23))
    forged.update(team="finance", request_id="forged-1")
    _sql(
        fx,
        ("UPDATE records SET idx = -idx - 1 WHERE idx >= 23", ()),
        ("UPDATE records SET idx = -idx WHERE idx < 0", ()),
        ("INSERT INTO records (idx, data) VALUES (23, ?)", (canonical(forged),)),
    )
    assert _found(_verify(fx)) == [("inserted", 23, 25)]


def test_inserted_with_an_index_out_of_range(fx: LogFixture) -> None:
    forged = json.loads(_data(fx, 30))
    forged["index"] = 10**9
    _sql(fx, ("INSERT INTO records (idx, data) VALUES (1000, ?)", (canonical(forged),)))
    assert _found(_verify(fx)) == [("inserted", 50, 51)]


def test_reordered(fx: LogFixture) -> None:
    a, b = _data(fx, 23), _data(fx, 24)
    _sql(
        fx,
        ("UPDATE records SET data = ? WHERE idx = 23", (b,)),
        ("UPDATE records SET data = ? WHERE idx = 24", (a,)),
    )
    assert _found(_verify(fx)) == [("reordered", 23, 25)]


def test_truncated_against_the_log_s_own_checkpoint(fx: LogFixture) -> None:
    _sql(fx, ("DELETE FROM records WHERE idx >= 45", ()))
    assert _found(_verify(fx)) == [("truncated", 45, 50)]


def test_truncated_against_a_checkpoint_the_officer_kept(fx: LogFixture) -> None:
    kept = _keep(fx, 50)
    # A careful attacker also removes the checkpoints that would give the truncation away.
    _sql(
        fx,
        ("DELETE FROM records WHERE idx >= 45", ()),
        ("DELETE FROM checkpoints WHERE size > 40", ()),
    )
    assert _verify(fx).valid  # undetectable from the log alone: why officers keep checkpoints
    report = _verify(fx, kept=[kept])
    assert _found(report) == [("truncated", 45, 50)]
    assert "the checkpoint you kept (kept-50.txt)" in report.problems[0].detail


def test_bad_signature(fx: LogFixture) -> None:
    with sqlite3.connect(fx.db) as conn:
        note = conn.execute("SELECT note FROM checkpoints WHERE size = 30").fetchone()[0]
        lines = note.split("\n")
        lines[1] = "31"  # the signature stays, the signed text changes
        conn.execute("UPDATE checkpoints SET note = ? WHERE size = 30", ("\n".join(lines),))
    report = _verify(fx)
    assert _found(report) == [("bad-signature", 0, 31)]


def test_unknown_key_for_a_checkpoint_forged_with_another_key(fx: LogFixture) -> None:
    _rewrite(fx, 49, team="marketing")
    mallory = Signer(ORIGIN, Ed25519PrivateKey.generate())
    leaves = [leaf_hash(_data(fx, i)) for i in range(N)]
    note = sign_checkpoint(Checkpoint(ORIGIN, N, root_of(leaves)), mallory)
    _sql(
        fx,
        ("DELETE FROM checkpoints WHERE size = 50", ()),
        ("INSERT INTO checkpoints (size, time, note) VALUES (50, 0, ?)", (note,)),
    )
    report = _verify(fx)
    codes = [p.code for p in report.problems]
    assert codes == ["unknown-key"]
    assert report.problems[0].start == 0 and report.problems[0].end == 50
    # Records 40–49 are now confirmed by nothing: a strict run says so.
    assert ("unsigned-tail", 40, 50) in _found(_verify(fx, strict=True))


def test_unknown_key_when_the_officer_holds_another_key(fx: LogFixture) -> None:
    stranger = Signer(ORIGIN, Ed25519PrivateKey.generate())
    report = _verify(fx, Keyring([stranger.public_key]))
    assert _found(report) == [("unknown-key", 0, 50), ("unsigned-tail", 0, 50)]


def test_fork_when_the_key_holder_rewrites_history(fx: LogFixture) -> None:
    kept = _keep(fx, 30)
    # Someone with the signing key changes record 23 and re-signs every checkpoint.
    _rewrite(fx, 23, action="allow", effective_action="allow")
    leaves = [leaf_hash(_data(fx, i)) for i in range(N)]
    _sql(fx, ("DELETE FROM checkpoints", ()))
    for size in (10, 20, 30, 40, 50):
        note = sign_checkpoint(Checkpoint(ORIGIN, size, root_of(leaves[:size])), fx.signer)
        _sql(fx, ("INSERT INTO checkpoints (size, time, note) VALUES (?, 0, ?)", (size, note)))
    assert _verify(fx).valid  # consistent with itself...
    report = _verify(fx, kept=[kept])  # ...but not with what the officer kept
    assert _found(report) == [("fork", 0, 30)]
    assert "kept-30.txt" in report.problems[0].detail


def test_fork_against_a_later_checkpoint(fx: LogFixture) -> None:
    # The officer kept size 30; the key holder rewrote record 23 and signed a new history
    # that only has checkpoints at 40 and 50 (no second one for 30 to compare directly).
    kept = _keep(fx, 30)
    _rewrite(fx, 23, action="allow", effective_action="allow")
    leaves = [leaf_hash(_data(fx, i)) for i in range(N)]
    _sql(fx, ("DELETE FROM checkpoints WHERE size >= 30", ()))
    for size in (40, 50):
        note = sign_checkpoint(Checkpoint(ORIGIN, size, root_of(leaves[:size])), fx.signer)
        _sql(fx, ("INSERT INTO checkpoints (size, time, note) VALUES (?, 0, ?)", (size, note)))
    report = _verify(fx, kept=[kept])
    assert _found(report) == [("fork", 20, 30)]
    assert "cannot be true" in report.problems[0].detail


def test_fork_two_checkpoints_for_one_size(fx: LogFixture) -> None:
    other = sign_checkpoint(Checkpoint(ORIGIN, 20, b"\x07" * 32), fx.signer)
    _sql(fx, ("INSERT INTO checkpoints (size, time, note) VALUES (20, 0, ?)", (other,)))
    assert _found(_verify(fx)) == [("fork", 0, 20)]


def test_malformed_record(fx: LogFixture) -> None:
    _sql(fx, ("UPDATE records SET data = ? WHERE idx = 23", (b"\xff not json",)))
    assert _found(_verify(fx)) == [("modified", 20, 30), ("malformed", 23, 24)]


def test_malformed_checkpoint(fx: LogFixture) -> None:
    _sql(fx, ("UPDATE checkpoints SET note = 'garbage' WHERE size = 20", ()))
    assert _found(_verify(fx)) == [("malformed", None, None)]


def test_unsigned_tail(fx: LogFixture) -> None:
    _sql(fx, ("DELETE FROM checkpoints WHERE size = 50", ()))
    report = _verify(fx)
    assert report.valid and any("not covered" in note for note in report.notes)
    assert _found(_verify(fx, strict=True)) == [("unsigned-tail", 40, 50)]


def test_every_reason_code_is_exercised_above() -> None:
    source = Path(__file__).read_text()
    for code in REASON_CODES:
        assert f'"{code}"' in source, code


def test_checkpoints_across_a_key_rotation_verify_with_a_keyring(tmp_path: Path) -> None:
    fx = make_fixture(tmp_path / "rotation")
    populate(fx, 20, checkpoint_every=10)
    old = fx.signer
    fx.signer = Signer(ORIGIN, Ed25519PrivateKey.generate())
    with fx.open(checkpoint_every=10) as audit:
        from tests.support.audit import decision

        for i in range(20, 40):
            audit.append_decision(decision(i))
    both = Keyring([old.public_key, fx.signer.public_key])
    assert _verify(fx, both).summary() == "40 records, 4 checkpoints: valid"
    only_old = _verify(fx, Keyring([old.public_key]))
    assert [p.code for p in only_old.problems] == ["unknown-key"]
