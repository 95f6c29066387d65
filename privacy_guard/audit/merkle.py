"""RFC 6962 Merkle trees: hashes, compact ranges, inclusion and consistency proofs.

Hashing follows RFC 6962 §2.1 (and C2SP merkle-tree, its restatement): the hash of an empty tree
is SHA-256(""), a leaf is SHA-256(0x00 || entry), an inner node SHA-256(0x01 || left || right),
and a tree of n > 1 entries splits at k, the largest power of two smaller than n. Proofs are
generated with the PATH and SUBPROOF functions of RFC 6962 §2.1.1–2.1.2 and verified with the
iterative algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, which check the proof's length as they
go. Subtree proofs (inclusion in, and consistency of, an aligned range `[start, end)`) follow
the "Subtrees" section of draft-ietf-plants-merkle-tree-certs.

Verification functions raise `ProofError`; their messages carry sizes and indices only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from privacy_guard.errors import ProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """k: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class CompactRange:
    """The right edge of a growing tree: one hash per perfect subtree, largest first.

    A tree of `size` leaves decomposes into perfect subtrees, one per set bit of `size`; keeping
    their hashes is enough to append leaves and compute the root in O(log n) memory, which is
    how the log keeps its root between appends (across processes: the range is stored with the
    head) and how the verifier streams a million records.
    """

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()) -> None:
        self.size = size
        self.hashes = list(hashes)
        if len(self.hashes) != size.bit_count():
            raise ValueError(f"a compact range of size {size} has {size.bit_count()} hashes")

    def append(self, leaf: bytes) -> None:
        hashes = self.hashes
        hashes.append(leaf)
        size = self.size
        # Each trailing one bit of the old size is a perfect subtree the new leaf completes.
        while size & 1:
            right = hashes.pop()
            hashes[-1] = node_hash(hashes[-1], right)
            size >>= 1
        self.size += 1

    def root(self) -> bytes:
        hashes = self.hashes
        if not hashes:
            return EMPTY_ROOT
        root = hashes[-1]
        for left in reversed(hashes[:-1]):
            root = node_hash(left, root)
        return root

    def copy(self) -> CompactRange:
        return CompactRange(self.size, self.hashes)

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> CompactRange:
        if len(data) != HASH_SIZE * size.bit_count():
            raise ValueError("compact range bytes do not match its size")
        return cls(size, (data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)))


def root_of(leaves: Iterable[bytes]) -> bytes:
    """MTH over leaf hashes."""
    frontier = CompactRange()
    for leaf in leaves:
        frontier.append(leaf)
    return frontier.root()


# --- proof generation ------------------------------------------------------------------------


