"""IBAN_CODE and CREDIT_CARD: separator-tolerant candidates, validated by python-stdnum.

IBAN: two letters, two check digits, then 11-30 letters or digits, any case, with spaces, dashes,
dots, slashes or line breaks anywhere between characters (`FR76 3000 6000 ...`, `fr76-3000-...`,
a regrouped `FR 763 0006 ...`). The run is cut at its country's IBAN length (from stdnum's copy
of the SWIFT registry), which must end on a group boundary, then the ISO 13616 mod-97 check
digits decide (not stdnum's national bank-code tables, which lag behind new banks); trailing
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
from importlib import resources

from stdnum import luhn

from privacy_guard.detect.recognizers._digit_index import word_initial_digits
from privacy_guard.detect.recognizers._separators import SEP, iban_head_before
from privacy_guard.detect.recognizers._word_index import scan_at
from privacy_guard.detect.recognizers.base import (
    Recognizer,
    Span,
    context_before,
    context_words,
    has_context,
)

PRIORITY = 20

_IBAN_CANDIDATE = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z]{SEP}?[A-Za-z]{SEP}?\d{SEP}?\d(?:{SEP}?[A-Za-z0-9]){{11,30}}"
)
_ALNUM = re.compile(r"[A-Za-z0-9]")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_BBAN_PART = re.compile(r"(\d+)!([nac])")


def _iban_formats() -> dict[str, tuple[int, re.Pattern[str]]]:
    """Length and BBAN shape of every country's IBAN, from python-stdnum's copy of the SWIFT
    IBAN registry: the BBAN's shape, checked before the check digits."""
    classes = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
    formats: dict[str, tuple[int, re.Pattern[str]]] = {}
    registry = resources.files("stdnum").joinpath("iban.dat").read_text(encoding="utf-8")
    for line in registry.splitlines():
        m = re.match(r'([A-Z]{2}) .*\bbban="([^"]*)"', line)
        if m:
            parts = _BBAN_PART.findall(m.group(2))
            shape = "".join(f"{classes[kind]}{{{count}}}" for count, kind in parts)
            length = 4 + sum(int(count) for count, _ in parts)
            formats[m.group(1)] = (length, re.compile(rf"[0-9]{{2}}{shape}"))
    return formats


_IBAN_FORMATS = _iban_formats()

_CARD_CANDIDATE = re.compile(
    rf"(?<![\w.,+\-])(?<!\d[.,/\-])"
    rf"(?=(?:[ \t.\-/\u00a0\u202f\r\n]{{0,8}}\d){{12}})"  # cheap: 12+ digits close together
    rf"\d{{1,19}}(?:{SEP}\d{{1,19}}){{0,18}}(?![\w])(?![.,]\d)"
)
_DIGITS = re.compile(r"\d+")
_NON_DIGIT = re.compile(r"\D+")
_STANDARD_GROUPS = ((4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 3), (4, 4, 4, 3), (4, 4, 4))


class IbanRecognizer:
    name = "iban"
    entities = ("IBAN_CODE",)

    def find(self, text: str, language: str) -> Iterator[Span]:
        pos = 0
        while (m := _IBAN_CANDIDATE.search(text, pos)) is not None:
            end = self._valid_end(text, m)
            if end is None:
                pos = m.start() + 1
                continue
            yield Span("IBAN_CODE", m.start(), end, 1.0, PRIORITY)
            pos = end

    @staticmethod
    def _valid_end(text: str, m: re.Match[str]) -> int | None:
        """Where the IBAN that starts the candidate ends: after its country's length, on a group
        boundary, if that prefix is a valid IBAN."""
        value = _NON_ALNUM.sub("", m.group(0)).upper()
        n, bban = _IBAN_FORMATS.get(value[:2], (0, None))
        if bban is None or len(value) < n or not bban.fullmatch(value, 2, n):
            return None
        end = [c.end() for c in _ALNUM.finditer(text, m.start(), m.end())][n - 1]
        if end < len(text) and text[end].isalnum():
            return None  # would cut a group in two
        return end if iso13616_valid(value[:n]) else None


