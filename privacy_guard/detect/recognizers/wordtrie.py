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
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

__all__ = ["fold", "literals", "trie_pattern"]

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


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(_FOLD)


def fold(text: str, keep_case: bool = False) -> str:
    """`text` lower-cased (unless `keep_case`), without accents, hyphens as spaces, straight
    apostrophes; always the same length as `text`, so offsets carry over."""
    if keep_case:
        return text.translate(_FOLD_KEEP_CASE)
    # The same as `text.translate(_FOLD)` (tests compare every character), cheaper: the table
    # costs a Python-level lookup per character, and ASCII needs only its two replacements and
    # lower-casing, done in C; only runs of other characters go through the table. (Replacing
    # first keeps the "`" that U+1FEF folds to.)
    plain = text.replace("-", " ").replace("`", "'")
    if not plain.isascii():
        plain = _NON_ASCII.sub(_fold_run, plain)
    return plain.lower()


def literals(pattern: str) -> list[str]:
    """Every string a small finite regex matches (literals, classes, alternations, optional or
    bounded repeats; `\\b` is ignored), with a run of spaces or tabs (`[ \\t]+`) written as one
    space: `trie_pattern(literals(p), space=r"[ \\t]+")` then finds where `p` can match.

    Raises ValueError on anything else (an unbounded repeat of other characters, a negated
    class, a category), where the language is not a short list of strings."""
    return _expand(_parser.parse(pattern))


def _expand(items: Iterable[tuple[object, object]]) -> list[str]:
    found = [""]
    for op, arg in items:
        options = _expand_one(op, arg)
        found = [head + tail for head in found for tail in options]
    return found


def _expand_one(op: object, arg: Any) -> list[str]:
    if op is _c.LITERAL:
        return [chr(arg)]
    if op is _c.AT:
        return [""]
    if op is _c.IN:
        chars: list[str] = []
        for kind, value in arg:
            if kind is _c.LITERAL:
                chars.append(chr(value))
            elif kind is _c.RANGE:
                chars.extend(chr(code) for code in range(value[0], value[1] + 1))
            else:
                raise ValueError(f"unsupported class item {kind}")
        return chars
    if op is _c.BRANCH:
        return [string for branch in arg[1] for string in _expand(branch)]
    if op is _c.SUBPATTERN:
        return _expand(arg[3])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, body = arg
        options = _expand(body)
        if high is _c.MAXREPEAT:
            if low == 1 and set(options) <= {" ", "\t"}:
                return [" "]
            raise ValueError("unbounded repeat")
        found: list[str] = []
        for count in range(low, high + 1):
            found.extend(_expand(list(body) * count) if count else [""])
        return found
    raise ValueError(f"unsupported regex operation {op}")
