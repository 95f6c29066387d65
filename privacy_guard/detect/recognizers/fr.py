"""French identifiers: NIR (social security number), SIREN and SIRET (company numbers)."""

from __future__ import annotations

import re

from stdnum.fr import nir, siren, siret

from privacy_guard.detect.recognizers._ids import (
    COMPANY_WORDS,
    NOT_AN_ID,
    OTHER_IDS,
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

# 01-12; 20, 30-42 and 50-99 stand for unknown or administrative months.
_MONTH = re.compile(r"0[1-9]|1[0-2]|20|3\d|4[0-2]|[5-9]\d")
_TIMESTAMP = re.compile(
    r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])[0-5]\d[0-5]\d"
)
NIR_WORDS = re.compile(
    r"(?i)(?<!\w)(?:nir|nss|insee|s[ée]cu|s[ée]curit[ée]\s+sociale|social[\s-]+security|"
    r"carte\s+vitale|assur[ée]e?)(?!\w)"
)


class FrNirRecognizer(IdRecognizer):
    """15 characters (13 + a 2-digit key); the department may be Corsica's 2A/2B. Without its
    key a NIR has no checksum, so the 13-character form needs a cue word. Sex digit 1 or 2,
    7 or 8 for provisional numbers (3 and 4 are no longer issued and start Amex card numbers)."""

    entity_type = "FR_NIR"
    # sex, year, month, department (or 2A/2B), commune + serial, optional key
    pattern = candidates(
        rf"[1278](?:{SEP}\d){{4}}{SEP}(?:\d{SEP}\d|2{SEP}[ABab])(?:{SEP}\d){{6}}"
        rf"(?:(?:{SEP}\d){{2}})?"
    )
    digit_led = True
    usual_groupings = frozenset({(15,), (13, 2), (1, 2, 2, 2, 3, 3, 2)})

    def judge(self, match: re.Match[str], text: str, start: int, end: int) -> float | None:
        raw = match["id"]
        value = digits_only(raw).upper()
        sizes = group_sizes(raw)
        if (
            not _MONTH.fullmatch(value[3:5])
            or after_phone_prefix(text, start)
            or (
                sizes not in self.usual_groupings
                and in_longer_run(text, start, end, across_lines=True)
            )
        ):
            return None
        cue = nearest_cue(text, start, end, {"nir": NIR_WORDS, "other": OTHER_IDS})
        if len(value) == 15:
            if not nir.is_valid(value) or cue == "other":
                return None
            return 1.0 if cue == "nir" else 0.95
        # Without its key a NIR has no checksum: stdnum can only check the format.
        if (
            cue == "nir"
            and sizes in {(13,), (1, 2, 2, 2, 3, 3)}
            and not value.startswith("756")  # a Swiss AHV number
            and nir.is_valid(value + nir.calc_check_digits(value))
        ):
            return 0.75
        return None


class FrSirenRecognizer(IdRecognizer):
    """9 digits, Luhn. One random number in ten passes, so a cue word or the usual 3-3-3
    grouping is required, and one separator throughout; never part of a SIRET or a VAT
    number."""

    entity_type = "FR_SIREN"
    pattern = candidates(digit_run(9))
    digit_led = True

    def judge(self, match: re.Match[str], text: str, start: int, end: int) -> float | None:
        raw = match["id"]
        if (
            in_longer_run(text, start, end)
            or not one_separator(raw)
            or after_phone_prefix(text, start)
            or after_vat_prefix(text, start)
            or not siren.is_valid(digits_only(raw))
        ):
            return None
        cue = _cue(text, start, end)
        if cue == "company":
            return 0.9
        # Written as a SIREN is written; a document named after it ("… pour la facture") is
        # where the number is printed, not what it numbers.
        if group_sizes(raw) == (3, 3, 3) and (
            cue is None or _thing_word_only_after(text, start, end)
        ):
            return 0.75
        return None


class FrSiretRecognizer(IdRecognizer):
    """14 digits (SIREN + 5-digit establishment number): Luhn (or La Poste's rule) on both the
    SIREN and the whole. One random number in a hundred passes, so without a cue word the value
    must be laid out as a SIRET (3-3-3-5) or be a bare 14-digit run that is not a timestamp."""

    entity_type = "FR_SIRET"
    pattern = candidates(digit_run(14))
    digit_led = True
    usual_groupings = frozenset({(3, 3, 3, 5), (3, 3, 3, 3, 2), (9, 5)})

    def judge(self, match: re.Match[str], text: str, start: int, end: int) -> float | None:
        raw = match["id"]
        value = digits_only(raw)
        if (
            in_longer_run(text, start, end)
            or not one_separator(raw)
            or after_phone_prefix(text, start)
            or not siret.is_valid(value)
        ):
            return None
        cue = _cue(text, start, end)
        if cue == "company":
            return 1.0
        sizes = group_sizes(raw)
        if sizes in self.usual_groupings and cue == "other" and not _word_right_before(text, start):
            # Laid out as a SIRET (one number in a hundred passes both checks): an invoice or an
            # amount mentioned nearby does not make it an invoice number, unless it names it.
            return 0.8
        if cue is not None:
            return None
        if sizes in self.usual_groupings:
            return 0.85
        if sizes == (14,) and not _TIMESTAMP.fullmatch(value):
            return 0.7
        return None


def _word_right_before(text: str, start: int) -> bool:
    """An identifier, phone or amount word right before the value ("invoice 732 …", "tél :")."""
    return NOT_AN_ID.search(text, max(0, start - 14), start) is not None


def _thing_word_only_after(text: str, start: int, end: int) -> bool:
    """The only cue is a document word after the value ("732 829 320 pour la facture"), none
    before it, and no phone or amount word around it."""
    if NOT_AN_ID.search(text, max(0, start - 24), start) is not None:
        return False
    after = NOT_AN_ID.search(text, end, end + 32)
    return after is not None and OTHER_IDS.fullmatch(after.group(0)) is not None


def _cue(text: str, start: int, end: int) -> str | None:
    return nearest_cue(
        text,
        start,
        end,
        {"nir": NIR_WORDS, "company": COMPANY_WORDS, "ssn": SSN_WORDS, "other": NOT_AN_ID},
    )


RECOGNIZERS: list[Recognizer] = [FrNirRecognizer(), FrSirenRecognizer(), FrSiretRecognizer()]
