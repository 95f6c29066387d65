"""Shared machinery of the national-identifier recognizers (fr.py, ch.py, eu.py, us.py).

A candidate is a run of digits (and the odd letter) that may be split by the separators of
`DIGIT_SEP`; python-stdnum decides whether it is a real identifier. What the checksum cannot
decide — is this 9-digit number a SIREN, an SSN or an order number? — is settled by how the
value is grouped, whether it sits inside a longer run of digits, and the nearest cue word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from privacy_guard.detect.recognizers.base import DIGIT_SEP, Span

SEP = DIGIT_SEP
PRIORITY = 20

_GROUP = re.compile(r"[0-9A-Za-z]+")
_SEPARATOR = re.compile(r"[^0-9A-Za-z]+")
# The digit run goes on past the candidate: "1 85 05 … 36 7", "123-45-6789-01", "0,75".
_RUN_BEFORE = re.compile(r"(?:\d[ \t.,\-/\u00a0\u202f]|\w[\-/])\Z")
_RUN_AFTER = re.compile(r"[ \t.,\-/\u00a0\u202f]\d|[\-/]\w")
# "+33 6 12 34 56 78" holds 9 digits after its country code; so does "0041 79 …".
_PHONE_PREFIX = re.compile(r"(?:\+\s?\d{1,3}|\b00\d{2}|\(0\))[ .\-]?\Z")

# Words that say a number is something other than personal data: orders, tickets, parcels,
# invoices, phones, bank accounts, amounts.
NOT_AN_ID = re.compile(
    r"(?i)(?<!\w)(?:orders?|commandes?|tickets?|tracking|suivi|colis|parcels?|shipments?|"
    r"factures?|invoices?|r[ée]f(?:[ée]rences?)?|transactions?|t[ée]l(?:[ée]phone)?|"
    r"phones?|mobiles?|portable|fax|isbn|issn|ean|gtin|iban|comptes?|accounts?|"
    r"euros?|dollars?|francs?|eur|usd|chf|gbp|habitants)(?!\w)|(?<!\w)#|[€$£]"
)

# Cues shared by the two owners of bare 9-digit numbers, FR_SIREN and US_SSN.
COMPANY_WORDS = re.compile(
    r"(?i)(?<!\w)(?:sir[ée]n|siret|rcs|r\.c\.s|immatricul\w*|soci[ée]t[ée]s?|entreprises?|"
    r"compan(?:y|ies)|registered|registration|raison\s+sociale|k-?bis|greffe|sarl|sasu?|eurl|"
    r"business|firm|employeur|employer|fournisseur|supplier|[ée]tablissements?|ape|naf)(?!\w)"
)
SSN_WORDS = re.compile(
    r"(?i)(?<!\w)(?:ssns?|s\.s\.n|ss\s?#|social[\s-]+security|soc\.?\s?sec|"
    r"s[ée]curit[ée]\s+sociale)(?!\w)"
)

# EU VAT prefixes ("EL" is Greece, "XI" Northern Ireland, "EU" the OSS scheme) and "GB".
VAT_COUNTRIES = (
    "AT BE BG CY CZ DE DK EE EL ES EU FI FR GB GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI "
    "SK XI"
).split()
# A value right after a VAT prefix ("FRKL 399859412", "CHE 123 456 789") belongs to that VAT number.
_VAT_PREFIX = re.compile(
    rf"(?<!\w)(?:FR[ .\-]?[0-9A-Z]{{2}}|CHE|{'|'.join(c for c in VAT_COUNTRIES if c != 'FR')})"
    r"[ .\-]?\Z"
)


def digit_run(count: int, first: str = r"\d") -> str:
    """`count` digits, the first matching `first`, with an optional separator between any two."""
    return rf"{first}(?:{SEP}\d){{{count - 1}}}"


def candidates(body: str) -> re.Pattern[str]:
    """Every place where `body` (which must define group `id`) stands alone: not glued to
    letters or digits. The lookahead lets candidates overlap, so a rejected one cannot hide
    a real identifier starting inside it."""
    return re.compile(rf"(?<!\w)(?=(?P<id>{body})(?!\w))")


def group_sizes(raw: str) -> tuple[int, ...]:
    """Lengths of the separator-free groups of `raw`: "756.1234.5678.97" -> (3, 4, 4, 2)."""
    return tuple(len(group) for group in _GROUP.findall(raw))


def one_separator(raw: str) -> bool:
    """True when every gap between groups is the same separator ("732 829 320", not "732.829 320")."""
    return len(set(_SEPARATOR.findall(raw))) <= 1


def in_longer_run(text: str, start: int, end: int) -> bool:
    """True when more digits continue the candidate across a single separator."""
    return (
        _RUN_BEFORE.search(text, max(0, start - 2), start) is not None
        or _RUN_AFTER.match(text, end) is not None
    )


def after_phone_prefix(text: str, start: int) -> bool:
    return _PHONE_PREFIX.search(text, max(0, start - 8), start) is not None


def after_vat_prefix(text: str, start: int) -> bool:
    return _VAT_PREFIX.search(text, max(0, start - 8), start) is not None


def nearest_cue(
    text: str,
    start: int,
    end: int,
    cues: Mapping[str, re.Pattern[str]],
    before: int = 48,
    after: int = 32,
) -> str | None:
    """The label of the cue closest to [start, end): the last one within `before` characters
    ahead of it or the first one within `after` characters behind it. None when none is near."""
    best: tuple[int, str] | None = None
    lo, hi = max(0, start - before), min(len(text), end + after)
    for label, pattern in cues.items():
        for match in pattern.finditer(text, lo, start):
            distance = start - match.end()
            if best is None or distance < best[0]:
                best = (distance, label)
        match = pattern.search(text, end, hi)
        # A cue after the value counts for a little less than one before it ("SIREN : 732 …").
        if match is not None and (best is None or match.start() - end + 1 < best[0]):
            best = (match.start() - end + 1, label)
    return None if best is None else best[1]


class IdRecognizer:
    """Candidates from one regex; `judge` (per identifier) returns a score or None."""

    entity_type: str
    pattern: re.Pattern[str]
    priority = PRIORITY

    def __init__(self) -> None:
        self.name = type(self).__name__
        self.entities = (self.entity_type,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        for match in self.pattern.finditer(text):
            start, end = match.span("id")
            score = self.judge(match, text, start, end)
            if score is not None:
                yield Span(self.entity_type, start, end, score, self.priority)

    def judge(self, match: re.Match[str], text: str, start: int, end: int) -> float | None:
        raise NotImplementedError
