"""Presidio recognizers run inside our engine: behind a cheap prefilter, on windows, offsets mapped.

Two uses:

* Built-in identifiers for which presidio-analyzer already ships a validated recognizer (UK NHS,
  Italian codice fiscale, Spanish NIF, ...; see recognizers/national.py). Running Presidio's own
  `AnalyzerEngine` would cost its NLP pass and every one of its recognizers on the whole text;
  here one recognizer's patterns and validation see only short windows around what a cheap
  regex (a context word or a digit shape) found, so texts without a candidate cost one regex
  scan.
* A deployment's own Presidio `EntityRecognizer` / `PatternRecognizer` classes, named in the
  config as ``"package.module:ClassName"`` (`load_plugins`). They run on the whole normalised
  text (we cannot know their shapes), without NLP artefacts (`nlp_artifacts=None`: spaCy runs
  once, in our NER stage, not once per plug-in); their offsets are mapped back like ours.

Presidio is imported lazily: a process that never meets a candidate never pays for it.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any, Protocol

from privacy_guard.detect.recognizers._word_index import left_bounded, occurrences, scan_at
from privacy_guard.detect.recognizers._word_index import lowered as exact_lowered
from privacy_guard.detect.recognizers.base import first_letter_lookahead
from privacy_guard.detect.types import Span
from privacy_guard.errors import ConfigError

# How far around a prefilter hit Presidio looks; the window is widened to the next whitespace so
# its `\b`s see the same word boundaries as in the whole text.
_WINDOW = 40
_SPACE = re.compile(r"\s")
_TRIM = frozenset(" \t\r\n_\u00a0")


class Keywords:
    """Context words as a prefilter: a regex of whole words, behind a substring test.

    A case-insensitive regex of alternatives costs a few microseconds per short text; lower-casing
    the text and looking for each word's literal stem costs a fraction of that, so the regex runs
    only on texts that hold a stem. `search` (context checks around a candidate) is the regex's.
    """

    def __init__(
        self, pattern: re.Pattern[str], stems: tuple[str, ...] | None, *, prefixes: bool = False
    ) -> None:
        self.pattern = pattern
        # None: some alternative has no literal stem of three characters; the regex always runs.
        self.stems = stems
        # True: every match starts with one of `stems` (they are the alternatives' literal
        # beginnings), so the regex need only be tried where a stem starts a word.
        self.prefixes = prefixes and stems is not None

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.pattern.search(text, pos, len(text) if endpos is None else endpos)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if self.prefixes:
            low = exact_lowered(text)
            if low is not None:
                # A match starts where its stem does in a same-offset lower-cased copy, after
                # no letter or digit (`(?<!\w)`): trying the regex only there finds the same
                # matches as a whole-text scan (scan_at) without its per-position cost.
                found = occurrences(low, self.stems)  # type: ignore[arg-type]
                if not found:
                    return iter(())
                return scan_at(self.pattern, text, left_bounded(low, found))
        if self.stems is not None:
            lowered = _lowered(text)
            if not any(stem in lowered for stem in self.stems):
                return iter(())
        return self.pattern.finditer(text)


@lru_cache(maxsize=8)
def _lowered(text: str) -> str:
    """One lower-cased copy per text for the dozens of keyword prefilters that test it (the
    same-offset copy when the text has one: no second `lower()` of the same text)."""
    low = exact_lowered(text)
    return text.lower() if low is None else low


_STEM_END = re.compile(r"[\\()\[\].|?*+{]")


def keywords(*alternatives: str, stems: tuple[str, ...] | None = None) -> Keywords:
    """Whole-word, case-insensitive `alternatives` (regexes); their literal stems are derived
    (the letters before the first regex syntax) unless given."""
    lookahead = first_letter_lookahead(alternatives)
    pattern = re.compile(rf"(?i){lookahead}(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
    if stems is None:
        derived = []
        for alternative in alternatives:
            stop = _STEM_END.search(alternative)
            stem = alternative[: stop.start() if stop else len(alternative)]
            if stop is not None and stop.group() in "?*{" and stem:
                stem = stem[:-1]  # the quantifier makes the last character optional
            if len(stem) < 3:
                return Keywords(pattern, None)
            derived.append(stem.lower())
        return Keywords(pattern, tuple(dict.fromkeys(derived)), prefixes=True)
    return Keywords(pattern, stems)


class Prefilter(Protocol):
    """What finds a recognizer's windows: a compiled regex, `Keywords`, or a shape tried only
    where it can start; `finditer` yields what a whole-text regex scan would."""

    def finditer(self, text: str) -> Iterator[re.Match[str]]: ...


class PresidioPluginError(ConfigError):
    """A `detector.presidio_recognizers` entry that cannot be imported or instantiated."""


class PresidioWindowRecognizer:
    """One Presidio recognizer, run on the windows around the hits of `prefilter`.

    `factory` builds the Presidio recognizer (called once, lazily, under a lock). `check`, when
    given, is a second opinion on each value Presidio accepted (python-stdnum, or a shape test);
    `score` turns (value, text, start, end, presidio score) into our score or None to drop it.
    """

    def __init__(
        self,
        name: str,
        entity_type: str,
        factory: Callable[[], Any],
        prefilter: Prefilter,
        score: Callable[[str, str, int, int, float], float | None],
        *,
        priority: int = 20,
        window: int = _WINDOW,
    ) -> None:
        self.name = name
        self.entity_type = entity_type
        self.entities = (entity_type,)
        self._factory = factory
        self._prefilter = prefilter
        self._score = score
        self._priority = priority
        self._window = window
        self._recognizer: Any = None
        self._lock = threading.Lock()

    def presidio(self) -> Any:
        if self._recognizer is None:
            with self._lock:
                if self._recognizer is None:
                    self._recognizer = self._factory()
        return self._recognizer

    def warm_up(self) -> None:
        """Build the Presidio recognizer (and import presidio-analyzer) and run it once, which
        compiles its patterns: otherwise both land on the first request with a candidate."""
        self.presidio().analyze("warm-up 0000000000", [self.entity_type], None)

    def find(self, text: str, language: str) -> Iterator[Span]:
        windows = _windows(text, self._prefilter, self._window)
        if not windows:
            return
        recognizer = self.presidio()
        seen: set[tuple[int, int]] = set()
        for lo, hi in windows:
            for result in recognizer.analyze(text[lo:hi], [self.entity_type], None):
                start, end = lo + result.start, lo + result.end
                # Some patterns take the separator after the value too ("([0-9][ _]?){11}").
                while end > start and text[end - 1] in _TRIM:
                    end -= 1
                if start == end or (start, end) in seen:
                    continue
                seen.add((start, end))
                score = self._score(text[start:end], text, start, end, float(result.score))
                if score is not None:
                    yield Span(self.entity_type, start, end, score, self._priority)


def _windows(text: str, prefilter: Prefilter, reach: int) -> list[tuple[int, int]]:
    """Merged [lo, hi) windows around every prefilter hit, widened to whitespace."""
    windows: list[tuple[int, int]] = []
    for match in prefilter.finditer(text):
        lo = max(0, match.start() - reach)
        hi = min(len(text), match.end() + reach)
        while lo > 0 and not _SPACE.match(text, lo - 1):
            lo -= 1
        space = _SPACE.search(text, hi)
        hi = len(text) if space is None else space.start()
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
        else:
            windows.append((lo, hi))
    return windows


class PresidioPluginRecognizer:
    """A deployment's Presidio recognizer, run on the whole normalised text."""

    def __init__(self, recognizer: Any, priority: int = 20) -> None:
        self.presidio = recognizer
        self.name = f"presidio:{getattr(recognizer, 'name', type(recognizer).__name__)}"
        self.entities = tuple(recognizer.supported_entities)
        self._priority = priority

    def find(self, text: str, language: str) -> Iterator[Span]:
        for result in self.presidio.analyze(text, list(self.entities), None) or ():
            start, end = int(result.start), int(result.end)
            if 0 <= start < end <= len(text):
                yield Span(result.entity_type, start, end, float(result.score), self._priority)


def load_plugins(references: Sequence[str]) -> list[PresidioPluginRecognizer]:
    """Import and instantiate each ``"package.module:ClassName"`` (no arguments)."""
    plugins = []
    for reference in references:
        module_name, _, class_name = reference.partition(":")
        if not module_name or not class_name:
            raise PresidioPluginError(
                f"presidio recognizer {reference!r}: expected 'package.module:ClassName'"
            )
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as error:
            raise PresidioPluginError(
                f"presidio recognizer {reference!r} cannot be imported: {type(error).__name__}"
            ) from None
        from presidio_analyzer import EntityRecognizer

        if not (isinstance(cls, type) and issubclass(cls, EntityRecognizer)):
            raise PresidioPluginError(
                f"presidio recognizer {reference!r} is not a presidio_analyzer.EntityRecognizer"
            )
        try:
            instance = cls()
        except Exception as error:
            raise PresidioPluginError(
                f"presidio recognizer {reference!r} cannot be created without arguments: "
                f"{type(error).__name__}"
            ) from None
        plugins.append(PresidioPluginRecognizer(instance))
    return plugins
