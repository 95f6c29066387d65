"""Which audit log the gateway writes to.

A config with an `audit:` section gets the real log (`privacy_guard.audit.open_sink(settings)`,
the signed SQLite Merkle log); if it cannot be opened the gateway does not start. Without one —
the shipped defaults, a first try on a laptop — decisions go to `UnpersistedAuditSink`, which
keeps them in memory only, and the gateway says so at start-up.
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any

from privacy_guard.audit.events import AuditSink, DecisionEvent, OutcomeEvent
from privacy_guard.config import DeploymentConfig, audit_configured
from privacy_guard.errors import ConfigError

log = logging.getLogger("privacy_guard.gateway")


class UnpersistedAuditSink:
    """Keeps events in memory (the last `keep` of each kind): nothing survives a restart.

    For the shipped defaults, the demo and tests. Holds prompt HMAC inputs in memory like the
    request itself does; never writes anything anywhere.
    """

    nonblocking = True  # appends are instant: the gateway calls it without a thread hop

    def __init__(self, keep: int = 10_000) -> None:
        self.keep = keep
        self.decisions: list[DecisionEvent] = []
        self.outcomes: list[OutcomeEvent] = []
        self._lock = threading.Lock()
        self._index = 0

    def __repr__(self) -> str:
        return f"<UnpersistedAuditSink: {len(self.decisions)} decisions, not persisted>"

    def append_decision(self, event: DecisionEvent) -> int:
        return self._append(self.decisions, event)

    def append_outcome(self, event: OutcomeEvent) -> int:
        return self._append(self.outcomes, event)

    def _append(self, into: list[Any], event: Any) -> int:
        with self._lock:
            into.append(event)
            if len(into) > self.keep:
                del into[: len(into) - self.keep]
            self._index += 1
            return self._index - 1


def open_audit_sink(config: DeploymentConfig) -> AuditSink:
    """The real audit log when the config has an `audit:` section, else an unpersisted one."""
    if not audit_configured(config):
        log.warning(
            "no `audit:` section in the config: decisions are kept in memory only and are NOT "
            "persisted or signed; add `audit:` to the config for the tamper-evident log"
        )
        return UnpersistedAuditSink()
    try:
        audit = importlib.import_module("privacy_guard.audit")
        opener = audit.open_sink
    except (ImportError, AttributeError):
        raise ConfigError(
            "the config has an `audit:` section but this installation has no audit log "
            "(privacy_guard.audit.open_sink); refusing to run without it"
        ) from None
    sink: AuditSink = opener(config.audit)
    return sink
