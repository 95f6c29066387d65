"""The compliance officer's report: the audit log's verification result and what its decisions
say, aggregated into a `Report` that `report_html` renders (`privacy-guard audit report`, and
the gateway's `/audit` route).

The verification always covers the whole log, whatever the filters: a report that only checked
the records it shows would hide a tampered range next to it. The filters (team, since, until)
select the decisions that are counted and listed. Records hold no personal data, so nothing
here needs redacting; the renderer still escapes every value, since the log is input like any
other.
"""

from __future__ import annotations

import base64
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from privacy_guard.audit.checkpoint import SignedNote
from privacy_guard.audit.keys import Keyring
from privacy_guard.audit.query import RecordFilter
from privacy_guard.audit.record import parse_record, parse_time
from privacy_guard.audit.store import AuditStore
from privacy_guard.audit.verify import Progress, VerifyReport, verify_log
from privacy_guard.errors import AuditFormatError

ACTION_ORDER = ("allow", "redact", "reroute", "block", "error")
# Where a decision's data went: the catalog's access classes, grouped as the README does.
REMOTE_ACCESS = frozenset({"saas-api", "hf-inference"})
LOCAL_ACCESS = frozenset({"local", "local-quantized"})
NOT_SENT = "not sent"  # blocked or failed closed: nothing left
DEFAULT_LATEST = 500

# Bucket widths for the timeline, smallest first: the first that fits the span in
# MAX_BUCKETS bars is used, so a day of traffic shows hours and a quarter shows days.
_WIDTHS = (
    (timedelta(minutes=1), "minute"),
    (timedelta(minutes=10), "10 minutes"),
    (timedelta(hours=1), "hour"),
    (timedelta(hours=6), "6 hours"),
    (timedelta(days=1), "day"),
    (timedelta(days=7), "week"),
    (timedelta(days=30), "30 days"),
)
MAX_BUCKETS = 72
_EPOCH_MONDAY = datetime(1970, 1, 5, tzinfo=UTC)  # weeks start on Mondays


@dataclass(frozen=True)
class ProblemRow:
    code: str
    where: str
    detail: str
    action: str


@dataclass(frozen=True)
class Verification:
    """What `audit verify` found, reduced to what the report shows."""

    valid: bool
    summary: str
    records: int
    checkpoints: int
    kept: int
    problems: tuple[ProblemRow, ...]
    notes: tuple[str, ...]
    origin: str | None  # the log's name, from its latest verified checkpoint
    covered: int  # records covered by the latest verified checkpoint
    checkpoint_root: str | None  # base64, as in the checkpoint
    checkpoint_time: str | None  # when the gateway signed it (UTC, from the store)
    checkpoint_keys: tuple[str, ...]  # who signed it: "name+keyid" of the officer's keys
    officer_keys: tuple[str, ...]  # the keys in the officer's public key file

    @classmethod
    def from_verify(cls, result: VerifyReport, keyring: Keyring, store: AuditStore) -> Verification:
        latest = result.latest
        when: str | None = None
        signers: tuple[str, ...] = ()
        if latest is not None:
            known = {(k.name, k.key_id) for k in keyring}
            for stored in store.checkpoints():
                try:
                    note = SignedNote.parse(stored.note)
                except AuditFormatError:
                    continue
                if note.text == latest.text():
                    when = _iso(datetime.fromtimestamp(stored.time, UTC))
                    signers = tuple(
                        _key_label(s.name, s.key_id)
                        for s in note.signatures
                        if (s.name, s.key_id) in known
                    )
                    break
        return cls(
            valid=result.valid,
            summary=result.summary(),
            records=result.records,
            checkpoints=result.checkpoints,
            kept=result.kept,
            problems=tuple(
                ProblemRow(p.code, p.where(), p.detail, p.action) for p in result.problems
            ),
            notes=result.notes,
            origin=latest.origin if latest else None,
            covered=latest.size if latest else 0,
            checkpoint_root=base64.b64encode(latest.root).decode() if latest else None,
            checkpoint_time=when,
            checkpoint_keys=signers,
            officer_keys=tuple(_key_label(k.name, k.key_id) for k in keyring),
        )


