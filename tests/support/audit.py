"""Helpers for the audit log tests: keys in a temporary folder, events, a populated log."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from privacy_guard.audit import AuditLog, DecisionEvent, LogOptions, OutcomeEvent
from privacy_guard.audit.keys import HmacKey, Keyring, Signer, new_hmac_key, new_signing_key
from privacy_guard.audit.sqlite_store import SqliteStore

ORIGIN = "audit.test.example/log"


@dataclass
class LogFixture:
    folder: Path
    db: Path
    signer: Signer
    hmac_key: HmacKey

    @property
    def keyring(self) -> Keyring:
        return Keyring([self.signer.public_key])

    def open(self, **options: Any) -> AuditLog:
        return AuditLog(
            SqliteStore(self.db),
            signer=self.signer,
            hmac_key=self.hmac_key,
            instance="test-gw",
            options=LogOptions(**options),
        )

    def reader(self) -> SqliteStore:
        return SqliteStore(self.db, readonly=True)


def make_fixture(folder: Path) -> LogFixture:
    folder.mkdir(parents=True, exist_ok=True)
    return LogFixture(
        folder,
        folder / "audit.db",
        new_signing_key(folder / "signing.pem", ORIGIN),
        new_hmac_key(folder / "hmac.key"),
    )


def decision(i: int = 0, **changes: Any) -> DecisionEvent:
    event = DecisionEvent(
        request_id=f"req-{i:06d}",
        team="engineering",
        caller_key=f"sk-caller-secret-{i % 3}",
        prompt_text=f"Please summarise ticket {i} for Jean Dupont <jean.dupont@example.fr>",
        policy_id="engineering",
        policy_hash="sha256:" + "ab" * 32,
        mode="enforce",
        requested_model="gpt-4o",
        routed_model="gpt-4o" if i % 4 else "vllm-llama3",
        routed_access="saas-api" if i % 4 else "local",
        routed_jurisdiction="US" if i % 4 else "CH",
        action=("redact", "allow", "block", "reroute")[i % 4],
        effective_action=("redact", "allow", "block", "reroute")[i % 4],
        entity_counts={"PERSON": 1, "EMAIL_ADDRESS": 1} if i % 2 else {"IBAN_CODE": 2},
        rules=("names-redacted",) if i % 2 else (),
        detector_hash="sha256:" + "cd" * 32,
    )
    return replace(event, **changes)


def outcome(i: int = 0, **changes: Any) -> OutcomeEvent:
    return replace(OutcomeEvent(f"req-{i:06d}", 200, 123.456), **changes)


def populate(fixture: LogFixture, count: int, **options: Any) -> list[int]:
    """Append `count` decisions (and close, which signs a final checkpoint)."""
    with fixture.open(**options) as audit:
        return [audit.append_decision(decision(i)) for i in range(count)]
