"""Shared machinery of the national-identifier recognizers (fr.py, ch.py, eu.py, us.py).

A candidate is a run of digits (and the odd letter) that may be split by separators (`SEP`, a
superset of base.DIGIT_SEP); python-stdnum decides whether it is a real identifier. What the
checksum cannot decide — is this 9-digit number a SIREN, an SSN or an order number? — is
settled by how the value is grouped, whether it sits inside a longer run of digits, and the
nearest cue word (or its column's header in a table).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from privacy_guard.detect.recognizers._digit_index import word_initial_digits
from privacy_guard.detect.recognizers._word_index import scan_at
from privacy_guard.detect.recognizers.base import Span

PRIORITY = 20

# What may separate two characters of an identifier: DIGIT_SEP's spaces, dots, dashes, slashes
# and line break, plus the padded forms people and evaders use ("756 / 1234", "CH - E").
_GAP = r"[ \t\u00a0\u202f]{0,3}"
SEP = rf"{_GAP}(?:[.\-/]{_GAP})?(?:\r?\n{_GAP})?"

_GROUP = re.compile(r"[0-9A-Za-z]+")
_SEPARATOR = re.compile(r"[^0-9A-Za-z]+")
# More digits continue the candidate: "1 85 05 … 36 7", "123-45-6789-01", "0,75". A tab is a
# column break in a pasted table, not a continuation.
_RUN_GAP = r"[ \u00a0\u202f]{0,3}"
_RUN_SEP = rf"{_RUN_GAP}(?:[.\-/]{_RUN_GAP})?"
_RUN_BEFORE = re.compile(rf"(?:\d{_RUN_SEP}|\d,|\w[\-/])\Z")
_RUN_AFTER = re.compile(rf"{_RUN_SEP}\d|,\d|[\-/]\w")
_RUN_BEFORE_ACROSS_LINES = re.compile(rf"\d{_RUN_SEP}(?:\r?\n{_RUN_GAP})?\Z")
_RUN_AFTER_ACROSS_LINES = re.compile(rf"{_RUN_SEP}(?:\r?\n{_RUN_GAP})?\d")
# "+33 6 12 34 56 78" holds 9 digits after its country code; so does "0041 79 …".
_PHONE_PREFIX = re.compile(r"(?:\+\s?\d{1,3}|\(\+?\d{1,3}\)|\b00\d{2}|\(0\))[ .\-]?\Z")

# Words that say a number identifies a thing, not a person: orders, tickets, parcels,
# invoices, products ...
_THING_WORDS = (
    r"(?<!in )orders?|commandes?|tickets?|tracking|suivi|colis|parcels?|shipments?|factures?|"
    r"invoices?|r[ée]f(?:[ée]rences?)?|transactions?|isbn|issn|ean|gtin|upc|iban|barcodes?|"
    r"code[\s-]barres?|sku"
)
# ... or is a phone number, an amount or a quantity.
_PHONE_AMOUNT_WORDS = (
    r"t[ée]l(?:[ée]phone)?|phones?|mobiles?|portable|fax|appel\w*|call|ruf|anrufen|whatsapp|sms|"
    r"euros?|dollars?|francs?|eur|usd|chf|gbp|montants?|totals?|budgets?|prix|prices?|"
    r"co[uû]ts?|costs?|chiffre\s+d.affaires|revenues?|salaires?|salar(?:y|ies)|population|"
    r"habitants|personnes|people|users|utilisateurs|visit(?:eu)?rs|vues|views|downloads|"
    r"t[ée]l[ée]chargements|units?|unit[ée]s|pages|lignes|lines|rows|mots|words|tokens|octets|"
    r"bytes|kb|mb|gb|tb|km|kg|tonnes?|tons"
)
OTHER_IDS = re.compile(rf"(?i)(?<!\w)(?:{_THING_WORDS})(?!\w)|(?<!\w)#")
# For the weakly checked 9- and 14-digit numbers.
NOT_AN_ID = re.compile(rf"(?i)(?<!\w)(?:{_THING_WORDS}|{_PHONE_AMOUNT_WORDS})(?!\w)|(?<!\w)#|[€$£]")

# Cues shared by the two owners of bare 9-digit numbers, FR_SIREN and US_SSN.
COMPANY_WORDS = re.compile(
    r"(?i)(?<!\w)(?:sir[ée]ne?|siret|rcs|r\.c\.s|immatricul\w*|soci[ée]t[ée]s?|entreprises?|"
    r"compan(?:y|ies)|registered|registration|raison\s+sociale|k-?bis|greffe|sarl|sasu?|eurl|"
    r"business|firm|employeur|employer|fournisseur|supplier|vendor|prestataire|freelance|"
    r"[ée]tablissements?|ape|naf)(?!\w)"
)
SSN_WORDS = re.compile(
    r"(?i)(?<!\w)(?:ssns?|s\.s\.n|ss\s?#|social[\s-]+security|soc\.?\s?sec|"
    r"s[ée]curit[ée]\s+sociale|(?:my|your|his|her|their|the)\s+social(?!\s+(?:media|network)))"
    r"(?!\w)"
)

# A value right after a VAT prefix ("FRKL 399859412", "CHE 123 456 789", "DE 123 456 789")
# belongs to that VAT number.
_VAT_PREFIX = re.compile(
    rf"(?<!\w)(?:FR{SEP}[0-9A-Z]{SEP}[0-9A-Z]|C{SEP}H{SEP}E|AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|EU|FI|"
    rf"GB|GR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI){SEP}\Z"
)


def digit_run(count: int) -> str:
    """`count` digits with an optional separator between any two."""
    return rf"\d(?:{SEP}\d){{{count - 1}}}"


def candidates(body: str) -> re.Pattern[str]:
    """Every place where `body` (which must define group `id`) stands alone: not glued to
    letters or digits. The lookahead lets candidates overlap, so a rejected one cannot hide
    a real identifier starting inside it."""
    return re.compile(rf"(?<!\w)(?=(?P<id>{body})(?!\w))")


def group_sizes(raw: str) -> tuple[int, ...]:
    """Lengths of the separator-free groups of `raw`: "756.1234.5678.97" -> (3, 4, 4, 2)."""
    return tuple(len(group) for group in _GROUP.findall(raw))


def one_separator(raw: str) -> bool:
    """True when all gaps between groups are the same: "732 829 320", not "732.829 320"."""
    return len(set(_SEPARATOR.findall(raw))) <= 1


def in_longer_run(text: str, start: int, end: int, across_lines: bool = False) -> bool:
    """True when more digits continue the candidate across a separator. A line break ends the
    run unless `across_lines` or the candidate itself spans lines: a form's line ("SIRET : 732
    829 320 00074\n12 rue …") is often followed by a number, while an oddly grouped value
    inside a table of numbers is not an identifier."""
    lo = max(0, start - 16)
    if across_lines or "\n" in text[start:end]:
        before, after = _RUN_BEFORE_ACROSS_LINES, _RUN_AFTER_ACROSS_LINES
    else:
        before, after = _RUN_BEFORE, _RUN_AFTER
    return before.search(text, lo, start) is not None or after.match(text, end) is not None


def after_phone_prefix(text: str, start: int) -> bool:
    return _PHONE_PREFIX.search(text, max(0, start - 8), start) is not None


def after_vat_prefix(text: str, start: int) -> bool:
    return _VAT_PREFIX.search(text, max(0, start - 24), start) is not None


def nearest_cue(
    text: str,
    start: int,
    end: int,
    cues: Mapping[str, re.Pattern[str]],
    before: int = 48,
    after: int = 32,
) -> str | None:
    """The label of the cue that names the value at [start, end): its column's header in a
    table, else the closest cue ending within `before` characters ahead of it, else the closest
    one starting within `after` characters behind it on the same line ("732 829 320 (SIREN)").
    `OTHER_IDS` and `NOT_AN_ID` only count right next to the value ("Order #", "tél :"), where
    they are reliable."""
    header = column_header(text, start, end)
    if header is not None:
        for label, pattern in cues.items():
            if pattern.search(header):
                return label
    best: tuple[int, str] | None = None
    for label, pattern in cues.items():
        reach = 24 if pattern in (OTHER_IDS, NOT_AN_ID) else before
        # Start early enough to see a whole cue word that ends within reach.
        for match in pattern.finditer(text, max(0, start - reach - 24), start):
            distance = start - match.end()
            if distance <= reach and (best is None or distance < best[0]):
                best = (distance, label)
    if best is not None:
        return best[1]
    line_end = text.find("\n", end, end + after)
    hi = min(len(text), end + after) if line_end < 0 else line_end
    for label, pattern in cues.items():
        reach = 16 if pattern in (OTHER_IDS, NOT_AN_ID) else after
        match = pattern.search(text, end, min(hi, end + reach))
        if match is not None and (best is None or match.start() - end < best[0]):
            best = (match.start() - end, label)
    return None if best is None else best[1]


def column_header(text: str, start: int, end: int, max_rows: int = 50) -> str | None:
    """The header cell above [start, end) when it sits in a delimited table (CSV, TSV,
    Markdown): consecutive lines with the same number of delimiters, the first one the header.
    Lines longer than `_MAX_ROW` characters are not table rows (and bound the work)."""
    line_start = _line_start(text, start)
    line_end = text.find("\n", end, end + _MAX_ROW)
    if line_start < 0 or (line_end < 0 and len(text) - end > _MAX_ROW):
        return None
    line = text[line_start : len(text) if line_end < 0 else line_end]
    for delimiter in (";", "\t", "|", ","):
        count = line.count(delimiter)
        if count >= 2:
            break
    else:
        return None
    column = text.count(delimiter, line_start, start)
    header = None
    top = line_start
    for _ in range(max_rows):
        above_start = _line_start(text, top - 1) if top > 0 else -1
        if above_start < 0 or text.count(delimiter, above_start, top - 1) != count:
            break
        header, top = text[above_start : top - 1], above_start
    if header is None:
        return None
    cells = header.split(delimiter)
    return cells[column] if column < len(cells) else None


_MAX_ROW = 400


def _line_start(text: str, position: int) -> int:
    """Where the line holding `position` starts; -1 when that is more than _MAX_ROW back."""
    lo = max(0, position - _MAX_ROW)
    newline = text.rfind("\n", lo, position)
    if newline >= 0:
        return newline + 1
    return 0 if lo == 0 else -1


class IdRecognizer:
    """Candidates from one regex; `judge` (per identifier) returns a score or None.

    `digit_led`: the pattern (from `candidates`) can only match where a digit starts a word, so
    it is tried at those positions only (`word_initial_digits`, one scan shared by every such
    recognizer) instead of scanning the whole text itself.
    """

    entity_type: str
    pattern: re.Pattern[str]
    priority = PRIORITY
    digit_led = False

    def __init__(self) -> None:
        self.name = type(self).__name__
        self.entities = (self.entity_type,)

    def _candidates(self, text: str) -> Iterator[re.Match[str]]:
        if not self.digit_led:
            yield from self.pattern.finditer(text)
            return
        # The patterns match only the empty string (a look-ahead captures the value), so each
        # match ends where it starts and scan_at tries every candidate position, as finditer
        # tries every position of the text.
        yield from scan_at(self.pattern, text, word_initial_digits(text))

    def find(self, text: str, language: str) -> Iterator[Span]:
        for match in self._candidates(text):
            start, end = match.span("id")
            score = self.judge(match, text, start, end)
            if score is not None:
                yield Span(self.entity_type, start, end, score, self.priority)

    def judge(self, match: re.Match[str], text: str, start: int, end: int) -> float | None:
        raise NotImplementedError
