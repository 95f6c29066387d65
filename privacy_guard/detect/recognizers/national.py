"""National identifiers of Switzerland's neighbours and of Europe (Germany, Austria, Italy,
Liechtenstein, Spain, the United Kingdom, Belgium, the Netherlands, Poland, Sweden, Finland,
Luxembourg).

Where presidio-analyzer ships a recognizer with its validation (UK_NHS, UK_NINO,
IT_FISCAL_CODE, IT_VAT_CODE, ES_NIF, ES_NIE, PL_PESEL, FI_PERSONAL_IDENTITY_CODE,
SE_PERSONNUMMER, DE_TAX_ID, DE_SOCIAL_SECURITY, DE_ID_CARD, DE_PASSPORT) we run that recognizer
(presidio_adapter.PresidioWindowRecognizer) behind our own prefilter, and python-stdnum checks
its result again where stdnum knows the number. The others (AT_SVNR, BE_NATIONAL_NUMBER, NL_BSN,
LI_PEID, LU_NATIONAL_ID) are ours, validated by stdnum.

The checksum decides what a number is; context words in the number's own languages decide
whether a weakly checked number (one random number in ten or eleven passes: PESEL, BSN, Steuer-ID,
personnummer, partita IVA, Austrian SVNr) is an identifier at all. Those need a context word and
use it as their prefilter; the strongly shaped ones (codice fiscale, NIF/NIE, hetu, German SV
number) stand on their own and get a higher score with a context word.

Country-prefixed VAT numbers (DE USt-IdNr "DE123456789", Austrian UID "ATU12345678", LU, BE,
NL, ...) are EU_VAT (eu.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from stdnum import luhn, verhoeff
from stdnum.at import vnr as at_vnr
from stdnum.be import nn as be_nn
from stdnum.de import idnr as de_idnr
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.fi import hetu as fi_hetu
from stdnum.gb import nhs as gb_nhs
from stdnum.it import codicefiscale as it_cf
from stdnum.it import iva as it_iva
from stdnum.li import peid as li_peid
from stdnum.nl import bsn as nl_bsn
from stdnum.pl import pesel as pl_pesel
from stdnum.se import personnummer as se_pnr

from privacy_guard.detect.presidio_adapter import Keywords, PresidioWindowRecognizer, keywords
from privacy_guard.detect.recognizers._digit_index import long_runs
from privacy_guard.detect.recognizers._ids import in_longer_run
from privacy_guard.detect.recognizers._word_index import scan_at
from privacy_guard.detect.recognizers.base import Recognizer, Span, digits_only, has_context

PRIORITY = 20
# A number named by its own context word beats the generic readings of the same digits
# (a 9-digit SIREN, an SSN, a phone number).
NAMED_PRIORITY = 21
_CONTEXT_REACH = 64


def _words(*alternatives: str, stems: tuple[str, ...] | None = None) -> Keywords:
    return keywords(*alternatives, stems=stems)


NHS_WORDS = _words(
    r"nhs(?:\s+(?:no|number|num))?",
    r"national\s+health\s+service",
    r"health\s+(?:service|authority)",
    r"chi\s+number",
)
NINO_WORDS = _words(
    r"nino",
    r"national\s+insurance(?:\s+(?:no|number))?",
    r"ni\s+(?:no|number)",
    r"insurance\s+number",
    r"nin",
)
IT_CF_WORDS = _words(
    r"codice\s+fiscale",
    r"c\.?\s?f\.?",
    r"cod\.?\s+fisc\.?",
    r"tessera\s+sanitaria",
    r"fiscal\s+code",
    r"tax\s+code",
    r"steuernummer",
    r"code\s+fiscal",
)
IT_VAT_WORDS = _words(
    r"partita\s+iva",
    r"p\.?\s?iva",
    r"piva",
    r"p\.\s?i\.",
    r"codice\s+iva",
    r"numero\s+iva",
    r"vat(?:\s+(?:no|number|code))?",
    r"n°\s*tva",
    r"mwst(?:-nr)?",
    r"ust-?id(?:nr)?",
    stems=("iva", "vat", "tva", "mwst", "ust", "p.", "partita"),
)
ES_NIF_WORDS = _words(
    r"dni",
    r"nif",
    r"documento\s+nacional\s+de\s+identidad",
    r"n[úu]mero\s+de\s+identificaci[óo]n\s+fiscal",
    r"identificaci[óo]n",
    r"carn[ée]\s+de\s+identidad",
    r"spanish\s+id",
    r"id\s+card",
)
ES_NIE_WORDS = _words(
    r"nie",
    r"n[úu]mero\s+de\s+identidad\s+de\s+extranjero",
    r"n[úu]mero\s+de\s+identificaci[óo]n\s+de\s+extranjero",
    r"tarjeta\s+de\s+residencia",
    r"extranjer[oa]s?",
    r"foreigner.{0,10}number",
    r"residence\s+card",
)
PESEL_WORDS = _words(r"pesel", r"numer\s+pesel", r"powszechny\s+elektroniczny\s+system\s+ewidencji")
HETU_WORDS = _words(
    r"hetu",
    r"henkil[öo]tunnus",
    r"henkil[öo]tunnukseni",
    r"personbeteckning\w*",
    r"personal\s+identity\s+code",
    r"sosiaaliturvatunnus",
    r"finnish\s+id",
)
SE_PNR_WORDS = _words(
    r"personnummer",
    r"personnumret",
    r"samordningsnummer",
    r"pnr",
    r"personal\s+identity\s+number",
    r"swedish\s+(?:id|personal\s+number)",
    r"identitetsnummer",
)
DE_TAX_WORDS = _words(
    r"steuer-?id(?:-?nr)?",
    r"steuerid\w*",
    r"steueridentifikationsnummer",
    r"steuerliche\s+identifikationsnummer",
    r"identifikationsnummer",
    r"idnr",
    r"tin",
    r"tax\s+id(?:entification)?(?:\s+number)?",
    r"bzst",
    r"identifiant\s+fiscal",
)
DE_SV_WORDS = _words(
    r"sozialversicherungsnummer",
    r"sv-?nummer",
    r"svnr",
    r"sv-nr",
    r"rentenversicherungsnummer",
    r"rvnr",
    r"versicherungsnummer",
    r"sozialversicherungsausweis",
    r"rentenversicherung",
    r"social\s+security",
)
DE_ID_WORDS = _words(
    r"personalausweis\w*",
    r"ausweis-?nr\.?",
    r"ausweisnummer",
    r"ausweis",
    r"identity\s+card",
    r"id\s+card",
    r"carte\s+d.identit[ée]",
    r"npa",
    stems=("ausweis", "identity", "card", "carte", "npa"),
)
DE_PASSPORT_WORDS = _words(
    r"reisepass\w*", r"pass-?nr\.?", r"passnummer", r"passports?", r"passeport", r"passaporto"
)
AT_SVNR_WORDS = _words(
    r"sozialversicherungsnummer",
    r"sv-?nummer",
    r"svnr",
    r"vsnr",
    r"sv-nr",
    r"versicherungsnummer",
    r"e-card",
    r"social\s+security",
    r"s[ée]curit[ée]\s+sociale",
    stems=(
        "sozialversicherung",
        "svnr",
        "vsnr",
        "sv-",
        "svn",
        "versicherungsnummer",
        "e-card",
        "social",
        "curit",
    ),
)
BE_NN_WORDS = _words(
    r"registre\s+national",
    r"num[ée]ro\s+national",
    r"rijksregister\w*",
    r"nationalregisternummer",
    r"niss",
    r"insz",
    r"national\s+(?:register|number)",
    r"num[ée]ro\s+de\s+registre\s+national",
    r"eid",
)
NL_BSN_WORDS = _words(
    r"bsn",
    r"burgerservicenummer",
    r"sofi-?nummer",
    r"sofinummer",
    r"citizen\s+service\s+number",
    r"persoonsnummer",
)
LI_PEID_WORDS = _words(
    r"peid", r"personenidentifikationsnummer", r"personen-identifikationsnummer", r"pers\.?\s*-?id"
)
LU_ID_WORDS = _words(
    r"matricule",
    r"num[ée]ro\s+d.identification(?:\s+national)?",
    r"identifiant\s+national",
    r"cns",
    r"sozialversicherungsnummer",
    r"national\s+id(?:entification)?(?:\s+number)?",
    r"luxembourg\w*\s+id",
)


def _standalone(text: str, start: int, end: int) -> bool:
    """Not glued to a letter or digit on either side."""
    return (start == 0 or not text[start - 1].isalnum()) and (
        end == len(text) or not text[end].isalnum()
    )


def _judge(
    check: Callable[[str], bool],
    words: re.Pattern[str],
    *,
    need_context: bool,
    alone: float = 0.85,
    named: float = 1.0,
    validated_only: bool = False,
) -> Callable[[str, str, int, int, float], float | None]:
    """A score function for PresidioWindowRecognizer: stdnum's (or a shape's) second opinion,
    standalone, and the context word."""

    def score(value: str, text: str, start: int, end: int, presidio_score: float) -> float | None:
        if validated_only and presidio_score < 1.0:
            return None  # Presidio's checksum said "unknown", not "valid"
        if not _standalone(text, start, end) or not check(value):
            return None
        if has_context(text, start, end, words, _CONTEXT_REACH):
            return named
        return None if need_context else alone

    return score


def _stdnum(module: Any, transform: Callable[[str], str] = lambda v: v) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            return bool(module.is_valid(transform(value)))
        except Exception:  # stdnum raises on some malformed input
            return False

    return check


def _presidio(path: str, cls: str) -> Callable[[], Any]:
    def build() -> Any:
        import importlib

        module = importlib.import_module(
            f"presidio_analyzer.predefined_recognizers.country_specific.{path}"
        )
        return getattr(module, cls)()

    return build


def _shape(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w])(?:{pattern})(?!\w)")


class _Shape:
    """A shape prefilter tried only where it can start (`starts`, ascending), instead of at
    every position of the text: the same matches as its whole-text `finditer` (scan_at) for
    a fraction of the cost, since `starts` come from the digit scans shared per text."""

    def __init__(self, pattern: str, starts: Callable[[str], Iterable[int]]) -> None:
        self.pattern = _shape(pattern)
        self._starts = starts

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return scan_at(self.pattern, text, self._starts(text))


def _word_initial_runs(length: int) -> Callable[[str], Iterator[int]]:
    """Starts for a shape that opens with `length`+ digits after no word character."""

    def starts(text: str) -> Iterator[int]:
        return (start for start, _ in long_runs(text, length, True))

    return starts


def _nino_starts(text: str) -> Iterator[int]:
    """`[A-Za-z]{2} ?\\d{2}`: the digits start a run; two letters, or two letters and a space,
    come before it."""
    for start, _ in long_runs(text, 2):
        before = text[start - 1 : start]
        if before == " " and start >= 3:
            yield start - 3
        elif start >= 2 and before.isascii() and before.isalpha():
            yield start - 2


def _nie_starts(text: str) -> Iterator[int]:
    """`[XYZxyz]-?\\d{7}`: the digits start a run, after the letter or the letter and "-"."""
    for start, _ in long_runs(text, 7):
        before = text[start - 1 : start]
        if before == "-" and start >= 2:
            yield start - 2
        elif before and before in "XYZxyz":
            yield start - 1


def _upper_letters(value: str) -> bool:
    return value == value.upper()


def _nino(value: str) -> bool:
    return _upper_letters(value) and value[0] not in "DFIQUV" and value[1] not in "DFIOQUV"


def _needs_word(
    entity: str,
    module: str,
    cls: str,
    words: re.Pattern[str],
    check: Callable[[str], bool],
    *,
    validated_only: bool = False,
) -> PresidioWindowRecognizer:
    """A weakly checked number: its context word is the prefilter, and required."""
    return PresidioWindowRecognizer(
        f"presidio:{entity.lower()}",
        entity,
        _presidio(module, cls),
        words,
        _judge(check, words, need_context=True, validated_only=validated_only),
        priority=NAMED_PRIORITY,
        window=_CONTEXT_REACH,
    )


def _stands_alone(
    entity: str,
    module: str,
    cls: str,
    shape: str,
    words: re.Pattern[str],
    check: Callable[[str], bool],
    *,
    alone: float = 0.85,
    validated_only: bool = False,
    priority: int = PRIORITY,
    starts: Callable[[str], Iterable[int]] | None = None,
) -> PresidioWindowRecognizer:
    """A strongly shaped number: its shape is the prefilter (tried only at `starts` when
    given: every position where the shape can match is among them); a context word raises
    the score."""
    return PresidioWindowRecognizer(
        f"presidio:{entity.lower()}",
        entity,
        _presidio(module, cls),
        _shape(shape) if starts is None else _Shape(shape, starts),
        _judge(check, words, need_context=False, alone=alone, validated_only=validated_only),
        priority=priority,
    )


_PRESIDIO_BACKED: list[Recognizer] = [
    _needs_word(
        "UK_NHS", "uk.uk_nhs_recognizer", "NhsRecognizer", NHS_WORDS, _stdnum(gb_nhs, digits_only)
    ),
    _stands_alone(
        "UK_NINO",
        "uk.uk_nino_recognizer",
        "UkNinoRecognizer",
        r"[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]",
        NINO_WORDS,
        _nino,
        alone=0.8,
        starts=_nino_starts,
    ),
    _stands_alone(
        "IT_FISCAL_CODE",
        "italy.it_fiscal_code_recognizer",
        "ItFiscalCodeRecognizer",
        r"[A-Za-z]{6}[0-9LMNP-Vlmnp-v]{2}[A-Za-z][0-9LMNP-Vlmnp-v]{2}[A-Za-z]"
        r"[0-9LMNP-Vlmnp-v]{3}[A-Za-z]",
        IT_CF_WORDS,
        _stdnum(it_cf, str.upper),
        alone=0.95,
        validated_only=True,
    ),
    _needs_word(
        "IT_VAT_CODE",
        "italy.it_vat_code",
        "ItVatCodeRecognizer",
        IT_VAT_WORDS,
        _stdnum(it_iva, digits_only),
    ),
    _stands_alone(
        "ES_NIF",
        "spain.es_nif_recognizer",
        "EsNifRecognizer",
        r"\d{7,8}-?[A-Za-z]",
        ES_NIF_WORDS,
        _stdnum(es_dni, lambda v: digits_only(v).upper().zfill(9)),
        validated_only=True,
        starts=_word_initial_runs(7),
    ),
    _stands_alone(
        "ES_NIE",
        "spain.es_nie_recognizer",
        "EsNieRecognizer",
        r"[XYZxyz]-?\d{7}-?[A-Za-z]",
        ES_NIE_WORDS,
        _stdnum(es_nie, lambda v: digits_only(v).upper()),
        alone=0.9,
        validated_only=True,
        priority=NAMED_PRIORITY,
        starts=_nie_starts,
    ),
    _needs_word(
        "PL_PESEL",
        "poland.pl_pesel_recognizer",
        "PlPeselRecognizer",
        PESEL_WORDS,
        _stdnum(pl_pesel),
    ),
    _stands_alone(
        "FI_PERSONAL_IDENTITY_CODE",
        "finland.fi_personal_identity_code_recognizer",
        "FiPersonalIdentityCodeRecognizer",
        r"\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y]",
        HETU_WORDS,
        _stdnum(fi_hetu, str.upper),
        starts=_word_initial_runs(6),
    ),
    _needs_word(
        "SE_PERSONNUMMER",
        "sweden.se_personnummer_recognizer",
        "SePersonnummerRecognizer",
        SE_PNR_WORDS,
        _stdnum(se_pnr),
    ),
    _needs_word(
        "DE_TAX_ID",
        "germany.de_tax_id_recognizer",
        "DeTaxIdRecognizer",
        DE_TAX_WORDS,
        _stdnum(de_idnr),
    ),
    _stands_alone(
        "DE_SOCIAL_SECURITY",
        "germany.de_social_security_recognizer",
        "DeSocialSecurityRecognizer",
        r"\d{8}[A-Za-z]\d{3}",
        DE_SV_WORDS,
        _upper_letters,
        validated_only=True,
        starts=_word_initial_runs(8),
    ),
    _needs_word(
        "DE_ID_CARD",
        "germany.de_id_card_recognizer",
        "DeIdCardRecognizer",
        DE_ID_WORDS,
        _upper_letters,
        validated_only=True,
    ),
    _needs_word(
        "DE_PASSPORT",
        "germany.de_passport_recognizer",
        "DePassportRecognizer",
        DE_PASSPORT_WORDS,
        _upper_letters,
        validated_only=True,
    ),
]


class StdnumIdRecognizer:
    """Our own recognizer for a number presidio-analyzer does not know: candidates of
    `candidate` near a prefilter hit, checked by `check` (python-stdnum)."""

    def __init__(
        self,
        entity_type: str,
        candidate: str,
        check: Callable[[str], bool],
        words: Keywords,
        *,
        shape: re.Pattern[str] | None = None,
        alone: Callable[[str], bool] | None = None,
    ) -> None:
        self.name = entity_type.lower()
        self.entity_type = entity_type
        self.entities = (entity_type,)
        self._candidate = re.compile(rf"(?<![\w.\-/])(?:{candidate})(?![\w]|[.\-/]\d)")
        self._check = check
        self._words = words
        # Candidates are looked for near a context word, or near a shape that stands alone.
        self._shape = shape
        self._alone = alone

    def find(self, text: str, language: str) -> Iterator[Span]:
        hits = [m.start() for m in self._words.finditer(text)]
        if self._shape is not None:
            hits += [m.start() for m in self._shape.finditer(text)]
        if not hits:
            return
        seen: set[int] = set()
        for hit in hits:
            lo = max(0, hit - _CONTEXT_REACH)
            hi = min(len(text), hit + 2 * _CONTEXT_REACH)
            for m in self._candidate.finditer(text, lo, hi):
                if m.start() in seen:
                    continue
                seen.add(m.start())
                span = self._judge(m.group(0), text, m.start(), m.end())
                if span is not None:
                    yield span

    def _judge(self, value: str, text: str, start: int, end: int) -> Span | None:
        if in_longer_run(text, start, end) or not self._check(value):
            return None
        if has_context(text, start, end, self._words, _CONTEXT_REACH):
            return Span(self.entity_type, start, end, 1.0, NAMED_PRIORITY)
        if self._alone is not None and self._alone(value):
            return Span(self.entity_type, start, end, 0.85, PRIORITY)
        return None


def _lu_national_id(value: str) -> bool:
    """Luxembourg's matricule: YYYYMMDD + 3-digit serial + a Luhn digit + a Verhoeff digit,
    both computed over the first 11 digits."""
    digits = digits_only(value)
    if len(digits) != 13 or not digits.isdigit():
        return False
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return luhn.is_valid(digits[:11] + digits[11]) and verhoeff.is_valid(digits[:11] + digits[12])


_BE_GROUPED = r"\d{2}\.\d{2}\.\d{2}[-.]\d{3}[.\-]\d{2}"


def _be_grouped(value: str) -> bool:
    return re.fullmatch(_BE_GROUPED, value) is not None


_OWN: list[Recognizer] = [
    StdnumIdRecognizer("AT_SVNR", r"\d{4}[ ]?\d{6}", _stdnum(at_vnr, digits_only), AT_SVNR_WORDS),
    StdnumIdRecognizer(
        "BE_NATIONAL_NUMBER",
        r"\d{2}[. ]?\d{2}[. ]?\d{2}[-. ]?\d{3}[-. ]?\d{2}",
        _stdnum(be_nn, digits_only),
        BE_NN_WORDS,
        shape=re.compile(rf"{_BE_GROUPED}(?!\w)"),
        alone=_be_grouped,
    ),
    StdnumIdRecognizer(
        "NL_BSN",
        r"\d{9}|\d{4}[. ]\d{2}[. ]\d{3}|\d{3}[. ]\d{3}[. ]\d{3}",
        _stdnum(nl_bsn, digits_only),
        NL_BSN_WORDS,
    ),
    # The Steuer-ID as letters print it, "12 345 678 901" (Presidio's pattern takes one block).
    StdnumIdRecognizer(
        "DE_TAX_ID",
        r"\d{2}[ .]\d{3}[ .]\d{3}[ .]\d{3}",
        _stdnum(de_idnr, digits_only),
        DE_TAX_WORDS,
    ),
    StdnumIdRecognizer("LI_PEID", r"\d{4,12}", _stdnum(li_peid), LI_PEID_WORDS),
    StdnumIdRecognizer(
        "LU_NATIONAL_ID", r"\d{13}|\d{4}[ ]\d{4}[ ]\d{3}[ ]\d{2}", _lu_national_id, LU_ID_WORDS
    ),
]

RECOGNIZERS: list[Recognizer] = [*_PRESIDIO_BACKED, *_OWN]