@dataclass
class Bucket:
    start: datetime
    counts: Counter[str] = field(default_factory=Counter)


@dataclass
class Report:
    """Everything the HTML shows, computed in one pass over the log."""

    generated: str
    filters: dict[str, str]
    verification: Verification
    log_first: str | None = None  # time of the log's first and last record (all types)
    log_last: str | None = None
    decisions: int = 0
    first: str | None = None  # time of the first and last decision counted
    last: str | None = None
    by_action: Counter[str] = field(default_factory=Counter)
    monitor: int = 0  # decisions taken in monitor mode
    by_team: dict[str, Counter[str]] = field(default_factory=dict)  # team → action → count
    by_destination: Counter[str] = field(default_factory=Counter)  # remote / local / not sent
    by_access: Counter[str] = field(default_factory=Counter)
    by_jurisdiction: Counter[str] = field(default_factory=Counter)
    entities: Counter[str] = field(default_factory=Counter)  # occurrences
    entity_decisions: Counter[str] = field(default_factory=Counter)  # decisions finding it
    blocking_rules: Counter[str] = field(default_factory=Counter)
    fail_closed: Counter[str] = field(default_factory=Counter)  # error code → count
    fail_closed_latest: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[Bucket] = field(default_factory=list)
    timeline_unit: str = "day"
    latest: list[dict[str, Any]] = field(default_factory=list)  # newest first

    @property
    def sent_remote(self) -> int:
        return self.by_destination["remote"]

    @property
    def kept_local(self) -> int:
        return self.by_destination["local"]


def destination(record: dict[str, Any]) -> str:
    """remote, local or not sent: where the decision let the data go."""
    if record.get("effective_action") in ("block", "error"):
        return NOT_SENT
    access = record.get("routed_access")
    if access in REMOTE_ACCESS:
        return "remote"
    if access in LOCAL_ACCESS:
        return "local"
    return "unknown"


