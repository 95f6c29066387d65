"""A deployment's own Presidio recognizers, as an organisation that uses Presidio has them: loaded
by tests from `detector.presidio_recognizers` ("tests.support.presidio_plugin:...")."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult


class BadgeRecognizer(PatternRecognizer):
    """Badge numbers "BDG-" + 6 digits whose digit sum is a multiple of 7."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="ACME_BADGE",
            patterns=[Pattern("badge", r"\bBDG-\d{6}\b", 0.6)],
            context=["badge"],
        )

    def validate_result(self, pattern_text: str) -> bool:
        return sum(int(c) for c in pattern_text[4:]) % 7 == 0


class ProjectRecognizer(EntityRecognizer):
    """Not a pattern recognizer: finds the word "Kestrel" (a code name) by hand."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["ACME_PROJECT"], name="project")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):  # type: ignore[no-untyped-def]
        results = []
        start = text.find("Kestrel")
        while start >= 0:
            results.append(RecognizerResult("ACME_PROJECT", start, start + 7, 0.9))
            start = text.find("Kestrel", start + 1)
        return results


class NotARecognizer:
    """Named in a config by mistake: not a Presidio recognizer."""
