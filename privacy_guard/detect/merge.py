"""Resolve overlapping spans: one finding per stretch of text."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable

from privacy_guard.detect.types import Span


def _rank(span: Span) -> tuple[int, int, float, int, str]:
    # The entity type breaks the last ties (two recognizers, one value, the same score): without
    # it the winner followed the set's order, which changes from one process to the next.
    return (-span.priority, -(span.end - span.start), -span.score, span.start, span.entity_type)


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Keep the best span of every overlapping group: highest priority, then longest, then score.

    Spans are accepted greedily in rank order; accepted spans never overlap, so a sorted list
    of their starts answers "does this overlap anything accepted?" with two neighbours.
    """
    accepted_starts: list[int] = []
    accepted: dict[int, Span] = {}
    for span in sorted(set(spans), key=_rank):
        position = bisect_left(accepted_starts, span.start)
        if position < len(accepted_starts) and accepted_starts[position] < span.end:
            continue
        if position > 0 and accepted[accepted_starts[position - 1]].end > span.start:
            continue
        insort(accepted_starts, span.start)
        accepted[span.start] = span
    return [accepted[start] for start in accepted_starts]
