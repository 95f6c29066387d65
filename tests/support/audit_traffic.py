"""Synthetic gateway traffic written to a real audit log, for the report's browser tests and
`scripts/make_report_screenshot.py`. Nothing here is real: made-up teams, models, rules and
counts, with times spread over `days` by the log's injectable clock."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from privacy_guard.audit import AuditLog, DecisionEvent, LogOptions, OutcomeEvent
from privacy_guard.audit.sqlite_store import SqliteStore
from tests.support.audit import LogFixture, make_fixture

# (name, access, jurisdiction)
MODELS = (
    ("gpt-4o-mini", "saas-api", "US"),
    ("claude-sonnet", "saas-api", "US"),
    ("mistral-large", "saas-api", "EU"),
    ("hf-llama3-70b", "hf-inference", "US"),
    ("ollama-llama3", "local", "self-hosted"),
    ("vllm-qwen-q4", "local-quantized", "self-hosted"),
)
TEAMS = {"engineering": 5, "support": 4, "marketing": 2, "hr": 1, "legal": 1}
ENTITIES = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "IBAN_CODE",
    "LOCATION",
    "FR_NIR",
    "CH_AHV",
    "HEALTH",
    "SECRET",
    "CREDIT_CARD",
)
BLOCK_RULES = {
    "SECRET": "default.secrets-never-leave",
    "HEALTH": "hr.health-stays-home",
    "CREDIT_CARD": "default.cards-blocked",
    "FR_NIR": "legal.national-ids",
}
FAIL_CODES = ("detection_timeout", "audit_unavailable", "policy_error", "detection_failed")


@dataclass
class Traffic:
    fixture: LogFixture
    pubkey: Path  # the officer's public key file
    count: int


def write_traffic(
    folder: Path,
    count: int = 3000,
    *,
    days: int = 14,
    end: datetime = datetime(2026, 5, 15, 18, 0, tzinfo=UTC),
    seed: int = 7,
    checkpoint_every: int = 256,
) -> Traffic:
    """A log of `count` synthetic decisions (and outcomes) ending at `end`."""
    rng = random.Random(seed)
    fixture = make_fixture(folder)
    pubkey = folder / "audit-ed25519.pub"
    pubkey.write_text(fixture.signer.public_key.vkey() + "\n", encoding="utf-8")
    start = end - timedelta(days=days)
    # Office hours weigh more: a plausible shape for the timeline.
    stamps = sorted(_office_time(rng, start, days) for _ in range(count))
    now = [stamps[0].timestamp()]
    log = AuditLog(
        SqliteStore(fixture.db),
        signer=fixture.signer,
        hmac_key=fixture.hmac_key,
        instance="gw-synthetic-1",
        # The clock jumps hours between records: time-based checkpoints and heartbeats
        # would fire at nearly every record, so only the count-based ones are used.
        options=LogOptions(
            checkpoint_every=checkpoint_every, checkpoint_interval=86_400, heartbeat=86_400
        ),
        clock=lambda: now[0],
    )
    with log:
        for i, when in enumerate(stamps):
            now[0] = when.timestamp()
            event = _event(rng, i)
            log.append_decision(event)
            if event.effective_action not in ("block", "error"):
                log.append_outcome(OutcomeEvent(event.request_id, 200, rng.uniform(300, 4000)))
    return Traffic(fixture, pubkey, count)


def _office_time(rng: random.Random, start: datetime, days: int) -> datetime:
    day = rng.randrange(days)
    weekend = (start + timedelta(days=day)).weekday() >= 5
    hour = rng.gauss(13, 3) if rng.random() > (0.7 if weekend else 0.1) else rng.uniform(0, 24)
    hour = min(max(hour, 0), 23.99)
    return start + timedelta(days=day, hours=hour)


def _event(rng: random.Random, i: int) -> DecisionEvent:
    team = rng.choices(list(TEAMS), weights=list(TEAMS.values()))[0]
    model, access, jurisdiction = rng.choice(MODELS[:4])
    found = {e: rng.randint(1, 3) for e in rng.sample(ENTITIES, rng.choice((0, 0, 1, 1, 2, 3)))}
    remote = access in ("saas-api", "hf-inference")
    blockers = [BLOCK_RULES[e] for e in found if e in BLOCK_RULES]
    roll = rng.random()
    error_code = None
    rules: tuple[str, ...] = ()
    routed: tuple[str | None, str | None, str | None] = (model, access, jurisdiction)
    if roll < 0.012:
        action, routed, error_code = "error", (None, None, None), rng.choice(FAIL_CODES)
    elif blockers and roll < 0.6:
        action, routed, rules = "block", (None, None, None), tuple(blockers)
    elif found and roll < 0.75:
        action, rules = "reroute", (f"{team}.internal-stays-home",)
        routed = rng.choice(MODELS[4:])
    elif found and remote:
        action, rules = "redact", ("default.personal-data-redacted",)
    else:
        action = "allow"
    mode = "monitor" if team == "marketing" and rng.random() < 0.3 else "enforce"
    effective = (
        "allow" if mode == "monitor" and action in ("block", "redact", "reroute") else action
    )
    if effective == "allow" and routed[0] is None:
        routed = (model, access, jurisdiction)
    return DecisionEvent(
        request_id=f"pg-synthetic-{i:06d}",
        team=team,
        caller_key=f"synthetic-caller-{team}-{i % 7}",
        prompt_text=f"synthetic prompt {i}",
        policy_id=team,
        policy_hash="sha256:" + hashlib.sha256(team.encode()).hexdigest(),
        mode=mode,
        requested_model=model,
        routed_model=routed[0],
        routed_access=routed[1],
        routed_jurisdiction=routed[2],
        action=action,
        effective_action=effective,
        entity_counts=found,
        rules=rules,
        detector_hash="sha256:" + "5e" * 32,
        error_code=error_code,
    )
