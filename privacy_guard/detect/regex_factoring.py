"""Rewrite a huge anchored alternation into an equivalent one that compiles far faster.

spaCy's French tokenizer matches hyphenated and elided words ("peut-être", "entr'ouvert") with
one 1.4 MB case-insensitive regex: 266 alternatives `^prefix[-‐]<letters class>…$`, each repeating
the same Unicode letter classes thousands of characters long. Python's `re` case-folds every
class separately, so compiling it took 2.4 s — half of privacy-guard's cold start. Written as
`^(?:prefix1|prefix2|…)<letters class>…$`, with each distinct tail once, the same language compiles
in about 0.1 s: concatenation distributes over alternation, and without capturing groups or
backreferences nothing can tell the two apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Tokens of a regex: an escape, a character class (`]` first in it is literal), a group opener
# (with its `?…` head), a closer, a bar, or a run of anything else.
_TOKEN = re.compile(
    r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|\((?:\?[:=!]|\?<[=!]|\?P<\w+>|\?P=\w+\)|\?[aiLmsux-]+[:)])?"
    r"|\)|\||[^\\\[()|]+",
    re.DOTALL,
)
_LEADING_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
_BACKREFERENCE = re.compile(r"\\[1-9]")


def factor_alternation(pattern: str, long_class: int = 500) -> str | None:
    """`pattern` with alternatives that end in the same tail merged, or None when it cannot be
    done safely (capturing groups, backreferences, an unbalanced pattern) or would not help.

    The tail of an alternative starts at its first top-level character class of at least
    `long_class` characters; alternatives without one are kept as they are.
    """
    flags_match = _LEADING_FLAGS.match(pattern)
    flags = flags_match.group() if flags_match else ""
    tokens = _tokens(pattern[len(flags) :])
    if tokens is None:
        return None
    alternatives = _top_level_alternatives(tokens)
    if alternatives is None:
        return None
    tails: dict[str, list[str]] = {}
    for alternative in alternatives:
        head, tail = _split_at_long_class(_unwrapped(alternative), long_class)
        tails.setdefault(tail, []).append(head)
    if len(tails) >= len(alternatives):
        return None
    return flags + "|".join(
        f"(?:(?:{'|'.join(heads)}){tail})" if tail else "|".join(heads)
        for tail, heads in tails.items()
    )


def _tokens(body: str) -> list[str] | None:
    tokens = []
    position = 0
    for match in _TOKEN.finditer(body):
        if match.start() != position:
            return None  # something the tokenizer does not understand: leave the pattern alone
        token = match.group()
        if token.startswith("(") and (token == "(" or token.startswith(("(?P<", "(?P="))):
            return None  # capturing groups and named references would be renumbered or broken
        if token.startswith("\\") and _BACKREFERENCE.fullmatch(token):
            return None
        tokens.append(token)
        position = match.end()
    return tokens if position == len(body) else None


def _top_level_alternatives(tokens: list[str]) -> list[list[str]] | None:
    alternatives: list[list[str]] = [[]]
    depth = 0
    for token, depth in _with_depths(tokens):
        if depth < 0:
            return None
        if token == "|" and depth == 0:
            alternatives.append([])
        else:
            alternatives[-1].append(token)
    return alternatives if depth == 0 else None


def _with_depths(tokens: list[str]) -> Iterator[tuple[str, int]]:
    """Each token with the group depth after it."""
    depth = 0
    for token in tokens:
        if token.startswith("(") and not token.endswith(")"):
            depth += 1
        elif token == ")":
            depth -= 1
        yield token, depth


def _unwrapped(tokens: list[str]) -> list[str]:
    """The tokens of `(?:…)` when the group wraps the whole alternative."""
    if len(tokens) < 2 or tokens[0] != "(?:" or tokens[-1] != ")":
        return tokens
    for index, (token, depth) in enumerate(_with_depths(tokens)):
        if token == ")" and depth == 0 and index != len(tokens) - 1:
            return tokens  # "(?:a)(?:b)": the first group closes early
    return tokens[1:-1]


def _split_at_long_class(tokens: list[str], long_class: int) -> tuple[str, str]:
    for index, (token, depth) in enumerate(_with_depths(tokens)):
        if depth == 0 and token.startswith("[") and len(token) >= long_class:
            return "".join(tokens[:index]), "".join(tokens[index:])
    return "".join(tokens), ""


@contextmanager
def factored_compile(min_length: int = 100_000) -> Iterator[None]:
    """While active, `re.compile` of a pattern of `min_length` characters or more compiles its
    factored form instead (see `factor_alternation`); every other call is passed through.

    Meant to wrap the loading of a spaCy pipeline, which compiles its tokenizer's patterns with
    `re.compile` (at import of the language's data and again from the pipeline's files).
    """
    original: Callable[..., Any] = re.compile
    factored: dict[str, str | None] = {}

    def compile_factored(pattern: Any, flags: int = 0) -> Any:
        if isinstance(pattern, str) and len(pattern) >= min_length:
            if pattern not in factored:
                factored[pattern] = factor_alternation(pattern)
            rewritten = factored[pattern]
            if rewritten is not None:
                return original(rewritten, flags)
        return original(pattern, flags)

    re.compile = compile_factored  # type: ignore[assignment]
    try:
        yield
    finally:
        re.compile = original  # type: ignore[assignment]
