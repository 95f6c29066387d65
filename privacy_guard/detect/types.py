"""Values that cross the detector's boundary."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data or secret, located in the caller's text.

    `start`/`end` are Python string indices into the exact text passed to `Detector.scan`.
    """

    entity_type: str
    start: int
    end: int
    score: float
    language: str

    def to_dict(self) -> dict[str, object]:
        return {
            "entity_type": self.entity_type,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True, slots=True)
class Span:
    """A recognizer's result: offsets into the *normalised* text it was given."""

    entity_type: str
    start: int
    end: int
    score: float
    # Higher wins when two spans overlap; ties go to the longer span, then the higher score.
    priority: int = 0
