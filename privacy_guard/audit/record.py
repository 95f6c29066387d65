"""Audit records: what one entry of the log holds, and its canonical bytes.

A record is a JSON object; its canonical bytes — what the Merkle leaf hashes — are the UTF-8 of
`json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`: keys sorted, no
whitespace, no floats (times are strings, latencies integer microseconds). For the values a
record can hold (identifier strings, integers, null, flat objects and arrays) this is the JSON
Canonicalization Scheme of RFC 8785, so any language can re-derive the leaf hash.

Three record types share `v` (format version), `type`, `index`, `time` (UTC, RFC 3339 with
microseconds and `Z`) and `instance` (the gateway that wrote it):

* `decision` — one per request that reached a decision (blocks and fail-closed errors
  included), written before anything is sent upstream: request id, team, the caller as a keyed
  HMAC, policy id and hash, mode, requested and routed model with its access class and
  jurisdiction, action and effective action, entity types with counts, the rules that fired,
  the detector configuration hash, the prompt as a keyed HMAC (`prompt_hmac`), the id of the
  HMAC key, and an error code for fail-closed decisions.
* `outcome` — latency and upstream status of a request, once known (linked by request id).
* `heartbeat` — written when the log has been idle for a while, so that its checkpoints keep
  showing the gateway was alive.

What a record never holds: a prompt, a reply, a matched value, a placeholder map, or an unkeyed
hash of any of them. Every string field is checked against a narrow identifier pattern before
it is written, so free text (where a value could hide) is refused rather than stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from privacy_guard.audit.events import DecisionEvent, OutcomeEvent
from privacy_guard.errors import AuditEventError

FORMAT_VERSION = 1
RECORD_TYPES = ("decision", "outcome", "heartbeat")
ACTIONS = frozenset({"allow", "redact", "reroute", "block", "error"})
MODES = frozenset({"enforce", "monitor"})
ACCESS_CLASSES = frozenset({"saas-api", "hf-inference", "local", "local-quantized"})

# Narrow on purpose: no spaces (free text), no `@` (e-mail addresses). Model names use the
# catalog's own pattern, so a requested model that is not a catalog name cannot be stored.
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/=+-]{0,199}", re.ASCII)
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}", re.ASCII)
_TEAM = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}", re.ASCII)
_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}", re.ASCII)
_ENTITY = re.compile(r"[A-Z][A-Z0-9_]{0,63}", re.ASCII)
# Qualified by team, as the policy package names them: `default.secrets`, `hr.rules[2]`,
# `engineering.allowed_models`.
_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:#\[\]-]{0,159}", re.ASCII)
_HASH = re.compile(r"[A-Za-z0-9:+/=._-]{0,160}", re.ASCII)


def canonical(record: Mapping[str, Any]) -> bytes:
    """The record's canonical bytes (see the module docstring)."""
    return json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def format_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def parse_record(data: bytes) -> dict[str, Any]:
    """A stored record as a dict; ValueError when it is not a record of a known type."""
    record = json.loads(data)
    if (
        not isinstance(record, dict)
        or record.get("v") != FORMAT_VERSION
        or record.get("type") not in RECORD_TYPES
        or type(record.get("index")) is not int
        or not isinstance(record.get("time"), str)
    ):
        raise ValueError("not an audit record")
    return record


def _check(value: object, pattern: re.Pattern[str], field: str, *, optional: bool = False) -> Any:
    # The message names the field, never the value: the value may be the very data we keep out.
    if value is None and optional:
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise AuditEventError(f"audit event field `{field}` is not a valid identifier")
    return value


def _choice(value: object, allowed: frozenset[str], field: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if value not in allowed:
        raise AuditEventError(
            f"audit event field `{field}` must be one of {', '.join(sorted(allowed))}"
        )
    return value


def decision_fields(
    event: DecisionEvent, *, caller_hmac: str, prompt_hmac: str, hmac_key_id: str, instance: str
) -> dict[str, Any]:
    """A decision record without `index` and `time` (the log assigns both under its lock).

    Raises AuditEventError when a field could carry something the log must not store.
    """
    if not isinstance(event, DecisionEvent):
        raise AuditEventError("append_decision takes a DecisionEvent")
    entities: dict[str, int] = {}
    for name, count in dict(event.entity_counts).items():
        _check(name, _ENTITY, "entity_counts")
        if type(count) is not int or count < 0:
            raise AuditEventError("audit event field `entity_counts` needs counts >= 0")
        entities[name] = count
    fields: dict[str, Any] = {
        "v": FORMAT_VERSION,
        "type": "decision",
        "instance": instance,
        "request_id": _check(event.request_id, _REQUEST_ID, "request_id"),
        "team": _check(event.team, _TEAM, "team"),
        "caller_hmac": caller_hmac,
        # Empty when a fail-closed error came before any policy was chosen.
        "policy_id": _check(event.policy_id, _TOKEN, "policy_id") if event.policy_id else "",
        "policy_hash": _check(event.policy_hash, _HASH, "policy_hash"),
        "mode": _choice(event.mode, MODES, "mode"),
        "requested_model": _check(event.requested_model, _MODEL, "requested_model", optional=True),
        "routed_model": _check(event.routed_model, _MODEL, "routed_model", optional=True),
        "routed_access": _choice(
            event.routed_access, ACCESS_CLASSES, "routed_access", optional=True
        ),
        "routed_jurisdiction": _check(
            event.routed_jurisdiction, _TOKEN, "routed_jurisdiction", optional=True
        ),
        "action": _choice(event.action, ACTIONS, "action"),
        "effective_action": _choice(event.effective_action, ACTIONS, "effective_action"),
        "entities": entities,
        "rules": [_check(rule, _RULE, "rules") for rule in event.rules],
        "detector_hash": _check(event.detector_hash, _HASH, "detector_hash"),
        "prompt_hmac": prompt_hmac,
        "hmac_key_id": hmac_key_id,
        "error_code": _check(event.error_code, _TOKEN, "error_code", optional=True),
    }
    if event.api is not None:  # absent from records written before the field existed
        fields["api"] = _check(event.api, _TOKEN, "api")
    return fields


def outcome_fields(event: OutcomeEvent, *, instance: str) -> dict[str, Any]:
    if not isinstance(event, OutcomeEvent):
        raise AuditEventError("append_outcome takes an OutcomeEvent")
    status = event.upstream_status
    if status is not None and (type(status) is not int or not 100 <= status <= 599):
        raise AuditEventError("audit event field `upstream_status` must be an HTTP status")
    latency = event.latency_ms
    if not isinstance(latency, int | float) or not 0 <= latency < 1e9:
        raise AuditEventError("audit event field `latency_ms` must be a duration >= 0")
    return {
        "v": FORMAT_VERSION,
        "type": "outcome",
        "instance": instance,
        "request_id": _check(event.request_id, _REQUEST_ID, "request_id"),
        "upstream_status": status,
        "latency_us": round(latency * 1000),
    }


def heartbeat_fields(*, instance: str) -> dict[str, Any]:
    return {"v": FORMAT_VERSION, "type": "heartbeat", "instance": instance}


def check_instance(name: str) -> str:
    return _check(name, _TOKEN, "instance")
