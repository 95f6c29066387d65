"""What a phone-number candidate looks like, and what it must not look like.

Helpers for `phone.py`: the tokenised candidate, the phone context words, the identifier words
that veto a number, and the shape tests that recognise dates, amounts, versions, IP addresses,
ISBNs and other identifiers written with the same digits and separators.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from dataclasses import dataclass

from stdnum import isbn

from privacy_guard.detect.recognizers._separators import iban_head_before
from privacy_guard.detect.recognizers.base import context_before, context_words


@dataclass(frozen=True, slots=True)
class Token:
    """One digit group of a candidate: `06`, `+33`, `(0)`, `(415)`."""

    start: int  # includes a leading "+"
    end: int
    digits: str
    plus: bool
    paren: bool


_TOKEN = re.compile(r"\+|\(\+?\d+\)|\d+")


def tokenize(text: str, start: int, end: int) -> list[Token]:
    tokens: list[Token] = []
    plus_at: int | None = None
    for m in _TOKEN.finditer(text, start, end):
        raw = m.group(0)
        if raw == "+":
            plus_at = m.start()
            continue
        plus = plus_at is not None or raw.startswith("(+")
        first = plus_at if plus_at is not None else m.start()
        tokens.append(Token(first, m.end(), raw.strip("()+"), plus, raw.startswith("(")))
        plus_at = None
    return tokens


def separators(text: str, window: list[Token]) -> set[str]:
    """The distinct separators of a window, stripped of whitespace ("" for a plain space)."""
    return {text[a.end : b.start].strip() for a, b in itertools.pairwise(window)}


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words that make a number a phone number ("strong": they also override the shape tests that
# read "079.123.45.6" as a version), and words that merely make a number someone's number.
PHONE_WORDS = context_words(
    r"t[ée]l[ée]?(?:phone|fon)?s? phones? mobiles? cell(?:phone|ulare)? portables? fax gsm natel"
    r" handy whats\s?app sms texte? call(?:s|ing|ed)? appel\w* rappel\w* joindre joignable reach"
    r" ring dial hotline anruf\w* ruf rufnummer telefono chiam\w+ bellen telefoon e\.164"
    r" libphonenumber voicemail messagerie".split()
)
NUMBER_WORDS = context_words(
    r"contact\w* numbers? num[ée]ros? nummer numero international standard".split()
)

# Words that, right before a number, say it is an identifier and not a phone number. Looked up
# in the last few words before the candidate (a set lookup: a regex alternation searched at every
# offset was the recognizer's hot spot).
_ID_WORDS = _wordset(
    """
    order commande cde invoice facture ticket tracking suivi colis parcel shipment envoi ref réf
    reference référence dossier case incident account acct compte konto contract contrat policy
    police client customer member membre adhérent sku serial série s/n sn lot batch isbn ean
    upc gtin iban bic swift siren siret tva vat mwst iva nir avs ahv ssn sécu secu passport
    passeport licence license permis id identifiant pin otp code transaction receipt reçu recu
    bon badge matricule employee employé patient booking réservation reservation confirmation
    voucher coupon item article product produit part pièce piece model modèle modele version
    build release year année annee page chapter chapitre line ligne pid uid issue pr bug hash
    commit zip postal npa plz cvv cvc card carte amex visa mastercard amount montant total
    prix price quantité quantite qty timestamp epoch seed nonce imei iccid meeting réunion
    webinar bestellung auftrag rechnung kundennummer ordine fattura pratica ordre
    nhs nino pesel bsn burgerservicenummer steuer-id steuerid idnr identifikationsnummer dni
    nif nie personnummer hetu henkilötunnus svnr vsnr sv-nummer sozialversicherungsnummer
    rentenversicherungsnummer versicherungsnummer rijksregisternummer insz niss peid
    personalausweis ausweisnummer reisepass
    """
)
_FILLER_WORDS = _wordset("n° no nr num number numéro numero de du d' is est # : ° the le la")
_WORD_BEFORE = re.compile(r"[^\s:.,;()\[\]\-=\"']+")
_SYMBOL_BEFORE = re.compile(r"[#$€£¥][\s:]*\Z")
# "BE 0266 950 532", "CHE-123.456.789": a Belgian or Swiss company number.
_COUNTRY_LETTERS_BEFORE = re.compile(r"(?<![\w+])(?:BE|CHE)[ \-]?\Z")


# "2A 331 082 85": the run continues an alphanumeric identifier (a Corsican NIR, a postcode).
_ALNUM_WORD_BEFORE = re.compile(r"(?<![\w])(?=[A-Za-z0-9]*[A-Za-z])(?=[A-Za-z0-9]*\d)\w+ \Z")


def identifier_before(text: str, start: int) -> bool:
    """True when an identifier word ("order", "commande n°", "#", "CHE") leads up to `start`."""
    if _SYMBOL_BEFORE.search(text, max(0, start - 4), start):
        return True
    if _COUNTRY_LETTERS_BEFORE.search(text, max(0, start - 5), start):
        return True
    if _ALNUM_WORD_BEFORE.search(text, max(0, start - 12), start):
        return True
    words = _WORD_BEFORE.findall(text, max(0, start - 40), start)
    for word in reversed(words[-4:]):
        lowered = word.lower()
        if lowered in _FILLER_WORDS:
            continue
        last = re.split(r"[_/]", lowered)[-1] or lowered  # order_id, s/n
        return any(w in _ID_WORDS or w.rstrip("s") in _ID_WORDS for w in (lowered, last)) or (
            lowered[-1] in "#°"
        )
    return False


_ISBN_WORD = re.compile(r"(?i)\bisbn(?:-1[03])?\b")
_VERSION_BEFORE = re.compile(r"(?i)\b(?:v|vers?|versions?|release|build|rev)\.?\s*\Z")
_CURRENCY_BEFORE = re.compile(r"(?i)(?:[$€£¥]|\b(?:chf|eur|usd|gbp|sfr|fr)\.?)\s?\Z")
_UNIT_AFTER = re.compile(
    r"(?i)\s?(?:[$€£¥%‰]|(?:chf|eur|usd|gbp|euros?|francs?|dollars?|k€|m€|km|kg|mb|gb|kb|"
    r"ms|bytes?|octets?|pts?|points?)\b)"
)
_DATE = re.compile(
    r"(?:^|\D)(?:\d{1,2}(?P<s1>[./\-])\d{1,2}(?P=s1)(?:19|20)\d\d"
    r"|(?:19|20)\d\d(?P<s2>[./\-])\d{1,2}(?P=s2)\d{1,2})(?:$|\D)"
)
_DATE_SPACED = re.compile(r"^\d{1,2} \d{1,2} (?:19|20)\d\d$|^(?:19|20)\d\d \d{1,2} \d{1,2}$")
_YEAR_RANGE = re.compile(r"^(?:19|20)\d\d ?[\-/] ?(?:19|20)\d\d$")
_DOTTED_QUAD = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


def _is_ipv4(raw: str) -> bool:
    if not _DOTTED_QUAD.match(raw):
        return False
    try:
        ipaddress.IPv4Address(raw)
    except ValueError:
        return False
    return True


def _version_like(window: list[Token]) -> bool:
    """Dotted groups with a one-digit group and no leading zero: 10.0.19045.3930, 1.2.3.4.5.
    (A regrouped phone number keeps its trunk zero: 0789.63.785.8.)"""
    return (
        len(window) > 1
        and not window[0].digits.startswith("0")
        and any(len(t.digits) == 1 for t in window)
    )


def not_a_phone_run(text: str, tokens: list[Token], context: bool) -> bool:
    """The whole run is a date, an IPv4 address, a version string or an ISBN (`context`: a
    phone or number word is near)."""
    start, end = tokens[0].start, tokens[-1].end
    raw = text[start:end]
    if _DATE.search(raw) or _is_ipv4(re.sub(r"\s", "", raw)):
        return True
    if iban_head_before(text, start):
        return True
    if context_before(text, start, _ISBN_WORD, 24):
        return True
    digits = "".join(t.digits for t in tokens)
    if len(digits) == 13 and digits[:3] in ("978", "979") and isbn.is_valid(digits):
        return True
    dotted = all(text[a.end : b.start] == "." for a, b in itertools.pairwise(tokens))
    return dotted and not context and _version_like(tokens)


def lookalike(text: str, window: list[Token]) -> bool:
    """A shape that is usually not a phone number, but can be one that someone regrouped:
    a version string (12.857.392.2), an amount (447 509 470 698), a Belgian enterprise number
    (0123.456.789)."""
    seps = separators(text, window)
    sizes = [len(t.digits) for t in window]
    if seps == {"."} and (_version_like(window) or sizes == [4, 3, 3]):
        return True
    return len(window) >= 3 and _thousands(text, window)


def other_shape(text: str, window: list[Token], intl: bool, digits: str, context: bool) -> bool:
    """True when the window is better read as a date, amount, version, IP, ISBN, IBAN, SSN,
    company number... than as a phone number."""
    start, end = window[0].start, window[-1].end
    raw = text[start:end]
    if not intl and len(digits) >= 14:
        return True  # card numbers, SIRET, NIR, EAN-14 and other long identifiers
    if _DATE.search(raw) or _YEAR_RANGE.match(raw) or _is_ipv4(raw):
        return True
    if len(window) == 3 and _DATE_SPACED.match(raw):
        return True
    seps = separators(text, window)
    sizes = [len(t.digits) for t in window]
    if not intl and seps == {"."}:
        if len(window) == 2:
            return True  # decimals, coordinates
        if context_before(text, start, _VERSION_BEFORE, 24):
            return True
    if not intl and sizes == [3, 2, 4]:
        return True  # a US social security number
    if sizes == [4, 4, 4, 4]:
        return True  # a card number, even one that fails Luhn or starts with 00
    if _CURRENCY_BEFORE.search(text, max(0, start - 6), start) or _UNIT_AFTER.match(text, end):
        return True
    return len(digits) in (10, 13) and (
        context_before(text, start, _ISBN_WORD, 24)
        or (len(digits) == 13 and digits[:3] in ("978", "979") and isbn.is_valid(digits))
        or ("-" in seps and 1 in sizes and not context and isbn.is_valid(raw))
    )


def nanp(window: list[Token]) -> bool:
    """(415) 555-2671, 415-555-2671, 1-800-555-0199: the North American grouping."""
    sizes = [len(t.digits) for t in window]
    if sizes and window[0].digits == "1":
        sizes = sizes[1:]
    return sizes == [3, 3, 4]


_THOUSANDS_SEPARATORS = frozenset({" ", ".", ",", "'", "\u00a0", "\u202f"})


def _thousands(text: str, window: list[Token]) -> bool:
    """1 234 567 / 1.234.567: an amount, not a phone number (one thousands separator, used
    throughout; never a line break, dash or slash)."""
    head, rest = window[0], window[1:]
    raw_seps = {text[a.end : b.start] for a, b in itertools.pairwise(window)}
    return (
        len(head.digits) <= 3
        and not head.digits.startswith("0")
        and not head.paren
        and all(len(t.digits) == 3 and not t.paren for t in rest)
        and len(raw_seps) == 1
        and raw_seps <= _THOUSANDS_SEPARATORS
    )


def is_sequence(digits: str) -> bool:
    """0123456789, 9876543210: a placeholder, not a number."""
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    return len(steps) == 1 and steps <= {1, 9}
