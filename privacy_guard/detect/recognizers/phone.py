"""PHONE_NUMBER: a cheap candidate regex, shape filters, then `phonenumbers` validation.

A candidate is a run of digit groups joined by separators (spaces, dots, dashes, slashes, line
breaks), optionally led by `+`, with `(area)` / `(0)` groups and an extension. A run may hold
more than one number (or a phone plus an unrelated number), so it is split into token windows,
longest first, and each window is judged on its own:

* reject shapes that are something else: dates, year ranges, IPv4, versions, decimals,
  thousands-grouped amounts, ISBNs, card-length runs, sequences like 0123456789;
* reject when an identifier word sits right before it (order, invoice, ticket, n°, #, ...);
* international (`+CC` / `00CC`): parse directly; valid 0.95, possible 0.8;
* national: try regions by the text's language (all seven are tried), restricted by the
  leading digit (trunk `0` for FR/CH/BE/DE/IT/GB, `3` for Italian mobiles, NANP for US);
  valid 0.85, possible with a phone shape 0.7; bare digit runs need validity or context.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers
from phonenumbers import (
    NumberParseException,
    PhoneNumber,
    PhoneNumberFormat,
    format_number,
    region_code_for_number,
)
from stdnum import isbn

from privacy_guard.detect.recognizers.base import Span, context_before, has_context

ENTITY = "PHONE_NUMBER"
PRIORITY = 10

# A non-empty separator between digit groups (DIGIT_SEP minus its empty match, which would make
# `group (sep group)*` ambiguous and the regex super-linear).
_SEP = r"(?:[ \t.\-/\u00a0\u202f](?:\r?\n)?[ \t]*|\r?\n[ \t]*)"
_SEP_OPT = rf"(?:{_SEP})?"
_PAREN = r"\(\+?\d{1,5}\)"
_GROUP = r"\d{1,15}"
_EXT = r"[ \t]*(?i:x|ext\.?|extension|poste|p\.)[ \t]*\d{1,6}"

_CANDIDATE = re.compile(
    rf"""
    (?<![\w+])(?<!\d[.,/\-])          # not inside a longer number or word
    (?=(?:\D{{0,6}}\d){{7}})          # cheap: at least 7 digits close together
    (?P<num>
        \+?(?:{_PAREN}{_SEP_OPT})?{_GROUP}
        (?:{_SEP_OPT}{_PAREN}{_SEP_OPT}{_GROUP}|{_SEP}{_GROUP}){{0,14}}
    )
    (?P<ext>{_EXT})?
    (?![\w])(?![.,/\-]\d)
    """,
    re.VERBOSE,
)
_TOKEN = re.compile(r"\+|\(\+?(\d+)\)|\d+")

_REGIONS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "fr": ("FR", "CH", "BE", "DE", "IT", "GB", "US"),
    "en": ("GB", "US", "CH", "FR", "DE", "IT", "BE"),
    "other": ("CH", "DE", "IT", "FR", "BE", "GB", "US"),
}

_FLEXIBLE_LENGTH = frozenset({"DE", "IT", "AT"})
_COUNTRY_CODES = {"FR": 33, "CH": 41, "BE": 32, "DE": 49, "IT": 39, "GB": 44, "US": 1}

_PHONE_WORDS = re.compile(
    r"(?i)\b(?:t[ée]l[ée]?(?:phone|fon|ephone)?s?|phones?|mobiles?|cell(?:phone|ulare)?|"
    r"portables?|fax|gsm|natel|handy|whats\s?app|sms|texte?|call(?:s|ing|ed)?|appel\w*|"
    r"rappel\w*|joindre|joignable|reach|ring|dial|hotline|contact\w*|anruf\w*|rufnummer|"
    r"telefono|chiamare|bellen|telefoon|standard)"
)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that, right before a number, say it is an identifier and not a phone number. Looked up
# in the last few words before the candidate (a set lookup: a big regex alternation searched at
# every offset was the recognizer's hot spot).
_ID_WORDS = _wordset(
    """
    order commande cde invoice facture ticket tracking suivi colis parcel shipment envoi ref réf
    reference référence dossier case incident account acct compte contract contrat policy police
    client customer member membre adhérent sku serial série s/n sn lot batch isbn ean upc gtin
    iban bic swift siren siret tva vat nir avs ahv ssn sécu secu passport passeport licence
    license permis id identifiant pin otp code transaction receipt reçu recu bon badge matricule
    employee employé patient booking réservation reservation confirmation voucher coupon item
    article product produit part pièce piece model modèle modele version build release year
    année annee page chapter chapitre line ligne pid uid issue pr bug hash commit zip postal npa
    plz cvv cvc card carte amount montant total prix price quantité quantite qty timestamp epoch
    seed nonce
    """
)
_FILLER_WORDS = _wordset("n° no nr num number numéro numero de du d' is est # : °")
_WORD_BEFORE = re.compile(r"[^\s:.,;()\[\]\-]+")
_SYMBOL_BEFORE = re.compile(r"[#$€£¥][\s:]*\Z")


def _identifier_before(text: str, start: int) -> bool:
    """True when an identifier word ("order", "commande n°", "#") leads up to `start`."""
    lo = max(0, start - 40)
    if _SYMBOL_BEFORE.search(text, max(0, start - 4), start):
        return True
    words = _WORD_BEFORE.findall(text, lo, start)
    for word in reversed(words[-4:]):
        lowered = word.lower()
        if lowered in _FILLER_WORDS:
            continue
        return lowered in _ID_WORDS or lowered.rstrip("s") in _ID_WORDS or lowered[-1] in "#°"
    return False


_ISBN_WORD = re.compile(r"(?i)\bisbn(?:-1[03])?\b")
_VERSION_BEFORE = re.compile(r"(?i)\b(?:v|vers?|versions?|release|build|rev)\.?\s*\Z")
_CURRENCY_BEFORE = re.compile(r"(?i)(?:[$€£¥]|\b(?:chf|eur|usd|gbp|sfr|fr)\.?)\s?\Z")
_UNIT_AFTER = re.compile(
    r"(?i)\s?(?:[$€£¥%‰]|(?:chf|eur|usd|gbp|euros?|francs?|dollars?|k€|m€|km|kg|mb|gb|kb|"
    r"ms|bytes?|octets?|pts?|points?)\b)"
)
_IBAN_BEFORE = re.compile(
    r"(?:^|[^A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \-.]?[A-Za-z0-9]{1,4}){0,8}[ \-.]?\Z"
)
_DATE = re.compile(
    r"(?:^|\D)(?:\d{1,2}(?P<s1>[./\-])\d{1,2}(?P=s1)(?:19|20)\d\d"
    r"|(?:19|20)\d\d(?P<s2>[./\-])\d{1,2}(?P=s2)\d{1,2})(?:$|\D)"
)
_DATE_SPACED = re.compile(r"^\d{1,2} \d{1,2} (?:19|20)\d\d$|^(?:19|20)\d\d \d{1,2} \d{1,2}$")
_YEAR_RANGE = re.compile(r"^(?:19|20)\d\d ?[\-/] ?(?:19|20)\d\d$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    digits: str
    plus: bool  # led by "+"
    paren: bool  # "(123)"


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    tokens: list[_Token] = []
    plus_at: int | None = None
    for m in _TOKEN.finditer(text, start, end):
        raw = m.group(0)
        if raw == "+":
            plus_at = m.start()
            continue
        paren = raw.startswith("(")
        digits = raw.strip("()+")
        plus = plus_at is not None or raw.startswith("(+")
        tokens.append(
            _Token(plus_at if plus_at is not None else m.start(), m.end(), digits, plus, paren)
        )
        plus_at = None
    return tokens


def _is_sequence(digits: str) -> bool:
    """0123456789, 9876543210: a placeholder, not a number."""
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    return len(steps) == 1 and steps <= {1, 9}


def _parse(number: str) -> tuple[bool, bool, PhoneNumber | None]:
    """(valid, possible, parsed) for an international `number` ("+" and digits)."""
    try:
        parsed = phonenumbers.parse(number, None)
    except NumberParseException:
        return False, False, None
    if phonenumbers.is_valid_number(parsed):
        return True, True, parsed
    return False, phonenumbers.is_possible_number(parsed), parsed


def _parse_national(digits: str, region: str) -> tuple[bool, bool, PhoneNumber | None]:
    """Read a national number in `region`, spelling out its country code ourselves so that
    phonenumbers never guesses a country code from the leading digits."""
    if region == "IT":
        nsn = digits  # Italian numbers keep their leading 0
    elif region == "US":
        nsn = digits[1:] if len(digits) == 11 else digits
    else:
        nsn = digits[1:]  # drop the trunk 0
    return _parse(f"+{_COUNTRY_CODES[region]}{nsn}")


def _national_regions(digits: str, language: str) -> tuple[str, ...]:
    order = _REGIONS_BY_LANGUAGE.get(language, _REGIONS_BY_LANGUAGE["other"])
    first = digits[0]
    if digits.startswith("00"):
        return ()  # an international prefix, never a national number
    if first == "0":
        return tuple(r for r in order if r != "US")
    if first == "1":
        return ("US",) if len(digits) == 11 else ()
    if first == "3":
        return tuple(r for r in order if r in ("IT", "US"))
    return ("US",) if len(digits) == 10 and digits[3] not in "01" else ()


@dataclass(frozen=True, slots=True)
class _Verdict:
    score: float
    parsed: PhoneNumber | None
    intl: bool


def _sizes(window: list[_Token]) -> list[int]:
    return [len(t.digits) for t in window if not (t.paren and t.digits == "0")]


def _canonical(parsed: PhoneNumber | None, intl: bool) -> list[int]:
    """Group sizes of the conventional spelling of `parsed` (e.g. [2, 2, 2, 2, 2] in France)."""
    if parsed is None:
        return []
    fmt = PhoneNumberFormat.INTERNATIONAL if intl else PhoneNumberFormat.NATIONAL
    return [len(g) for g in re.findall(r"\d+", format_number(parsed, fmt))]


def _rank(window: list[_Token], verdict: _Verdict, text: str) -> tuple[float, int, bool, int, bool]:
    """Order the acceptable windows that start on the same token: score, fewer line breaks, a
    reading in a fixed-length numbering plan (German and Italian numbers come in many lengths,
    so a run with a stray trailing group often still passes there), length, then a grouping
    that matches how the number is conventionally written."""
    parsed = verdict.parsed
    strict = parsed is not None and region_code_for_number(parsed) not in _FLEXIBLE_LENGTH
    conventional = _sizes(window) == _canonical(parsed, verdict.intl)
    breaks = text.count("\n", window[0].start, window[-1].end)
    return verdict.score, -breaks, strict, len(window), conventional


class PhoneRecognizer:
    name = "phone"
    entities = (ENTITY,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        for match in _CANDIDATE.finditer(text):
            tokens = _tokens(text, *match.span("num"))
            ext_end = match.end("ext") if match.group("ext") else None
            yield from self._windows(text, tokens, ext_end, language)

    def _windows(
        self, text: str, tokens: list[_Token], ext_end: int | None, language: str
    ) -> Iterator[Span]:
        n = len(tokens)
        if self._not_a_phone_run(text, tokens):
            return
        # A window may only start or stop where the run has whitespace, so that no phone is
        # carved out of the middle of "978-3-16-148410-0" or "4829-1736-50".
        cuts = [True] * (n + 1)
        for k in range(1, n):
            cuts[k] = any(c.isspace() for c in text[tokens[k - 1].end : tokens[k].start])

        # Digits before token k, to skip windows of impossible length without judging them.
        before = [0]
        for t in tokens:
            before.append(before[-1] + len(t.digits))
        context = has_context(text, tokens[0].start, tokens[-1].end, _PHONE_WORDS)
        i = 0
        while i < n:
            if not cuts[i] or n - i < 1:
                i += 1
                continue
            start = tokens[i].start
            if _identifier_before(text, start):
                i += 1
                continue
            best: tuple[tuple[float, int, bool, int, bool], int, float] | None = None
            for j in range(n, i, -1):
                if not cuts[j] or not 7 <= before[j] - before[i] <= 17:
                    continue
                window = tokens[i:j]
                verdict = self._judge(text, window, language, context)
                if verdict is not None:
                    rank = _rank(window, verdict, text)
                    if best is None or rank > best[0]:
                        best = (rank, j, verdict.score)
            if best is None:
                i += 1
                continue
            _, j, score = best
            end = ext_end if (j == n and ext_end is not None) else tokens[j - 1].end
            yield Span(ENTITY, start, end, score, PRIORITY)
            i = j

    def _judge(
        self, text: str, window: list[_Token], language: str, context: bool
    ) -> _Verdict | None:
        first = window[0]
        intl = first.plus
        digit_tokens = list(window)
        # "+33 (0)6 ...": the parenthesised trunk zero is not part of the international number.
        if intl and len(window) > 1 and window[1].paren and window[1].digits == "0":
            digit_tokens.pop(1)
        digits = "".join(t.digits for t in digit_tokens)
        idd = not intl and digits.startswith("00") and len(digits) > 9
        if idd:
            intl, digits = True, digits[2:]
        grouped = len(window) > 1
        if not 7 <= len(digits) <= 15 or len(set(digits)) <= 2:
            return None
        if not grouped and _is_sequence(digits):
            return None
        start, end = first.start, window[-1].end
        raw = text[start:end]
        if self._other_shape(text, raw, start, end, intl, digits, window):
            return None
        singles = sum(len(t.digits) == 1 for t in window)
        if singles > 2 and not context:
            return None  # "1 2 3 4 5 6 7 8 9 10" is a list; "0 6 1 2 ..." needs a phone word
        if intl:
            valid, possible, parsed = _parse("+" + digits)
            if valid or possible:
                return _Verdict(0.95 if valid else 0.8, parsed, True)
            if idd:  # "00 939 72 98": not an international number after all; read it nationally
                digits = "00" + digits
            elif grouped and len(digits) >= 8:
                return _Verdict(0.6, None, True)
            else:
                return None
        if len(digits) > 12:
            return None
        if (
            grouped
            and digits[0] != "0"
            and len(first.digits) < 3
            and not first.paren
            and not (_nanp(window))
        ):
            return None  # US and Italian mobile numbers start with a 3-digit group
        valid_in = possible_in = False
        best: PhoneNumber | None = None
        sizes = _sizes(window)
        for region in _national_regions(digits, language):
            valid, possible, parsed = _parse_national(digits, region)
            if valid:
                if not valid_in:
                    valid_in, best = True, parsed
                # Several regions may accept the digits; prefer the one whose usual grouping is
                # the one in the text ("06 12 34 56 78" is French, not Basel + 2 digits).
                if not grouped or sizes == _canonical(parsed, False):
                    best = parsed
                    break
            elif possible and not possible_in and not valid_in:
                possible_in, best = True, parsed
        if valid_in:
            score = 0.85 if (grouped or digits[0] == "0" or context) else 0.6
            return _Verdict(score, best, False)
        shaped = grouped and (
            (digits[0] == "0" and 9 <= len(digits) <= 12) or first.paren or _nanp(window)
        )
        if possible_in and (shaped or context):
            return _Verdict(0.7, best, False)
        if shaped and (context or all(len(t.digits) >= 2 for t in window)):
            return _Verdict(0.6, best, False)
        if not grouped and len(digits) in (10, 11):
            # A bare run that nothing marks as an identifier: a trunk-0 national number (not a
            # zero-padded id) or a 10-digit North American number.
            if digits[0] == "0" and (context or not digits.startswith("000")):
                return _Verdict(0.5, best, False)
            if possible_in and len(digits) == 10 and digits[0] not in "01":
                return _Verdict(0.5, best, False)
        return None

    @staticmethod
    def _not_a_phone_run(text: str, tokens: list[_Token]) -> bool:
        """The whole run is a date, an IPv4 address, a version string or an ISBN."""
        start, end = tokens[0].start, tokens[-1].end
        raw = text[start:end]
        if _DATE.search(raw) or _IPV4.match(raw):
            return True
        if context_before(text, start, _ISBN_WORD, 24):
            return True
        digits = "".join(t.digits for t in tokens)
        if len(digits) == 13 and digits[:3] in ("978", "979") and isbn.is_valid(digits):
            return True
        dotted = all(text[a.end : b.start] == "." for a, b in itertools.pairwise(tokens))
        return dotted and len(tokens) > 1 and any(len(t.digits) == 1 for t in tokens)

    @staticmethod
    def _other_shape(
        text: str, raw: str, start: int, end: int, intl: bool, digits: str, window: list[_Token]
    ) -> bool:
        """True when the window is better read as a date, amount, version, IP, ISBN, IBAN..."""
        if not intl and len(digits) >= 13:
            return True  # card numbers, EANs, long identifiers
        if _DATE.search(raw) or _YEAR_RANGE.match(raw) or _IPV4.match(raw):
            return True
        if len(window) == 3 and _DATE_SPACED.match(raw):
            return True
        seps = {text[a.end : b.start].strip(" \t\r\n") for a, b in itertools.pairwise(window)}
        if not intl and seps == {"."}:
            if len(window) == 2 or any(len(t.digits) == 1 for t in window):
                return True  # decimals, coordinates, version strings
            if context_before(text, start, _VERSION_BEFORE, 24):
                return True
        if not intl and len(window) >= 3 and _thousands(window, seps):
            return True
        if _CURRENCY_BEFORE.search(text, max(0, start - 6), start):
            return True
        if _UNIT_AFTER.match(text, end):
            return True
        if _IBAN_BEFORE.search(text, max(0, start - 40), start):
            return True
        return len(digits) in (10, 13) and (
            context_before(text, start, _ISBN_WORD, 24)
            or (len(digits) == 13 and digits[:3] in ("978", "979") and isbn.is_valid(digits))
            or ("-" in seps and any(len(t.digits) == 1 for t in window) and isbn.is_valid(raw))
        )


def _nanp(window: list[_Token]) -> bool:
    """(415) 555-2671, 415-555-2671, 1-800-555-0199: the North American grouping."""
    sizes = [len(t.digits) for t in window]
    if sizes and sizes[0] == 1 and window[0].digits == "1":
        sizes = sizes[1:]
    return sizes == [3, 3, 4]


def _thousands(window: list[_Token], seps: set[str]) -> bool:
    """1 234 567 / 1.234.567: an amount, not a phone number."""
    head, rest = window[0], window[1:]
    return (
        len(head.digits) <= 3
        and not head.digits.startswith("0")
        and not head.paren
        and all(len(t.digits) == 3 and not t.paren for t in rest)
        and len(seps) == 1
    )


RECOGNIZERS = [PhoneRecognizer()]
