"""RFC 6962 Merkle trees: every transparency-dev vector, the C2SP example, generated proofs."""

from __future__ import annotations

import base64
import hashlib
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy_guard.audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
    verify_subtree_consistency,
    verify_subtree_inclusion,
)
from privacy_guard.errors import ProofError

# Copied from ../shared/testdata (transparency-dev/merkle, Apache-2.0; LICENSE beside them) so
# that the tests run without the shared folder.
VECTORS = Path(__file__).parent / "data" / "rfc6962-vectors" / "testdata"
VECTOR_FILES = sorted(VECTORS.rglob("*.json"))


def _b(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _check(kind: str, v: dict) -> None:  # type: ignore[type-arg]
    proof = [_b(h) for h in v["proof"] or []]
    if kind == "inclusion":
        verify_inclusion(v["leafIdx"], v["treeSize"], _b(v["leafHash"]), proof, _b(v["root"]))
    elif kind == "consistency":
        verify_consistency(v["size1"], v["size2"], proof, _b(v["root1"]), _b(v["root2"]))
    elif kind == "subtreeinclusion":
        verify_subtree_inclusion(
            v["leafIdx"], v["start"], v["end"], _b(v["leafHash"]), proof, _b(v["root"])
        )
    elif kind == "subtreeconsistency":
        verify_subtree_consistency(
            v["start"], v["end"], v["size"], proof, _b(v["root1"]), _b(v["root2"])
        )
    else:
        raise AssertionError(kind)


def test_the_vectors_are_all_there() -> None:
    kinds = {path.relative_to(VECTORS).parts[0] for path in VECTOR_FILES}
    assert kinds == {"inclusion", "consistency", "subtreeinclusion", "subtreeconsistency"}
    assert len(VECTOR_FILES) == 518
    assert (VECTORS.parent / "LICENSE").is_file()


@pytest.mark.parametrize(
    "path", VECTOR_FILES, ids=[str(p.relative_to(VECTORS)) for p in VECTOR_FILES]
)
def test_rfc6962_vector(path: Path) -> None:
    vector = json.loads(path.read_text())
    kind = path.relative_to(VECTORS).parts[0]
    if vector["wantErr"]:
        with pytest.raises(ProofError):
            _check(kind, vector)
    else:
        _check(kind, vector)


def _entries(n: int) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(n)]


def _mth(entries: list[bytes]) -> bytes:
    """MTH straight from RFC 6962 §2.1, recursively: the reference for the fast code."""
    if not entries:
        return hashlib.sha256(b"").digest()
    if len(entries) == 1:
        return leaf_hash(entries[0])
    k = 1 << ((len(entries) - 1).bit_length() - 1)
    return node_hash(_mth(entries[:k]), _mth(entries[k:]))


def test_the_c2sp_seven_entry_example() -> None:
    d = _entries(7)
    a, b, c, dd, e, f, g = (leaf_hash(x) for x in d)
    h, i, j = node_hash(a, b), node_hash(c, dd), node_hash(e, f)
    k, ll = node_hash(h, i), node_hash(j, g)
    root = node_hash(k, ll)
    leaves = [a, b, c, dd, e, f, g]
    assert root_of(leaves) == root == _mth(d)
    assert inclusion_proof(0, leaves) == [b, i, ll]
    assert inclusion_proof(3, leaves) == [c, h, ll]
    assert inclusion_proof(4, leaves) == [f, g, k]
    assert inclusion_proof(6, leaves) == [j, k]
    assert consistency_proof(3, leaves) == [c, dd, h, ll]
    assert consistency_proof(4, leaves) == [ll]
    assert consistency_proof(6, leaves) == [j, g, k]


def test_empty_tree_and_single_leaf() -> None:
    assert root_of([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    leaf = leaf_hash(b"x")
    assert root_of([leaf]) == leaf
    assert inclusion_proof(0, [leaf]) == []
    verify_inclusion(0, 1, leaf, [], leaf)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300), st.data())
def test_generated_proofs_verify_and_stay_short(n: int, data: st.DataObject) -> None:
    entries = _entries(n)
    leaves = [leaf_hash(e) for e in entries]
    root = root_of(leaves)
    assert root == _mth(entries)
    index = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(index, leaves)
    assert len(proof) <= math.ceil(math.log2(n)) if n > 1 else len(proof) == 0
    verify_inclusion(index, n, leaves[index], proof, root)
    if proof:
        bad = list(proof)
        bad[data.draw(st.integers(0, len(bad) - 1))] = hashlib.sha256(b"forged").digest()
        with pytest.raises(ProofError):
            verify_inclusion(index, n, leaves[index], bad, root)
    old = data.draw(st.integers(1, n))
    proof = consistency_proof(old, leaves)
    assert len(proof) <= math.ceil(math.log2(n)) + 1
    verify_consistency(old, n, proof, root_of(leaves[:old]), root)
    if old < n:
        with pytest.raises(ProofError):
            verify_consistency(old, n, proof, root_of([*leaves[: old - 1], leaves[-1]]), root)


@given(st.integers(0, 200))
def test_compact_range_round_trips_and_grows(n: int) -> None:
    frontier = CompactRange()
    leaves = [leaf_hash(e) for e in _entries(n)]
    for leaf in leaves:
        frontier.append(leaf)
    assert frontier.size == n and len(frontier.hashes) == n.bit_count()
    restored = CompactRange.from_bytes(n, frontier.to_bytes())
    extra = leaf_hash(b"one more")
    restored.append(extra)
    assert restored.root() == root_of([*leaves, extra])


def test_a_compact_range_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError):
        CompactRange.from_bytes(3, b"\x00" * 32)
