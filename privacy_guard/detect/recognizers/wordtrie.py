"""Regexes for long word lists, and a same-length folding for accent-insensitive matching.

A plain alternation of hundreds of words is tried branch by branch at every position; the
trie form below shares prefixes, so each position costs one walk down the tree. Greedy optional
groups try the longer word first: with a word boundary after the group, a match is the longest
listed word at its start ("type 2 diabetes" over "type 2").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["fold", "trie_pattern"]

_END = ""
_HYPHENS = "-‐‑‒–—"
_APOSTROPHES = "’‘ʼ`´"


def trie_pattern(words: Iterable[str], space: str = r"\s+") -> str:
    """A regex matching exactly `words` (literal strings), each space written as `space`."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = {}
    return _emit(root, space)


def _emit(node: dict[str, dict], space: str) -> str:
    branches = [
        (space if char == " " else re.escape(char)) + _emit(child, space)
        for char, child in sorted(node.items())
        if char != _END
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END in node:
        return body + "?" if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{body})?"
    return body


class _FoldTable(dict[int, str]):
    """Lazily filled `str.translate` table; every entry maps one character to one character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in _HYPHENS:
            folded = " "
        elif char in _APOSTROPHES:
            folded = "'"
        else:
            base = unicodedata.normalize("NFD", char)[0]
            lower = base.lower()
            folded = lower if len(lower) == 1 else char
        self[code] = folded
        return folded


class _FoldKeepCaseTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        char = chr(code)
        lower = _FOLD[code]
        folded = lower.upper() if char != char.lower() and len(lower.upper()) == 1 else lower
        self[code] = folded
        return folded


_FOLD = _FoldTable()
_FOLD_KEEP_CASE = _FoldKeepCaseTable()


def fold(text: str, keep_case: bool = False) -> str:
    """`text` lower-cased (unless `keep_case`), without accents, hyphens as spaces, straight
    apostrophes; always the same length as `text`, so offsets carry over."""
    return text.translate(_FOLD_KEEP_CASE if keep_case else _FOLD)
