"""Swiss identifiers: AHV/AVS social security number and UID company number."""

from __future__ import annotations

import re

from stdnum.ch import ssn, uid

from privacy_guard.detect.recognizers._ids import (
    OTHER_IDS,
    SEP,
    IdRecognizer,
    after_phone_prefix,
    candidates,
    digit_run,
    group_sizes,
    in_longer_run,
    nearest_cue,
)
from privacy_guard.detect.recognizers.base import Recognizer, digits_only, has_context

AHV_WORDS = re.compile(
    r"(?i)(?<!\w)(?:ahv|avs|oasi|sozialversicherung\w*|versichertennummer|"
    r"assurance[\s-]vieillesse|assicurazione|social[\s-]+security|s[ée]curit[ée]\s+sociale|"
    r"insurance\s+number)(?!\w)"
)
UID_WORDS = re.compile(
    r"(?i)(?<!\w)(?:uid|ide|idi|mwst|tva|iva|vat|handelsregister|registre\s+du\s+commerce|"
    r"company|entreprise|soci[ée]t[ée]|unternehmen|firma)(?!\w)"
)


class ChAhvRecognizer(IdRecognizer):
    """13 digits starting 756 with an EAN-13 check digit: 756.1234.5678.97."""

    entity_type = "CH_AHV"
    pattern = candidates(rf"7{SEP}5{SEP}6(?:{SEP}\d){{10}}")
    digit_led = True
    usual_groupings = frozenset({(13,), (3, 4, 4, 2)})

    def judge(self, match: re.Match[str], text: str, start: int, end: int) -> float | None:
        raw = match["id"]
        if not ssn.is_valid(digits_only(raw)) or after_phone_prefix(text, start):
            return None
        if group_sizes(raw) not in self.usual_groupings and in_longer_run(
            text, start, end, across_lines=True
        ):
            return None
        cue = nearest_cue(text, start, end, {"ahv": AHV_WORDS, "other": OTHER_IDS})
        if cue == "other":  # a barcode, an order number
            return None
        return 1.0 if cue == "ahv" else 0.95


class ChUidRecognizer(IdRecognizer):
    """CHE + 9 digits, mod-11 check digit: CHE-123.456.788. A VAT or commercial-register suffix
    ("CHE-123.456.788 MWST") is a cue word, not part of the span."""

    entity_type = "CH_UID"
    pattern = candidates(rf"[Cc]{SEP}[Hh]{SEP}[Ee]{SEP}(?P<digits>{digit_run(9)})")
    usual_groupings = frozenset({(3, 9), (3, 3, 3, 3), (12,)})

    def judge(self, match: re.Match[str], text: str, start: int, end: int) -> float | None:
        raw = match["id"]
        if not uid.is_valid("CHE" + digits_only(match["digits"])):
            return None
        if group_sizes(raw) not in self.usual_groupings and in_longer_run(
            text, start, end, across_lines=True
        ):
            return None
        return 1.0 if has_context(text, start, end, UID_WORDS) else 0.95


RECOGNIZERS: list[Recognizer] = [ChAhvRecognizer(), ChUidRecognizer()]
