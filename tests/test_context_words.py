"""Faster forms of the recognizers' context regexes match exactly what the plain forms match."""

from __future__ import annotations

import random
import re

import pytest

from privacy_guard.detect.recognizers._separators import IBAN_HEAD_BEFORE, iban_head_before
from privacy_guard.detect.recognizers.base import context_words

FORMS = r"t[ée]l[ée]?(?:phone|fon)?s? phones? call(?:s|ing|ed)? e\.164 num[ée]ros? ruf".split()


def _texts(seed: int) -> list[str]:
    rng = random.Random(seed)
    words = ["tel", "Tél", "TELEPHONE", "phones", "calling", "E.164", "numéros", "Ruf", "ruf2",
             "xtel", "telx", "ſms", "RUF", "appel", "é", "num", "numeros", "callsign"]
    return [
        "".join(rng.choice(words) + rng.choice([" ", ".", "", "-", "\n", ": "]) for _ in range(12))
        for _ in range(2000)
    ]


def test_the_lookahead_keeps_every_match_of_the_plain_alternation() -> None:
    plain = re.compile(rf"(?i)\b(?:{'|'.join(FORMS)})\b")
    fast = context_words(FORMS)
    assert fast.pattern.startswith("(?i)(?=[")
    found = 0
    for text in _texts(3):
        expected = [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in fast.finditer(text)] == expected, text
        found += len(expected)
    assert found > 1000


@pytest.mark.parametrize("forms", [["[ée]crire"], ["e?mail"], ["a", "9x"]])
def test_forms_without_a_first_letter_are_refused(forms: list[str]) -> None:
    with pytest.raises(ValueError, match="start with a letter"):
        context_words(forms)


# The IBAN head before a position as first written: same strings, but backtracking over every
# split of the groups wherever it fails.
PLAIN_IBAN_HEAD_BEFORE = re.compile(
    r"(?:^|[^A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \t]{0,3}[.\-/]?[ \t]{0,3}[A-Za-z0-9]{1,4}){0,8}"
    r"[ \t]{0,3}[.\-/]?[ \t]{0,3}\Z"
)


def test_the_iban_head_check_answers_as_the_plain_regex_searched_back() -> None:
    rng = random.Random(11)
    alphabet = "FR76 GB 0123456789-./\t\nabXY:"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80))) for _ in range(3000)]
    texts += ["IBAN FR76 3000 6000 0112 3456 7890 189 ", "GB72 LOYD - 3096 - 1700 - "]
    hits = 0
    for text in texts:
        for position in range(len(text) + 1):
            low = max(0, position - 40)
            expected = PLAIN_IBAN_HEAD_BEFORE.search(text, low, position) is not None
            assert (IBAN_HEAD_BEFORE.search(text, low, position) is not None) is expected
            assert iban_head_before(text, position) is expected
            hits += expected
    assert hits > 500


def test_digit_led_identifiers_are_tried_only_where_a_digit_starts_a_word() -> None:
    """Trying a zero-width candidate pattern at the word-initial digits finds what scanning
    every position finds (SIREN, SIRET, SSN, NIR and AHV rely on it)."""
    from privacy_guard.detect.recognizers._digit_index import word_initial_digits
    from privacy_guard.detect.recognizers._ids import candidates, digit_run

    pattern = candidates(digit_run(9))
    rng = random.Random(19)
    pieces = ["732 829 320", "123-45-6789", "a1", "_9", "x 12", "\n", " ", "-", ".", "é7", "٣"]
    found = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", "0"]) for _ in range(8))
        expected = [m.span("id") for m in pattern.finditer(text)]
        tried = [pattern.match(text, p) for p in word_initial_digits(text)]
        assert [m.span("id") for m in tried if m is not None] == expected, text
        found += len(expected)
    assert found > 1000
