"""US Social Security Number."""

from __future__ import annotations

import re

from stdnum.us import ssn

from privacy_guard.detect.recognizers._ids import (
    COMPANY_WORDS,
    NOT_AN_ID,
    SSN_WORDS,
    IdRecognizer,
    after_phone_prefix,
    candidates,
    digit_run,
    group_sizes,
    in_longer_run,
    nearest_cue,
    one_separator,
)
from privacy_guard.detect.recognizers.base import Recognizer, digits_only


class UsSsnRecognizer(IdRecognizer):
    """Area-group-serial, 3-2-4. stdnum rejects area 000, 666 and 9xx, group 00, serial 0000.
    The 3-2-4 layout with dashes, dots or spaces is enough; any other layout needs a cue word,
    and a closer SIREN cue gives the number to FR_SIREN."""

    entity_type = "US_SSN"
    pattern = candidates(digit_run(9))
    digit_led = True

    def judge(self, match: re.Match[str], text: str, start: int, end: int) -> float | None:
        raw = match["id"]
        if (
            in_longer_run(text, start, end)
            or not one_separator(raw)
            or after_phone_prefix(text, start)
            or not ssn.is_valid(digits_only(raw))
        ):
            return None
        cue = nearest_cue(
            text, start, end, {"ssn": SSN_WORDS, "company": COMPANY_WORDS, "other": NOT_AN_ID}
        )
        if cue == "ssn":
            return 0.95
        if cue is None and group_sizes(raw) == (3, 2, 4) and raw[3] in "-. \u00a0":
            return 0.85
        return None


RECOGNIZERS: list[Recognizer] = [UsSsnRecognizer()]
