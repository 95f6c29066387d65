"""Leaks between the lines: values in the shapes real pastes give them (issue: two identifiers
side by side, a value split by a line break or by a JSON escape, a phone glued to a word, ...).

Every value is built from its format's rules (Luhn, ISO 13616, ...), not copied from elsewhere.
"""

from __future__ import annotations

import pytest
from stdnum import iban as stdnum_iban

from privacy_guard.detect.config import DetectorConfig
from privacy_guard.detect.engine import Detector
from tests.support.national_ids import luhn_digit

DETECTOR = Detector(DetectorConfig(ner=False, cache_size=0))


def found(text: str, entity: str | None = None) -> list[str] | list[tuple[str, str]]:
    findings = DETECTOR.scan(text)
    if entity is None:
        return [(f.entity_type, text[f.start : f.end]) for f in findings]
    return [text[f.start : f.end] for f in findings if f.entity_type == entity]


def card(prefix: str, length: int) -> str:
    body = prefix + "3" * (length - len(prefix) - 1)
    return body + luhn_digit(body)


def grouped(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


VISA, MASTERCARD = card("4539", 16), card("5412", 16)


def test_two_cards_separated_by_one_space_are_two_cards() -> None:
    assert found(f"cards: {grouped(VISA)} {grouped(MASTERCARD)} thanks", "CREDIT_CARD") == [
        grouped(VISA),
        grouped(MASTERCARD),
    ]
    assert found(f"cards {VISA} {MASTERCARD}", "CREDIT_CARD") == [VISA, MASTERCARD]


def test_a_luhn_valid_number_after_reference_or_order_is_not_a_card() -> None:
    for lead in ("reference", "Reference:", "order", "Order no.", "réf.", "Bestellung"):
        assert found(f"{lead} {VISA}", "CREDIT_CARD") == [], lead
    assert found(f"card {VISA}", "CREDIT_CARD") == [VISA]


def _iban(country: str, bban: str) -> str:
    """ISO 13616: check digits 98 - (BBAN + country + "00" as base-36 digits mod 97)."""
    number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


def test_iban_check_digits_decide_not_a_national_table() -> None:
    # A Spanish BBAN whose national (CCC) check digits stdnum disagrees with: the IBAN's own
    # ISO 13616 check digits are right, so it is an IBAN.
    value = _iban("ES", "9999" + "0001" + "00" + "0123456789")
    assert not stdnum_iban.is_valid(value)
    assert found(f"IBAN {value}", "IBAN_CODE") == [value]
    wrong = value[:2] + f"{(int(value[2:4]) + 1) % 100:02d}" + value[4:]
    assert found(f"IBAN {wrong}", "IBAN_CODE") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SSN 536.22.1234 on file", ["536.22.1234"]),
        ("record 536.22.1234 ok", ["536.22.1234"]),
        ("version 1.2.3 and 219.09", []),
    ],
)
def test_us_ssn_with_dots(text: str, expected: list[str]) -> None:
    assert found(text, "US_SSN") == expected


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Tel0612345678", "0612345678"),
        ("call me at555-867-5309.", "555-867-5309"),
        ("mobile+33612345678 or later", "+33612345678"),
        ("Tel:+41791234567please", "+41791234567"),
        ("Phone0041791234567", "0041791234567"),
    ],
)
def test_a_phone_glued_to_a_word(text: str, phone: str) -> None:
    assert found(text, "PHONE_NUMBER") == [phone]


@pytest.mark.parametrize(
    "text",
    ["phone: 123-456-7890", "Tel 011-555-0142", "Office: (123) 456-7890", "fax 099-321-5678"],
)
def test_an_unassigned_area_code_on_a_phone_line(text: str) -> None:
    assert found(text, "PHONE_NUMBER") == [text.split(" ", 1)[1]]


def test_no_glue_where_there_is_no_phone() -> None:
    assert found("meet at10:30 on2024-05-01 in room at12", "PHONE_NUMBER") == []
    assert found("token at1234567 ok", "PHONE_NUMBER") == []


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("write to anna.berger@\nexample.org today", "anna.berger@\nexample.org"),
        ("mail: anna.berger\n@example.org.", "anna.berger\n@example.org"),
        ("mail jean.dupont@exam\nple.com and", "jean.dupont@exam\nple.com"),
        ("mail jean.dupont@example.\ncom and", "jean.dupont@example.\ncom"),
        ('{"m": "ana@exam\\nple.com"}', "ana@exam\\nple.com"),
    ],
)
def test_an_email_split_by_a_line_break(text: str, email: str) -> None:
    assert found(text, "EMAIL_ADDRESS") == [email]


def test_a_complete_email_at_the_end_of_a_line_is_not_joined_to_the_next() -> None:
    assert found("anna@example.org\nNext line", "EMAIL_ADDRESS") == ["anna@example.org"]


def test_card_and_avs_split_by_a_line_break() -> None:
    value = grouped(VISA)
    split = value[:9] + "\n" + value[10:]
    assert found(f"card {split} exp", "CREDIT_CARD") == [split]
    assert found("AVS 756.1234.\n5678.97", "CH_AHV") == ["756.1234.\n5678.97"]


