"""Proof bundles an officer can check offline, with nothing but the public key file.

An inclusion bundle proves that one record is in the log: the record's exact bytes, the RFC 6962
inclusion proof (at most ceil(log2 n) hashes) and the signed checkpoint it leads to. A
consistency bundle proves that a checkpoint the officer kept is a prefix of a newer one, so the
log only grew in between. Both are JSON objects:

    {"format": "privacy-guard/inclusion-proof/v1", "index": 12, "tree_size": 2048,
     "record": "<the record's canonical JSON>", "leaf_hash": "<base64>",
     "proof": ["<base64>", ...], "checkpoint": "<signed note>"}

    {"format": "privacy-guard/consistency-proof/v1", "old_checkpoint": "<signed note>",
     "new_checkpoint": "<signed note>", "proof": ["<base64>", ...]}

Hashes are standard base64 as in checkpoints. `verify_bundle` checks the checkpoint signatures
against the officer's keyring first, then the proof. An inclusion bundle can also be written as
a C2SP tlog-proof (c2sp.org/tlog-proof), which standard tooling reads; the record travels in its
`extra` line (base64 of the record's exact bytes), from which the leaf hash is recomputed:

    c2sp.org/tlog-proof@v1
    extra <base64 record>
    index 12
    <base64 proof hash, one a line, from the leaf's sibling up>

    <the signed checkpoint, verbatim>

C2SP defines no consistency-proof file, so consistency bundles are JSON only.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from privacy_guard.audit.checkpoint import Checkpoint, SignedNote, open_checkpoint
from privacy_guard.audit.keys import Keyring
from privacy_guard.audit.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from privacy_guard.audit.store import AuditStore
from privacy_guard.errors import AuditFormatError, AuditStoreError, ProofError

INCLUSION_FORMAT = "privacy-guard/inclusion-proof/v1"
CONSISTENCY_FORMAT = "privacy-guard/consistency-proof/v1"
TLOG_PROOF = "c2sp.org/tlog-proof@v1"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise AuditFormatError("a hash in a proof file is a base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise AuditFormatError("a hash in a proof file is not base64") from None


def _leaves(store: AuditStore, size: int) -> list[bytes]:
    leaves = []
    for position, (stored, data) in enumerate(store.records(0, size)):
        if stored != position:
            raise AuditStoreError(f"record {position} is missing; run `privacy-guard audit verify`")
        leaves.append(leaf_hash(data))
    if len(leaves) != size:
        raise AuditStoreError(f"the log has {len(leaves)} records, the checkpoint {size}")
    return leaves


def _checkpoint_of(note: str) -> Checkpoint:
    return Checkpoint.parse(SignedNote.parse(note).text)


def inclusion_bundle(store: AuditStore, index: int, note: str) -> dict[str, Any]:
    """Prove record `index` is in the tree of the checkpoint `note` (which must cover it)."""
    checkpoint = _checkpoint_of(note)
    if not 0 <= index < checkpoint.size:
        raise ProofError(
            "malformed", f"record {index} is not covered by a checkpoint of {checkpoint.size}"
        )
    leaves = _leaves(store, checkpoint.size)
    if root_of(leaves) != checkpoint.root:
        raise ProofError("modified", "the log no longer matches this checkpoint")
    data = store.record(index)
    assert data is not None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProofError("malformed", f"record {index} is not UTF-8") from None
    return {
        "format": INCLUSION_FORMAT,
        "index": index,
        "tree_size": checkpoint.size,
        "record": text,
        "leaf_hash": _b64(leaves[index]),
        "proof": [_b64(h) for h in inclusion_proof(index, leaves)],
        "checkpoint": note,
    }


def consistency_bundle(store: AuditStore, old_note: str, new_note: str) -> dict[str, Any]:
    """Prove the tree of `old_note` is a prefix of the tree of `new_note`."""
    old, new = _checkpoint_of(old_note), _checkpoint_of(new_note)
    if old.size > new.size:
        raise ProofError("malformed", "the old checkpoint is larger than the new one")
    leaves = _leaves(store, new.size)
    if root_of(leaves) != new.root:
        raise ProofError("modified", "the log no longer matches the newer checkpoint")
    if root_of(leaves[: old.size]) != old.root:
        raise ProofError("fork", "the log does not contain the tree of the older checkpoint")
    return {
        "format": CONSISTENCY_FORMAT,
        "old_checkpoint": old_note,
        "new_checkpoint": new_note,
        "proof": [_b64(h) for h in consistency_proof(old.size, leaves)],
    }


def tlog_proof(bundle: dict[str, Any]) -> str:
    """An inclusion bundle as a C2SP tlog-proof (see the module's docstring)."""
    if bundle.get("format") != INCLUSION_FORMAT:
        raise ProofError("malformed", "only an inclusion proof has a tlog-proof form")
    record = _b64(bundle["record"].encode("utf-8"))
    head = [TLOG_PROOF, f"extra {record}", f"index {bundle['index']}", *bundle["proof"]]
    return "".join(line + "\n" for line in head) + "\n" + bundle["checkpoint"]


def _parse_tlog_proof(text: str) -> tuple[int, bytes, list[bytes], str]:
    """(index, record bytes, proof hashes, signed checkpoint) of a C2SP tlog-proof."""
    head, separator, note = text.partition("\n\n")
    lines = head.split("\n")
    if not separator or lines[0] != TLOG_PROOF:
        raise AuditFormatError("a tlog-proof starts with its header line and has a blank line")
    lines = lines[1:]
    if not lines or not lines[0].startswith("extra "):
        raise AuditFormatError(
            "this tlog-proof carries no record (no `extra` line): make it with "
            "`privacy-guard audit proof --format tlog-proof`"
        )
    record = _unb64(lines.pop(0).removeprefix("extra "))
    if not lines or not lines[0].startswith("index "):
        raise AuditFormatError("a tlog-proof names the entry's index on an `index` line")
    number = lines.pop(0).removeprefix("index ")
    if not number.isascii() or not number.isdigit() or (number != "0" and number[0] == "0"):
        raise AuditFormatError("a tlog-proof's index is a decimal without leading zeros")
    return int(number), record, [_unb64(line) for line in lines], note


def _verified_inclusion(
    index: object, record_bytes: bytes, proof: list[bytes], checkpoint: Checkpoint
) -> BundleResult:
    """The record is leaf `index` of the tree of `checkpoint` (whose signature was checked)."""
    if type(index) is not int:
        raise AuditFormatError("the proof's index is missing or not a number")
    verify_inclusion(index, checkpoint.size, leaf_hash(record_bytes), proof, checkpoint.root)
    try:
        record = json.loads(record_bytes)
    except (ValueError, UnicodeDecodeError):
        raise ProofError("malformed", "the proven record is not a JSON record") from None
    if not isinstance(record, dict) or record.get("index") != index:
        raise ProofError("malformed", "the record does not carry the proven index")
    return BundleResult("inclusion", checkpoint, record=record, proof_hashes=len(proof))


@dataclass(frozen=True, slots=True)
class BundleResult:
    kind: str  # "inclusion" or "consistency"
    checkpoint: Checkpoint  # the (newest) checkpoint the proof leads to
    record: dict[str, Any] | None = None  # inclusion: the record proven
    old_checkpoint: Checkpoint | None = None  # consistency: the older checkpoint
    proof_hashes: int = 0


def verify_bundle(data: str | bytes, keyring: Keyring) -> BundleResult:
    """Check a proof bundle (JSON, or an inclusion proof as a C2SP tlog-proof) offline. Raises
    ProofError (reason code in `.code`) or AuditFormatError."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    if text.startswith(TLOG_PROOF + "\n"):
        index, record_bytes, proof_hashes, note = _parse_tlog_proof(text)
        checkpoint = open_checkpoint(note, keyring).checkpoint
        return _verified_inclusion(index, record_bytes, proof_hashes, checkpoint)
    try:
        bundle = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise AuditFormatError("a proof file is a JSON object") from None
    if not isinstance(bundle, dict):
        raise AuditFormatError("a proof file is a JSON object")
    kind = bundle.get("format")
    proof = [_unb64(h) for h in _list(bundle.get("proof"))]
    if kind == INCLUSION_FORMAT:
        checkpoint = open_checkpoint(_str(bundle.get("checkpoint")), keyring).checkpoint
        if type(bundle.get("index")) is not int or bundle.get("tree_size") != checkpoint.size:
            raise AuditFormatError("the proof's index or tree size is missing or wrong")
        record_bytes = _str(bundle.get("record")).encode("utf-8")
        if _unb64(bundle.get("leaf_hash")) != leaf_hash(record_bytes):
            raise ProofError("modified", "the record's hash is not the proof's leaf hash")
        return _verified_inclusion(bundle.get("index"), record_bytes, proof, checkpoint)
    if kind == CONSISTENCY_FORMAT:
        old = open_checkpoint(_str(bundle.get("old_checkpoint")), keyring).checkpoint
        new = open_checkpoint(_str(bundle.get("new_checkpoint")), keyring).checkpoint
        if old.origin != new.origin:
            raise ProofError("malformed", "the two checkpoints are from different logs")
        if old.size == 0:
            if proof:
                raise ProofError("malformed", "a proof from the empty tree must be empty")
        else:
            verify_consistency(old.size, new.size, proof, old.root, new.root)
        return BundleResult("consistency", new, old_checkpoint=old, proof_hashes=len(proof))
    raise AuditFormatError("not a privacy-guard proof file (unknown `format`)")


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise AuditFormatError("the proof is a list of base64 hashes")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise AuditFormatError("a proof file field that should be text is not")
    return value
