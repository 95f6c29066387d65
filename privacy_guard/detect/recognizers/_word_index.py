"""Shared tools for running a big regex only where it can match, with findings unchanged.

Python's `re` tries a pattern at every position of the text, and a pattern that opens with a
case-insensitive alternation or a look-behind gets no fast skip: a whole-text scan costs tens of
microseconds per KB however rarely it matches. The recognizers instead find the few positions
where a match can start with C-level string methods (`str.find` on a lower-cased copy), then run
their unchanged pattern there with `Pattern.match` (`scan_at`). That reproduces
`Pattern.finditer` exactly as long as the candidate positions include every position where the
pattern can match; each caller says why its candidates do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

__all__ = ["blanks_before_capital", "left_bounded", "lowered", "occurrences", "scan_at"]

# Characters for which comparing `str.lower()` output is not what `re.IGNORECASE` does: `re`
# also matches "ı" with "i", "ſ" with "s", Greek and Cyrillic variants (re._casefix), and
# lowers "İ" to one character where `str.lower` gives two, and "Σ" to "σ" where `str.lower` may
# give "ς". Derived once from `re._casefix._EXTRA_CASES` and a comparison of `str.lower` with
# `_sre.unicode_tolower` over every code point (tests/test_word_index.py re-derives it). A text
# holding one of them takes the recognizers' plain whole-text path.
_ODD_CASE_CHARS = (
    "\xb5\u0130\u0131\u017f\u0345\u0390\u03a3\u03b0\u03b2\u03b5\u03b8\u03b9\u03ba\u03bc\u03c0"
    "\u03c1\u03c2\u03c3\u03c6\u03d0\u03d1\u03d5\u03d6\u03f0\u03f1\u03f5\u0432\u0434\u043e\u0441"
    "\u0442\u044a\u0463\u1c80\u1c81\u1c82\u1c83\u1c84\u1c85\u1c86\u1c87\u1c88\u1e61\u1e9b\u1fbe"
    "\u1fd3\u1fe3\ua64b\ufb05\ufb06"
)
_ODD_CASE = re.compile(f"[{_ODD_CASE_CHARS}]")


@lru_cache(maxsize=4)
def lowered(text: str) -> str | None:
    """`text.lower()`, in which a lower-case literal occurs exactly where `re.IGNORECASE` finds
    it in `text` (same offsets), or None when no such copy exists (see `_ODD_CASE_CHARS`)."""
    if _ODD_CASE.search(text) is not None:
        return None
    low = text.lower()
    return low if len(low) == len(text) else None


_BLANKS_BEFORE_CAPITAL = re.compile(r"[ \t]+(?=[A-ZÀ-ÖØ-Þ])")


@lru_cache(maxsize=4)
def blanks_before_capital(text: str) -> tuple[int, ...]:
    """Where each run of spaces and tabs followed by a capital letter starts: a cue word that
    must be followed by a capitalised name ends there."""
    return tuple(m.start() for m in _BLANKS_BEFORE_CAPITAL.finditer(text))


def occurrences(haystack: str, keys: Iterable[str], lo: int = 0, hi: int | None = None) -> set[int]:
    """Every position in [lo, hi) where one of `keys` starts (the key may run past `hi`)."""
    end = len(haystack) if hi is None else hi
    found: set[int] = set()
    for key in keys:
        position = haystack.find(key, lo, end + len(key) - 1)
        while position >= 0:
            found.add(position)
            position = haystack.find(key, position + 1, end + len(key) - 1)
    return found


def left_bounded(haystack: str, positions: Iterable[int]) -> list[int]:
    """`positions` not preceded by a letter or digit, sorted: where a word can start for both
    `\\b` and `(?<![^\\W_])` (str.isalnum is the same test as `re`'s alphanumeric class)."""
    return sorted(p for p in positions if p == 0 or not haystack[p - 1].isalnum())


def scan_at(
    pattern: re.Pattern[str],
    text: str,
    starts: Iterable[int],
    pos: int = 0,
    endpos: int | None = None,
) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text, pos, endpos)`, trying only `starts` (ascending).

    Exact when every position in [pos, endpos) where `pattern` can match is in `starts` and the
    pattern cannot match the empty string: finditer takes the leftmost match at or after the
    previous match's end, which is the first candidate there that matches, and `Pattern.match`
    at a position makes the same attempt finditer makes there.
    """
    end = len(text) if endpos is None else endpos
    resume = pos
    for start in starts:
        if start < resume:
            continue
        if start >= end:
            break
        match = pattern.match(text, start, end)
        if match is not None:
            yield match
            resume = match.end()