def test_json_and_log_escapes_neither_glue_nor_hide_values() -> None:
    text = '{"note": "Call me\\n+41 79 123 45 67\\tor write to anna.berger@example.org"}'
    assert found(text, "PHONE_NUMBER") == ["+41 79 123 45 67"]
    assert found(text, "EMAIL_ADDRESS") == ["anna.berger@example.org"]
    value = grouped(VISA)
    text = '{"card": "' + value[:9] + "\\n" + value[10:] + '"}'
    assert found(text, "CREDIT_CARD") == [value[:9] + "\\n" + value[10:]]
    text = '{"avs": "756.1234.\\n5678.97"}'
    assert found(text, "CH_AHV") == ["756.1234.\\n5678.97"]
    text = '{"addr": "Anna Berger\\n12 Rue de la Paix\\n75002 Paris"}'
    assert found(text, "LOCATION") == ["12 Rue de la Paix\\n75002 Paris"]


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("Le fournisseur 732 829 320 a livré.", "FR_SIREN", "732 829 320"),
        ("Acme SAS, 732 829 320 00074, Lyon", "FR_SIRET", "732 829 320 00074"),
        ("732 829 320", "FR_SIREN", "732 829 320"),
        ("Merci de noter 732 829 320 pour la facture", "FR_SIREN", "732 829 320"),
        ("Numéro 732 829 320 00074 sur la facture", "FR_SIRET", "732 829 320 00074"),
        ("Identifiant: 732.829.320.00074", "FR_SIRET", "732.829.320.00074"),
    ],
)
def test_siren_and_siret_without_a_naming_word_when_grouped(text, entity, value) -> None:
    assert found(text, entity) == [value]


def test_siren_and_siret_named_as_something_else_are_not_reported() -> None:
    assert found("ref 732829320", "FR_SIREN") == []
    assert found("Commande 732 829 320", "FR_SIREN") == []
    assert found("prix 732 829 320 euros", "FR_SIREN") == []
    assert found("invoice 732 829 320 00074", "FR_SIRET") == []
    # The same digits with a wrong Luhn digit are nothing.
    assert found("732 829 321", "FR_SIREN") == []
    assert found("732 829 320 00075", "FR_SIRET") == []


NAMES_DETECTOR = Detector(DetectorConfig(cache_size=0))  # with spaCy NER, as deployed


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Anna K. Berger signed the lease.", ["Anna K. Berger"]),
        ("The form was sent by John Q. Adams yesterday.", ["John Q. Adams"]),
        (
            "April Johnson and Grace Miller met Sarah English.",
            ["April Johnson", "Grace Miller", "Sarah English"],
        ),
        (
            "Patrick McAllister and Siobhan O'Brien came with Ewan MacLeod.",
            ["Patrick McAllister", "Siobhan O'Brien", "Ewan MacLeod"],
        ),
        ("Nora: Can you fix this?\nTom: Sure, send it.", ["Nora", "Tom"]),
        ("First name? Hannah\nLast name? Fischer", ["Hannah", "Fischer"]),
        ("What is your last name?\nFischer", ["Fischer"]),
    ],
)
def test_names_in_the_shapes_prompts_have(text: str, names: list[str]) -> None:
    got = [text[f.start : f.end] for f in NAMES_DETECTOR.scan(text) if f.entity_type == "PERSON"]
    assert got == names


@pytest.mark.parametrize(
    "text",
    [
        "In April we speak English with the French team.",
        "Grace period ends in May.",
        "In June we speak English; the Grace period ends in May.",
        "Note: the build is green.\nWarning: disk almost full.",
        "Summary: the plan\nResult: ok",
    ],
)
def test_ordinary_words_and_labels_stay_words(text: str) -> None:
    assert [f for f in NAMES_DETECTOR.scan(text) if f.entity_type == "PERSON"] == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("I live at 45 Oak Crossroad with my wife.", "45 Oak Crossroad"),
        ("She lives at 9 Mill Shoals.", "9 Mill Shoals"),
        ("ship to 77 Heron Neck", "77 Heron Neck"),
        ("we moved to 3 Elm Villages last year", "3 Elm Villages"),
        ("home: 12 Cedar Plains", "12 Cedar Plains"),
        ("I live at 12 Oak Ave. since May", "12 Oak Ave."),
        ("address: 8 Canal Locks, Denver, CO 80202", "8 Canal Locks, Denver, CO 80202"),
        ("He resides at 4 Kings Wharf, London SE1 9AA", "4 Kings Wharf, London SE1 9AA"),
    ],
)
def test_street_types_of_the_usps_list_and_the_uk(text: str, address: str) -> None:
    assert found(text, "LOCATION") == [address]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        (
            "The patient reports chest pain and shortness of breath.",
            ["chest pain", "shortness of breath"],
        ),
        (
            "Il se plaint de douleurs thoraciques et d'essoufflement.",
            ["douleurs thoraciques", "essoufflement"],
        ),
        ("Seit gestern Brustschmerzen und Atemnot.", ["Brustschmerzen", "Atemnot"]),
        ("Ha dolore al petto e mancanza di respiro.", ["dolore al petto", "mancanza di respiro"]),
        ("Dizziness and night sweats after the new pills.", ["Dizziness", "night sweats"]),
    ],
)
def test_symptoms_are_health_data(text: str, terms: list[str]) -> None:
    assert found(text, "HEALTH") == terms


@pytest.mark.parametrize(
    "text",
    [
        "The fatigue of the metal caused the crash.",
        "LLM hallucinations again.",
        "asset seizure by the bank",
        "Merge conflicts are a headache.",
        "tremblements de terre au Japon",
    ],
)
def test_symptom_words_outside_medicine_are_not_health(text: str) -> None:
    assert found(text, "HEALTH") == []


def test_a_national_id_with_a_wrong_check_digit_is_not_a_phone_number() -> None:
    from tests.support.national_ids import nhs

    value = nhs("634673134")
    bad = value[:-1] + str((int(value[-1]) + 3) % 10)
    assert found(f"NHS number {value}, referral attached.") == [("UK_NHS", value)]
    assert found(f"NHS number {bad}, referral attached.") == []
    assert found(f"PESEL {bad}") == []