def build_report(
    store: AuditStore,
    keyring: Keyring,
    *,
    filt: RecordFilter | None = None,
    kept: Iterable[tuple[str, str | bytes]] = (),
    latest: int = DEFAULT_LATEST,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> Report:
    """Verify the log, then aggregate its decisions (those `filt` selects; its record type is
    forced to `decision`). `latest`: how many of the newest decisions the table lists."""
    base = filt or RecordFilter()
    selected = RecordFilter(
        team=base.team,
        action=base.action,
        entity=base.entity,
        record_type="decision",
        since=base.since,
        until=base.until,
    )
    result = verify_log(store, keyring, kept=kept, progress=progress)
    report = Report(
        generated=_iso(now or datetime.now(UTC)),
        filters=_describe(selected),
        verification=Verification.from_verify(result, keyring, store),
    )
    newest: deque[dict[str, Any]] = deque(maxlen=max(latest, 0) or None)
    failed: deque[dict[str, Any]] = deque(maxlen=10)
    # Counted per minute while reading, so memory follows the span, not the number of records.
    minutes: dict[int, Counter[str]] = {}
    first: datetime | None = None
    last: datetime | None = None
    for _index, data in store.records():
        try:
            record = parse_record(data)
        except ValueError:
            continue  # verification reports it as malformed
        report.log_first = report.log_first or record["time"]
        report.log_last = record["time"]
        if not selected.matches(record):
            continue
        try:
            when = parse_time(record["time"])
        except ValueError:
            continue
        first = when if first is None or when < first else first
        last = when if last is None or when > last else last
        action = _count(report, record)
        minutes.setdefault(int(when.timestamp()) // 60, Counter())[action] += 1
        newest.append(record)
        if record.get("effective_action") == "error":
            failed.append(record)
    report.latest = [_row(r) for r in reversed(newest)] if latest else []
    report.fail_closed_latest = [_row(r) for r in reversed(failed)]
    if first is not None and last is not None:
        report.first, report.last = _iso(first), _iso(last)
    report.timeline, report.timeline_unit = _timeline(minutes)
    return report


def _count(report: Report, record: dict[str, Any]) -> str:
    """Add one decision to the totals; returns its effective action."""
    action = str(record.get("effective_action") or "error")
    report.decisions += 1
    report.by_action[action] += 1
    if record.get("mode") == "monitor":
        report.monitor += 1
    report.by_team.setdefault(str(record.get("team") or "?"), Counter())[action] += 1
    where = destination(record)
    report.by_destination[where] += 1
    if where in ("remote", "local"):
        report.by_access[str(record.get("routed_access"))] += 1
        report.by_jurisdiction[str(record.get("routed_jurisdiction") or "unknown")] += 1
    for entity, count in (record.get("entities") or {}).items():
        report.entities[str(entity)] += int(count) if isinstance(count, int) else 0
        report.entity_decisions[str(entity)] += 1
    if action == "block":
        for rule in record.get("rules") or ():
            report.blocking_rules[str(rule)] += 1
    if action == "error":
        report.fail_closed[str(record.get("error_code") or "unknown")] += 1
    return action


def _timeline(minutes: dict[int, Counter[str]]) -> tuple[list[Bucket], str]:
    """Per-minute counts → at most MAX_BUCKETS buckets of the smallest width that fits."""
    if not minutes:
        return [], "day"
    first, last = _minute_time(min(minutes)), _minute_time(max(minutes))
    width, unit = _WIDTHS[-1]
    for candidate, name in _WIDTHS:
        if (last - first) / candidate < MAX_BUCKETS:
            width, unit = candidate, name
            break
    origin = _floor(first, width)
    count = int((last - origin) // width) + 1
    buckets = [Bucket(origin + i * width) for i in range(count)]
    for minute, counts in minutes.items():
        buckets[int((_minute_time(minute) - origin) // width)].counts.update(counts)
    return buckets, unit


def _minute_time(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)


def _floor(when: datetime, width: timedelta) -> datetime:
    # Weeks from a Monday; everything else from the Unix epoch (UTC midnight).
    anchor = _EPOCH_MONDAY if width >= timedelta(days=7) else datetime(1970, 1, 1, tzinfo=UTC)
    return anchor + ((when - anchor) // width) * width


def _row(record: dict[str, Any]) -> dict[str, Any]:
    """One line of the latest-decisions table: identifiers and counts, as stored."""
    entities = record.get("entities") or {}
    return {
        "index": record.get("index"),
        "time": _short_time(record.get("time")),
        "team": record.get("team"),
        "action": record.get("action"),
        "effective_action": record.get("effective_action"),
        "mode": record.get("mode"),
        "requested_model": record.get("requested_model"),
        "routed_model": record.get("routed_model"),
        "access": record.get("routed_access"),
        "jurisdiction": record.get("routed_jurisdiction"),
        "entities": ", ".join(f"{k}×{v}" for k, v in sorted(entities.items())),
        "rules": ", ".join(str(r) for r in record.get("rules") or ()),
        "error_code": record.get("error_code"),
        "request_id": record.get("request_id"),
    }


def _short_time(value: object) -> str:
    """`2026-05-01T10:00:00.123456Z` → `2026-05-01 10:00:00` (sorts the same way)."""
    text = str(value or "")
    return text[:19].replace("T", " ") if len(text) >= 19 else text


def _describe(filt: RecordFilter) -> dict[str, str]:
    shown: dict[str, str] = {}
    if filt.team:
        shown["team"] = filt.team
    if filt.action:
        shown["action"] = filt.action
    if filt.entity:
        shown["entity"] = filt.entity
    if filt.since:
        shown["since"] = _iso(filt.since)
    if filt.until:
        shown["until"] = _iso(filt.until)
    return shown


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _key_label(name: str, key_id: int) -> str:
    return f"{name}+{key_id:08x}"
