"""VAT numbers with their country prefix: the EU member states, Northern Ireland (XI), the OSS
scheme (EU) and, as a neighbour whose numbers look and matter the same, the UK (GB).

The Swiss "CHE-123.456.789 MWST" is a UID with a suffix and is reported as CH_UID (ch.py).
"""

from __future__ import annotations

import re

from stdnum.eu import vat
from stdnum.gb import vat as gb_vat

from privacy_guard.detect.recognizers._ids import (
    SEP,
    IdRecognizer,
    candidates,
    group_sizes,
    in_longer_run,
)
from privacy_guard.detect.recognizers.base import Recognizer, digits_only, has_context


def _digits(low: int, high: int | None = None) -> str:
    """`low` to `high` digits with optional separators in between."""
    return rf"\d(?:{SEP}\d){{{low - 1},{(high or low) - 1}}}"


_LETTER = "[A-Za-z]"
_UK = rf"(?:{_digits(9)}(?:(?:{SEP}\d){{3}})?|(?:G{SEP}D|H{SEP}A){SEP}{_digits(3)})"
# The shape of the part after the prefix, per country (stdnum checks the rest).
_BODIES: dict[str, str] = {
    "AT": rf"[Uu]{SEP}{_digits(8)}",
    "BE": _digits(9, 10),
    "BG": _digits(9, 10),
    "CY": rf"{_digits(8)}{SEP}{_LETTER}",
    "CZ": _digits(8, 10),
    "DE": _digits(9),
    "DK": _digits(8),
    "EE": _digits(9),
    "EL": _digits(8, 9),
    "GR": _digits(8, 9),
    "ES": rf"[0-9A-Za-z]{SEP}{_digits(7)}{SEP}[0-9A-Za-z]",
    "EU": _digits(9),
    "FI": _digits(8),
    "FR": rf"[0-9A-Za-z]{SEP}[0-9A-Za-z]{SEP}{_digits(9)}",
    "GB": _UK,
    "HR": _digits(11),
    "HU": _digits(8),
    "IE": rf"\d{SEP}[0-9A-Za-z+*](?:{SEP}\d){{5}}{SEP}{_LETTER}(?:{SEP}[A-IW])?",
    "IT": _digits(11),
    "LT": rf"{_digits(9)}(?:(?:{SEP}\d){{3}})?",
    "LU": _digits(8),
    "LV": _digits(11),
    "MT": _digits(8),
    "NL": rf"{_digits(9)}{SEP}[Bb]{SEP}\d{SEP}\d",
    "PL": _digits(10),
    "PT": _digits(9),
    "RO": _digits(6, 10),
    "SE": _digits(12),
    "SI": _digits(8),
    "SK": _digits(10),
    "XI": _UK,
}

VAT_WORDS = re.compile(
    r"(?i)(?<!\w)(?:vat|tva|mwst|ust|ust-?id(?:nr)?|umsatzsteuer\w*|iva|btw|nif|cif|"
    r"partita|moms|alv|dph|dic|pvm|pdv|áfa|ddv|intracommunautaire|intra-?community)(?!\w)"
)


class EuVatRecognizer(IdRecognizer):
    """Country prefix + that country's shape, validated by stdnum.eu.vat (stdnum.gb.vat)."""

    entity_type = "EU_VAT"
    pattern = candidates(
        "(?:" + "|".join(f"{cc[0]}{SEP}{cc[1]}{SEP}{body}" for cc, body in _BODIES.items()) + ")"
    )

    def judge(self, match: re.Match[str], text: str, start: int, end: int) -> float | None:
        raw = match["id"]
        value = digits_only(raw).upper()
        valid = gb_vat.is_valid(value) if value.startswith("GB") else vat.is_valid(value)
        if not valid:
            return None
        # Prefix and body written as one or two blocks is the usual form; any other split
        # must not be the start of a longer run of digits (an IBAN: "BE68 5390 0754 7034").
        if len(group_sizes(raw)) > 2 and in_longer_run(text, start, end, across_lines=True):
            return None
        return 1.0 if has_context(text, start, end, VAT_WORDS) else 0.95


RECOGNIZERS: list[Recognizer] = [EuVatRecognizer()]
