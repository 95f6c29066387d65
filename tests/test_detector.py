"""The Detector end to end: offsets, evasion, languages, lists, cache, chunking and bad input."""

from __future__ import annotations

import pytest
from faker import Faker

from privacy_guard import DenyRule, DetectionError, Detector, DetectorConfig, InvalidTextError


def _types(text: str, detector: Detector, language: str | None = None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in detector.scan(text, language):
        found.setdefault(f.entity_type, []).append(text[f.start : f.end])
    return found


def test_finds_a_mix_of_identifiers_in_french(detector: Detector) -> None:
    text = (
        "Bonjour, je m'appelle Camille Laurent. Mon IBAN est FR76 3000 6000 0112 3456 7890 189, "
        "mon mail camille.laurent@example.fr et mon portable le 06 12 34 56 78."
    )
    found = _types(text, detector)
    assert found["PERSON"] == ["Camille Laurent"]
    assert found["IBAN_CODE"] == ["FR76 3000 6000 0112 3456 7890 189"]
    assert found["EMAIL_ADDRESS"] == ["camille.laurent@example.fr"]
    assert found["PHONE_NUMBER"] == ["06 12 34 56 78"]
    assert {f.language for f in detector.scan(text)} == {"fr"}


def test_offsets_survive_full_width_digits_and_zero_width_characters(detector: Detector) -> None:
    card = "4539 1488 0343 6467"
    hidden = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in card)
    hidden = hidden[:6] + "\u200b" + hidden[6:]
    text = f"Please charge card {hidden} today."
    findings = [f for f in detector.scan(text) if f.entity_type == "CREDIT_CARD"]
    assert len(findings) == 1
    assert text[findings[0].start : findings[0].end] == hidden


def test_obfuscated_email_spelling(detector: Detector) -> None:
    text = "écrivez-moi à jean.dupont [at] exemple [dot] fr svp"
    found = _types(text, detector)
    assert found["EMAIL_ADDRESS"] == ["jean.dupont [at] exemple [dot] fr"]


def test_digits_split_across_lines(detector: Detector) -> None:
    text = "AVS:\n756.1234.\n5678.97 merci"
    assert "CH_AHV" in _types(text, detector)


def test_place_alone_is_not_personal_data(detector: Detector) -> None:
    assert detector.scan("Write a haiku about Geneva in the spring.") == []
    assert detector.scan("Écris un haïku sur Genève au printemps.") == []


def test_residence_makes_a_place_personal(detector: Detector) -> None:
    found = _types("My colleague lives in Lausanne with her kids.", detector)
    assert found.get("LOCATION") == ["Lausanne"]


def test_forced_language_is_reported(detector: Detector) -> None:
    findings = detector.scan("Contact: Jean Martin", language="fr")
    assert findings and all(f.language == "fr" for f in findings)


def test_german_text_still_gets_pattern_recognizers(detector: Detector) -> None:
    text = "Bitte überweisen Sie den Betrag auf CH93 0076 2011 6238 5295 7, danke."
    found = _types(text, detector)
    assert found["IBAN_CODE"] == ["CH93 0076 2011 6238 5295 7"]
    assert detector.scan(text)[0].language == "other"


def test_allow_list_terms_are_never_flagged() -> None:
    text = "Ask Jean Dupont at Acme Dupont Consulting"
    plain = Detector(DetectorConfig(cache_size=0))
    assert any(text[f.start : f.end] == "Jean Dupont" for f in plain.scan(text))
    allowed = Detector(DetectorConfig(allow_list=("Jean Dupont",), cache_size=0))
    assert not any("Jean Dupont" in text[f.start : f.end] for f in allowed.scan(text))


def test_deny_list_terms_and_patterns_are_always_flagged() -> None:
    rules = (
        DenyRule("PROJECT_CODENAME", terms=("Bluebird",)),
        DenyRule("INTERNAL_TICKET", patterns=(r"\bSEC-\d{4}\b",)),
    )
    detector = Detector(DetectorConfig(deny_list=rules))
    text = "Status of bluebird and SEC-1234, please."
    found = _types(text, detector)
    assert found["PROJECT_CODENAME"] == ["bluebird"]
    assert found["INTERNAL_TICKET"] == ["SEC-1234"]


def test_the_cache_answers_repeated_texts_without_rescanning() -> None:
    detector = Detector(DetectorConfig(min_score=0.51))  # a configuration of its own
    text = "Send it to claire.moreau@example.org"
    first = detector.scan(text)
    misses = detector.cache.misses
    assert detector.scan(text) == first
    assert detector.cache.misses == misses and detector.cache.hits >= 1
    other = Detector(DetectorConfig(min_score=0.52))
    assert other.cache is not detector.cache


def test_entities_at_chunk_borders_are_found() -> None:
    faker = Faker("en_US")
    faker.seed_instance(7)
    filler = " ".join(faker.sentence() for _ in range(400))
    detector = Detector(DetectorConfig(ner_chunk_chars=1000, cache_size=0))
    for cut in (990, 1000, 1010):
        text = filler[:cut] + " Dr. Amelia Hartley and " + filler[cut:]
        persons = [text[f.start : f.end] for f in detector.scan(text) if f.entity_type == "PERSON"]
        assert "Amelia Hartley" in persons


