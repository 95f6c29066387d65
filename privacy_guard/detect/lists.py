"""Allow-list (never flagged) and deny-list (always flagged) terms and patterns."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import re2

from privacy_guard.detect.config import DenyRule
from privacy_guard.detect.types import Span
from privacy_guard.errors import ConfigError

DENY_PRIORITY = 40


def _terms_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    cleaned = sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(t) for t in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


class AllowList:
    def __init__(self, terms: Sequence[str]) -> None:
        self._pattern = _terms_pattern(terms)

    def filter(self, text: str, spans: list[Span]) -> list[Span]:
        """Drop spans that lie inside an allowed term's occurrence."""
        if self._pattern is None or not spans:
            return spans
        allowed = [m.span() for m in self._pattern.finditer(text)]
        if not allowed:
            return spans
        return [
            span
            for span in spans
            if not any(lo <= span.start and span.end <= hi for lo, hi in allowed)
        ]


def _linear_pattern(source: str) -> Any:
    """User-written patterns run on RE2: time linear in the text, whatever the pattern."""
    options = re2.Options()
    options.log_errors = False
    return re2.compile(source, options)


class DenyListRecognizer:
    name = "deny_list"

    def __init__(self, rules: Sequence[DenyRule]) -> None:
        self._compiled: list[tuple[DenyRule, Any]] = []
        for rule in rules:
            pattern = _terms_pattern(rule.terms)
            if pattern is not None:
                self._compiled.append((rule, pattern))
            for index, source in enumerate(rule.patterns):
                try:
                    self._compiled.append((rule, _linear_pattern(source)))
                except re2.error as error:
                    reason = error.args[0] if error.args else ""
                    if isinstance(reason, bytes):
                        reason = reason.decode("utf-8", "replace")
                    raise ConfigError(
                        f"deny-list pattern #{index + 1} for {rule.entity_type} is not a valid "
                        f"RE2 regular expression (no lookarounds or backreferences): {reason}"
                    ) from None
        self.entities = tuple(sorted({rule.entity_type for rule in rules}))

    def find(self, text: str, language: str) -> Iterator[Span]:
        for rule, pattern in self._compiled:
            for match in pattern.finditer(text):
                if match.end() > match.start():
                    yield Span(
                        rule.entity_type, match.start(), match.end(), rule.score, DENY_PRIORITY
                    )
