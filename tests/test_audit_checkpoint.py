"""C2SP signed notes and tlog checkpoints, checked against the Go reference implementation."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from privacy_guard.audit.checkpoint import (
    Checkpoint,
    SignedNote,
    open_checkpoint,
    sign_checkpoint,
    sign_note,
    verify_note,
)
from privacy_guard.audit.keys import Keyring, PublicKey, Signer, key_id
from privacy_guard.errors import AuditFormatError, ProofError

# golang.org/x/mod/sumdb/note: the package documentation's example, signed by its test key.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvq"
    "fqdngotpRZb6KE6RyyBwJnAM=\n"
)
# The example verifier key of C2SP signed-note's test suite.
C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"


def _go_signer() -> Signer:
    seed = base64.b64decode(GO_SKEY.split("+", 4)[4])[1:]
    return Signer("PeterNeumann", Ed25519PrivateKey.from_private_bytes(seed))


def test_key_ids_are_computed_as_the_spec_says() -> None:
    for vkey in (GO_VKEY, C2SP_VKEY):
        key = PublicKey.parse(vkey)
        assert key.vkey() == vkey
        expected = hashlib.sha256(key.name.encode() + b"\n\x01" + key.raw).digest()[:4]
        assert key.key_id == int.from_bytes(expected, "big") == key_id(key.name, key.raw)
    assert PublicKey.parse(GO_VKEY).key_id == 0xC74F20A3


def test_our_signature_is_the_go_implementation_s_byte_for_byte() -> None:
    signer = _go_signer()
    assert signer.public_key.vkey() == GO_VKEY
    assert sign_note(GO_TEXT, [signer]).format() == GO_NOTE
    note = SignedNote.parse(GO_NOTE)
    assert note.text == GO_TEXT
    assert [k.name for k in verify_note(note, Keyring([PublicKey.parse(GO_VKEY)]))] == [
        "PeterNeumann"
    ]


def test_a_changed_text_fails_and_an_unknown_key_is_not_enough() -> None:
    keyring = Keyring([PublicKey.parse(GO_VKEY)])
    with pytest.raises(ProofError) as caught:
        verify_note(SignedNote.parse(GO_NOTE.replace("cryptography", "cryptographY")), keyring)
    assert caught.value.code == "bad-signature"
    with pytest.raises(ProofError) as caught:
        verify_note(SignedNote.parse(GO_NOTE), Keyring([PublicKey.parse(C2SP_VKEY)]))
    assert caught.value.code == "unknown-key"


def test_unknown_signatures_are_ignored_as_witness_cosignatures_are() -> None:
    witness = Signer("witness.example/w1", Ed25519PrivateKey.generate())
    note = sign_note(GO_TEXT, [_go_signer(), witness]).format()
    verified = verify_note(SignedNote.parse(note), Keyring([PublicKey.parse(GO_VKEY)]))
    assert [k.name for k in verified] == ["PeterNeumann"]


def test_checkpoint_text_and_signature() -> None:
    signer = Signer("example.org/log", Ed25519PrivateKey.generate())
    root = hashlib.sha256(b"root").digest()
    note = sign_checkpoint(Checkpoint("example.org/log", 977, root), signer)
    assert note.startswith(f"example.org/log\n977\n{base64.b64encode(root).decode()}\n\n— ")
    opened = open_checkpoint(note, Keyring([signer.public_key]))
    assert opened.checkpoint == Checkpoint("example.org/log", 977, root)
    # The same key signing another origin's checkpoint is not taken for this log's.
    other = sign_checkpoint(Checkpoint("elsewhere.example/log", 1, root), signer)
    with pytest.raises(ProofError) as caught:
        open_checkpoint(other, Keyring([signer.public_key]))
    assert caught.value.code == "unknown-key"


@pytest.mark.parametrize(
    "text",
    [
        "origin\n01\nAAAA\n",  # leading zero
        "origin\n1\n",  # too few lines
        "origin\n1\nnot base64!\n",
        "origin\n1\n" + base64.b64encode(b"short").decode() + "\n",
        "origin\n-1\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n1\n" + base64.b64encode(bytes(32)).decode(),  # no final newline
        "origin\n1\n" + base64.b64encode(bytes(32)).decode() + "\n\nextension after blank\n",
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(AuditFormatError):
        Checkpoint.parse(text)


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT,  # no signature block
        GO_NOTE.replace("— ", "- "),  # hyphen instead of em dash
        GO_NOTE.replace("PeterNeumann x08", "Peter Neumann x08"),
        GO_NOTE.replace("x08go", "x08g!"),
        GO_NOTE.replace("what", "wh\x01at"),  # control character
        GO_NOTE[:-1],  # no final newline
        b"\xff\xfe" + GO_NOTE.encode(),  # not UTF-8
    ],
)
def test_malformed_notes_are_refused(note: str | bytes) -> None:
    with pytest.raises(AuditFormatError):
        SignedNote.parse(note)


@pytest.mark.parametrize(
    "vkey",
    [
        GO_VKEY.replace("c74f20a3", "c74f20a4"),  # id does not match
        GO_VKEY.replace("+AR", "+Ah"),  # another key type
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_malformed_public_keys_are_refused(vkey: str) -> None:
    with pytest.raises(AuditFormatError):
        PublicKey.parse(vkey)


def test_a_keyring_file_with_comments_and_two_keys() -> None:
    keyring = Keyring.parse(f"# officers' copy\n{GO_VKEY}\n\n{C2SP_VKEY}\n")
    assert len(keyring) == 2
    assert keyring.get("PeterNeumann", 0xC74F20A3) is not None
    assert keyring.get("PeterNeumann", 0x530D903A) is None
    with pytest.raises(AuditFormatError):
        Keyring.parse("# nothing here\n")
