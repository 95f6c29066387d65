"""The candidate-position tools the pattern recognizers share (`recognizers/_word_index.py`)."""

from __future__ import annotations

import _sre
import re
import sys
from re import _casefix

import pytest

from privacy_guard.detect.recognizers._word_index import (
    _ODD_CASE_CHARS,
    left_bounded,
    lowered,
    occurrences,
    scan_at,
)
from privacy_guard.detect.recognizers.wordtrie import _FoldTable, fold, literals


def test_odd_case_chars_are_every_character_where_lower_differs_from_re() -> None:
    # Re-derive the list: characters `re.IGNORECASE` pairs beyond simple lower-casing, plus
    # those whose `str.lower()` is not `re`'s one-character lower case.
    odd = {chr(code) for key, values in _casefix._EXTRA_CASES.items() for code in (key, *values)}
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code < 0xE000:
            continue
        low = chr(code).lower()
        if len(low) != 1 or ord(low) != _sre.unicode_tolower(code):
            odd.add(chr(code))
    odd -= {"i", "s"}  # plain letters: their odd partners (ı, ſ) are in the list
    assert odd | {"Σ"} == set(_ODD_CASE_CHARS)


@pytest.mark.parametrize("text", ["Iſt das so?", "İstanbul", "ΣΟΦΙΑ", "ﬅ"])
def test_lowered_refuses_texts_where_ignorecase_and_lower_disagree(text: str) -> None:
    assert lowered(text) is None


def test_lowered_keeps_offsets() -> None:
    text = "Rue de l'Église, 75002 PARIS — Straße"
    low = lowered(text)
    assert low == text.lower() and len(low) == len(text)


def test_occurrences_find_overlapping_keys_within_bounds() -> None:
    assert occurrences("aaaa", ["aa"]) == {0, 1, 2}
    assert occurrences("xx rue rue", ["rue"], 4, 8) == {7}
    assert occurrences("no match", ["zz"]) == set()


def test_left_bounded_keeps_word_starts_only() -> None:
    assert left_bounded("ab cd_ef", [0, 1, 3, 6]) == [0, 3, 6]


_PATTERNS = [
    re.compile(r"\b(?:to|and)[ \t]+[A-Z][a-z]+"),
    re.compile(r"(?<![\d.,])\d{2,4}(?:[ \t]+[A-Z]\w*){1,2}"),
    re.compile(r"^(?:[A-Z][a-z]+):", re.MULTILINE),
]
_TEXTS = [
    "Send it to Marie and Paul Martin, 12 Baker Street.\nNora: hi\nTom: to Anna and Bob",
    "1234 Foo Bar 56 Qux, 7.89 Zed 100 Alpha Beta Gamma",
    "",
]


@pytest.mark.parametrize("pattern", _PATTERNS)
@pytest.mark.parametrize("text", _TEXTS)
def test_scan_at_every_position_equals_finditer(pattern: re.Pattern[str], text: str) -> None:
    expected = [m.span() for m in pattern.finditer(text)]
    assert [m.span() for m in scan_at(pattern, text, range(len(text)))] == expected


def test_scan_at_respects_window_and_skips_inside_matches() -> None:
    pattern = re.compile(r"\d+")
    text = "12345 678 9"
    # 1 and 2 lie inside the first match; the window ends before "9".
    got = [m.group() for m in scan_at(pattern, text, [0, 1, 2, 6, 10], 0, 9)]
    assert got == [m.group() for m in pattern.finditer(text, 0, 9)] == ["12345", "678"]


def test_literals_lists_every_string_of_a_finite_pattern() -> None:
    got = literals(r"j['’]habite (?:à|au)|last[ _]?name|ma[iî]tre\.?")
    assert sorted(got) == sorted(
        [
            "j'habite à", "j'habite au", "j’habite à", "j’habite au",
            "lastname", "last name", "last_name",
            "maitre", "maitre.", "maître", "maître.",
        ]
    )


def test_literals_writes_a_run_of_blanks_as_one_space() -> None:
    assert literals(r"\bmy[ \t]+son") == ["my son"]


@pytest.mark.parametrize("pattern", [r"a+", r"[^a]", r"\w", r"x*"])
def test_literals_refuses_infinite_or_open_patterns(pattern: str) -> None:
    with pytest.raises(ValueError):
        literals(pattern)


def test_cue_trees_find_every_cue_pattern_start() -> None:
    # Person, residence: the prefix trees built from `literals` must reach every place the
    # case-insensitive cue patterns match (here, each written in odd case and spacing).
    from privacy_guard.detect.recognizers.person import PersonRuleRecognizer
    from privacy_guard.detect.recognizers.residence import ResidenceRecognizer

    text = (
        "Dear  Marie,\nMY NAME IS jean dupont. Nom de famille ? Martin\n"
        "Prénom: Zoé\t| cc: Paul Durand\nBien à vous,\nHenriette Da Silva\n"
        "I live in Lausanne and j’habite à Genève; ask Docteur Bernard"
    )
    low = lowered(text)
    assert low is not None
    person = PersonRuleRecognizer()
    fast = [(s.start, s.end) for s in person.find(text, "en")]
    # The plain path (what a text with an odd-case character takes) scans every position.
    plain = [(s.start, s.end) for s in person.find(text + " ı", "en")]
    assert fast == plain and len(fast) >= 6
    residence = ResidenceRecognizer()
    assert [s.start for s in residence.find(text, "en")] == [
        s.start for s in residence.find(text + " ı", "en")
    ]


def test_fold_equals_the_per_character_table_on_every_bmp_character() -> None:
    table = _FoldTable()
    text = "".join(chr(code) for code in range(0x10000) if not 0xD800 <= code < 0xE000)
    assert fold(text) == text.translate(table)
    for sample in ("ΑΣ ΌΣΟΣ", "İstanbul — l’Hôpital", "Straße `x` 𝔸", "plain-ascii `text`"):
        assert fold(sample) == sample.translate(table)
