"""Health data (GDPR Art. 9): medical conditions, treatments and medications, as HEALTH.

The English and French lexicons (`detect/data/health_*.txt`, format in their headers) both run
on every text, since prompts mix languages. Matching happens on a folded copy of the text
(lower case, no accents, hyphens as spaces) of the same length, so offsets need no mapping.
Terms that are ordinary words outside medicine ("depression", "virus", "lithium") count only
with health context nearby and never inside a blocking phrase ("computer virus").
"""

from __future__ import annotations

import re
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
LEXICONS = ("health_en.txt", "health_fr.txt")
CONTEXT_WINDOW = 60
INTAKE_WINDOW = 20

_SPACES = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"'s\b")


@dataclass(frozen=True, slots=True)
class _Term:
    needs_context: bool
    # Empty: any case. Otherwise the case-folded-accent-free spellings that count ("AIDS").
    exact: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Lexicon:
    terms: re.Pattern[str]
    entries: dict[str, _Term]
    context: re.Pattern[str]
    intake: re.Pattern[str]
    blockers: re.Pattern[str]


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
        return re.compile(r"(?!)")
    return re.compile(rf"(?<![^\W_])(?:{trie_pattern(sorted(words))})s?(?![^\W_])")


@cache
def _lexicon() -> _Lexicon:
    entries: dict[str, _Term] = {}
    context: set[str] = set()
    intake: set[str] = set()
    blockers: set[str] = set()
    data = files("privacy_guard.detect").joinpath("data")
    for name in LEXICONS:
        for raw in data.joinpath(name).read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            kind, word = line[0], line[1:].strip()
            if kind in "+^-":
                target = {"+": context, "^": intake, "-": blockers}[kind]
                target |= _variants(fold(word))
                continue
            needs_context = line.startswith("?")
            word = line.lstrip("?")
            case_sensitive = word.startswith("!")
            word = word.lstrip("!").strip()
            exact = (
                frozenset(_variants(fold(word, keep_case=True))) if case_sensitive else frozenset()
            )
            for form in _variants(fold(word)):
                previous = entries.get(form)
                if previous is not None:
                    # Two lexicons list the same spelling: the more cautious reading wins.
                    needs_context = needs_context or previous.needs_context
                    both_exact = bool(exact) and bool(previous.exact)
                    exact = exact | previous.exact if both_exact else frozenset()
                entries[form] = _Term(needs_context, exact)
    return _Lexicon(
        terms=_words_regex(set(entries)),
        entries=entries,
        context=_words_regex(context),
        intake=_words_regex(intake),
        blockers=_words_regex(blockers),
    )


def _lookup(lexicon: _Lexicon, text: str, match: re.Match[str]) -> tuple[_Term, int] | None:
    """The entry behind a match and the end of its listed spelling (before a plural "s")."""
    key = _SPACES.sub(" ", match.group())
    end = match.end()
    term = lexicon.entries.get(key)
    if term is None and key.endswith("s"):
        key, end = key[:-1], end - 1
        term = lexicon.entries.get(key)
    if term is None:
        return None
    if term.exact:
        written = _SPACES.sub(" ", fold(text[match.start() : end], keep_case=True))
        if written not in term.exact:
            return None
    return term, end


def _in_context(lexicon: _Lexicon, folded: str, start: int, end: int) -> bool:
    lo = max(0, start - CONTEXT_WINDOW)
    hi = min(len(folded), end + CONTEXT_WINDOW)
    return (
        lexicon.context.search(folded, lo, start) is not None
        or lexicon.context.search(folded, end, hi) is not None
        or lexicon.intake.search(folded, max(0, start - INTAKE_WINDOW), start) is not None
    )


class HealthRecognizer:
    name = "health"
    entities = (ENTITY,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        lexicon = _lexicon()
        folded = fold(text)
        blocked = [m.span() for m in lexicon.blockers.finditer(folded)]
        sure: list[tuple[int, int]] = []
        ambiguous: list[tuple[int, int]] = []
        for match in lexicon.terms.finditer(folded):
            start = match.start()
            if any(lo < match.end() and start < hi for lo, hi in blocked):
                continue
            found = _lookup(lexicon, text, match)
            if found is None:
                continue
            term, _ = found
            (ambiguous if term.needs_context else sure).append(match.span())
        for start, end in sure:
            yield Span(ENTITY, start, end, SCORE, PRIORITY)
        for start, end in ambiguous:
            near_sure = any(
                s < end + CONTEXT_WINDOW and start - CONTEXT_WINDOW < e for s, e in sure
            )
            if near_sure or _in_context(lexicon, folded, start, end):
                yield Span(ENTITY, start, end, SCORE_IN_CONTEXT, PRIORITY)


RECOGNIZERS: list[Recognizer] = [HealthRecognizer()]
