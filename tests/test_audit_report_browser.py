"""The HTML report in a real headless Chromium: it renders, its charts are there, its table sorts
and filters, the console stays clean and the page makes no request but for itself.

Chromium is Debian's `chromium` (`.ci/run` installs it). Without it these tests are skipped on
a workstation, and fail in CI (`CI` set), where they must run.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from privacy_guard.audit.query import RecordFilter
from privacy_guard.audit.report import Report, build_report
from privacy_guard.audit.report_html import render_html
from privacy_guard.cli import app as cli
from tests.support.audit_traffic import Traffic, write_traffic
from tests.support.chromium import Page, chromium_page, find_chromium
from tests.support.gateway import running_stack

pytestmark = pytest.mark.skipif(
    find_chromium() is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium; .ci/run does)",
)

COUNT = 1200


@pytest.fixture(scope="module")
def traffic(tmp_path_factory: pytest.TempPathFactory) -> Traffic:
    return write_traffic(tmp_path_factory.mktemp("traffic"), COUNT, days=10)


@pytest.fixture(scope="module")
def report(traffic: Traffic) -> Report:
    store = traffic.fixture.reader()
    try:
        return build_report(store, traffic.fixture.keyring, filt=RecordFilter())
    finally:
        store.close()


@pytest.fixture(scope="module")
def report_file(traffic: Traffic, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Written by the command, as an officer would."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    done = CliRunner().invoke(
        cli,
        [
            "audit",
            "report",
            "--log",
            str(traffic.fixture.db),
            "--pubkey",
            str(traffic.pubkey),
            "--out",
            str(out),
        ],
    )
    assert done.exit_code == 0, done.output
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    with chromium_page(tmp_path_factory.mktemp("chromium-profile")) as page:
        yield page


@pytest.fixture
def page(browser: Page, report_file: Path) -> Page:
    browser.navigate(report_file.as_uri())
    browser.settle(0.3)
    return browser


def test_the_page_renders(page: Page, report: Report) -> None:
    assert page.evaluate("document.title") == "Audit report — audit.test.example/log"
    banner = page.evaluate("document.getElementById('verification').innerText")
    assert "The log is valid" in banner and f"{report.verification.records:,}" in banner
    # The verification comes first, before any chart.
    first = page.evaluate("document.querySelector('section').id")
    assert first == "verification"
    shown = page.evaluate("document.querySelector('#summary .big').textContent")
    assert shown == f"{COUNT:,}"


def test_the_charts_are_there(page: Page, report: Report) -> None:
    charts = page.evaluate(
        "Array.from(document.querySelectorAll('svg.chart')).map(s => ["
        "s.closest('section').id, s.querySelectorAll('rect.bar').length,"
        "s.getBoundingClientRect().width, s.getBoundingClientRect().height])"
    )
    by_section: dict[str, list[int]] = {}
    for section, bars, width, height in charts:
        assert bars > 0 and width > 100 and height > 20, section
        by_section.setdefault(section, []).append(bars)
    for section in ("timeline", "teams", "destinations", "jurisdictions", "entities", "rules"):
        assert section in by_section, section
    assert "fail-closed" in by_section  # the synthetic traffic has some
    # Every decision is in exactly one column segment: the titles add up.
    total = page.evaluate(
        "Array.from(document.querySelectorAll('#timeline rect.bar title'))"
        ".map(t => Number(t.textContent.split(': ').pop().replace(/,/g, '')))"
        ".reduce((a, b) => a + b, 0)"
    )
    assert total == report.decisions == COUNT


def test_no_console_error_and_no_request(page: Page, report_file: Path) -> None:
    assert page.console_errors() == []
    assert page.requests == [report_file.as_uri()]


def _rows(page: Page, column: int) -> list[str]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('#decisions tbody tr'))"
        f".filter(r => !r.hidden).map(r => r.cells[{column}].textContent)"
    )


def test_the_table_sorts(page: Page, report: Report) -> None:
    newest_first = [str(row["index"]) for row in report.latest]
    assert _rows(page, 0) == newest_first
    page.evaluate("document.querySelector('#decisions th[data-key=index]').click()")
    assert _rows(page, 0) == sorted(newest_first, key=int)  # numerically, not as text
    page.evaluate("document.querySelector('#decisions th[data-key=index]').click()")
    assert _rows(page, 0) == sorted(newest_first, key=int, reverse=True)
    page.evaluate("document.querySelector('#decisions th[data-key=team]').click()")
    teams = _rows(page, 2)
    assert teams == sorted(teams)
    assert page.evaluate("document.querySelector('th[data-key=team]').getAttribute('aria-sort')")


def test_the_table_filters(page: Page, report: Report) -> None:
    blocked = sum(1 for row in report.latest if row["effective_action"] == "block")
    assert blocked
    page.evaluate(
        "var s = document.getElementById('f-action'); s.value = 'block';"
        "s.dispatchEvent(new Event('change'))"
    )
    assert len(_rows(page, 0)) == blocked
    assert set(_rows(page, 3)) == {"block"}
    assert page.evaluate("document.getElementById('shown').textContent").startswith(
        f"{blocked} of "
    )
    hr_blocked = sum(
        1 for r in report.latest if r["effective_action"] == "block" and r["team"] == "hr"
    )
    page.evaluate(
        "var t = document.getElementById('f-team'); t.value = 'hr';"
        "t.dispatchEvent(new Event('change'))"
    )
    assert len(_rows(page, 0)) == hr_blocked
    # Free text, over every cell; the selects still apply.
    page.evaluate(
        "var s = document.getElementById('f-action'); s.value = '';"
        "s.dispatchEvent(new Event('change'));"
        "var t = document.getElementById('f-team'); t.value = '';"
        "t.dispatchEvent(new Event('change'));"
        "var q = document.getElementById('q'); q.value = 'SECRET';"
        "q.dispatchEvent(new Event('input'))"
    )
    secret = sum(1 for r in report.latest if "SECRET" in r["entities"] or "secret" in r["rules"])
    assert len(_rows(page, 0)) == secret > 0
    assert page.console_errors() == []


def test_a_tampered_report_in_the_browser(browser: Page, report: Report, tmp_path: Path) -> None:
    from dataclasses import replace

    from privacy_guard.audit.report import ProblemRow

    bad = replace(
        report,
        verification=replace(
            report.verification,
            valid=False,
            problems=(ProblemRow("modified", "records 0–9", "<b>changed</b>", "look"),),
        ),
    )
    out = tmp_path / "tampered.html"
    out.write_text(render_html(bad), encoding="utf-8")
    browser.navigate(out.as_uri())
    browser.settle(0.2)
    banner = browser.evaluate("document.getElementById('verification').innerText")
    assert "NOT valid" in banner and "modified" in banner and "<b>changed</b>" in banner
    assert browser.evaluate("document.querySelectorAll('#verification b').length") == 0
    assert browser.console_errors() == [] and browser.requests == [out.as_uri()]


def test_the_harness_sees_errors_and_requests(browser: Page, tmp_path: Path) -> None:
    """The checks above are not vacuous: a page that logs an error and fetches is caught."""
    out = tmp_path / "noisy.html"
    out.write_text(
        "<!doctype html><title>noisy</title><img src='http://127.0.0.1:9/x.png'>"
        "<script>console.error('boom'); undefinedFunction();</script>",
        encoding="utf-8",
    )
    browser.navigate(out.as_uri())
    browser.settle(0.3)
    errors = browser.console_errors()
    assert any("boom" in e for e in errors) and any("exception" in e for e in errors)
    assert "http://127.0.0.1:9/x.png" in browser.requests


def test_the_live_report_in_the_browser(browser: Page, tmp_path: Path) -> None:
    officer_key = "officer-key-for-browser-tests"
    audit = (
        "audit:\n  path: audit/audit.db\n  signing_key: keys/audit-ed25519.pem\n"
        "  hmac_key: keys/audit-hmac.key\n  checkpoint_every: 1\n"
        f"  officer_key_sha256: {hashlib.sha256(officer_key.encode()).hexdigest()}\n"
    )

    def keys(config: Path) -> None:
        done = CliRunner().invoke(cli, ["keys", "init", "--config", str(config)])
        assert done.exit_code == 0, done.output

    with running_stack(tmp_path, extra_config=audit, before=keys) as stack:
        stack.openai().chat.completions.create(
            model="remote-gpt", messages=[{"role": "user", "content": "hello"}]
        )
        url = f"{stack.served.url}/audit"
        browser.send(
            "Network.setExtraHTTPHeaders", headers={"authorization": f"Bearer {officer_key}"}
        )
        try:
            browser.navigate(url)
            browser.settle(0.3)
            assert "The log is valid" in browser.evaluate("document.body.innerText")
            assert browser.evaluate("document.querySelectorAll('#decisions tbody tr').length") == 1
            assert browser.console_errors() == []
            assert browser.requests == [url]  # no favicon, nothing else
        finally:
            browser.send("Network.setExtraHTTPHeaders", headers={})


def test_bar_labels_stay_inside_their_chart_and_rule_ids_show_whole(
    page: Page, report: Report
) -> None:
    # A label's box against its chart's box, in the rendered page: nothing runs off an edge.
    boxes = page.evaluate(
        "Array.from(document.querySelectorAll('svg.hbars text.label')).map(t => {"
        "const s = t.closest('svg').getBoundingClientRect(), b = t.getBoundingClientRect();"
        "return [t.closest('section').id, t.firstChild.nodeValue, b.left - s.left,"
        " s.right - b.right]})"
    )
    assert {section for section, *_ in boxes} >= {"teams", "rules", "entities"}
    for section, text, left_gap, right_gap in boxes:
        assert left_gap >= -0.5 and right_gap >= -0.5, (section, text, left_gap, right_gap)
    # The rule ids, qualified and long, are printed in full (the title holds them too).
    shown = [text for section, text, *_ in boxes if section == "rules"]
    assert shown and all("…" not in text for text in shown)
    assert set(shown) <= set(report.blocking_rules)
    assert max(len(text) for text in shown) > 18  # long enough to have been cut before
