"""What the gateway hands to the audit log, and the interface every audit store implements.

The gateway appends a `DecisionEvent` *before* any byte leaves for an upstream (the call returns
only once the event is durable; if it raises, the request fails closed), and an `OutcomeEvent`
once the upstream answered or failed, so latency and upstream status are on record too.
Neither carries a prompt, a reply, a matched value, a placeholder map or an unkeyed hash:
the caller and the prompt appear only as keyed HMACs computed by the audit log itself.

Every other string field must be an identifier (request ids, team, policy, catalog model
names, entity types, rule ids, codes: letters, digits and `._:/=+-`, no spaces, no `@`); the
log refuses free text with `AuditEventError` rather than store it (a requested model name that
does not fit is best passed as None). The implementation is
`privacy_guard.audit.AuditLog` (`open_audit_log(config.audit)`), which also offers
`append_decision_async` / `append_outcome_async` for use on an event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class DecisionEvent:
    request_id: str
    team: str
    caller_key: str  # the caller's credential; the log stores only its keyed HMAC
    prompt_text: str  # the inspected text; the log stores only its keyed HMAC
    policy_id: str
    policy_hash: str
    mode: str  # enforce | monitor
    requested_model: str | None
    routed_model: str | None  # None when blocked
    routed_access: str | None  # saas-api | hf-inference | local | local-quantized
    routed_jurisdiction: str | None
    action: str  # allow | redact | reroute | block | error (fail-closed)
    effective_action: str
    entity_counts: Mapping[str, int] = field(default_factory=dict)
    rules: tuple[str, ...] = ()
    detector_hash: str = ""
    error_code: str | None = None  # for fail-closed events: a code, never a message with data
    # The wire API the request came in (`openai-chat`, `anthropic-messages`, ...).
    api: str | None = None


@dataclass(frozen=True, slots=True)
class OutcomeEvent:
    request_id: str
    upstream_status: int | None  # None when nothing was sent
    latency_ms: float


class AuditSink(Protocol):
    """An append-only audit log. Both methods return once the event is durable."""

    def append_decision(self, event: DecisionEvent) -> int:
        """Append; return the record's index. Raise `AuditError` when it cannot be made durable."""
        ...

    def append_outcome(self, event: OutcomeEvent) -> int: ...
