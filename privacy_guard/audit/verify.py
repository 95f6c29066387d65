"""Verify an audit log from its records, its checkpoints and the officer's public keys.

Nothing the log says about itself is trusted: the head, the stored sizes and the log's own
idea of its origin are ignored. The verifier recomputes every leaf hash from the stored bytes,
the Merkle root at every checkpoint's size, checks each checkpoint's signature against the
keyring the officer supplied, and compares. Each problem found is a `Problem` with a reason
code and the range of record indices it affects:

    modified       records changed after a checkpoint committed to them
    deleted        records missing from the middle of the log
    inserted       records that are not part of the log's sequence
    reordered      records out of their sequence
    truncated      the log is shorter than a checkpoint (stored or kept by the officer) says
    bad-signature  a checkpoint signed by a known key whose signature does not verify
    unknown-key    a checkpoint signed by no key of the officer's keyring
    fork           two signed checkpoints that cannot both be true
    malformed      a record or checkpoint that cannot be read
    unsigned-tail  records after the last checkpoint (a problem with `strict`, else a note)

How deleted, inserted and reordered are told apart: every record carries its own index. In a
sound log, record n says `index: n`. A gap in those numbers is a deletion, a number seen twice
an insertion, a number going down a reordering. Those break every later checkpoint, so later
root mismatches are attributed to the first such problem instead of being reported again.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from json.scanner import c_make_scanner  # type: ignore[attr-defined]
from typing import Any, ClassVar

from privacy_guard.audit.checkpoint import Checkpoint, SignedNote, open_checkpoint
from privacy_guard.audit.keys import Keyring
from privacy_guard.audit.merkle import EMPTY_ROOT, CompactRange
from privacy_guard.audit.record import FORMAT_VERSION, RECORD_TYPES
from privacy_guard.audit.store import AuditStore
from privacy_guard.errors import AuditFormatError, ProofError

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    """One finding. `start`/`end` delimit the record indices affected, [start, end); None when
    it concerns a checkpoint alone."""

    code: ClassVar[str]
    meaning: ClassVar[str]  # what it means, for the README and `--help`
    action: ClassVar[str]  # what the officer should do

    start: int | None
    end: int | None
    detail: str

    def where(self) -> str:
        if self.start is None or self.end is None:
            return "checkpoint"
        if self.end - self.start <= 1:
            return f"record {self.start:,}"
        return f"records {self.start:,}–{self.end - 1:,}"

    def __str__(self) -> str:
        return f"[{self.code}] {self.where()}: {self.detail}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "start": self.start,
            "end": self.end,
            "detail": self.detail,
            "action": self.action,
        }


class RecordsModified(Problem):
    code = "modified"
    meaning = "Records were changed after a signed checkpoint committed to them."
    action = "Compare with a backup or an export taken earlier; the range is where to look."


class RecordsDeleted(Problem):
    code = "deleted"
    meaning = "Records are missing from the middle of the log: their indices are skipped."
    action = "Find out who had write access to the store; restore the records from a backup."


class RecordsInserted(Problem):
    code = "inserted"
    meaning = "Records that are not part of the log's sequence were added (an index repeats)."
    action = "Treat the records in the range as forged until a backup shows otherwise."


class RecordsReordered(Problem):
    code = "reordered"
    meaning = "Records appear out of their sequence (an index goes down)."
    action = "The log was rewritten; compare the range with a backup or an export."


class TailTruncated(Problem):
    code = "truncated"
    meaning = "The log is shorter than a signed checkpoint says: its most recent records are gone."
    action = "Restore the log from a backup; the checkpoint you kept proves what is missing."


class BadSignature(Problem):
    code = "bad-signature"
    meaning = "A checkpoint is signed by a key you trust, but the signature does not verify."
    action = "The checkpoint was forged or altered; do not rely on it. Check the other ones."


class UnknownKey(Problem):
    code = "unknown-key"
    meaning = "A checkpoint is signed by no key in your public key file."
    action = "Check you passed the right --pubkey file (after a rotation, it lists every key)."


class Fork(Problem):
    code = "fork"
    meaning = "Two validly signed checkpoints cannot both be true: the log signed two histories."
    action = "Escalate: only the holder of the signing key can do this. Keep both checkpoints."


class Malformed(Problem):
    code = "malformed"
    meaning = "A record or checkpoint cannot be read (not a record, not a checkpoint note)."
    action = "The store was altered or damaged; the range shows which records."


class UnsignedTail(Problem):
    code = "unsigned-tail"
    meaning = "The most recent records are not yet covered by a signed checkpoint."
    action = "Run `privacy-guard audit checkpoint --sign` on the gateway, then verify again."


REASON_CODES: dict[str, type[Problem]] = {
    cls.code: cls
    for cls in (
        RecordsModified,
        RecordsDeleted,
        RecordsInserted,
        RecordsReordered,
        TailTruncated,
        BadSignature,
        UnknownKey,
        Fork,
        Malformed,
        UnsignedTail,
    )
}


@dataclass(frozen=True)
class VerifyReport:
    records: int
    checkpoints: int  # stored checkpoints whose signature verified
    kept: int  # checkpoints the officer supplied, verified
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()
    latest: Checkpoint | None = None  # the largest verified checkpoint the records match

    @property
    def valid(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        kept = f" (+{self.kept:,} kept)" if self.kept else ""
        head = f"{self.records:,} records, {self.checkpoints:,} checkpoints{kept}"
        if self.valid:
            return f"{head}: valid"
        return f"{head}: INVALID ({len(self.problems)} problem{'s' * (len(self.problems) > 1)})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "records": self.records,
            "checkpoints": self.checkpoints,
            "kept_checkpoints": self.kept,
            "problems": [p.to_dict() for p in self.problems],
            "notes": list(self.notes),
            "summary": self.summary(),
        }


@dataclass
class _Cp:
    """A checkpoint whose signature verified, and where it came from."""

    checkpoint: Checkpoint
    label: str  # "stored" or the officer's file name
    kept: bool
    matches: bool | None = None  # the records' root at its size equals its root


@dataclass
class _Findings:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def verify_log(
    store: AuditStore,
    keyring: Keyring,
    *,
    kept: Iterable[tuple[str, str | bytes]] = (),
    strict: bool = False,
    progress: Progress | None = None,
) -> VerifyReport:
    """Verify everything; `kept` are (label, note) checkpoints the officer kept earlier."""
    found = _Findings()
    stored = [("stored", c.note, c.size, False) for c in store.checkpoints()]
    given = [(label, note, None, True) for label, note in kept]
    cps = _open_checkpoints(stored + given, keyring, found)
    # Records are read after the checkpoints: a gateway appending meanwhile only adds records
    # after every checkpoint read, never removes one below.
    total = store.count()
    targets = sorted({cp.checkpoint.size for cp in cps})
    fields, roots, malformed = _scan(store, targets, total, progress)
    n = len(fields)
    for position in malformed[:100]:
        found.problems.append(Malformed(position, position + 1, "not a readable audit record"))
    if len(malformed) > 100:
        found.notes.append(f"{len(malformed) - 100:,} more malformed records not listed")
    first_break, claimed = _structure(fields, malformed, found)
    latest = _compare(cps, roots, n, claimed, first_break, found)
    covered = latest.size if latest else 0
    if n > covered:
        what = f"the last {n - covered:,} records are not covered by a verified checkpoint"
        if strict or latest is None:
            found.problems.append(
                UnsignedTail(covered, n, what + " (nothing confirms them)" * (latest is None))
            )
        else:
            found.notes.append(f"{what} yet (indices {covered:,}–{n - 1:,})")
    found.problems.sort(key=lambda p: (p.start if p.start is not None else -1, p.code))
    return VerifyReport(
        records=n,
        checkpoints=sum(1 for cp in cps if not cp.kept),
        kept=sum(1 for cp in cps if cp.kept),
        problems=tuple(found.problems),
        notes=tuple(found.notes),
        latest=latest,
    )


def _claimed_size(note: str | bytes) -> int | None:
    try:
        return Checkpoint.parse(SignedNote.parse(note).text).size
    except AuditFormatError:
        return None


def _open_checkpoints(
    items: Sequence[tuple[str, str | bytes, int | None, bool]], keyring: Keyring, found: _Findings
) -> list[_Cp]:
    cps: list[_Cp] = []
    rejected: dict[str, list[int | None]] = {}
    for label, note, stored_size, kept in items:
        try:
            opened = open_checkpoint(note, keyring)
        except AuditFormatError as error:
            found.problems.append(Malformed(None, None, f"{label} checkpoint: {error}"))
            continue
        except ProofError as error:
            size = _claimed_size(note)
            rejected.setdefault(error.code, []).append(size if size is not None else stored_size)
            if kept:
                found.notes.append(f"the checkpoint in {label} was rejected: {error}")
            continue
        cps.append(_Cp(opened.checkpoint, label, kept))
    for code, sizes in rejected.items():
        known = sorted(s for s in sizes if s is not None)
        shown = ", ".join(f"{s:,}" for s in known[:5]) + (", …" if len(known) > 5 else "")
        cls = BadSignature if code == "bad-signature" else UnknownKey
        found.problems.append(
            cls(
                0 if known else None,
                known[-1] if known else None,
                f"{len(sizes):,} checkpoint(s) for tree sizes {shown or '?'}: " + cls.meaning,
            )
        )
    # One log, one origin: the one most of its own verified checkpoints carry.
    origins = Counter(cp.checkpoint.origin for cp in cps if not cp.kept)
    if origins:
        origin = origins.most_common(1)[0][0]
        for cp in [cp for cp in cps if cp.checkpoint.origin != origin]:
            found.problems.append(
                Malformed(
                    None,
                    None,
                    f"{cp.label} checkpoint is for log {cp.checkpoint.origin!r}, "
                    f"this log is {origin!r}",
                )
            )
            cps.remove(cp)
    return cps


_scan_once = c_make_scanner(json.JSONDecoder()) if c_make_scanner else None
try:  # parses a record in ~40% of the C scanner's time: half the verifier's time is parsing
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - a declared dependency; the fallback stays exact
    _fast_loads = None


def _parse(data: bytes) -> Any:
    """`json.loads(data)`, faster for the usual case of a UTF-8 JSON object (orjson, else the
    C scanner without `json.loads`' per-call overhead): parsing was half of the verifier's time
    over a million records. Anything either refuses goes to `json.loads` itself, so what is
    accepted, and as what, is json's decision."""
    if _fast_loads is not None:
        try:
            return _fast_loads(data)
        except ValueError:
            return json.loads(data)
    if _scan_once is not None:
        try:
            text = data.decode("utf-8")
            value, end = _scan_once(text, 0)
            if end == len(text):
                return value
        except (StopIteration, ValueError, UnicodeDecodeError):
            pass
    return json.loads(data)


def _scan(
    store: AuditStore, targets: list[int], total: int, progress: Progress | None
) -> tuple[array[int], dict[int, bytes], list[int]]:
    """Stream the records: their own index fields, the roots at `targets`, the unreadable."""
    fields: array[int] = array("q")
    roots: dict[int, bytes] = {0: EMPTY_ROOT}
    malformed: list[int] = []
    frontier = CompactRange()
    pending = [size for size in targets if size > 0]
    next_target = pending.pop(0) if pending else -1
    append_field, append_leaf, sha256 = fields.append, frontier.append, hashlib.sha256
    if progress is not None:
        progress(0, total)
    for position, (_key, data) in enumerate(store.records()):
        index = -1
        try:
            record = _parse(data)
            if (
                type(record) is dict
                and type(record.get("index")) is int
                and record.get("v") == FORMAT_VERSION
                and record.get("type") in RECORD_TYPES
                and type(record.get("time")) is str
            ):
                index = record["index"]
        except (ValueError, UnicodeDecodeError, RecursionError):
            pass
        if index < 0:
            malformed.append(position)
        append_field(index)
        append_leaf(sha256(b"\x00" + data).digest())  # leaf_hash, inlined: 1 M calls
        if frontier.size == next_target:
            roots[next_target] = frontier.root()
            next_target = pending.pop(0) if pending else -1
        if progress is not None and not frontier.size & 0x3FFF:
            progress(frontier.size, max(total, frontier.size))
    if progress is not None:
        progress(frontier.size, frontier.size)
    return fields, roots, malformed


def _ranges(values: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted integers → maximal [start, end) runs."""
    runs: list[tuple[int, int]] = []
    for value in sorted(values):
        if runs and value <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], value + 1))
        else:
            runs.append((value, value + 1))
    return runs


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


_MAX_LISTED = 100


def _structure(
    fields: array[int], malformed: list[int], found: _Findings
) -> tuple[int | None, int]:
    """Deleted, inserted and reordered records from the records' own index fields. Returns the
    first index whose position in the tree they change (None if the sequence is sound) and the
    length the log claims to have (its highest index + 1: more than it has after deletions)."""
    n = len(fields)
    if all(f == i for i, f in enumerate(fields)):
        return None, n
    bound = max(2 * n, 1024)  # an index beyond twice the log's length cannot be genuine
    counts = bytearray(bound)
    for f in fields:
        if 0 <= f < bound and counts[f] < 255:
            counts[f] += 1
    # An unreadable record says no index; take it to hold its own place rather than call
    # that index deleted (it is reported as malformed).
    for position in malformed:
        if position < bound and counts[position] == 0:
            counts[position] = 1
    breaks: list[int] = []
    # Inserted: an index seen twice, or one no sound log of this length could have.
    spans: list[tuple[int, int]] = []
    claimed: dict[int, list[int]] = {}
    for position, f in enumerate(fields):
        if f >= bound:
            spans.append((position, position + 1))
        elif f >= 0 and counts[f] > 1:
            claimed.setdefault(f, []).append(position)
    for positions in claimed.values():
        spans.append((positions[0], positions[-1] + 1))
    for start, end in _merge(spans)[:_MAX_LISTED]:
        found.problems.append(
            RecordsInserted(
                start,
                end,
                "these positions hold records whose index repeats another record's or is out "
                "of range: records were added to the log",
            )
        )
        breaks.append(start)
    # Deleted: indices below the highest one that no record carries.
    valid = [f for f in fields if 0 <= f < bound]
    highest = max(valid) if valid else -1
    missing = (i for i in range(highest + 1) if counts[i] == 0)
    for start, end in _ranges(missing)[:_MAX_LISTED]:
        found.problems.append(
            RecordsDeleted(start, end, f"{end - start:,} record(s) missing: indices skipped")
        )
        breaks.append(start)
    # Reordered: among records with a unique index, an index lower than the one before it.
    descents: list[tuple[int, int]] = []
    previous = -1
    for f in fields:
        if 0 <= f < bound and counts[f] == 1:
            if f < previous:
                descents.append((f, previous + 1))
            previous = max(previous, f)
    for start, end in _merge(descents)[:_MAX_LISTED]:
        found.problems.append(
            RecordsReordered(start, end, "records of this range are out of their sequence")
        )
        breaks.append(start)
    return (min(breaks) if breaks else None), max(n, highest + 1)


def _compare(
    cps: list[_Cp],
    roots: dict[int, bytes],
    n: int,
    claimed: int,
    first_break: int | None,
    found: _Findings,
) -> Checkpoint | None:
    """Checkpoints against the records: truncation, forks, modifications. Returns the largest
    checkpoint the records match. A checkpoint between the records there are (`n`) and the
    records the log's indices claim (`claimed`) is broken by a deletion, not a truncation."""
    explained = sum(1 for cp in cps if n < cp.checkpoint.size <= claimed)
    beyond = [cp for cp in cps if cp.checkpoint.size > claimed]
    if beyond:
        longest = max(beyond, key=lambda cp: cp.checkpoint.size)
        whose = "the checkpoint you kept" if longest.kept else "a signed checkpoint"
        found.problems.append(
            TailTruncated(
                n,
                longest.checkpoint.size,
                f"{whose} ({longest.label}) commits to {longest.checkpoint.size:,} records; "
                f"the log has {n:,}",
            )
        )
    inside = sorted((cp for cp in cps if cp.checkpoint.size <= n), key=lambda c: c.checkpoint.size)
    for cp in inside:
        cp.matches = roots.get(cp.checkpoint.size) == cp.checkpoint.root
    # Same size, different roots: both signed, so the signer contradicted itself.
    by_size: dict[int, set[bytes]] = {}
    for cp in cps:
        by_size.setdefault(cp.checkpoint.size, set()).add(cp.checkpoint.root)
    forked_sizes = {size for size, seen in by_size.items() if len(seen) > 1}
    for size in sorted(forked_sizes):
        labels = sorted({cp.label for cp in cps if cp.checkpoint.size == size})
        found.problems.append(
            Fork(
                0,
                size,
                f"signed checkpoints for {size:,} records have different roots "
                f"({', '.join(labels)}): two histories were signed",
            )
        )
    matching = [cp for cp in inside if cp.matches]
    latest_match = matching[-1].checkpoint if matching else None
    first_modified: _Cp | None = None
    modified_since = 0
    unexplained_after = 0
    for cp in inside:
        if cp.matches or cp.checkpoint.size in forked_sizes:
            continue
        size = cp.checkpoint.size
        below = [m.checkpoint.size for m in matching if m.checkpoint.size < size]
        since = below[-1] if below else 0
        later = [m for m in matching if m.checkpoint.size > size]
        if later:
            # The records match a later signed checkpoint, which commits to every record below
            # it: this one is the odd one out.
            found.problems.append(
                Fork(
                    since,
                    size,
                    f"the checkpoint {cp.label} for {size:,} records cannot be true if the "
                    f"signed checkpoint for {later[0].checkpoint.size:,} records is: two "
                    "histories were signed",
                )
            )
        elif first_break is not None and first_break < size:
            explained += 1
        elif first_modified is None:
            first_modified = cp
            modified_since = since
        else:
            unexplained_after += 1
    if first_modified is not None:
        more = (
            f"; {unexplained_after:,} later checkpoint(s) do not match either"
            if unexplained_after
            else ""
        )
        found.problems.append(
            RecordsModified(
                modified_since,
                first_modified.checkpoint.size,
                f"the records no longer match the {first_modified.label} checkpoint for "
                f"{first_modified.checkpoint.size:,} records; the change is in this range{more}",
            )
        )
    if explained:
        found.notes.append(
            f"{explained:,} checkpoint(s) after index {first_break or 0:,} no longer match the "
            "records, as a consequence of the problems above"
        )
    return latest_match
