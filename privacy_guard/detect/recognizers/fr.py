"""French identifiers: NIR (social security number), SIREN and SIRET (company numbers)."""

from __future__ import annotations

import re

from stdnum.fr import nir, siren, siret

from privacy_guard.detect.recognizers._ids import (
    COMPANY_WORDS,
    NOT_AN_ID,
    SEP,
    SSN_WORDS,
    IdRecognizer,
    after_phone_prefix,
    after_vat_prefix,
    candidates,
    digit_run,
    group_sizes,
    in_longer_run,
    nearest_cue,
    one_separator,
)
from privacy_guard.detect.recognizers.base import Recognizer, digits_only

NIR_WORDS = re.compile(
    r"(?i)(?<!\w)(?:nir|nss|insee|s[ée]cu|s[ée]curit[ée]\s+sociale|social[\s-]+security|"
    r"carte\s+vitale|assur[ée]e?)(?!\w)"
)


class FrNirRecognizer(IdRecognizer):
    """15 characters (13 + a 2-digit key); the department may be Corsica's 2A/2B. Without its
    key a NIR has no checksum, so the 13-character form needs a cue word."""

    entity_type = "FR_NIR"
    # sex, year, month, department (or 2A/2B), commune + serial, optional key
    pattern = candidates(
        rf"[1-478](?:{SEP}\d){{4}}{SEP}(?:\d{SEP}\d|2{SEP}[ABab])(?:{SEP}\d){{6}}"
        rf"(?:(?:{SEP}\d){{2}})?"
    )
    usual_groupings = frozenset({(15,), (13, 2), (1, 2, 2, 2, 3, 3, 2)})

    def judge(self, match: re.Match[str], text: str, start: int, end: int) -> float | None:
        raw = match["id"]
        value = digits_only(raw).upper()
        sizes = group_sizes(raw)
        if after_phone_prefix(text, start):
            return None
        if len(value) == 15:
            if not nir.is_valid(value):
                return None
            if sizes not in self.usual_groupings and in_longer_run(text, start, end):
                return None
            return 1.0 if _cue(text, start, end) == "nir" else 0.95
        # No key: the format check of the completed number is all stdnum can offer.
        if (
            sizes in {(13,), (1, 2, 2, 2, 3, 3)}
            and not value.startswith("756")  # a Swiss AHV number
            and "01" <= value[3:5] <= "12"
            and nir.is_valid(value + nir.calc_check_digits(value))
            and not in_longer_run(text, start, end)
            and _cue(text, start, end) == "nir"
        ):
            return 0.75
        return None


class FrSirenRecognizer(IdRecognizer):
    """9 digits, Luhn. One random number in ten passes, so a cue word or the usual 3-3-3
    grouping is required; never part of a SIRET or a VAT number."""

    entity_type = "FR_SIREN"
    pattern = candidates(digit_run(9))

    def judge(self, match: re.Match[str], text: str, start: int, end: int) -> float | None:
        raw = match["id"]
        if (
            not siren.is_valid(digits_only(raw))
            or in_longer_run(text, start, end)
            or after_phone_prefix(text, start)
            or after_vat_prefix(text, start)
        ):
            return None
        cue = _cue(text, start, end)
        if cue == "company":
            return 0.9
        if cue is None and group_sizes(raw) == (3, 3, 3) and one_separator(raw):
            return 0.75
        return None


class FrSiretRecognizer(IdRecognizer):
    """14 digits (SIREN + 5-digit establishment number), Luhn or La Poste's rule. Without a cue
    word only the usual 3-3-3-5 layout counts (a bare 14-digit run is as often a timestamp)."""

    entity_type = "FR_SIRET"
    pattern = candidates(digit_run(14))
    usual_groupings = frozenset({(3, 3, 3, 5), (3, 3, 3, 3, 2)})

    def judge(self, match: re.Match[str], text: str, start: int, end: int) -> float | None:
        raw = match["id"]
        sizes = group_sizes(raw)
        if not siret.is_valid(digits_only(raw)) or after_phone_prefix(text, start):
            return None
        if sizes not in self.usual_groupings | {(14,), (9, 5)} and in_longer_run(
            text, start, end
        ):
            return None
        cue = _cue(text, start, end)
        if cue == "company":
            return 0.95
        if cue is None and sizes in self.usual_groupings and one_separator(raw):
            return 0.85
        return None


def _cue(text: str, start: int, end: int) -> str | None:
    return nearest_cue(
        text,
        start,
        end,
        {"nir": NIR_WORDS, "company": COMPANY_WORDS, "ssn": SSN_WORDS, "other": NOT_AN_ID},
    )


RECOGNIZERS: list[Recognizer] = [FrNirRecognizer(), FrSirenRecognizer(), FrSiretRecognizer()]
