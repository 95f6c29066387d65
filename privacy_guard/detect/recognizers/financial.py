"""IBAN_CODE and CREDIT_CARD: separator-tolerant candidates, validated by python-stdnum.

IBAN: two letters, two check digits, then 11-30 letters or digits, any case, with spaces, dashes,
dots, slashes or line breaks anywhere between characters (`FR76 3000 6000 ...`, `fr76-3000-...`,
a regrouped `FR 763 0006 ...`). The run is cut at the longest prefix that ends on a group
boundary and passes `stdnum.iban.is_valid` (checksum and the country's BBAN format), so trailing
words or a second IBAN do not spoil it.

CREDIT_CARD: 12-19 digits passing Luhn (`stdnum.luhn`) with a known issuer prefix and a length
that issuer uses (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro, Mir,
RuPay; Cartes Bancaires are Visa/Mastercard co-branded). Groups may be split anywhere; inside a
longer run of numbers only the usual groupings (4-4-4-4, 4-6-5, 4-6-4, 4-4-4-4-3) are cut out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban, luhn

from privacy_guard.detect.recognizers.base import Recognizer, Span

PRIORITY = 20

# A separator between characters/groups: optional spaces around at most one of . - / or a line
# break ("0612", "06 12", "06 - 12", "06/\n12"). `_SEP` is never empty, so `x (sep x)*` has one
# way to match and stays linear.
_SEP = (
    r"(?:[ \t\u00a0\u202f]{1,3}(?:[.\-/](?:\r?\n)?[ \t]{0,3}|\r?\n[ \t]{0,3})?"
    r"|[.\-/](?:\r?\n)?[ \t]{0,3}|\r?\n[ \t]{0,3})"
)

_IBAN_CANDIDATE = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z]{_SEP}?[A-Za-z]{_SEP}?\d{_SEP}?\d(?:{_SEP}?[A-Za-z0-9]){{11,30}}"
)
_ALNUM = re.compile(r"[A-Za-z0-9]")

_CARD_CANDIDATE = re.compile(
    rf"(?<![\w.,+\-])(?<!\d[.,/\-])\d{{1,19}}(?:{_SEP}\d{{1,19}}){{0,18}}(?![\w])(?![.,]\d)"
)
_DIGITS = re.compile(r"\d+")
_STANDARD_GROUPS = ((4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 3), (4, 4, 4, 3), (4, 4, 4))


class IbanRecognizer:
    name = "iban"
    entities = ("IBAN_CODE",)

    def find(self, text: str, language: str) -> Iterator[Span]:
        pos = 0
        while (m := _IBAN_CANDIDATE.search(text, pos)) is not None:
            chars = [(c.start(), c.group(0)) for c in _ALNUM.finditer(text, m.start(), m.end())]
            found = self._longest_valid(text, chars)
            if found is None:
                pos = m.start() + 1
                continue
            end = chars[found - 1][0] + 1
            yield Span("IBAN_CODE", m.start(), end, 1.0, PRIORITY)
            pos = end

    @staticmethod
    def _longest_valid(text: str, chars: list[tuple[int, str]]) -> int | None:
        """The number of characters of the longest valid IBAN prefix ending on a boundary."""
        value = "".join(c for _, c in chars).upper()
        for n in range(min(len(chars), 34), 14, -1):
            after = chars[n - 1][0] + 1
            if after < len(text) and text[after].isalnum():
                continue  # would cut a group in two
            if iban.is_valid(value[:n]):
                return n
        return None


def issuer_accepts(digits: str) -> bool:
    """True when `digits` has a known card issuer prefix and a length that issuer uses."""
    n = len(digits)
    p2, p3, p4, p6 = int(digits[:2]), int(digits[:3]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4":
        return n in (13, 16, 19)  # Visa
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16  # Mastercard
    if p2 in (34, 37):
        return n == 15  # American Express
    if p4 == 6011 or p2 == 65 or 644 <= p3 <= 649 or 622126 <= p6 <= 622925:
        return 16 <= n <= 19  # Discover
    if 300 <= p3 <= 305 or p2 in (36, 38, 39) or p4 == 3095:
        return 14 <= n <= 19  # Diners Club
    if p2 == 35:
        return 16 <= n <= 19  # JCB (3528-3589 officially; generators use all of 35xx)
    if p4 in (2131, 1800):
        return n == 15  # JCB 15
    if p2 == 62 or p2 == 81:
        return 16 <= n <= 19  # UnionPay
    if 2200 <= p4 <= 2204:
        return 16 <= n <= 19  # Mir
    if p4 in (5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763, 6390) or p2 in (
        50,
        56,
        57,
        58,
        67,
        68,
        69,
    ):
        return 12 <= n <= 19  # Maestro
    if p2 in (60, 82) or p3 == 508:
        return n == 16  # RuPay
    return False


class CardRecognizer:
    name = "credit_card"
    entities = ("CREDIT_CARD",)

    def find(self, text: str, language: str) -> Iterator[Span]:
        for m in _CARD_CANDIDATE.finditer(text):
            groups = [(g.start(), g.end(), g.group(0)) for g in _DIGITS.finditer(text, *m.span())]
            yield from self._cards(groups)

    @staticmethod
    def _cards(groups: list[tuple[int, int, str]]) -> Iterator[Span]:
        n = len(groups)
        found = False
        i = 0
        while i < n:
            for j in range(min(n, i + 5), i, -1):
                sizes = tuple(len(g) for _, _, g in groups[i:j])
                if sizes not in _STANDARD_GROUPS and not (j - i == 1 and sizes[0] >= 12):
                    continue
                if _is_card("".join(g for _, _, g in groups[i:j])):
                    yield Span("CREDIT_CARD", groups[i][0], groups[j - 1][1], 0.95, PRIORITY)
                    found, i = True, j
                    break
            else:
                i += 1
        if not found:
            # One card split at unusual places ("41 111 1111 11 ..."): only as the whole run.
            whole = "".join(g for _, _, g in groups)
            if 12 <= len(whole) <= 19 and _is_card(whole):
                yield Span("CREDIT_CARD", groups[0][0], groups[-1][1], 0.95, PRIORITY)


def _is_card(digits: str) -> bool:
    return digits[0] != "0" and issuer_accepts(digits) and luhn.is_valid(digits)


RECOGNIZERS: list[Recognizer] = [IbanRecognizer(), CardRecognizer()]
