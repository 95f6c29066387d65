"""Listing and exporting records: filters for `audit show` and `audit export`.

Records hold no personal data, so everything here can be printed as stored. The prompt filter
takes a text and an HMAC key and matches records whose `prompt_hmac` is that text's digest:
it answers "was this exact text sent?" and nothing more.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from privacy_guard.audit.record import parse_record, parse_time
from privacy_guard.audit.store import AuditStore


@dataclass(frozen=True, slots=True)
class RecordFilter:
    team: str | None = None
    action: str | None = None  # matches `action` or `effective_action`
    entity: str | None = None
    record_type: str | None = None
    request_id: str | None = None
    since: datetime | None = None  # inclusive, aware (UTC)
    until: datetime | None = None  # exclusive
    prompt_hmacs: frozenset[str] | None = None

    def matches(self, record: dict[str, Any]) -> bool:
        if self.record_type and record.get("type") != self.record_type:
            return False
        if self.team and record.get("team") != self.team:
            return False
        if self.action and self.action not in (
            record.get("action"),
            record.get("effective_action"),
        ):
            return False
        if self.entity and self.entity not in (record.get("entities") or {}):
            return False
        if self.request_id and record.get("request_id") != self.request_id:
            return False
        if self.prompt_hmacs is not None and record.get("prompt_hmac") not in self.prompt_hmacs:
            return False
        if self.since or self.until:
            when = parse_time(record["time"])
            if self.since and when < self.since:
                return False
            if self.until and when >= self.until:
                return False
        return True


def select(
    store: AuditStore, filt: RecordFilter, *, start: int = 0, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """Matching records in index order; unreadable ones are skipped (`audit verify` reports
    them)."""
    shown = 0
    for _index, data in store.records(start):
        try:
            record = parse_record(data)
        except ValueError:
            continue
        if filt.matches(record):
            yield record
            shown += 1
            if limit is not None and shown >= limit:
                return


CSV_COLUMNS = (
    "index",
    "time",
    "type",
    "instance",
    "request_id",
    "team",
    "caller_hmac",
    "policy_id",
    "policy_hash",
    "mode",
    "requested_model",
    "routed_model",
    "routed_access",
    "routed_jurisdiction",
    "action",
    "effective_action",
    "entities",
    "rules",
    "detector_hash",
    "prompt_hmac",
    "hmac_key_id",
    "error_code",
    "upstream_status",
    "latency_us",
)


def jsonl_line(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def csv_header() -> str:
    return _csv_row(list(CSV_COLUMNS))


def csv_line(record: dict[str, Any]) -> str:
    row: list[object] = []
    for column in CSV_COLUMNS:
        value = record.get(column)
        if column == "entities" and isinstance(value, dict):
            value = ";".join(f"{k}:{v}" for k, v in sorted(value.items()))
        elif column == "rules" and isinstance(value, list):
            value = ";".join(str(v) for v in value)
        row.append("" if value is None else value)
    return _csv_row(row)


def _csv_row(row: list[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    return out.getvalue()
