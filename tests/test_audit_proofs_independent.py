"""The proofs `audit proof` and `audit consistency` print, checked by a second verifier written
here from the specifications alone — nothing imported from privacy_guard.audit:

- C2SP signed-note (c2sp.org/signed-note): the verifier key `name+hex id+base64(0x01||key)`,
  the key id (first 4 bytes of SHA-256(name || 0x0A || 0x01 || key)), the `— name base64`
  signature lines, Ed25519 over the note text;
- C2SP tlog-checkpoint: origin, decimal size, base64 root, then extension lines;
- C2SP tlog-proof: header, `extra`, `index`, proof hashes, a blank line, the checkpoint;
- RFC 6962 §2.1 hashing (leaf 0x00, node 0x01) and the proof checks of RFC 9162 §2.1.3.2
  (inclusion) and §2.1.4.2 (consistency).

Only the Ed25519 primitive comes from a library (`cryptography`). Each check is also shown to
reject a tampered proof, so that passing means something.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from typer.testing import CliRunner

from privacy_guard.cli import app
from tests.support.audit import LogFixture, decision, make_fixture, outcome

runner = CliRunner()
CHECKPOINT_SIZES = (1, 2, 3, 4, 5, 8, 13, 16, 21, 34, 37)  # powers of two and not


# -- the second verifier ---------------------------------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_id: bytes
    key: Ed25519PublicKey

    @classmethod
    def parse(cls, vkey: str) -> VerifierKey:
        name, hex_id, encoded = vkey.strip().split("+", 2)  # base64 may hold "+" too
        blob = base64.b64decode(encoded, validate=True)
        assert blob[0] == 0x01 and len(blob) == 33, "an Ed25519 verifier key"
        key_id = sha256(name.encode() + b"\n" + blob)[:4]
        assert key_id.hex() == hex_id, "the key id in the verifier key is its hash's prefix"
        return cls(name, key_id, Ed25519PublicKey.from_public_bytes(blob[1:]))


def open_note(note: str, verifier: VerifierKey) -> str:
    """The note's text if a signature by `verifier` verifies over it; raises otherwise."""
    text, separator, signatures = note.rpartition("\n\n")
    assert separator and note.endswith("\n"), "text, a blank line, signature lines"
    text += "\n"
    verified = False
    for line in signatures[:-1].split("\n"):
        assert line.startswith("\u2014 "), "a signature line starts with an em dash and a space"
        name, encoded = line[2:].split(" ")
        blob = base64.b64decode(encoded, validate=True)
        if name != verifier.name or blob[:4] != verifier.key_id:
            continue  # someone else's signature (a witness): ignored
        verifier.key.verify(blob[4:], text.encode())  # raises InvalidSignature
        verified = True
    assert verified, "no signature by the officer's key"
    return text


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        origin, size, root, *_extensions = text[:-1].split("\n")
        assert size == str(int(size)), "a decimal without leading zeros"
        return cls(origin, int(size), base64.b64decode(root, validate=True))


def leaf(entry: bytes) -> bytes:
    return sha256(b"\x00" + entry)


