"""Where digit-led identifiers can start in a text, found once and shared by the recognizers.

Every whole-text scan with Python's `re` costs about 45 µs per KB whatever the pattern, and a
dozen recognizers look for numbers that start a word. One scan for the digits that start a
word (a digit after no letter, digit or underscore) tells all of them where to try.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD_INITIAL_DIGIT = re.compile(r"\b\d")


@lru_cache(maxsize=8)
def word_initial_digits(text: str) -> tuple[int, ...]:
    """Positions of the digits in `text` with no word character right before them (ascending);
    exactly the positions where `(?<!\\w)\\d` matches."""
    return tuple(m.start() for m in _WORD_INITIAL_DIGIT.finditer(text))


_DIGIT_RUN = re.compile(r"\d+")


@lru_cache(maxsize=8)
def digit_runs(text: str) -> tuple[tuple[int, int], ...]:
    """[start, end) of every maximal run of digits (`\\d+`) in `text`, ascending: where the
    phone glue search and the letter-led identifier shapes look."""
    return tuple(m.span() for m in _DIGIT_RUN.finditer(text))


def _is_word_char(char: str) -> bool:
    """`re`'s `\\w` on str: alphanumeric (str.isalnum) or "_"."""
    return char.isalnum() or char == "_"


@lru_cache(maxsize=16)
def long_runs(text: str, length: int, word_initial: bool = False) -> tuple[tuple[int, int], ...]:
    """The `digit_runs` of `length` digits or more; with `word_initial`, only those with no
    word character (`\\w`: alphanumeric or "_") right before them, i.e. those where
    `(?<!\\w)\\d{length}` matches."""
    runs = [(start, end) for start, end in digit_runs(text) if end - start >= length]
    if word_initial:
        runs = [(s, e) for s, e in runs if s == 0 or not _is_word_char(text[s - 1])]
    return tuple(runs)
