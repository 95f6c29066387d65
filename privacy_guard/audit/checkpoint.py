"""Signed checkpoints: C2SP signed-note (c2sp.org/signed-note) carrying a C2SP tlog-checkpoint.

A checkpoint commits to the log's first `size` records through their Merkle root:

    privacy-guard.example/audit          <- origin (the log's identity; also the key name)
    977                                  <- tree size, decimal, no leading zeros
    5cnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=    <- base64 root hash
                                         <- blank line ending the note text
    — privacy-guard.example/audit AbCd…  <- signature lines: em dash, space, key name, space,
                                            base64(4-byte big-endian key id || signature)

The note text is every line up to and including the last newline before the blank line; the
Ed25519 signature (RFC 8032) is over exactly those bytes. Verification follows the spec:
signatures by unknown keys (a witness's cosignature, a key the officer does not hold) are
ignored; a known key whose signature fails rejects the note; no known key verifying rejects it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass

from privacy_guard.audit.keys import Keyring, PublicKey, Signer, valid_key_name
from privacy_guard.audit.merkle import HASH_SIZE
from privacy_guard.errors import AuditFormatError, ProofError

MAX_SIGNATURES = 64  # the spec asks verifiers to accept at least 16
MAX_NOTE_BYTES = 1 << 20
_DASH = "\u2014 "


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The note text of a tlog checkpoint."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode("ascii")]
        return "".join(line + "\n" for line in (*lines, *self.extensions))

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        if not text.endswith("\n"):
            raise AuditFormatError("a checkpoint ends with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3 or any(not line for line in lines):
            raise AuditFormatError("a checkpoint has at least three non-empty lines")
        origin, size, root, *extensions = lines
        if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")):
            raise AuditFormatError("a checkpoint's tree size is a decimal without leading zeros")
        try:
            digest = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise AuditFormatError("a checkpoint's root hash is not base64") from None
        if len(digest) != HASH_SIZE:
            raise AuditFormatError("a checkpoint's root hash is not a SHA-256 hash")
        return cls(origin, int(size), digest, tuple(extensions))


@dataclass(frozen=True, slots=True)
class NoteSignature:
    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        blob = self.key_id.to_bytes(4, "big") + self.signature
        return f"{_DASH}{self.name} {base64.b64encode(blob).decode('ascii')}\n"


@dataclass(frozen=True, slots=True)
class SignedNote:
    text: str
    signatures: tuple[NoteSignature, ...]

    def format(self) -> str:
        return self.text + "\n" + "".join(sig.line() for sig in self.signatures)

    @classmethod
    def parse(cls, note: str | bytes) -> SignedNote:
        if isinstance(note, bytes):
            if len(note) > MAX_NOTE_BYTES:
                raise AuditFormatError("the signed note is too large")
            try:
                note = note.decode("utf-8")
            except UnicodeDecodeError:
                raise AuditFormatError("a signed note must be valid UTF-8") from None
        if len(note) > MAX_NOTE_BYTES:
            raise AuditFormatError("the signed note is too large")
        if any(ord(ch) < 0x20 and ch != "\n" for ch in note) or "\x7f" in note:
            raise AuditFormatError("a signed note holds no control characters but newlines")
        split = note.rfind("\n\n")
        if split < 0 or not note.endswith("\n"):
            raise AuditFormatError("a signed note is text, a blank line, then signature lines")
        text, block = note[: split + 1], note[split + 2 :]
        signatures = []
        for line in block[:-1].split("\n"):
            if not line.startswith(_DASH):
                raise AuditFormatError("a signature line starts with an em dash and a space")
            parts = line[len(_DASH) :].split(" ")
            if len(parts) != 2 or not valid_key_name(parts[0]):
                raise AuditFormatError("a signature line is `— <key name> <base64>`")
            try:
                blob = base64.b64decode(parts[1], validate=True)
            except binascii.Error:
                raise AuditFormatError("a signature is not base64") from None
            if len(blob) < 5:
                raise AuditFormatError("a signature is shorter than its key id")
            signatures.append(NoteSignature(parts[0], int.from_bytes(blob[:4], "big"), blob[4:]))
        if len(signatures) > MAX_SIGNATURES:
            raise AuditFormatError(f"a signed note with more than {MAX_SIGNATURES} signatures")
        return cls(text, tuple(signatures))


def sign_note(text: str, signers: Iterable[Signer]) -> SignedNote:
    message = text.encode("utf-8")
    return SignedNote(
        text,
        tuple(NoteSignature(s.name, s.key_id, s.sign(message)) for s in signers),
    )


def verify_note(note: SignedNote, keyring: Keyring) -> list[PublicKey]:
    """The known keys whose signatures verify; ProofError (`bad-signature` or `unknown-key`)
    when the note must be rejected."""
    message = note.text.encode("utf-8")
    verified = []
    for sig in note.signatures:
        key = keyring.get(sig.name, sig.key_id)
        if key is None:
            continue  # a witness's cosignature or a key the officer does not hold: ignored
        if not key.verify(message, sig.signature):
            raise ProofError(
                "bad-signature",
                f"the signature of key {sig.name} ({sig.key_id:08x}) does not verify",
            )
        verified.append(key)
    if not verified:
        held = ", ".join(f"{s.name} ({s.key_id:08x})" for s in note.signatures)
        raise ProofError("unknown-key", f"signed only by keys not in the keyring: {held}")
    return verified


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    return sign_note(checkpoint.text(), [signer]).format()


@dataclass(frozen=True, slots=True)
class VerifiedCheckpoint:
    checkpoint: Checkpoint
    keys: tuple[PublicKey, ...]
    note: str


def open_checkpoint(note: str | bytes, keyring: Keyring) -> VerifiedCheckpoint:
    """Parse and verify a signed checkpoint. The verifying key's name must be the origin, so a
    checkpoint of another log signed with the same key is not taken for one of this log.

    Raises AuditFormatError (malformed) or ProofError (bad-signature, unknown-key)."""
    signed = SignedNote.parse(note)
    checkpoint = Checkpoint.parse(signed.text)
    keys = [key for key in verify_note(signed, keyring) if key.name == checkpoint.origin]
    if not keys:
        raise ProofError(
            "unknown-key",
            f"no key named after the checkpoint's origin {checkpoint.origin!r} signed it",
        )
    return VerifiedCheckpoint(checkpoint, tuple(keys), signed.format())