def node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def inclusion_ok(index: int, size: int, leaf_hash: bytes, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def consistency_ok(
    first: int, second: int, path: list[bytes], first_hash: bytes, second_hash: bytes
) -> bool:
    """RFC 9162 §2.1.4.2, with its two trivial cases (equal sizes, an empty first tree)."""
    if first == second:
        return not path and first_hash == second_hash
    if first == 0:
        return not path
    if first > second or not path:
        return False
    if first & (first - 1) == 0:  # an exact power of two
        path = [first_hash, *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_hash and sr == second_hash and sn == 0


def check_tlog_proof(text: str, verifier: VerifierKey) -> tuple[int, bytes]:
    """(index, entry) of a C2SP tlog-proof whose inclusion and checkpoint verify."""
    head, _, note = text.partition("\n\n")
    lines = head.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    assert lines[1].startswith("extra ") and lines[2].startswith("index ")
    entry = base64.b64decode(lines[1][len("extra ") :], validate=True)
    index = int(lines[2][len("index ") :])
    proof = [base64.b64decode(line, validate=True) for line in lines[3:]]
    checkpoint = Checkpoint.parse(open_note(note, verifier))
    assert checkpoint.origin == verifier.name
    assert inclusion_ok(index, checkpoint.size, leaf(entry), proof, checkpoint.root)
    return index, entry


# -- the log under test ------------------------------------------------------------------------


@dataclass
class Kept:
    fixture: LogFixture
    verifier: VerifierKey
    notes: dict[int, Path]  # checkpoint size -> a file holding the signed note


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Kept:
    folder = tmp_path_factory.mktemp("log")
    fixture = make_fixture(folder)
    notes: dict[int, Path] = {}
    with fixture.open(checkpoint_every=1 << 20, checkpoint_interval=3600) as audit:
        count = 0
        for size in CHECKPOINT_SIZES:
            while count < size:
                # Decisions and outcomes alternate: records of both kinds are proven.
                if count % 2 == 0:
                    audit.append_decision(decision(count))
                else:
                    audit.append_outcome(outcome(count - 1))
                count += 1
            notes[size] = folder / f"checkpoint-{size}.txt"
            notes[size].write_text(audit.checkpoint().note, encoding="utf-8")
    # The officer's key as `keys export` would give it: one verifier key, one line.
    return Kept(fixture, VerifierKey.parse(fixture.signer.public_key.vkey()), notes)


def _cli(*args: str) -> str:
    done = runner.invoke(app, list(args))
    assert done.exit_code == 0, done.output
    return done.stdout


def _stored(fixture: LogFixture, index: int) -> bytes:
    store = fixture.reader()
    try:
        data = store.record(index)
    finally:
        store.close()
    assert data is not None
    return data


# -- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", CHECKPOINT_SIZES)
def test_every_checkpoint_verifies_and_commits_to_the_records(kept: Kept, size: int) -> None:
    text = open_note(kept.notes[size].read_text(encoding="utf-8"), kept.verifier)
    checkpoint = Checkpoint.parse(text)
    assert checkpoint.size == size
    # The root, recomputed from the stored records by RFC 6962's definition.
    def mth(leaves: list[bytes]) -> bytes:
        if len(leaves) == 1:
            return leaves[0]
        k = 1 << ((len(leaves) - 1).bit_length() - 1)
        return node(mth(leaves[:k]), mth(leaves[k:]))

    assert mth([leaf(_stored(kept.fixture, i)) for i in range(size)]) == checkpoint.root


@pytest.mark.parametrize(("index", "size"), [(0, 1), (0, 37), (3, 4), (4, 5), (12, 13), (20, 21),
                                             (15, 16), (36, 37), (7, 34), (33, 34)])
def test_tlog_proofs_verify_and_carry_the_stored_record(kept: Kept, index: int, size: int) -> None:
    args = ["audit", "proof", str(index), "--log", str(kept.fixture.db)]
    text = _cli(*args, "--checkpoint", str(kept.notes[size]), "--format", "tlog-proof")
    proven, entry = check_tlog_proof(text, kept.verifier)
    assert proven == index and entry == _stored(kept.fixture, index)
    assert json.loads(entry)["index"] == index


def test_json_inclusion_proofs_verify_from_their_documented_fields(kept: Kept) -> None:
    for index in (0, 9, 36):
        bundle = json.loads(
            _cli("audit", "proof", str(index), "--log", str(kept.fixture.db),
                 "--checkpoint", str(kept.notes[37]))
        )
        assert bundle["format"] == "privacy-guard/inclusion-proof/v1"
        entry = bundle["record"].encode("utf-8")  # the record's exact bytes, as UTF-8 text
        assert entry == _stored(kept.fixture, index)
        assert base64.b64decode(bundle["leaf_hash"]) == leaf(entry)
        checkpoint = Checkpoint.parse(open_note(bundle["checkpoint"], kept.verifier))
        assert bundle["index"] == index and bundle["tree_size"] == checkpoint.size == 37
        proof = [base64.b64decode(h, validate=True) for h in bundle["proof"]]
        assert inclusion_ok(index, checkpoint.size, leaf(entry), proof, checkpoint.root)


@pytest.mark.parametrize(
    ("old", "new"), [(1, 2), (1, 37), (2, 3), (3, 4), (4, 37), (5, 8), (8, 13), (13, 16),
                     (16, 21), (21, 34), (34, 37), (16, 37), (37, 37)]
)
def test_consistency_proofs_verify(kept: Kept, old: int, new: int) -> None:
    bundle = json.loads(
        _cli("audit", "consistency", str(kept.notes[old]), "--to", str(kept.notes[new]),
             "--log", str(kept.fixture.db))
    )
    assert bundle["format"] == "privacy-guard/consistency-proof/v1"
    first = Checkpoint.parse(open_note(bundle["old_checkpoint"], kept.verifier))
    second = Checkpoint.parse(open_note(bundle["new_checkpoint"], kept.verifier))
    assert (first.size, second.size) == (old, new)
    path = [base64.b64decode(h, validate=True) for h in bundle["proof"]]
    assert consistency_ok(first.size, second.size, path, first.root, second.root)
    if path:  # a flipped bit anywhere fails the second verifier too
        bad = [*path[:-1], bytes([path[-1][0] ^ 1]) + path[-1][1:]]
        assert not consistency_ok(first.size, second.size, bad, first.root, second.root)


def test_the_second_verifier_rejects_tampered_proofs(kept: Kept) -> None:
    text = _cli("audit", "proof", "12", "--log", str(kept.fixture.db),
                "--checkpoint", str(kept.notes[21]), "--format", "tlog-proof")
    head, _, note = text.partition("\n\n")
    lines = head.split("\n")
    # A different record in `extra`: its leaf is not in the tree.
    other = base64.b64encode(_stored(kept.fixture, 13)).decode()
    with pytest.raises(AssertionError):
        check_tlog_proof("\n".join([lines[0], f"extra {other}", *lines[2:]]) + "\n\n" + note,
                         kept.verifier)
    # A proof hash changed.
    flipped = base64.b64encode(bytes(32)).decode()
    with pytest.raises(AssertionError):
        check_tlog_proof("\n".join([*lines[:3], flipped, *lines[4:]]) + "\n\n" + note,
                         kept.verifier)
    # The checkpoint's size changed after signing.
    forged = note.replace("\n21\n", "\n22\n", 1)
    with pytest.raises(InvalidSignature):
        check_tlog_proof(head + "\n\n" + forged, kept.verifier)
    # And privacy-guard's own verify-proof reads the tlog-proof it wrote.
    proof_file = kept.fixture.folder / "record-12.tlog-proof"
    proof_file.write_text(text, encoding="utf-8")
    pub = kept.fixture.folder / "officer.pub"
    pub.write_text(kept.fixture.signer.public_key.vkey() + "\n", encoding="utf-8")
    checked = runner.invoke(app, ["audit", "verify-proof", str(proof_file), "--pubkey", str(pub)])
    assert checked.exit_code == 0 and "valid: record 12" in checked.stdout
    proof_file.write_text("\n".join([*lines[:3], flipped, *lines[4:]]) + "\n\n" + note, "utf-8")
    refused = runner.invoke(app, ["audit", "verify-proof", str(proof_file), "--pubkey", str(pub)])
    assert refused.exit_code == 1 and "invalid" in refused.stdout
