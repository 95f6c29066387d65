"""Render an evaluation report for people."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from privacy_guard.evaluate import EvalReport

_GROUP_TITLES = {
    "structured": "structured identifiers",
    "secrets": "secrets",
    "health": "HEALTH terms",
    "person_en": "PERSON, English",
    "person_fr": "PERSON, French",
    "addresses": "postal addresses",
    "obfuscated": "obfuscated values",
    "documents": "inside pasted documents",
}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def print_report(report: EvalReport) -> None:
    console = Console()
    entities = Table(title=f"Per entity ({report.examples} texts)")
    for column in ("entity", "support", "recall", "boundary-exact", "predicted", "precision"):
        entities.add_column(column, justify="left" if column == "entity" else "right")
    for name, stats in sorted(report.entities.items()):
        entities.add_row(
            name,
            str(stats.support),
            _pct(stats.recall),
            _pct(stats.exact_recall),
            str(stats.predicted),
            _pct(stats.precision),
        )
    console.print(entities)

    groups = Table(title="Target groups")
    for column in ("group", "spans", "recall"):
        groups.add_column(column, justify="left" if column == "group" else "right")
    for key, title in _GROUP_TITLES.items():
        rate = report.groups.get(key)
        if rate is not None and rate.total:
            groups.add_row(title, str(rate.total), _pct(rate.rate))
    console.print(groups)

    console.print(
        f"precision on texts with personal data: {_pct(report.precision.rate)}  "
        f"({report.precision.hit}/{report.precision.total} findings)"
    )
    console.print(
        f"texts without personal data that got no finding: "
        f"{_pct(report.clean_share_without_findings)}  "
        f"({report.clean_texts - report.clean_texts_flagged}/{report.clean_texts})"
    )
