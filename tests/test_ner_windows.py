"""NER sees windows around what the recognizers left unexplained, in each paragraph's language.

The cost must follow the candidates, not the text (issue 12), without losing the names and
places NER used to find over whole texts.
"""

from __future__ import annotations

import inspect
import textwrap

import pytest
from faker import Faker

from privacy_guard import Detector, DetectorConfig
from privacy_guard.detect.language import segment_language
from privacy_guard.detect.ner import ner_windows


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(DetectorConfig(cache_size=0))


def _persons(detector: Detector, text: str) -> list[str]:
    return [text[f.start : f.end] for f in detector.scan(text) if f.entity_type == "PERSON"]


def _code() -> str:
    return inspect.getsource(textwrap)  # real source code: identifiers, comments, docstrings


def test_code_identifiers_and_data_wake_no_ner() -> None:
    text = (
        "raise ValueError(f'bad {value!r}')\nif locale is None:\n    return True\n"
        'x = self.Name\npath = "/srv/Documents/Report"\n{"Name": "x", "createdAt": 1}\n'
        "client = Mistral(api_key=key)\n# Compute the width first\nsha512-PaFiSIELmr9w=\n"
    )
    assert ner_windows(text, []) == []


def test_a_name_in_a_long_code_paste_is_found_by_a_small_window(detector: Detector) -> None:
    code = _code()
    middle = len(code) // 2
    middle = code.index("\n", middle) + 1
    text = code[:middle] + "# Ask Thaddeus Okonkwo before changing this.\n" + code[middle:]
    windows = ner_windows(text, [])
    assert sum(end - start for start, end in windows) < 0.05 * len(text)
    assert "Thaddeus Okonkwo" in _persons(detector, text)


def test_each_paragraph_goes_through_its_own_language() -> None:
    english = "Please summarise the meeting notes and send them to the whole team by Friday."
    french = "Bonjour, merci de transmettre le compte rendu à toute l'équipe avant vendredi."
    text = f"{english}\n\n{french}"
    assert segment_language(text, 0, len(english)).ner_languages == ("en",)  # type: ignore[union-attr]
    assert segment_language(text, len(english) + 2).ner_languages == ("fr",)  # type: ignore[union-attr]
    assert (
        segment_language("2026-03-01T10:00:00Z INFO req=8f3a path=/api/orders status=200") is None
    )


def test_names_in_a_mixed_prompt_are_found_in_both_languages(detector: Detector) -> None:
    text = (
        "Can you fix this query? It times out.\n\n"
        "```sql\nSELECT c.id, COUNT(*) FROM commandes c GROUP BY c.id;\n```\n\n"
        "Hier, Clémence Durand a signé le bail avec Anselme Kerbrat, merci de vérifier.\n\n"
        "2026-03-01T10:00:00Z INFO req=8f3a path=/api/orders status=200\n\n"
        "Yesterday I met with Thaddeus Okonkwo and he asked about the invoice."
    )
    persons = _persons(detector, text)
    for name in ("Clémence Durand", "Anselme Kerbrat", "Thaddeus Okonkwo"):
        assert name in persons


def test_windows_stay_small_on_long_prose(detector: Detector) -> None:
    faker = Faker("en_US")
    faker.seed_instance(12)
    filler = " ".join(faker.sentence() for _ in range(300)).lower()  # no capitalised word
    text = filler[:6000] + " Yesterday Amelia Hartley signed the lease. " + filler[6000:]
    windows = ner_windows(text, [])
    assert 0 < sum(end - start for start, end in windows) < 200
    assert "Amelia Hartley" in _persons(detector, text)


def test_a_place_after_a_residence_cue_is_seen_in_lower_case() -> None:
    text = "salut j'habite à bordeaux depuis deux ans, quelles balades faire ce week-end ?"
    windows = ner_windows(text, [])
    assert windows and any(start <= text.index("bordeaux") < end for start, end in windows)


@pytest.mark.parametrize(
    "text",
    [
        "AHV-Nr.: 756.1234.5678.97",  # the part after an acronym's hyphen
        "Meine Sozialversicherungsnummer ist 12 150589 M 013",  # beside a function word only
        "Bitte überweise die Rückzahlung auf mein Konto CH93 0076 2011 6238 5295 7",  # digits
        "Le siège de BNP Paribas est à Paris.",  # beside a short acronym
    ],
)
def test_neighbours_that_cannot_be_part_of_a_name_wake_no_ner(text: str) -> None:
    assert ner_windows(text, []) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The lease was signed by Anne-Sophie Vasseur last week.", "Vasseur"),
        ("The lease was signed by Zbigniew Brzęczyszczykiewicz last week.", "Zbigniew"),
        ("Le bail a été signé par Kowalczyk-Brzęczyszczykiewicz hier.", "Brzęczyszczykiewicz"),
    ],
)
def test_name_shaped_neighbours_still_wake_ner(text: str, name: str) -> None:
    windows = ner_windows(text, [])
    position = text.index(name)
    assert any(start <= position < end for start, end in windows)


def test_a_paragraph_without_a_language_of_its_own_takes_the_texts_main_one() -> None:
    """One pipeline call costs ~2 ms whatever its size: a line of data in a long English text
    goes through the English pipeline only, not both; a short text alone keeps both."""
    engine = Detector(DetectorConfig(cache_size=0))._ner
    prose = "Please check the attached notes and tell me what you think about them. " * 6
    text = f"{prose}\n\nNadia Okonkwo-Brandt · +41 79 000 00 00\n\n{prose}"
    pieces = engine._windows(text, [], ("en", "fr"), True)
    assert pieces and all(pipelines == ("en",) for _, _, pipelines in pieces)
    short = "Nadia Okonkwo-Brandt · +41 79 000 00 00"
    assert {p for _, _, p in engine._windows(short, [], ("en", "fr"), True)} == {("en", "fr")}