def test_scan_many_matches_scan(detector: Detector) -> None:
    texts = ["Call Marie Dubois on +41 79 123 45 67", "nothing here", "ssn 123-45-6789"]
    assert detector.scan_many(texts) == [detector.scan(t) for t in texts]


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t ",
        "\x00\x01\x02 control \x1b[31m characters",
        "lone \ud800 surrogate \udfff here jean@example.com",
        bytes(range(256)).decode("latin-1"),
        "🙂" * 1000,
    ],
)
def test_odd_text_never_crashes(detector: Detector, text: str) -> None:
    for finding in detector.scan(text):
        assert 0 <= finding.start < finding.end <= len(text)


def test_lone_surrogate_does_not_hide_an_email(detector: Detector) -> None:
    text = "lone \ud800 surrogate, mail jean@example.com"
    found = _types(text, detector)
    assert found["EMAIL_ADDRESS"] == ["jean@example.com"]


def test_non_text_input_is_a_clear_error(detector: Detector) -> None:
    with pytest.raises(InvalidTextError, match="bytes, expected str"):
        detector.scan(b"jean@example.com")  # type: ignore[arg-type]
    with pytest.raises(InvalidTextError, match="one entry per text"):
        detector.scan_many(["a", "b"], ["en"])


def test_a_large_text_is_scanned_with_exact_offsets(detector: Detector) -> None:
    block = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 9000  # ~500 KB
    text = block + "Reach me at someone.unique@example.net. " + block
    emails = [f for f in detector.scan(text) if f.entity_type == "EMAIL_ADDRESS"]
    assert [text[f.start : f.end] for f in emails] == ["someone.unique@example.net"]


def test_five_megabytes_of_junk_complete_with_exact_offsets(detector: Detector) -> None:
    import random
    import string

    rng = random.Random(1)
    alphabet = string.printable + "éàçÜß€\u200b\ufeff"
    junk = "".join(rng.choice(alphabet) for _ in range(2_500_000))
    text = junk + " write to jane.roe@example.org today " + junk
    assert len(text) > 5_000_000
    emails = [
        text[f.start : f.end] for f in detector.scan(text) if f.entity_type == "EMAIL_ADDRESS"
    ]
    assert "jane.roe@example.org" in emails


def test_an_internal_failure_fails_closed_without_echoing_the_text() -> None:
    class Broken:
        name = "broken"
        entities = ("PERSON",)

        def find(self, text: str, language: str) -> list[object]:
            raise KeyError(text)  # the worst case: an exception carrying the text

    detector = Detector(DetectorConfig(cache_size=0))
    detector._recognizers.append(Broken())  # type: ignore[arg-type]
    secret_text = "Jeanne Secret-Person lives at 3 rue Nulle Part"
    with pytest.raises(DetectionError) as caught:
        detector.scan(secret_text)
    assert "KeyError" in str(caught.value)
    assert "Jeanne" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_detectors_of_different_teams_share_one_copy_of_each_pipeline(detector: Detector) -> None:
    other = Detector(DetectorConfig(allow_list=("Acme SA",), cache_size=0))
    assert other.fingerprint != detector.fingerprint
    assert other._ner.pipeline("en") is detector._ner.pipeline("en")
    assert other._ner.pipeline("fr") is detector._ner.pipeline("fr")


_LAZY_SET_UP_PROBE = """
import functools, importlib, json, pkgutil
import privacy_guard.detect.recognizers as package
from privacy_guard import Detector

detector = Detector()
detector.warm_up()
empty = []
for info in pkgutil.iter_modules(package.__path__):
    module = importlib.import_module(f"{package.__name__}.{info.name}")
    for name, value in vars(module).items():
        if callable(getattr(value, "cache_info", None)) and value.cache_info().currsize == 0:
            empty.append(f"{info.name}.{name}")
from privacy_guard.detect.presidio_adapter import PresidioWindowRecognizer
for recognizer in detector._recognizers:
    if isinstance(recognizer, PresidioWindowRecognizer) and recognizer._recognizer is None:
        empty.append(recognizer.name)
import phonenumbers
from phonenumbers import re_util
from privacy_guard.detect.recognizers.phone import _COUNTRY_CODES
# every region the phone recognizer reads has its number-type patterns compiled and kept
for region in _COUNTRY_CODES:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    for kind in ("fixed_line", "mobile", "toll_free"):
        pattern = getattr(metadata, kind).national_number_pattern
        if pattern not in (re_util._COMPILED_PATTERNS or {}):
            empty.append(f"phone {region} {kind}")
print(json.dumps(empty))
"""


def test_warm_up_sets_up_every_recognizer_so_first_requests_do_not() -> None:
    # The recognizers build their word lists and trie regexes on first use (~250 ms); when the
    # first requests after start-up arrive together, each in its own thread, each did it again
    # (16 at once stalled for ~3 s). A fresh interpreter: other tests have filled these caches.
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _LAZY_SET_UP_PROBE], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == []
