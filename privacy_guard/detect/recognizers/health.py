"""Health data (GDPR Art. 9): medical conditions, treatments and medications, as HEALTH.

The English, French, German and Italian lexicons (`detect/data/health_*.txt`, format in their
headers) all run on every text, since prompts mix languages. Matching happens on a folded copy
of the text (lower case, no accents, hyphens as spaces) of the same length, so offsets need no
mapping; German spellings that change length ("ß" as "ss", "ü" as "ue") are added to the lexicon
side instead. Terms that are ordinary words outside medicine ("depression", "virus", "lithium")
count only with health context nearby, and no term counts inside a blocking phrase ("computer
virus").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from privacy_guard.detect.recognizers.base import Recognizer
from privacy_guard.detect.recognizers.wordtrie import fold, trie_pattern
from privacy_guard.detect.types import Span

__all__ = ["RECOGNIZERS", "HealthRecognizer"]

ENTITY = "HEALTH"
PRIORITY = 5
SCORE = 0.85
SCORE_IN_CONTEXT = 0.7
LEXICONS = ("health_en.txt", "health_fr.txt", "health_de.txt", "health_it.txt")
CONTEXT_WINDOW = 60  # characters on either side
NEAR_WINDOW = 20  # characters before the term, for "^" and "&" phrases

# Word endings that are medical whatever the organ, for names missing from the lexicons: removals
# and repairs ("prostatectomy", "rhinoplastie", "Gastrektomie", "mastectomia") and German
# compounds ("Nierenerkrankung", "Blasenentzündung", "Lebertumor") count on their own;
# inflammations ("-itis") need context, since "meetingitis" is a joke, and so do "-krebs"
# ("Flusskrebs" is a crayfish), "-therapie"/"-terapia" ("Schocktherapie") and "-syndrom".
# Searched by ending on the folded text, then widened to the word.
_PROCEDURE_ENDING = re.compile(
    r"(?:ectom(?:y|ie|ia)s?|ektomien?|oplast(?:y|ie|ica|iche|ik|iken)s?"
    r"|erkrankung(?:en)?|entzundung(?:en)?|karzinom(?:e|en)?|tumor(?:e|en)?|insuffizienz)(?!\w)"
)
_CONTEXT_ENDING = re.compile(
    r"(?:itis|krebs(?:es)?|therapie(?:n)?|terapi[ae]|syndrom(?:e|s)?)(?!\w)"
)
_MAX_STEM = 30

_SPACES = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"'s\b")
_NEVER = re.compile(r"(?!)")
_WORD_CHAR = re.compile(r"\w")
_SPELL_OUT_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


@dataclass(frozen=True, slots=True)
class _Term:
    needs_context: bool
    medication: bool  # "%": an intake verb just before it is context enough
    # Empty: any case. Otherwise the accent-free spellings that count, case kept ("AIDS").
    exact: frozenset[str]

    def merge(self, other: _Term) -> _Term:
        """Two lexicons list the same spelling: the more cautious reading wins."""
        exact = self.exact | other.exact if self.exact and other.exact else frozenset()
        return _Term(
            self.needs_context or other.needs_context, self.medication or other.medication, exact
        )


@dataclass(frozen=True, slots=True)
class _Lexicon:
    terms: re.Pattern[str]
    entries: dict[str, _Term]
    context: re.Pattern[str]
    near: re.Pattern[str]
    intake: re.Pattern[str]
    blockers: re.Pattern[str]
    longest_blocker: int


def _spellings(entry: str, keep_case: bool = False) -> set[str]:
    """Folded spellings of one raw entry: German "ä" also as "ae" and "ß" also as "ss" (Swiss
    spelling), which folding the text cannot do without changing its length; then `_variants`.
    ("ß" itself folds to "ß", one character, so text offsets never move.)"""
    forms = {entry, entry.translate(_SPELL_OUT_UMLAUTS)}
    if "ß" in entry:
        forms |= {form.replace("ß", "ss") for form in forms}
    return {variant for form in forms for variant in _variants(fold(form, keep_case=keep_case))}


def _variants(term: str) -> set[str]:
    """Spellings of one folded entry: œ/oe, æ/ae, and "crohn's" as "crohns" and "crohn"."""
    forms = {term}
    for ligature, letters in (("œ", "oe"), ("æ", "ae")):
        forms |= {form.replace(ligature, letters) for form in forms}
    if "'s" in term:
        forms |= {_POSSESSIVE.sub(repl, form) for form in forms for repl in ("s", "")}
    return {_SPACES.sub(" ", form).strip() for form in forms}


def _words_regex(words: set[str]) -> re.Pattern[str]:
    if not words:
        return _NEVER
    # "_" is a word character here: "pregnant_woman" is an identifier, not a statement.
    return re.compile(rf"(?<!\w)(?:{trie_pattern(sorted(words))})s?(?!\w)")


@cache
def _lexicon() -> _Lexicon:
    entries: dict[str, _Term] = {}
    phrases: dict[str, set[str]] = {"+": set(), "^": set(), "&": set(), "-": set()}
    data = files("privacy_guard.detect").joinpath("data")
    for name in LEXICONS:
        for raw in data.joinpath(name).read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line[0] in phrases:
                phrases[line[0]] |= _spellings(line[1:].strip())
                continue
            word = line.lstrip("?%!").strip()
            markers = line[: len(line) - len(line.lstrip("?%!"))]
            exact = frozenset(_spellings(word, keep_case=True)) if "!" in markers else None
            term = _Term(
                needs_context="?" in markers or "%" in markers,
                medication="%" in markers,
                exact=exact or frozenset(),
            )
            for form in _spellings(word):
                previous = entries.get(form)
                entries[form] = term if previous is None else previous.merge(term)
    return _Lexicon(
        terms=_words_regex(set(entries)),
        entries=entries,
        context=_words_regex(phrases["+"]),
        near=_words_regex(phrases["^"]),
        intake=_words_regex(phrases["&"]),
        blockers=_words_regex(phrases["-"]),
        longest_blocker=max(map(len, phrases["-"]), default=0) + 1,  # + a plural "s"
    )


def _lookup(lexicon: _Lexicon, text: str, match: re.Match[str]) -> _Term | None:
    """The entry behind a match (which may carry a plural "s"), if its case fits."""
    key = _SPACES.sub(" ", match.group())
    end = match.end()
    term = lexicon.entries.get(key)
    if term is None and key.endswith("s"):
        key, end = key[:-1], end - 1
        term = lexicon.entries.get(key)
    if term is not None and term.exact:
        written = _SPACES.sub(" ", fold(text[match.start() : end], keep_case=True))
        if written not in term.exact:
            return None
    return term


def _in_context(lexicon: _Lexicon, folded: str, start: int, end: int, medication: bool) -> bool:
    lo = max(0, start - CONTEXT_WINDOW)
    hi = min(len(folded), end + CONTEXT_WINDOW)
    near = max(0, start - NEAR_WINDOW)
    return (
        lexicon.context.search(folded, lo, start) is not None
        or lexicon.context.search(folded, end, hi) is not None
        or lexicon.near.search(folded, near, start) is not None
        or (medication and lexicon.intake.search(folded, near, start) is not None)
    )


def _blocked(lexicon: _Lexicon, folded: str, start: int, end: int) -> bool:
    """Whether a blocking phrase overlaps [start, end); only the nearby text is searched."""
    lo = max(0, start - lexicon.longest_blocker)
    hi = min(len(folded), end + lexicon.longest_blocker)
    return any(
        match.start() < end and start < match.end()
        for match in lexicon.blockers.finditer(folded, lo, hi)
    )


def _words_ending(folded: str, ending: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """Whole words of letters that end with `ending`, after a stem of at least 3 letters."""
    for match in ending.finditer(folded):
        start = match.start()
        floor = max(0, start - _MAX_STEM)
        while start > floor and folded[start - 1].isalpha():
            start -= 1
        if match.start() - start >= 3 and (start == 0 or not _WORD_CHAR.match(folded[start - 1])):
            yield start, match.end()


class _Intervals:
    """Sorted, non-overlapping intervals, asked whether anything lies within [lo, hi)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]

    def meets(self, lo: int, hi: int) -> bool:
        index = bisect_right(self._ends, lo)
        return index < len(self._starts) and self._starts[index] < hi


class HealthRecognizer:
    name = "health"
    entities = (ENTITY,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        lexicon = _lexicon()
        folded = fold(text)
        # (start, end, needs_context, medication); lexicon matches never overlap each other.
        found: list[tuple[int, int, bool, bool]] = []
        for match in lexicon.terms.finditer(folded):
            start, end = match.span()
            term = _lookup(lexicon, text, match)
            if term is not None and not _blocked(lexicon, folded, start, end):
                found.append((start, end, term.needs_context, term.medication))
        listed = _Intervals([(start, end) for start, end, _, _ in found])
        for ending, needs_context in ((_PROCEDURE_ENDING, False), (_CONTEXT_ENDING, True)):
            for start, end in _words_ending(folded, ending):
                if not listed.meets(start, end) and not _blocked(lexicon, folded, start, end):
                    found.append((start, end, needs_context, False))
        found.sort()
        sure = _Intervals([(start, end) for start, end, ambiguous, _ in found if not ambiguous])
        for start, end, ambiguous, medication in found:
            if not ambiguous:
                yield Span(ENTITY, start, end, SCORE, PRIORITY)
            elif sure.meets(start - CONTEXT_WINDOW, end + CONTEXT_WINDOW) or _in_context(
                lexicon, folded, start, end, medication
            ):
                yield Span(ENTITY, start, end, SCORE_IN_CONTEXT, PRIORITY)


RECOGNIZERS: list[Recognizer] = [HealthRecognizer()]