def _subtree(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    return root_of(leaves[lo:hi])


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(index, D[n]) of RFC 6962 §2.1.1 over the leaf hashes `leaves` (n = len(leaves)).

    The subtrees it names are disjoint, so the whole proof costs O(n) hashes.
    """
    size = len(leaves)
    if not 0 <= index < size:
        raise ValueError(f"index {index} is outside a tree of size {size}")
    proof: list[bytes] = []
    lo, hi, m = 0, size, index
    # Walk down from the root, collecting the sibling subtrees; PATH lists them leaf first.
    while hi - lo > 1:
        k = split_point(hi - lo)
        if m < k:
            proof.append(_subtree(leaves, lo + k, hi))
            hi = lo + k
        else:
            proof.append(_subtree(leaves, lo, lo + k))
            lo, m = lo + k, m - k
    proof.reverse()
    return proof


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 §2.1.2: the tree of size m is a prefix of D[n]."""
    size = len(leaves)
    if not 0 <= old_size <= size:
        raise ValueError(f"size {old_size} is outside a tree of size {size}")
    if old_size in (0, size):
        return []
    proof: list[bytes] = []
    lo, hi, m, known = 0, size, old_size, True
    while True:
        n = hi - lo
        if m == n:
            if not known:
                proof.append(_subtree(leaves, lo, hi))
            break
        k = split_point(n)
        if m <= k:
            proof.append(_subtree(leaves, lo + k, hi))
            hi = lo + k
        else:
            proof.append(_subtree(leaves, lo, lo + k))
            lo, m, known = lo + k, m - k, False
    proof.reverse()
    return proof


# --- proof verification ----------------------------------------------------------------------


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root a valid proof leads to (RFC 9162 §2.1.3.2 without the final comparison)."""
    if not 0 <= index < size:
        raise ProofError("malformed", f"index {index} is outside a tree of size {size}")
    if len(leaf) != HASH_SIZE:
        raise ProofError("malformed", f"a leaf hash has {HASH_SIZE} bytes, not {len(leaf)}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("malformed", "the inclusion proof has too many hashes")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("malformed", "the inclusion proof has too few hashes")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless `proof` shows `leaf` at `index` in the tree (`size`, `root`)."""
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise ProofError(
            "modified", f"the inclusion proof for index {index} does not lead to the root"
        )


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """Raise ProofError unless `proof` shows the tree (old_size, old_root) to be a prefix of
    (new_size, new_root). RFC 9162 §2.1.4.2, as restated in C2SP merkle-tree."""
    if old_size > new_size:
        raise ProofError("malformed", f"size {old_size} is larger than size {new_size}")
    if old_size == 0:
        # RFC 9162 §2.1.4 defines proofs for 0 < first < second only; a "proof" from the empty
        # tree proves nothing, and transparency-dev's vectors expect it rejected.
        raise ProofError("malformed", "a consistency proof from the empty tree proves nothing")
    if old_size == new_size:
        if proof:
            raise ProofError("malformed", "equal sizes need an empty consistency proof")
        if old_root != new_root:
            raise ProofError("fork", f"two different roots for tree size {old_size}")
        return
    if not proof:
        raise ProofError("malformed", "the consistency proof is empty")
    hashes = list(proof)
    if old_size & (old_size - 1) == 0:
        hashes.insert(0, old_root)  # a perfect old tree is itself a node of the new one
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            raise ProofError("malformed", "the consistency proof has too many hashes")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("malformed", "the consistency proof has too few hashes")
    if fr != old_root or sr != new_root:
        raise ProofError(
            "fork", f"the tree of size {old_size} is not a prefix of the tree of size {new_size}"
        )


def is_valid_subtree(start: int, end: int) -> bool:
    """`[start, end)` is a subtree: 0 <= start <= end and start is a multiple of
    BIT_CEIL(end - start) (draft-ietf-plants-merkle-tree-certs, "Definition of a Subtree")."""
    if start < 0 or start > end:
        return False
    size = end - start
    ceil = 1 if size <= 1 else 1 << (size - 1).bit_length()
    return start % ceil == 0


def verify_subtree_inclusion(
    index: int, start: int, end: int, leaf: bytes, proof: Sequence[bytes], subtree_root: bytes
) -> None:
    """Entry `index` is in the subtree `[start, end)` with hash `subtree_root`: an ordinary
    inclusion proof of `index - start` in a tree of `end - start` entries."""
    if not is_valid_subtree(start, end) or not start <= index < end:
        raise ProofError("malformed", f"[{start}, {end}) is not a subtree holding {index}")
    verify_inclusion(index - start, end - start, leaf, proof, subtree_root)


def verify_subtree_consistency(
    start: int,
    end: int,
    size: int,
    proof: Sequence[bytes],
    subtree_root: bytes,
    root: bytes,
) -> None:
    """The subtree `[start, end)` with hash `subtree_root` is part of the tree (`size`, `root`)
    ("Verifying a Subtree Consistency Proof", draft-ietf-plants-merkle-tree-certs)."""
    if not is_valid_subtree(start, end) or end > size:
        raise ProofError("malformed", f"[{start}, {end}) is not a subtree of size {size}")
    if start == end:
        if proof or subtree_root != EMPTY_ROOT:
            raise ProofError("malformed", "an empty subtree needs an empty proof and hash")
        return
    fn, sn, tn = start, end - 1, size - 1
    if sn == tn:
        while fn != sn:
            fn, sn, tn = fn >> 1, sn >> 1, tn >> 1
    else:
        while fn != sn and sn & 1:
            fn, sn, tn = fn >> 1, sn >> 1, tn >> 1
    rest = list(proof)
    if fn == sn:
        fr = sr = subtree_root
    else:
        if not rest:
            raise ProofError("malformed", "the subtree consistency proof is empty")
        fr = sr = rest.pop(0)
    for c in rest:
        if tn == 0:
            raise ProofError("malformed", "the subtree consistency proof has too many hashes")
        if sn & 1 or sn == tn:
            if fn < sn:
                fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while sn and not sn & 1:
                fn, sn, tn = fn >> 1, sn >> 1, tn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn, tn = fn >> 1, sn >> 1, tn >> 1
    if tn != 0 or fr != subtree_root or sr != root:
        raise ProofError("fork", f"[{start}, {end}) is not consistent with the tree of {size}")
