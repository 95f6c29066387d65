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
