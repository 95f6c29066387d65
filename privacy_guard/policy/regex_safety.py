"""User-written patterns must run in linear time: they are checked with RE2 when a policy loads.

A backtracking engine (Python's `re`) can take exponential time on a pattern like `(a+)+$` and a
hostile prompt; RE2 guarantees time linear in the text and refuses the constructs that need
backtracking (backreferences, lookarounds). The detector runs these patterns with RE2 as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import re2

# Large counted repetitions blow up RE2's compiled program; this bounds its memory per pattern.
_MAX_MEM = 8 << 20


@dataclass(frozen=True, slots=True)
class PatternProblem:
    message: str
    hint: str


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _MAX_MEM
    return options


def check_pattern(pattern: str) -> PatternProblem | None:
    """None when RE2 compiles `pattern`; otherwise what is wrong and how to fix it."""
    try:
        compiled = re2.compile(pattern, _options())
    except re2.error as error:
        reason = _reason(error)
        return PatternProblem(
            f"pattern rejected by RE2, the linear-time engine: {reason}", _hint(reason)
        )
    if compiled.fullmatch("") is not None:
        return PatternProblem(
            "pattern matches the empty text",
            "require at least one character, e.g. `+` instead of `*`",
        )
    return None


def _reason(error: Exception) -> str:
    raw = error.args[0] if error.args else error
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _hint(reason: str) -> str:
    if "invalid perl operator" in reason:
        return (
            "RE2 has no lookarounds ((?=, (?!, (?<=, (?<!) or named backreferences ((?P=name)); "
            "match the surrounding text instead, or use \\b for a word boundary"
        )
    if "invalid escape sequence: \\" in reason and reason[-1:].isdigit():
        return "RE2 has no backreferences (\\1); spell out the repeated part"
    if "repetition" in reason:
        return "counted repetitions are limited to {1000}; use + or a smaller bound"
    if "too big" in reason or "too large" in reason:
        return "the pattern is too large; split it into several recognizers"
    return "patterns use RE2 syntax (https://github.com/google/re2/wiki/Syntax)"
