"""`audit report`: what the report counts, on a small log built by hand, its filters, a tampered
log (problems first), escaping, and the command line."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from privacy_guard.audit import AuditLog, LogOptions
from privacy_guard.audit.query import RecordFilter
from privacy_guard.audit.record import canonical
from privacy_guard.audit.report import Report, build_report
from privacy_guard.audit.report_html import CSP, render_html
from privacy_guard.audit.sqlite_store import SqliteStore
from privacy_guard.cli import app as cli
from tests.support.audit import LogFixture, decision, make_fixture, outcome

DAY1 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
DAY2 = datetime(2026, 5, 2, 10, 0, tzinfo=UTC)
NOWHERE = {"routed_model": None, "routed_access": None, "routed_jurisdiction": None}


def _event(i: int, team: str, action: str, **changes: object):  # type: ignore[no-untyped-def]
    base = {
        "team": team,
        "action": action,
        "effective_action": action,
        "entity_counts": {},
        "rules": (),
        "routed_model": "remote-gpt",
        "routed_access": "saas-api",
        "routed_jurisdiction": "US",
    }
    return decision(i, **{**base, **changes})


# (when, event): 8 decisions over two days, every action, every access class.
EVENTS = [
    (DAY1, _event(0, "eng", "allow")),
    (DAY1, _event(1, "eng", "redact", entity_counts={"PERSON": 2, "EMAIL_ADDRESS": 1})),
    (
        DAY1,
        _event(
            2, "hr", "block", entity_counts={"HEALTH": 1}, rules=("hr.health-stays",), **NOWHERE
        ),
    ),
    (
        DAY1,
        _event(
            3,
            "hr",
            "block",
            entity_counts={"SECRET": 1},
            rules=("hr.health-stays", "default.secrets"),
            **NOWHERE,
        ),
    ),
    (
        DAY2,
        _event(
            4,
            "eng",
            "reroute",
            entity_counts={"PROJECT_CODENAME": 1},
            rules=("eng.internal",),
            routed_model="local-llama",
            routed_access="local",
            routed_jurisdiction="self-hosted",
        ),
    ),
    (DAY2, _event(5, "hr", "error", error_code="detection_timeout", **NOWHERE)),
    (
        DAY2,
        _event(
            6,
            "ops",
            "allow",
            routed_model="hf-llama",
            routed_access="hf-inference",
            routed_jurisdiction="EU",
        ),
    ),
    (
        DAY2,
        _event(
            7,
            "eng",
            "redact",
            entity_counts={"IBAN_CODE": 1},
            routed_model="vllm-q4",
            routed_access="local-quantized",
            routed_jurisdiction="CH",
        ),
    ),
]


@pytest.fixture
def fx(tmp_path: Path) -> LogFixture:
    fixture = make_fixture(tmp_path / "log")
    now = [DAY1.timestamp()]
    log = AuditLog(
        SqliteStore(fixture.db),
        signer=fixture.signer,
        hmac_key=fixture.hmac_key,
        instance="test-gw",
        options=LogOptions(checkpoint_every=4, checkpoint_interval=86_400, heartbeat=86_400),
        clock=lambda: now[0],
    )
    with log:
        for i, (when, event) in enumerate(EVENTS):
            now[0] = when.timestamp() + i  # a second apart
            log.append_decision(event)
        log.append_outcome(outcome(0))  # not a decision: never counted
    (fixture.folder / "audit.pub").write_text(fixture.signer.public_key.vkey() + "\n")
    return fixture


def _report(fx: LogFixture, **filters: object) -> Report:
    store = fx.reader()
    try:
        return build_report(store, fx.keyring, filt=RecordFilter(**filters))  # type: ignore[arg-type]
    finally:
        store.close()


def test_counts(fx: LogFixture) -> None:
    r = _report(fx)
    assert r.verification.valid and r.verification.records == 9
    assert r.decisions == 8
    assert dict(r.by_action) == {"allow": 2, "redact": 2, "block": 2, "reroute": 1, "error": 1}
    assert {team: sum(c.values()) for team, c in r.by_team.items()} == {"eng": 4, "hr": 3, "ops": 1}
    assert dict(r.by_team["hr"]) == {"block": 2, "error": 1}
    # 2 SaaS + 1 hosted inference left; 1 local + 1 quantised local stayed; blocks and the
    # fail-closed error sent nothing.
    assert dict(r.by_destination) == {"remote": 3, "local": 2, "not sent": 3}
    assert dict(r.by_access) == {
        "saas-api": 2,
        "hf-inference": 1,
        "local": 1,
        "local-quantized": 1,
    }
    assert dict(r.by_jurisdiction) == {"US": 2, "EU": 1, "self-hosted": 1, "CH": 1}
    assert dict(r.entities) == {
        "PERSON": 2,
        "EMAIL_ADDRESS": 1,
        "HEALTH": 1,
        "SECRET": 1,
        "PROJECT_CODENAME": 1,
        "IBAN_CODE": 1,
    }
    assert dict(r.blocking_rules) == {"hr.health-stays": 2, "default.secrets": 1}
    assert dict(r.fail_closed) == {"detection_timeout": 1}
    assert [row["request_id"] for row in r.fail_closed_latest] == ["req-000005"]
    assert [row["index"] for row in r.latest] == [7, 6, 5, 4, 3, 2, 1, 0]  # newest first
    assert sum(sum(b.counts.values()) for b in r.timeline) == 8
    assert r.timeline_unit == "hour" and len(r.timeline) == 25


def test_filters(fx: LogFixture) -> None:
    assert _report(fx, team="hr").decisions == 3
    assert _report(fx, since=DAY2).decisions == 4
    assert _report(fx, until=DAY2).decisions == 4
    r = _report(fx, team="eng", since=DAY2)
    assert r.decisions == 2 and dict(r.by_action) == {"reroute": 1, "redact": 1}
    assert r.filters == {"team": "eng", "since": "2026-05-02T10:00:00Z"}
    # The verification always covers the whole log.
    assert r.verification.records == 9


def test_verification_facts(fx: LogFixture) -> None:
    v = _report(fx).verification
    assert v.covered == 9 and v.origin == "audit.test.example/log"
    key = f"audit.test.example/log+{fx.signer.key_id:08x}"
    assert v.officer_keys == (key,) and v.checkpoint_keys == (key,)
    assert v.checkpoint_time is not None and v.checkpoint_root


def test_html_is_self_contained(fx: LogFixture) -> None:
    page = render_html(_report(fx))
    assert f'content="{CSP.replace(chr(39), "&#x27;")}"' in page
    assert 'data-valid="true"' in page
    for external in ("http://", "https://", "src=", "@import", "url("):
        # The only URL is the SVG namespace, which is a name, not a request.
        assert page.replace('xmlns="http://www.w3.org/2000/svg"', "").count(external) == 0, external
    assert page.count('<svg class="chart') >= 7


def _tamper(fx: LogFixture, index: int, **changes: object) -> None:
    with sqlite3.connect(fx.db) as conn:
        (data,) = conn.execute("SELECT data FROM records WHERE idx = ?", (index,)).fetchone()
        record = json.loads(data)
        record.update(changes)
        conn.execute("UPDATE records SET data = ? WHERE idx = ?", (canonical(record), index))


def test_a_tampered_log_shows_not_valid_with_reason_codes_first(fx: LogFixture) -> None:
    # Someone with write access changes a record, with markup in it for good measure.
    _tamper(fx, 2, team="<script>alert(1)</script>", action="allow")
    r = _report(fx)
    assert not r.verification.valid
    # Record 2 is under the first checkpoint: no checkpoint matches any more, so nothing
    # vouches for the rest either.
    assert [p.code for p in r.verification.problems] == ["modified", "unsigned-tail"]
    page = render_html(r)
    assert 'data-valid="false"' in page and "NOT valid" in page
    assert page.index('class="reason">modified') < page.index('id="summary"')
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_empty_period_renders(fx: LogFixture) -> None:
    r = _report(fx, team="nobody")
    assert r.decisions == 0 and r.timeline == []
    assert "No decisions in this period" in render_html(r)


def test_the_command(fx: LogFixture, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    args = ["audit", "report", "--log", str(fx.db), "--pubkey", str(fx.folder / "audit.pub")]
    done = CliRunner().invoke(cli, [*args, "--out", str(out), "--team", "hr"])
    assert done.exit_code == 0, done.output
    page = out.read_text(encoding="utf-8")
    assert 'data-valid="true"' in page and "decisions with team hr" in page
    assert page.count('<tr data-action="') == 3
    since = CliRunner().invoke(
        cli, [*args, "--out", str(out), "--since", "2026-05-02", "--until", "2026-05-03"]
    )
    assert since.exit_code == 0 and out.read_text().count('<tr data-action="') == 4
    bad = CliRunner().invoke(cli, [*args, "--out", str(out), "--since", "last tuesday"])
    assert bad.exit_code == 2
    _tamper(fx, 1, team="ops")
    tampered = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert tampered.exit_code == 1  # written, and says the log is not valid
    assert 'data-valid="false"' in out.read_text()


def test_the_audit_package_needs_no_web_framework() -> None:
    import subprocess
    import sys

    code = (
        "import sys, privacy_guard.audit.report, privacy_guard.audit.report_html;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('starlette', 'litellm', 'jinja2')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_decision_helper_is_unchanged() -> None:
    # The hand-built log relies on `decision()` accepting these overrides.
    assert replace(decision(0), team="hr").team == "hr"
