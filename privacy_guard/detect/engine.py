"""The Detector: normalise, guess the language, run the recognizers and NER, merge, map back."""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from pathlib import Path

from privacy_guard.detect.cache import ResultCache, content_key
from privacy_guard.detect.config import DetectorConfig
from privacy_guard.detect.language import LanguageGuess, detect_language, forced_language
from privacy_guard.detect.lists import DENY_PRIORITY, AllowList, DenyListRecognizer
from privacy_guard.detect.merge import resolve_overlaps
from privacy_guard.detect.ner import NerEngine
from privacy_guard.detect.normalize import NormalizedText, normalize, sanitize
from privacy_guard.detect.presidio_adapter import load_plugins
from privacy_guard.detect.recognizers.base import Recognizer
from privacy_guard.detect.registry import builtin_recognizers
from privacy_guard.detect.types import Finding, Span
from privacy_guard.errors import DetectionError, InvalidTextError

_SHARED_CACHES: dict[str, ResultCache] = {}

# Texts that take every recognizer through its one-off set-up (word lists, trie regexes: about
# 250 ms) and each pipeline through its first call. Otherwise the first requests do it, and when
# many arrive at once, each in its own thread, every one of them does it again.
_WARM_UP_TEXTS = (
    "Dear Ms Thornton, jean dupont called from +44 20 7946 0958 about his asthma results. "
    "Yesterday Thaddeus Okonkwo signed the lease in Ipswich.",
    "Bonjour, Clémence Durand a appelé au 06 12 34 56 78 au sujet de son diabète. "
    "Hier, Anselme Kerbrat a signé le bail à Quimper.",
)


class Detector:
    """Finds personal data and secrets in text, offline.

    Thread-safe. Construction is cheap: spaCy pipelines load on the first text that needs them
    (or on `warm_up()`). Results are cached in memory by text digest and configuration.
    """

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()
        self.fingerprint = self.config.fingerprint()
        self._recognizers: list[Recognizer] = builtin_recognizers()
        # A deployment's own Presidio recognizers; what they report is always wanted.
        plugins = load_plugins(self.config.presidio_recognizers)
        self._recognizers += plugins
        self._plugin_entities = frozenset(e for p in plugins for e in p.entities)
        if self.config.deny_list:
            self._recognizers.append(DenyListRecognizer(self.config.deny_list))
        self._allow = AllowList(self.config.allow_list)
        self._ner = NerEngine(
            {"en": self.config.en_model, "fr": self.config.fr_model}, self.config.ner_chunk_chars
        )
        # Detectors with the same configuration (say, rebuilt on a policy reload) share results.
        cache_id = f"{self.fingerprint}:{self.config.cache_size}"
        self.cache = _SHARED_CACHES.setdefault(cache_id, ResultCache(self.config.cache_size))

    def warm_up(self) -> None:
        """Load both spaCy pipelines and set up every recognizer now, not on the first request."""
        if self.config.ner:
            self._ner.pipeline("en")
            self._ner.pipeline("fr")
        self._scan_uncached(list(_WARM_UP_TEXTS), ["en", "fr"])
        # Set-up the warm-up texts do not reach: the Presidio-backed recognizers (built on their
        # first candidate), every gitleaks rule's regex, the phone regions' metadata.
        for recognizer in self._recognizers:
            warm_up = getattr(recognizer, "warm_up", None)
            if callable(warm_up):
                warm_up()

    def scan(self, text: str, language: str | None = None) -> list[Finding]:
        return self.scan_many([text], None if language is None else [language])[0]

    def scan_many(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> list[list[Finding]]:
        """Scan several texts at once; spaCy sees them in batches, which is much faster."""
        if languages is not None and len(languages) != len(texts):
            raise InvalidTextError("languages must have one entry per text")
        wanted = list(languages) if languages is not None else [None] * len(texts)
        results: list[list[Finding] | None] = [None] * len(texts)
        pending: list[int] = []
        keys: list[bytes] = []
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise InvalidTextError(
                    f"text #{index} is {type(text).__name__}, expected str "
                    "(decode bytes as UTF-8 first)"
                )
            key = content_key(self.fingerprint, text, wanted[index])
            keys.append(key)
            cached = self.cache.get(key)
            if cached is not None:
                results[index] = list(cached)
            else:
                pending.append(index)
        if pending:
            fresh = self._scan_failing_closed(
                [texts[i] for i in pending], [wanted[i] for i in pending]
            )
            for index, findings in zip(pending, fresh, strict=True):
                self.cache.put(keys[index], tuple(findings))
                results[index] = findings
        return [r if r is not None else [] for r in results]

    def _scan_failing_closed(
        self, texts: list[str], languages: list[str | None]
    ) -> list[list[Finding]]:
        failure = None
        try:
            return self._scan_uncached(texts, languages)
        except DetectionError:
            raise
        except Exception as error:
            failure = _where(error)
        # Raised outside the handler so the original exception, which may hold a piece of the
        # text, is neither the cause nor the context of what callers see and log.
        raise DetectionError(f"detection failed: {failure}")

    def _scan_uncached(self, texts: list[str], languages: list[str | None]) -> list[list[Finding]]:
        normalized: list[NormalizedText] = [normalize(sanitize(t)) for t in texts]
        guesses: list[LanguageGuess] = [
            forced_language(lang) if lang else detect_language(n.text)
            for n, lang in zip(normalized, languages, strict=True)
        ]
        # Recognizers first: what they find tells whether NER has anything left to add.
        spans = [
            [s for r in self._recognizers for s in r.find(norm.text, guess.language)]
            for norm, guess in zip(normalized, guesses, strict=True)
        ]
        if self.config.ner:
            texts_normalized = [n.text for n in normalized]
            wanted = [g.ner_languages for g in guesses]
            # A guessed language is decided again per paragraph; a given one holds throughout.
            by_segment = [lang is None for lang in languages]
            found_by_ner = self._ner.find(texts_normalized, wanted, spans, by_segment)
            for found, extra in zip(spans, found_by_ner, strict=True):
                found.extend(extra)
        return [
            self._findings(norm, guess, found)
            for norm, guess, found in zip(normalized, guesses, spans, strict=True)
        ]

    def _findings(
        self, norm: NormalizedText, guess: LanguageGuess, spans: list[Span]
    ) -> list[Finding]:
        text = norm.text
        entities = self.config.entities | self._plugin_entities
        spans = [
            s
            for s in spans
            if (s.entity_type in entities and s.score >= self.config.min_score)
            or s.priority >= DENY_PRIORITY  # deny-list terms are always reported
        ]
        spans = self._allow.filter(text, spans)
        findings = []
        for span in resolve_overlaps(spans):
            start, end = norm.to_original(span.start, span.end)
            findings.append(Finding(span.entity_type, start, end, span.score, guess.language))
        return findings


def _where(error: BaseException) -> str:
    """The error's type and innermost code location: enough to debug, no values from the text."""
    frame = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    location = f" at {Path(frame[0].filename).name}:{frame[0].lineno}" if frame else ""
    return f"{type(error).__name__}{location}"
