"""PHONE_NUMBER: a cheap candidate regex, shape filters, then `phonenumbers` validation.

A candidate is a run of digit groups joined by separators (spaces, dots, dashes, slashes, line
breaks; see `_separators.SEP`), optionally led by `+`, with `(area)` / `(0)` groups and an
extension. A run may hold a phone plus a stray number, or two phones, so it is judged in token
windows that start where the run starts (or where the previous phone ended); the best window
wins (score, then a fixed-length numbering plan, then length, then conventional grouping):

* shapes that are something else are rejected: dates, year ranges, IPv4, versions, decimals,
  thousands-grouped amounts, ISBNs, SSNs, company numbers, runs of 14+ digits (cards, SIRET, NIR);
  so are numbers right after an identifier word (order, invoice, ticket, n°, #, ...);
* international (`+CC`, `00CC`): parsed directly; valid 0.95, possible 0.8;
* national: read in the regions of the text's language (all seven are tried), restricted by the
  leading digit (trunk `0` for FR/CH/BE/DE/IT/GB, `3` for Italian mobiles, NANP for the US);
  valid 0.85, possible with a phone shape 0.7, phone shape alone 0.6 (generators and fictional
  ranges produce numbers phonenumbers does not know); bare digit runs need a trunk 0 or a
  phone word nearby;
* with a phone word nearby, a number whose `+` was lost (`41 79 123 45 67`) is read as
  international.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers
from phonenumbers import (
    NumberParseException,
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberFormat,
    PhoneNumberType,
    format_number,
    region_code_for_number,
)

from privacy_guard.detect.recognizers._digit_index import digit_runs
from privacy_guard.detect.recognizers._separators import SEP
from privacy_guard.detect.recognizers.base import Recognizer, Span, has_context
from privacy_guard.detect.recognizers.phone_shapes import (
    NUMBER_WORDS,
    PHONE_WORDS,
    Token,
    identifier_before,
    is_sequence,
    lookalike,
    nanp,
    not_a_phone_run,
    other_shape,
    separators,
    tokenize,
)

ENTITY = "PHONE_NUMBER"
PRIORITY = 10

# phonenumbers compiles its metadata's regexes with `re.compile` on every check unless told to
# keep them; `re`'s own cache (512 patterns, shared with everything else) then costs a lookup
# per check and loses them when the process uses many regexes. (Absent in old releases.)
_keep_patterns = getattr(phonenumbers, "enable_pattern_cache", None)
if _keep_patterns is not None:
    _keep_patterns()

_SEP_OPT = rf"(?:{SEP})?"
_PAREN = r"\(\+?\d{1,5}\)"
_GROUP = r"\d{1,15}"
_EXT = r"[ \t]{0,3}(?i:x|ext\.?|extension|poste|p\.)[ \t]{0,3}\d{1,6}"

_CANDIDATE = re.compile(
    rf"""
    (?=[+(\d])                        # cheap: where a number can start
    (?<![\w+])(?<!\d[.,/\-])(?<!\w-)   # not inside a longer number or word (api-0356...)
    (?=\+?(?:[ \t.\-/()\u00a0\u202f\r\n]{{0,8}}\d){{7}})  # cheap: 7+ digits close together
    (?P<num>
        \+?(?:{_PAREN}{_SEP_OPT})?{_GROUP}
        (?:{_SEP_OPT}{_PAREN}{_SEP_OPT}{_GROUP}|{SEP}{_GROUP}){{0,14}}
    )
    (?P<ext>{_EXT})?
    (?![\w])(?![.,/\-]\d)(?!-\w)
    """,
    re.VERBOSE,
)

_NON_DIGIT = re.compile(r"\D+")
# A phone word (or a short word a number follows) glued to the number after it, or a word glued
# after the number: where `_find_glued` puts a space.
_GLUE_BEFORE = frozenset(
    """tel tél tele télé telephone téléphone telefon telefono phone ph call at on me us fax mobile
    mobiles mob cell office portable natel handy gsm whatsapp sms number numero numéro nummer"""
    .split()
)
_GLUE_AFTER = frozenset("please thanks merci or ou and et oder und call tel phone".split())
_WORD_ENDING = re.compile(r"(?<![^\W\d_])[^\W\d_]{1,12}\Z")
_WORD_STARTING = re.compile(r"[^\W\d_]{1,12}(?![^\W\d_])")
_GLUE_REACH = 64  # characters around a glue point that the second search sees


def _glue_points(text: str) -> list[int]:
    """Where a glued word and a number meet ("Tel|0612…", "Tel|:+41…", "…4567|please"). Walks
    the digit runs (found once per text and shared, `digit_runs`) and looks at the letters
    touching them; a run with a space or punctuation either side, most of them, costs two
    character tests."""
    points = set()
    size = len(text)
    for start, end in digit_runs(text):
        if start and (text[start - 1] in "+(:." or text[start - 1].isalpha()):
            while start > 0 and text[start - 1] in "+(":
                start -= 1
            if start > 0 and text[start - 1] in ":.":
                start -= 1
            if start > 0 and text[start - 1].isalpha():
                word = _WORD_ENDING.search(text, max(0, start - 12), start)
                if word is not None and word.group().lower() in _GLUE_BEFORE:
                    points.add(start)
        if end < size and text[end].isalpha():
            word = _WORD_STARTING.match(text, end)
            if word is not None and word.group().lower() in _GLUE_AFTER:
                points.add(end)
    return sorted(points)


_REGIONS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "fr": ("FR", "CH", "BE", "DE", "IT", "GB", "US"),
    "en": ("GB", "US", "CH", "FR", "DE", "IT", "BE"),
    "other": ("CH", "DE", "IT", "FR", "BE", "GB", "US"),
}
_COUNTRY_CODES = {"FR": "33", "CH": "41", "BE": "32", "DE": "49", "IT": "39", "GB": "44", "US": "1"}
# National significant number lengths each region can have, from phonenumbers' metadata.
_NSN_LENGTHS = {
    region: frozenset(PhoneMetadata.metadata_for_region(region).general_desc.possible_length)
    for region in _COUNTRY_CODES
}
# Numbering plans with many number lengths: a run with a stray trailing group often still
# passes there, so a reading in a fixed-length plan is preferred.
_FLEXIBLE_LENGTH = frozenset({"DE", "IT", "AT"})


class _Reading:
    """What phonenumbers makes of one international number; the region and the conventional
    grouping are computed once (readings are cached by their digits)."""

    def __init__(self, number: PhoneNumber | None, valid: bool, possible: bool) -> None:
        self.number = number
        self.valid = valid
        self.possible = possible
        self.region = region_code_for_number(number) if number is not None and possible else None

    @property
    def strict(self) -> bool:
        """Read in a numbering plan whose numbers all have the same length (not DE or IT)."""
        return self.number is not None and self.region not in _FLEXIBLE_LENGTH

    @functools.cached_property
    def national_groups(self) -> list[int]:
        return self._groups(PhoneNumberFormat.NATIONAL)

    @functools.cached_property
    def international_groups(self) -> list[int]:
        return self._groups(PhoneNumberFormat.INTERNATIONAL)

    def _groups(self, fmt: int) -> list[int]:
        """Group sizes of the conventional spelling (e.g. [2, 2, 2, 2, 2] in France)."""
        if self.number is None:
            return []
        return [len(g) for g in re.findall(r"\d+", format_number(self.number, fmt))]


_NO_READING = _Reading(None, False, False)
_NUMBER_TYPES = (
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.PAGER,
    PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
)


@functools.lru_cache(maxsize=4096)
def _parse(number: str) -> _Reading:
    """The reading of an international `number` ("+" and digits)."""
    try:
        parsed = phonenumbers.parse(number, None)
    except NumberParseException:
        return _NO_READING
    if phonenumbers.is_valid_number(parsed):
        return _Reading(parsed, True, True)
    return _Reading(parsed, False, phonenumbers.is_possible_number(parsed))


def _parse_national(digits: str, region: str) -> _Reading:
    """Read a national number in `region`, spelling out its country code ourselves so that
    phonenumbers never guesses a country code from the leading digits."""
    if region == "IT":
        nsn = digits  # Italian numbers keep their leading 0
    elif region == "US":
        nsn = digits[1:] if len(digits) == 11 else digits
    else:
        nsn = digits[1:]  # drop the trunk 0
    if len(nsn) not in _NSN_LENGTHS[region]:
        return _NO_READING  # cheap: phonenumbers would say "not possible"
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


def _lost_plus(digits: str) -> _Reading | None:
    """`41 79 123 45 67`, `44 0 7700 900123`: an international number without its `+`."""
    for cc in _COUNTRY_CODES.values():
        if not digits.startswith(cc):
            continue
        rest = digits[len(cc) :]
        for nsn in (rest, rest[1:]) if rest.startswith("0") and cc != "39" else (rest,):
            reading = _parse(f"+{cc}{nsn}")
            if reading.valid:
                return reading
    return None


def _raw_separators(text: str, window: list[Token]) -> set[str]:
    return {text[a.end : b.start] for a, b in itertools.pairwise(window)}


def _strictly_valid(reading: _Reading | None) -> bool:
    """Valid, in a numbering plan whose numbers all have the same length (not DE or IT)."""
    return reading is not None and reading.valid and reading.strict


@dataclass(frozen=True, slots=True)
class _Verdict:
    score: float
    reading: _Reading | None
    intl: bool


def _sizes(window: list[Token]) -> list[int]:
    return [len(t.digits) for t in window if not (t.paren and t.digits == "0")]


_Rank = tuple[float, bool, int, bool]
_TOP_SCORE = {True: 0.95, False: 0.85}  # by "international"
# Windows judged per run at most: a real run has a handful of groups; this bounds the work on
# machine-made walls of digits.
_MAX_JUDGED_PER_RUN = 12


def _rank(window: list[Token], verdict: _Verdict) -> _Rank:
    reading = verdict.reading
    if reading is None:
        return verdict.score, False, len(window), False
    groups = reading.international_groups if verdict.intl else reading.national_groups
    return verdict.score, reading.strict, len(window), _sizes(window) == groups


class PhoneRecognizer:
    name = "phone"
    entities = (ENTITY,)

    def warm_up(self) -> None:
        """Check an example number of every type in every region read here, so phonenumbers
        loads and compiles those regions' metadata now rather than on the first requests."""
        for region in _COUNTRY_CODES:
            for kind in _NUMBER_TYPES:
                number = phonenumbers.example_number_for_type(region, kind)
                if number is not None:
                    reading = _parse(format_number(number, PhoneNumberFormat.E164))
                    _ = reading.national_groups, reading.international_groups

    def find(self, text: str, language: str) -> Iterator[Span]:
        yield from self._find(text, language)
        cuts = _glue_points(text)
        if cuts:
            yield from self._find_glued(text, cuts, language)

    def _find_glued(self, text: str, cuts: list[int], language: str) -> Iterator[Span]:
        """Numbers glued to a phone word or a short word ("Tel0612345678", "call me at555-867-
        5309", "+41 79 123 45 67please"), as text extracted from PDFs and forms has them: the
        same search on a copy of the surroundings with a space put between word and number,
        spans mapped back."""
        windows: list[tuple[int, int]] = []
        for cut in cuts:
            lo, hi = max(0, cut - _GLUE_REACH), min(len(text), cut + _GLUE_REACH)
            if windows and lo <= windows[-1][1]:
                windows[-1] = (windows[-1][0], hi)
            else:
                windows.append((lo, hi))
        for lo, hi in windows:
            inside = [cut for cut in cuts if lo < cut < hi]
            pieces, last = [], lo
            for cut in inside:
                pieces.append(text[last:cut])
                last = cut
            pieces.append(text[last:hi])
            shadow = " ".join(pieces)
            for span in self._find(shadow, language):
                # The k-th inserted space sits at (cut - lo) + k in the shadow.
                shift_start = sum(1 for k, cut in enumerate(inside) if cut - lo + k < span.start)
                shift_end = sum(1 for k, cut in enumerate(inside) if cut - lo + k < span.end)
                start, end = lo + span.start - shift_start, lo + span.end - shift_end
                if start in inside or end in inside:  # only what the glue hid
                    yield Span(span.entity_type, start, end, span.score, span.priority)

    def _find(self, text: str, language: str) -> Iterator[Span]:
        for match in _CANDIDATE.finditer(text):
            digits = _NON_DIGIT.sub("", match.group("num"))
            if len(digits) < 7 or len(set(digits)) <= 2:
                continue  # cheap rejections before any per-token work
            tokens = tokenize(text, *match.span("num"))
            # "x1234" glued to the number is part of it; " ext. 204" is a separate word.
            ext = match.group("ext")
            ext_end = match.end("ext") if ext and not ext[0].isspace() else None
            yield from self._windows(text, tokens, ext_end, language)

    def _windows(
        self, text: str, tokens: list[Token], ext_end: int | None, language: str
    ) -> Iterator[Span]:
        start, end = tokens[0].start, tokens[-1].end
        strong = has_context(text, start, end, PHONE_WORDS, 64)
        context = strong or has_context(text, start, end, NUMBER_WORDS, 64)
        if not_a_phone_run(text, tokens, context):
            return
        n = len(tokens)
        # Digits before token k, to skip windows of impossible length without judging them.
        before = [0]
        for t in tokens:
            before.append(before[-1] + len(t.digits))
        breaks = [i > 0 and "\n" in text[tokens[i - 1].end : tokens[i].start] for i in range(n)]
        seps = [text[tokens[i - 1].end : tokens[i].start].strip() if i else "" for i in range(n)]
        memo: dict[int, tuple[_Rank, int, float] | None] = {}
        budget = [_MAX_JUDGED_PER_RUN]

        def best_from(i: int) -> tuple[_Rank, int, float] | None:
            """The best phone window starting at token i, if any."""
            if i in memo:
                return memo[i]
            memo[i] = None
            if identifier_before(text, tokens[i].start):
                return None
            for j in range(n, i, -1):
                if not 7 <= before[j] - before[i] <= 17 or budget[0] <= 0:
                    continue
                budget[0] -= 1
                window = tokens[i:j]
                verdict = self._judge(text, window, language, strong, context)
                if verdict is None or not can_stop(i, j, verdict):
                    continue
                rank = _rank(window, verdict)
                if memo[i] is None or rank > memo[i][0]:  # type: ignore[index]
                    memo[i] = (rank, j, verdict.score)
                if rank[0] == _TOP_SCORE[verdict.intl] and rank[1]:
                    break  # no shorter window can rank higher
            return memo[i]

        def can_stop(i: int, j: int, verdict: _Verdict) -> bool:
            """A window may end before the run does only at a line break, at a change of
            separator, or where another phone follows ("06 12 34 56 78 07 12 34 56 78", both
            valid in fixed-length plans); otherwise it is the head of a longer number (a card,
            an order number)."""
            if j == n or breaks[j] or seps[j] not in seps[i + 1 : j]:
                return True
            if not _strictly_valid(verdict.reading):
                return False
            following = best_from(j)
            return following is not None and following[0][1]

        # Windows start where the run starts, after a line break, or where the previous phone
        # ended: a phone carved out of the middle of a run is a piece of something else (a NIR,
        # a SIRET, an IBAN).
        i = 0
        while i < n:
            best = best_from(i)
            if best is None:
                i = next((k for k in range(i + 1, n) if breaks[k]), n)
                continue
            _, j, score = best
            end = ext_end if (j == n and ext_end is not None) else tokens[j - 1].end
            yield Span(ENTITY, tokens[i].start, end, score, PRIORITY)
            i = j

    def _judge(
        self, text: str, window: list[Token], language: str, strong: bool, context: bool
    ) -> _Verdict | None:
        """The verdict on one window; `strong`: a phone word is near, `context`: a phone or
        number word is."""
        first = window[0]
        intl = first.plus
        digit_tokens = list(window)
        # "+33 (0)6 ...": the parenthesised trunk zero is not part of the international number.
        if intl and len(window) > 1 and window[1].paren and window[1].digits == "0":
            digit_tokens.pop(1)
        digits = "".join(t.digits for t in digit_tokens)
        idd = not intl and digits.startswith("00") and len(digits) > 9
        if idd and len(window) == 1 and not context:
            return None  # a bare 00-led run is a zero-padded id more often than a phone
        if idd:
            intl, digits = True, digits[2:]
        grouped = len(window) > 1
        if not 7 <= len(digits) <= 15 or len(set(digits)) <= 2:
            return None
        if not grouped and is_sequence(digits):
            return None
        singles = sum(len(t.digits) == 1 for t in window)
        spelled_out = False
        if singles > 2 and not context:
            # "1 2 3 4 5 6 7 8 9 10" is a list; a number spelled out digit by digit needs a
            # phone word, or a trunk 0, ten digits or more and a valid fixed-length reading.
            spelled_out = singles == len(window) and len(digits) >= 10 and digits[0] == "0"
            if not spelled_out or digits[1] == "0" or is_sequence(digits):
                return None
        if len(separators(text, window)) > 2:
            return None  # people use one or two kinds of separator in a number, not three
        if other_shape(text, window, intl, digits, context):
            return None
        if intl:
            reading = _parse("+" + digits)
            if reading.possible:
                return _Verdict(0.95 if reading.valid else 0.8, reading, True)
            if not idd:
                return _Verdict(0.6, None, True) if grouped and len(digits) >= 8 else None
            digits = "00" + digits  # "00 939 72 98": not international after all
        if spelled_out:
            verdict = self._national(text, window, digits, language, context)
            return verdict if verdict and _strictly_valid(verdict.reading) else None
        if strong or not lookalike(text, window):
            return self._national(text, window, digits, language, context)
        # Looks like a version or an amount: a phone only if a number word is near and the
        # digits are a valid number in a fixed-length plan ("my number is 212.857.392.2").
        verdict = self._national(text, window, digits, language, context) if context else None
        return verdict if verdict and _strictly_valid(verdict.reading) else None

    @staticmethod
    def _national(
        text: str, window: list[Token], digits: str, language: str, context: bool
    ) -> _Verdict | None:
        first, grouped = window[0], len(window) > 1
        lost_plus = None
        if context and digits[0] != "0":
            lost_plus = _lost_plus(digits)
        if len(digits) > 12:
            return None if lost_plus is None else _Verdict(0.7, lost_plus, True)
        if not grouped and not context and not 9 <= len(digits) <= 11:
            return None  # a bare run of another length is an id (a tracking number, a hash)
        # US and Italian mobile numbers are written 415-555-2671, 347 1234567; other groupings
        # (a Zoom meeting id: 383 6083 4738) need a phone word, or separators that betray a
        # regrouped number (61.7675.4670).
        if (
            grouped
            and digits[0] != "0"
            and not first.paren
            and not context
            and not (nanp(window) or _sizes(window) in ([3, 7], [3, 3, 4]))
            and (len(window) < 3 or _raw_separators(text, window) <= {" "})
        ):
            return None
        valid_in = possible_in = False
        best: _Reading | None = None
        sizes = _sizes(window)
        for region in _national_regions(digits, language):
            reading = _parse_national(digits, region)
            if reading.valid:
                if not valid_in:
                    valid_in, best = True, reading
                # Several regions may accept the digits; prefer the one whose usual grouping is
                # the one in the text ("06 12 34 56 78" is French, not Basel + 2 digits).
                if not grouped or sizes == reading.national_groups:
                    best = reading
                    break
            elif reading.possible and not possible_in and not valid_in:
                possible_in, best = True, reading
        if lost_plus is not None and (not valid_in or (best is not None and not best.strict)):
            # "32 499 832 826": Belgium without its "+" beats an Italian reading of the digits
            return _Verdict(0.7, lost_plus, True)
        if valid_in:
            if grouped or digits[0] == "0" or context:
                return _Verdict(0.85, best, False)
            return None  # a bare 10-digit run: an id as often as a phone
        shaped = grouped and (
            (digits[0] == "0" and 9 <= len(digits) <= 12) or first.paren or nanp(window)
        )
        if possible_in and (shaped or context):
            return _Verdict(0.7, best, False)
        if shaped and (context or all(len(t.digits) >= 2 for t in window)):
            return _Verdict(0.6, best, False)
        # A bare trunk-0 run that nothing marks as an identifier (but not a zero-padded id).
        bare_trunk = not grouped and len(digits) in (10, 11) and digits[0] == "0"
        if bare_trunk and (context or not digits.startswith("000")):
            return _Verdict(0.5, best, False)
        return None


RECOGNIZERS: list[Recognizer] = [PhoneRecognizer()]
