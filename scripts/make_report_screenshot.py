"""Regenerate docs/audit-report.png: the HTML audit report of synthetic traffic, in Chromium.

    python scripts/make_report_screenshot.py [--count 3000] [--out docs/audit-report.png]

The traffic is made up (tests/support/audit_traffic.py: invented teams, models, rules and
counts, two weeks of it) and written to a real, signed audit log in a temporary folder; the
report is rendered as `privacy-guard audit report` renders it, opened from disk in a headless
Chromium (Debian's `chromium`) and captured full-page at 1280 CSS pixels wide.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.support

from privacy_guard.audit.query import RecordFilter  # noqa: E402
from privacy_guard.audit.report import build_report  # noqa: E402
from privacy_guard.audit.report_html import render_html  # noqa: E402
from tests.support.audit_traffic import write_traffic  # noqa: E402
from tests.support.chromium import chromium_page  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=3000, help="synthetic decisions")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "audit-report.png")
    parser.add_argument("--html", type=Path, help="also keep the HTML report here")
    parser.add_argument("--latest", type=int, default=200, help="rows of the table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        traffic = write_traffic(Path(folder) / "log", args.count)
        store = traffic.fixture.reader()
        try:
            # A fixed "generated" time keeps the picture stable between runs.
            report = build_report(
                store,
                traffic.fixture.keyring,
                filt=RecordFilter(),
                latest=args.latest,
                now=datetime(2026, 5, 15, 18, 5, tzinfo=UTC),
            )
        finally:
            store.close()
        page_file = args.html or Path(folder) / "report.html"
        page_file.write_text(render_html(report), encoding="utf-8")
        with chromium_page(Path(folder) / "profile") as page:
            page.navigate(page_file.resolve().as_uri())
            page.settle(0.3)
            errors = page.console_errors()
            if errors:
                raise SystemExit(f"the page logged errors: {errors}")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
