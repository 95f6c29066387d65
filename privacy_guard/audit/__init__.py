"""The signed, tamper-evident audit log of every egress decision.

The gateway opens it from the deployment config and appends to it:

    from privacy_guard.audit import open_audit_log
    sink = open_audit_log(config.audit)        # AuditLog; raises AuditError if it cannot
    index = sink.append_decision(event)        # durable on return, AuditError: fail closed
    ...
    sink.close()                               # commits what is pending, signs a checkpoint

One module per job: `record` (what a record holds, canonical bytes), `merkle` (RFC 6962),
`checkpoint` (C2SP signed notes), `keys`, `store` (the storage interface), `sqlite_store` and
`postgres_store` (chosen by `stores`),
`log` (the writer), `verify` (reason-coded problems), `proofs` (offline proof bundles),
`query` (listing and export). Nothing here imports litellm or Starlette.
"""

from __future__ import annotations

import re
import socket
from typing import TYPE_CHECKING

from privacy_guard.audit.events import AuditSink, DecisionEvent, OutcomeEvent
from privacy_guard.audit.keys import load_hmac_key, load_signer
from privacy_guard.audit.log import AuditLog, LogOptions
from privacy_guard.audit.stores import open_configured_store
from privacy_guard.errors import AuditError, AuditKeyError

if TYPE_CHECKING:  # the config pulls in the policy package; the audit log does not need it
    from privacy_guard.config import AuditSettings

__all__ = [
    "AuditError",
    "AuditLog",
    "AuditSink",
    "DecisionEvent",
    "LogOptions",
    "OutcomeEvent",
    "default_instance",
    "open_audit_log",
    "open_sink",
]


def default_instance() -> str:
    """This gateway's name in records: the host name, reduced to identifier characters."""
    name = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname()).strip(".-_")[:200]
    return name or "gateway"


def log_options(settings: AuditSettings) -> LogOptions:
    return LogOptions(
        checkpoint_every=settings.checkpoint_every,
        checkpoint_interval=settings.checkpoint_interval,
        heartbeat=settings.heartbeat,
    )


def open_audit_log(settings: AuditSettings, *, instance: str | None = None) -> AuditLog:
    """The audit log the config describes, ready to append to.

    Creates the store on first use (its keys must exist: `privacy-guard keys init`). Raises
    AuditKeyError for a missing or unsafe key, AuditStoreError for a store it cannot open or
    whose origin differs from the config's. Open it in each worker process, after the fork.
    """
    if settings.signing_key is None or settings.hmac_key is None:
        raise AuditKeyError("the audit log needs `signing_key` and `hmac_key` in the config")
    signer = load_signer(settings.signing_key, settings.origin)
    hmac_key = load_hmac_key(settings.hmac_key)
    store = open_configured_store(settings)  # SQLite file, or PostgreSQL for a fleet
    try:
        return AuditLog(
            store,
            signer=signer,
            hmac_key=hmac_key,
            instance=instance or settings.instance or default_instance(),
            options=log_options(settings),
        )
    except BaseException:
        store.close()
        raise


# The name the gateway's `audit_sink` module looks for.
open_sink = open_audit_log
