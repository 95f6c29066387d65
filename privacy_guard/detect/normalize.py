"""Undo the cheap tricks that hide identifiers, while remembering where every character came from.

Recognizers run on the normalised text; `NormalizedText.to_original` maps their spans back to
exact offsets in the caller's text, so a finding covers the zero-width characters or full-width
digits an evader slipped in.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

# Invisible characters that only serve to break a pattern: zero-width space/joiners, word joiner,
# BOM, soft hyphen, Mongolian vowel separator, bidi marks and embeddings.
_INVISIBLE = frozenset(
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# A backslash escape whose backslash is not itself escaped (in `\\n`, two backslashes then an n,
# the first escapes the second: a literal backslash, then the letter n).
_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\(?P<letter>[ntr])")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


@dataclass(frozen=True, slots=True)
class _Piece:
    norm_start: int
    orig_start: int
    orig_end: int
    # A copied piece maps position by position; a rewritten one (one character whose NFKC form
    # differs) maps every position inside it to the whole source character.
    copied: bool


class NormalizedText:
    """The normalised form of one text and the map back to the original offsets."""

    __slots__ = ("_norm_starts", "_pieces", "original_length", "text")

    def __init__(self, text: str, pieces: list[_Piece] | None, original_length: int) -> None:
        self.text = text
        self.original_length = original_length
        self._pieces = pieces
        self._norm_starts = [p.norm_start for p in pieces] if pieces else []

    @property
    def is_identity(self) -> bool:
        return self._pieces is None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        if self._pieces is None:
            return start, end
        return self._map_start(start), self._map_end(end)

    def _piece_at(self, position: int) -> _Piece:
        return self._pieces[bisect_right(self._norm_starts, position) - 1]  # type: ignore[index]

    def _map_start(self, position: int) -> int:
        if position >= len(self.text):
            return self.original_length
        piece = self._piece_at(position)
        if piece.copied:
            return piece.orig_start + (position - piece.norm_start)
        return piece.orig_start

    def _map_end(self, position: int) -> int:
        if position <= 0:
            return 0
        piece = self._piece_at(position - 1)
        if piece.copied:
            return piece.orig_start + (position - piece.norm_start)
        return piece.orig_end


def sanitize(text: str) -> str:
    """Replace lone surrogates (invalid in UTF-8) by U+FFFD, keeping every offset unchanged."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub("\ufffd", text)


def normalize(text: str) -> NormalizedText:
    """NFKC each character, drop invisible ones, read the two-character escapes `\\n`, `\\t`,
    `\\r` of pasted JSON and logs as the line break or tab they stand for (so they neither glue a
    phone number to an "n" nor hide a value split by them); ASCII text without a backslash comes
    back as it is (fast path)."""
    if text.isascii() and "\\" not in text:
        return NormalizedText(text, None, len(text))
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the original text
    for run in _NON_ASCII_RUN.finditer(text):
        for index in range(run.start(), run.end()):
            char = text[index]
            if char in _INVISIBLE:
                edits.append((index, index + 1, ""))
            elif not unicodedata.is_normalized("NFKC", char):
                edits.append((index, index + 1, unicodedata.normalize("NFKC", char)))
    if "\\" in text:
        edits += [(m.end() - 2, m.end(), _ESCAPES[m["letter"]]) for m in _ESCAPE.finditer(text)]
        edits.sort()
    if not edits:
        return NormalizedText(text, None, len(text))
    out: list[str] = []
    pieces: list[_Piece] = []
    norm_pos = 0
    copy_from = 0  # start of the pending run copied verbatim
    for start, end, replacement in edits:
        if start > copy_from:
            pieces.append(_Piece(norm_pos, copy_from, start, True))
            out.append(text[copy_from:start])
            norm_pos += start - copy_from
        if replacement:
            pieces.append(_Piece(norm_pos, start, end, False))
            out.append(replacement)
            norm_pos += len(replacement)
        copy_from = end
    if copy_from < len(text):
        pieces.append(_Piece(norm_pos, copy_from, len(text), True))
        out.append(text[copy_from:])
    if not pieces:  # the text was only invisible characters
        pieces.append(_Piece(0, len(text), len(text), True))
    return NormalizedText("".join(out), pieces, len(text))
