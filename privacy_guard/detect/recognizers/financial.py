"""IBAN_CODE and CREDIT_CARD: separator-tolerant candidates, validated by python-stdnum.

IBAN: two letters, two check digits, then 11-30 letters or digits, any case, with spaces, dashes,
dots, slashes or line breaks anywhere between characters (`FR76 3000 6000 ...`, `fr76-3000-...`,
a regrouped `FR 763 0006 ...`). The run is cut at the longest prefix that ends on a group
boundary and passes `stdnum.iban.is_valid` (checksum and the country's BBAN format), so trailing
words or a second IBAN do not spoil it.

CREDIT_CARD: 12-19 digits passing Luhn (`stdnum.luhn`) with a known issuer prefix and a length
that issuer uses (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro, Mir,
RuPay; Cartes Bancaires are Visa/Mastercard co-branded). Groups may be split anywhere; inside a
longer run of numbers (a card plus its expiry date) only the usual groupings (4-4-4-4, 4-6-5,
4-6-4, 4-4-4-4-3) are cut out, from the start of the run. Not a card: digits right after an
IBAN head (`FR76 `) or after an identifier word (SIRET, IMEI, NIR, order, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban, luhn

from privacy_guard.detect.recognizers._separators import IBAN_HEAD_BEFORE, SEP
from privacy_guard.detect.recognizers.base import Recognizer, Span, context_before

PRIORITY = 20

_IBAN_CANDIDATE = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z]{SEP}?[A-Za-z]{SEP}?\d{SEP}?\d(?:{SEP}?[A-Za-z0-9]){{11,30}}"
)
_ALNUM = re.compile(r"[A-Za-z0-9]")

_CARD_CANDIDATE = re.compile(
    rf"(?<![\w.,+\-])(?<!\d[.,/\-])\d{{1,19}}(?:{SEP}\d{{1,19}}){{0,18}}(?![\w])(?![.,]\d)"
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


# Identifiers that are Luhn-valid too (SIRET, IMEI, ICCID) or merely card-length: a number right
# after one of these words is not a card.
_NOT_CARD_BEFORE = re.compile(
    r"(?i)\b(?:siret|siren|imei|iccid|sim|nir|s[ée]cu(?:rit[ée] sociale)?|ahv|avs|ssn|tva|vat|"
    r"ean|gtin|upc|isbn|order|commande|invoice|facture|tracking|suivi|ticket)\b"
    r"(?:[\s:#°=]*(?:est|is|n°|no|nr|num(?:ber|[ée]ro)?|de|du|of|d'|l'))*[\s:#°=]*\Z"
)


class CardRecognizer:
    name = "credit_card"
    entities = ("CREDIT_CARD",)

    def find(self, text: str, language: str) -> Iterator[Span]:
        for m in _CARD_CANDIDATE.finditer(text):
            start = m.start()
            if IBAN_HEAD_BEFORE.search(text, max(0, start - 40), start) or context_before(
                text, start, _NOT_CARD_BEFORE, 32
            ):
                continue
            groups = [(g.start(), g.end(), g.group(0)) for g in _DIGITS.finditer(text, *m.span())]
            yield from self._cards(groups)

    @staticmethod
    def _cards(groups: list[tuple[int, int, str]]) -> Iterator[Span]:
        whole = "".join(g for _, _, g in groups)
        if 12 <= len(whole) <= 19 and _is_card(whole):
            # The whole run is one card, however it is split ("41 111 1111 11 ...").
            yield Span("CREDIT_CARD", groups[0][0], groups[-1][1], 0.95, PRIORITY)
            return
        # Otherwise cards in the usual groupings, starting where the run starts or where the
        # previous card ended (a card carved out of the middle of a run is something else).
        i, n = 0, len(groups)
        while i < n:
            for j in range(min(n, i + 5), i, -1):
                sizes = tuple(len(g) for _, _, g in groups[i:j])
                if sizes not in _STANDARD_GROUPS and not (j - i == 1 and sizes[0] >= 12):
                    continue
                if _is_card("".join(g for _, _, g in groups[i:j])):
                    yield Span("CREDIT_CARD", groups[i][0], groups[j - 1][1], 0.95, PRIORITY)
                    i = j
                    break
            else:
                return


def _is_card(digits: str) -> bool:
    return digits[0] != "0" and issuer_accepts(digits) and luhn.is_valid(digits)


RECOGNIZERS: list[Recognizer] = [IbanRecognizer(), CardRecognizer()]