def iso13616_valid(value: str) -> bool:
    """The IBAN's own check digits (ISO 13616 / ISO 7064 MOD 97-10): the country code and check
    digits moved to the end, letters as 10-35, the number mod 97 is 1. Deliberately not
    `stdnum.iban.is_valid`, which also runs national BBAN checks (a Belgian or Spanish bank-code
    table that does not know a new bank would veto a real IBAN); the BBAN's shape is checked by
    the caller against the SWIFT registry."""
    rearranged = value[4:] + value[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


_MAESTRO_4 = frozenset({5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763, 6390})
_MAESTRO_2 = frozenset({50, 56, 57, 58, 67, 68, 69})


def issuer_accepts(digits: str) -> bool:
    """True when `digits` has a known card issuer prefix and a length that issuer uses."""
    n = len(digits)
    p2, p3, p4, p6 = int(digits[:2]), int(digits[:3]), int(digits[:4]), int(digits[:6])
    if digits[0] == "0":
        return digits.startswith("0604") and 12 <= n <= 19  # Maestro UK
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
    if p4 in _MAESTRO_4 or p2 in _MAESTRO_2:
        return 12 <= n <= 19 and n not in (14, 15)  # Maestro (not the SIRET and NIR lengths)
    if p2 in (60, 82) or p3 == 508:
        return n == 16  # RuPay
    return False


# Identifiers that are Luhn-valid too (SIRET, IMEI, ICCID) or merely card-length: a number right
# after one of these words is not a card.
_NOT_CARD_BEFORE = context_words(
    r"siret siren imei iccid sim nir s[ée]cu(?:rit[ée]\x20sociale)? ahv avs ssn tva vat ean gtin"
    r" upc isbn orders? commandes? bestellung invoice facture rechnung tracking suivi tickets?"
    r" r[ée]f r[ée]f[ée]rences? referenz riferimento transaction confirmation booking"
    r" r[ée]servation dossier case claim policy police contrat contract".split(),
    r"\b(?:[\s:#°=.]*(?:est|is|n°|no|nr|num(?:ber|[ée]ro)?|de|du|of|d'|l'))*[\s:#°=.]*\Z",
)
_CARD_WORDS = context_words(
    r"cards? cartes? karte carta maestro cb visa mastercard amex credit cr[ée]dit d[ée]bit\w*"
    r" payment paiement pay pan kreditkarte zahlung".split()
)


class CardRecognizer:
    name = "credit_card"
    entities = ("CREDIT_CARD",)

    def find(self, text: str, language: str) -> Iterator[Span]:
        # A candidate starts with a digit that no word character precedes: tried only there.
        for m in scan_at(_CARD_CANDIDATE, text, word_initial_digits(text)):
            start = m.start()
            digits = _NON_DIGIT.sub("", m.group(0))
            if len(digits) < 12 or len(set(digits)) <= 1:
                continue  # cheap rejections before the context look-ups
            if iban_head_before(text, start) or context_before(
                text, start, _NOT_CARD_BEFORE, 32
            ):
                continue
            groups = [(g.start(), g.end(), g.group(0)) for g in _DIGITS.finditer(text, *m.span())]
            for span in self._cards(groups):
                # 12 digits (Maestro) is also the length of many tracking and order numbers.
                card_digits = _NON_DIGIT.sub("", text[span.start : span.end])
                if len(card_digits) > 12 or has_context(
                    text, span.start, span.end, _CARD_WORDS, 40
                ):
                    yield span

    @staticmethod
    def _cards(groups: list[tuple[int, int, str]]) -> Iterator[Span]:
        whole = "".join(g for _, _, g in groups)
        head_sizes = {len(g) for _, _, g in groups[:-1]}
        # The whole run is one card split in groups of two to four digits (the last one may be
        # shorter), or digit by digit; not in 3-7-7 like an order number, 1-2-2-2-3-3-2 like a
        # NIR or 3-4-4-2 like an AHV number.
        regrouped = (head_sizes <= {2, 3, 4} and len(groups[-1][2]) <= 4) or (
            head_sizes <= {1} and len(groups[-1][2]) == 1
        )
        if tuple(len(g) for _, _, g in groups) == (3, 4, 4, 2):
            regrouped = False
        if 12 <= len(whole) <= 19 and (regrouped or _standard(groups)) and _is_card(whole):
            yield Span("CREDIT_CARD", groups[0][0], groups[-1][1], 0.95, PRIORITY)
            return
        # Cards side by side ("4111 1111 1111 1111 5555 5555 5555 4444"): the whole run splits
        # into two or more valid cards, each in a usual grouping or written in one block.
        side_by_side = _cards_covering(groups, 0)
        if side_by_side is not None and len(side_by_side) > 1:
            for i, j in side_by_side:
                yield Span("CREDIT_CARD", groups[i][0], groups[j - 1][1], 0.95, PRIORITY)
            return
        # Otherwise cards in the usual groupings, starting where the run starts or where the
        # previous card ended (a card carved out of the middle of a run is something else).
        i, n = 0, len(groups)
        while i < n:
            for j in range(min(n, i + 5), i, -1):
                sizes = tuple(len(g) for _, _, g in groups[i:j])
                if sizes not in _STANDARD_GROUPS and not (j - i == 1 and sizes[0] >= 12):
                    continue
                if j < n and len(groups[j][2]) == sizes[-1]:
                    continue  # the grouping goes on: this is the head of a longer number
                if _is_card("".join(g for _, _, g in groups[i:j])):
                    yield Span("CREDIT_CARD", groups[i][0], groups[j - 1][1], 0.95, PRIORITY)
                    i = j
                    break
            else:
                return


def _cards_covering(groups: list[tuple[int, int, str]], i: int) -> list[tuple[int, int]] | None:
    """Group ranges [i, j) of consecutive cards that cover groups[i:] exactly, or None."""
    n = len(groups)
    if i == n:
        return []
    for j in range(i + 1, min(n, i + 5) + 1):
        sizes = tuple(len(g) for _, _, g in groups[i:j])
        if sizes not in _STANDARD_GROUPS and not (j - i == 1 and 12 <= sizes[0] <= 19):
            continue
        if _is_card("".join(g for _, _, g in groups[i:j])):
            rest = _cards_covering(groups, j)
            if rest is not None:
                return [(i, j), *rest]
    return None


def _standard(groups: list[tuple[int, int, str]]) -> bool:
    return tuple(len(g) for _, _, g in groups) in _STANDARD_GROUPS


def _is_card(digits: str) -> bool:
    return issuer_accepts(digits) and luhn.is_valid(digits)


RECOGNIZERS: list[Recognizer] = [IbanRecognizer(), CardRecognizer()]
