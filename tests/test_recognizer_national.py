"""National identifiers: FR_NIR, FR_SIREN, FR_SIRET, CH_AHV, CH_UID, EU_VAT, US_SSN.

Valid values come from Faker (the likely source of held-out data) and from stdnum's check-digit
helpers; every one is checked with stdnum before use. `python tests/test_recognizer_national.py`
prints recall over 1000 values per entity and the false-positive rate over the negatives.
"""

from __future__ import annotations

import random
import re
import string
import time
from collections.abc import Callable, Iterator

import pytest
from faker import Faker
from stdnum import luhn
from stdnum.ch import ssn as ch_ssn
from stdnum.ch import uid as ch_uid
from stdnum.eu import vat as eu_vat
from stdnum.fr import nir, siren, siret
from stdnum.gb import vat as gb_vat
from stdnum.us import ssn as us_ssn

from privacy_guard.detect.recognizers import ch, eu, fr, us
from privacy_guard.detect.types import Span

RECOGNIZERS = [*fr.RECOGNIZERS, *ch.RECOGNIZERS, *eu.RECOGNIZERS, *us.RECOGNIZERS]


def scan(text: str) -> list[Span]:
    """All spans, overlaps resolved as the detector does: priority, then length, then score."""
    spans = [span for r in RECOGNIZERS for span in r.find(text, "fr")]
    spans.sort(key=lambda s: (-s.priority, -(s.end - s.start), -s.score))
    kept: list[Span] = []
    for span in spans:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def found(text: str) -> list[tuple[str, str]]:
    return [(s.entity_type, text[s.start : s.end]) for s in scan(text)]


# --- value generators --------------------------------------------------------------------------


def _regroup(value: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(value[i : i + size])
        i += size
    return sep.join(parts)


def _luhn_complete(rng: random.Random, length: int) -> str:
    body = "".join(rng.choice(string.digits) for _ in range(length - 1))
    return body + luhn.calc_check_digit(body)


def nir_values(rng: random.Random, faker: Faker) -> Iterator[str]:
    while True:
        value = faker.ssn()
        assert nir.is_valid(value)
        yield rng.choice(
            [
                value,
                value,
                _regroup(value, (1, 2, 2, 2, 3, 3, 2), " "),
                _regroup(value, (1, 2, 2, 2, 3, 3, 2), rng.choice([".", "-", "\u00a0"])),
                _regroup(value, (13, 2), " "),
                _regroup(value, (1, 2, 2, 2, 3, 3, 2), " ").replace(" ", "\n", 1),
            ]
        )


def siren_values(rng: random.Random, faker: Faker) -> Iterator[str]:
    while True:
        value = faker.siren()
        assert siren.is_valid(value.replace(" ", ""))
        yield rng.choice([value, value, value.replace(" ", "."), value.replace(" ", "\u00a0")])


def siret_values(rng: random.Random, faker: Faker) -> Iterator[str]:
    while True:
        value = faker.siret()
        compact = value.replace(" ", "")
        assert siret.is_valid(compact)
        yield rng.choice(
            [
                value,
                value,
                compact,
                _regroup(compact, (3, 3, 3, 3, 2), " "),
                _regroup(compact, (9, 5), " "),
                value.replace(" ", "."),
            ]
        )


def ahv_values(rng: random.Random, faker: Faker) -> Iterator[str]:
    while True:
        value = faker.ssn()
        compact = value.replace(".", "")
        assert ch_ssn.is_valid(compact)
        yield rng.choice([value, value, compact, value.replace(".", " "), value.replace(".", "-")])


def uid_values(rng: random.Random, faker: Faker) -> Iterator[str]:
    while True:
        body = "".join(rng.choice(string.digits) for _ in range(8))
        check = ch_uid.calc_check_digit(body)
        if check == "10":
            continue
        digits = body + check
        assert ch_uid.is_valid(digits)
        dotted = _regroup(digits, (3, 3, 3), ".")
        yield rng.choice(
            [
                f"CHE-{dotted}",
                f"CHE-{dotted}",
                f"CHE{digits}",
                f"CHE {_regroup(digits, (3, 3, 3), ' ')}",
                f"CHE-{dotted}",
            ]
        )


# Country shapes for rejection sampling: "d" a digit, "L" a letter, "x" either.
_VAT_SHAPES = {
    "AT": "Udddddddd", "BE": "0ddddddddd", "BG": "ddddddddd", "CY": "ddddddddL", "CZ": "dddddddd",
    "DE": "ddddddddd", "DK": "dddddddd", "EE": "ddddddddd", "EL": "ddddddddd", "ES": "LdddddddL",
    "FI": "dddddddd", "FR": "ddddddddddd", "HR": "ddddddddddd", "HU": "dddddddd",
    "IE": "dddddddL", "IT": "ddddddddddd", "LT": "ddddddddd", "LU": "dddddddd",
    "LV": "ddddddddddd", "MT": "dddddddd", "NL": "dddddddddB01", "PL": "dddddddddd",
    "PT": "ddddddddd", "RO": "dddddddd", "SE": "dddddddddd01", "SI": "dddddddd",
    "SK": "dddddddddd", "XI": "ddddddddd", "GB": "ddddddddd",
}  # fmt: skip


def _vat_valid(value: str) -> bool:
    return gb_vat.is_valid(value) if value.startswith("GB") else eu_vat.is_valid(value)


def random_vat(rng: random.Random, country: str) -> str:
    shape = _VAT_SHAPES[country]
    while True:
        body = "".join(
            rng.choice(string.digits)
            if c == "d"
            else rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
            if c == "L"
            else c
            for c in shape
        )
        if country == "FR" and rng.random() < 0.5:  # new-style key with letters
            body = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + rng.choice(string.digits) + body[2:]
        if _vat_valid(country + body):
            return country + body


_VAT_FAKERS = ("de_DE", "it_IT", "nl_BE", "el_GR", "bg_BG", "en_GB")


def vat_values(rng: random.Random, faker: Faker) -> Iterator[str]:
    fakers = [Faker(locale) for locale in _VAT_FAKERS]
    for f in fakers:
        f.seed_instance(rng.random())
    while True:
        if rng.random() < 0.4:
            value = rng.choice(fakers).vat_id()
        else:
            value = random_vat(rng, rng.choice(list(_VAT_SHAPES)))
        assert _vat_valid(re.sub(r"\W", "", value)), value
        if value.startswith("FR") and rng.random() < 0.5:
            value = f"FR {value[2:4]} {_regroup(value[4:], (3, 3, 3), ' ')}"
        elif rng.random() < 0.2:
            value = f"{value[:2]} {value[2:]}"
        yield value


def ssn_values(rng: random.Random, faker: Faker) -> Iterator[str]:
    while True:
        value = faker.ssn()
        assert us_ssn.is_valid(value)
        yield rng.choice([value, value, value.replace("-", " ")])


def ssn_bare_values(rng: random.Random, faker: Faker) -> Iterator[str]:
    while True:
        yield faker.ssn().replace("-", "")


# --- sentences ---------------------------------------------------------------------------------

NEUTRAL = [
    "{v}",
    "Here it is: {v}",
    "Voici : {v}.",
    "Peux-tu vérifier {v} stp ?",
    "Please check {v} before Friday.",
    "Les données du dossier de Marie Dupont ({v}) sont à jour.",
    'Le champ vaut "{v}".',
    "Name: John Smith\nID: {v}\nStatus: active",
    "{v} — merci de confirmer.",
    "Can you format this: {v}?",
    '{{"name": "Paul Durand", "id": "{v}", "age": 42}}',
    "name,id,city\nPaul Durand,{v},Lyon",
    "Paul Durand\t{v}\t75011",
    "| Nom | Numéro |\n|---|---|\n| Durand | {v} |",
    "Vérifie que {v}, {v} et {v} sont cohérents.",
]
CONTEXT = {
    "FR_NIR": [
        "Mon numéro de sécurité sociale est le {v}.",
        "NIR : {v}",
        "Numéro de sécu {v}, carte vitale à jour.",
        "His French social security number is {v}.",
        "N° INSEE du patient : {v}",
    ],
    "FR_SIREN": [
        "La société est immatriculée au RCS de Paris sous le numéro {v}.",
        "SIREN : {v}",
        "Our supplier's company number is {v}.",
        "Entreprise Dupont SARL, SIREN {v}, siège à Lyon.",
        "Registered in France under number {v}.",
    ],
    "FR_SIRET": [
        "SIRET : {v}",
        "Numéro SIRET de l'établissement : {v}",
        "The company's SIRET is {v}.",
        "Facturer à la société Martin (siret {v}).",
    ],
    "CH_AHV": [
        "Mon numéro AVS est {v}.",
        "AHV-Nummer: {v}",
        "Swiss social security (AHV) number {v}",
        "N° AVS de l'employé : {v}",
    ],
    "CH_UID": [
        "Numéro IDE de l'entreprise : {v}",
        "UID: {v}",
        "Notre numéro de TVA suisse est {v}.",
        "Firma Muster AG, {v}",
    ],
    "EU_VAT": [
        "N° TVA intracommunautaire : {v}",
        "VAT number: {v}",
        "USt-IdNr.: {v}",
        "Please invoice ACME GmbH, VAT {v}.",
        "Partita IVA {v}",
    ],
    "US_SSN": [
        "My SSN is {v}.",
        "Social Security Number: {v}",
        "SSN {v} on file",
        "Son numéro de sécurité sociale américain est {v}.",
    ],
}
# Values whose layout alone does not say what they are are only tested with a cue word.
NEEDS_CONTEXT = {"US_SSN_BARE"}

GENERATORS: dict[str, tuple[str, str, Callable[[random.Random, Faker], Iterator[str]]]] = {
    "FR_NIR": ("FR_NIR", "fr_FR", nir_values),
    "FR_SIREN": ("FR_SIREN", "fr_FR", siren_values),
    "FR_SIRET": ("FR_SIRET", "fr_FR", siret_values),
    "CH_AHV": ("CH_AHV", "fr_CH", ahv_values),
    "CH_UID": ("CH_UID", "fr_CH", uid_values),
    "EU_VAT": ("EU_VAT", "de_DE", vat_values),
    "US_SSN": ("US_SSN", "en_US", ssn_values),
    "US_SSN_BARE": ("US_SSN", "en_US", ssn_bare_values),
}


def sentences(name: str, count: int, seed: int = 0) -> Iterator[tuple[str, int, int]]:
    """(text, start, end) with a value of `name` at [start, end)."""
    entity, locale, generator = GENERATORS[name]
    rng = random.Random(f"{name}-{seed}")
    faker = Faker(locale)
    faker.seed_instance(seed)
    values = generator(rng, faker)
    templates = CONTEXT[entity] + ([] if name in NEEDS_CONTEXT else NEUTRAL)
    if entity == "CH_UID":
        templates += ["Lieferant: {v} MWST", "Fournisseur : {v} TVA.", "Fornitore {v} IVA"]
    for _ in range(count):
        template = rng.choice(templates).replace("{{", "{").replace("}}", "}")
        value = next(values)
        start = template.index("{v}")
        yield template.replace("{v}", value), start, start + len(value)


def recall(name: str, count: int, seed: int = 0) -> tuple[float, list[str]]:
    entity = GENERATORS[name][0]
    misses = []
    for text, start, end in sentences(name, count, seed):
        if not any((s.entity_type, s.start, s.end) == (entity, start, end) for s in scan(text)):
            misses.append(text)
    return 1 - len(misses) / count, misses


@pytest.mark.parametrize("name", list(GENERATORS))
def test_recall_on_generated_values(name: str) -> None:
    rate, misses = recall(name, 300)
    assert rate >= 0.995, misses[:5]


# --- exact spans -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NIR : 2 95 10 99 126 111 93.", [("FR_NIR", "2 95 10 99 126 111 93")]),
        ("numéro de sécu 295109912611193", [("FR_NIR", "295109912611193")]),
        ("NIR 2 53 07 2B 073 004 70", [("FR_NIR", "2 53 07 2B 073 004 70")]),
        ("NIR 2.53.07.2A.073.004.43", [("FR_NIR", "2.53.07.2A.073.004.43")]),
        ("sécu : 2 95 10\n99 126 111 93", [("FR_NIR", "2 95 10\n99 126 111 93")]),
        ("my social security number 2951099126111 (no key)", [("FR_NIR", "2951099126111")]),
        ("SIREN 732 829 320", [("FR_SIREN", "732 829 320")]),
        ("Fournisseur : 732 829 320.", [("FR_SIREN", "732 829 320")]),
        ("immatriculée au RCS sous le n° 732829320", [("FR_SIREN", "732829320")]),
        ("SIRET 732 829 320 00074", [("FR_SIRET", "732 829 320 00074")]),
        ("siret: 73282932000074.", [("FR_SIRET", "73282932000074")]),
        ("La Poste, SIRET 356 000 000 00048", [("FR_SIRET", "356 000 000 00048")]),
        ("TVA : FR 40 303 265 045", [("EU_VAT", "FR 40 303 265 045")]),
        ("FR40303265045", [("EU_VAT", "FR40303265045")]),
        ("numéro K7399859412", []),
        ("TVA FRK7399859412", [("EU_VAT", "FRK7399859412")]),
        ("USt-IdNr. DE 136 695 976", [("EU_VAT", "DE 136 695 976")]),
        (
            "BE0403019261 et NL004495445B01",
            [("EU_VAT", "BE0403019261"), ("EU_VAT", "NL004495445B01")],
        ),
        ("AT: ATU13585627", [("EU_VAT", "ATU13585627")]),
        ("ESA12345674 y ESX1234567L", [("EU_VAT", "ESA12345674"), ("EU_VAT", "ESX1234567L")]),
        ("UK VAT GB 980 7806 84", [("EU_VAT", "GB 980 7806 84")]),
        ("AVS 756.9217.0769.85", [("CH_AHV", "756.9217.0769.85")]),
        ("7569217076985", [("CH_AHV", "7569217076985")]),
        ("756 9217 0769 85", [("CH_AHV", "756 9217 0769 85")]),
        ("CHE-100.155.212", [("CH_UID", "CHE-100.155.212")]),
        ("CHE100155212 MWST.", [("CH_UID", "CHE100155212")]),
        ("n° TVA CHE-100.155.212 TVA, merci", [("CH_UID", "CHE-100.155.212")]),
        ("IDE CH - E10 - 01 - 55 - 21 - 2 MWST", [("CH_UID", "CH - E10 - 01 - 55 - 21 - 2")]),
        ("UID C H E 1 0 0 1 5 5 2 1 2", [("CH_UID", "C H E 1 0 0 1 5 5 2 1 2")]),
        ("SSN 536-90-4399", [("US_SSN", "536-90-4399")]),
        ("536-90-4399", [("US_SSN", "536-90-4399")]),
        ("536 90 4399", [("US_SSN", "536 90 4399")]),
        ("social security number: 536904399", [("US_SSN", "536904399")]),
    ],
)
def test_exact_spans(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_offsets_index_the_given_text() -> None:
    text = "Über-Kunde: CHE-100.155.212 — SIREN 732 829 320"
    spans = scan(text)
    assert [(s.entity_type, text[s.start : s.end]) for s in spans] == [
        ("CH_UID", "CHE-100.155.212"),
        ("FR_SIREN", "732 829 320"),
    ]
    assert all(s.priority == 20 for s in spans)


def test_scores() -> None:
    def score(text: str) -> float:
        (span,) = scan(text)
        return span.score

    assert score("NIR 295109912611193") == 1.0
    assert score("295109912611193") == 0.95
    assert score("SIREN 732829320") == 0.9
    assert score("732 829 320") == 0.75
    assert score("SSN 536-90-4399") == 0.95
    assert score("536-90-4399") == 0.85
    assert score("SIRET 73282932000074") == 1.0
    assert score("732 829 320 00074") == 0.85
    assert score("73282932000074") == 0.7
    assert score("AVS 756.9217.0769.85") == 1.0
    assert score("NIR 2951099126111") == 0.75
    assert 0.95 <= score("DE136695976") <= 1.0


# --- 9 digits: SIREN, SSN or neither -----------------------------------------------------------


def test_nine_digits_go_to_the_nearest_cue() -> None:
    assert found("SSN 732829320") == [("US_SSN", "732829320")]
    assert found("SIREN 732829320") == [("FR_SIREN", "732829320")]
    assert found("SSN: 536-90-4399, SIREN: 732829320") == [
        ("US_SSN", "536-90-4399"),
        ("FR_SIREN", "732829320"),
    ]
    assert found("SIREN : 732829320 (and my SSN is 078-05-1121)") == [
        ("FR_SIREN", "732829320"),
        ("US_SSN", "078-05-1121"),
    ]
    # Valid as both, no cue: a bare 9-digit number is nothing.
    assert found("732829320") == []


def test_a_table_column_header_is_a_cue() -> None:
    csv = "id;name;ssn;iban\n1;Lee Mills;6010-9174-4;GB88\n2;Ann Roe;536-90-4399;GB12"
    assert found(csv) == [("US_SSN", "6010-9174-4"), ("US_SSN", "536-90-4399")]
    markdown = "| Nom | SIREN |\n|---|---|\n| Durand SA | 732829320 |"
    assert found(markdown) == [("FR_SIREN", "732829320")]
    orders = "| client | order |\n|---|---|\n| Durand | 732 829 320 |"
    assert found(orders) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SIREN 5970 / 6661 / 2", [("FR_SIREN", "5970 / 6661 / 2")]),
        ("siren 82 - 361 - 655 - 2 : SARL ?", [("FR_SIREN", "82 - 361 - 655 - 2")]),
        ("NIR: 295 / 1099 / 126 / 111 / 93 ok", [("FR_NIR", "295 / 1099 / 126 / 111 / 93")]),
        ("AVS 7 5 6 9 2 1 7 0 7 6 9 8 5", [("CH_AHV", "7 5 6 9 2 1 7 0 7 6 9 8 5")]),
        ("AVS 75  6921  7076  985", [("CH_AHV", "75  6921  7076  985")]),
        ("TVA F R 4 0 3 0 3 2 6 5 0 4 5", [("EU_VAT", "F R 4 0 3 0 3 2 6 5 0 4 5")]),
        ("TVA FR4\n030\n3265\n045", [("EU_VAT", "FR4\n030\n3265\n045")]),
        ("USt D E 1 3 6 6 9 5 9 7 6", [("EU_VAT", "D E 1 3 6 6 9 5 9 7 6")]),
        ("UID CH\nE100\n15\n5212", [("CH_UID", "CH\nE100\n15\n5212")]),
        ("SSN 53 690 43 99", [("US_SSN", "53 690 43 99")]),
        ("The form asks for my social: 5369 / 0439 / 9", [("US_SSN", "5369 / 0439 / 9")]),
    ],
)
def test_regrouped_values(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_no_siren_inside_siret_or_vat() -> None:
    assert found("SIREN/SIRET 732 829 320 00074") == [("FR_SIRET", "732 829 320 00074")]
    assert found("société, TVA FR 40 303 265 045") == [("EU_VAT", "FR 40 303 265 045")]
    assert found("société, TVA FRK7 399 859 412") == [("EU_VAT", "FRK7 399 859 412")]
    # Not a valid VAT number, and the SIREN belongs to whatever prefix it has.
    assert found("société DE 732 829 320") == []
    assert found("société CHE 732 829 320") == []


# --- negatives ---------------------------------------------------------------------------------

NEGATIVES = [
    # checksum failures
    "NIR 2 95 10 99 126 111 94",
    "NIR 295109912611199",
    "AVS 756.9217.0769.86",
    "CHE-100.155.213",
    "SIREN 732 829 321",
    "SIRET 732 829 320 00075",
    "TVA FR 41 303 265 045",
    "VAT DE136695977",
    "SSN 666-12-3456",
    "SSN 912-34-5678",
    "SSN 123-00-4567",
    "SSN 123-45-0000",
    # phones
    "Appelle-moi au 06 12 34 56 78.",
    "Tél. : +33 6 12 34 56 78",
    "+33 (0)6 44 83 37 88",
    "Tel +41 79 123 45 67 oder 079 123 45 67",
    "Call (415) 555-0132 or 415-555-0132",
    "Standard : 01 23 45 67 89, fax 01 23 45 67 90",
    # orders, tickets, tracking, invoices
    "Commande n° 732 829 320 expédiée",
    "Order #536-90-4399 has shipped",
    "Ticket 536-90-4399 closed",
    "Numéro de suivi : 732829320",
    "Facture 73282932000074 du 12/03/2024",
    "Tracking: 1Z999AA10123456784",
    # amounts, dates, versions, misc numbers
    "Le budget est de 732 829 320 euros.",
    "Revenue: $732 829 320",
    "Le chiffre d'affaires atteint 125 300 000 € en 2023.",
    "Released on 2024-05-12 as version 3.12.4",
    "Timestamp 20240512093015 in the logs",
    "Build 1.85.0578.006 failed",
    "ISBN 978-2-07-036822-8 and 2-07-036822-X",
    "id 05222fb2-509b-4d4d-9478-99a4fcc9e97f",
    "Pi is 3.14159265358979323846",
    "The population is 68 042 591.",
    "Matrix: 1 0 0 1 0 1 1 0 1 0 0 1 1 1 0 1 0 0 1 0 1",
    "Hash 7569217076985123 collided",
    "IBAN FR76 3000 6000 0112 3456 7890 189",
    "IBAN BE68 5390 0754 7034",
    "IBAN DE89 3704 0044 0532 0130 00",
    "Card 4111 1111 1111 1111",
    "Amex 378282246310005",
    "Code-barres 7569217076985",
    "EAN 7569217076985",
    "Llamar al (351) 927 579 383",
    "2951099126111 (13 digits, no cue: no key, no checksum)",
    "Le chiffre d'affaires est de 732 829 320.",
    "Taille du fichier : 732 829 320 octets, 2 951 099 126 111 94 blocs",
    "row 1: 12 77 886 60 409 596\n977 815 52 731 331 186",
    "Nombre 2 95 10 99 126 11 193 7",
    "Coordinates 48.8566, 2.3522",
    "my social media followers: 536 904 399",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives(text: str) -> None:
    assert found(text) == []


def mutate(value: str, rng: random.Random) -> str:
    """The value with one digit changed."""
    positions = [i for i, c in enumerate(value) if c.isdigit()]
    i = rng.choice(positions)
    return value[:i] + rng.choice([d for d in string.digits if d != value[i]]) + value[i + 1 :]


def lookalikes(count: int, seed: int = 1) -> Iterator[str]:
    """Non-personal prompts full of numbers, and identifiers with a wrong check digit."""
    rng = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in ("fr_FR", "fr_CH", "en_US", "de_DE")}
    for f in fakers.values():
        f.seed_instance(seed)
    fr_, ch_, us_ = fakers["fr_FR"], fakers["fr_CH"], fakers["en_US"]
    kinds: list[Callable[[], str]] = [
        lambda: f"Appelez le {rng.choice(list(fakers.values())).phone_number()} demain.",
        lambda: f"ISBN {fr_.isbn13()} / {fr_.isbn10()}",
        lambda: f"EAN {fr_.ean13()}",
        lambda: f"request id {us_.uuid4()}",
        lambda: f"Commande n° {rng.randrange(10**8, 10**10)} du {fr_.date()}",
        lambda: (
            f"Order #{rng.randrange(100, 999)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}"
        ),
        lambda: f"Total : {rng.randrange(10**6, 10**9):,} €".replace(",", " "),
        lambda: f"Le {fr_.date()} à {fr_.time()}, version {fr_.numerify('#.##.###')}",
        lambda: f"Timestamp {fr_.date_time().strftime('%Y%m%d%H%M%S')}",
        lambda: f"IBAN {rng.choice(list(fakers.values())).iban()}",
        lambda: f"Carte {us_.credit_card_number()}",
        lambda: f"tracking {rng.randrange(10**13, 10**16)}",
        lambda: " ".join(str(rng.randrange(0, 1000)) for _ in range(20)),
        lambda: f"NIR {mutate(fr_.ssn(), rng)}",
        lambda: f"SIREN {mutate(fr_.siren(), rng)}",
        lambda: f"SIRET {mutate(fr_.siret(), rng)}",
        lambda: f"AVS {mutate(ch_.ssn(), rng)}",
        lambda: f"UID {mutate('CHE-100.155.212', rng)}",
        lambda: f"TVA {mutate(random_vat(rng, rng.choice(list(_VAT_SHAPES))), rng)}",
    ]
    for _ in range(count):
        yield rng.choice(kinds)()


def false_positive_rate(count: int, seed: int = 1) -> tuple[float, list[str]]:
    hits = [f"{text!r} -> {found(text)}" for text in lookalikes(count, seed) if found(text)]
    return len(hits) / count, hits


def test_lookalikes_mostly_silent() -> None:
    rate, hits = false_positive_rate(1000)
    assert rate <= 0.01, hits[:10]


# --- linear time -------------------------------------------------------------------------------


@pytest.mark.parametrize("alphabet", ["0123456789", "0123456789 ", "0123456789 .-/\n"])
def test_one_megabyte_of_digits_scans(alphabet: str) -> None:
    rng = random.Random(7)
    text = "".join(rng.choice(alphabet) for _ in range(1_000_000))
    started = time.perf_counter()
    scan(text)
    print(f"{alphabet!r}: {time.perf_counter() - started:.2f}s")


if __name__ == "__main__":
    for name in GENERATORS:
        rate, misses = recall(name, 1000, seed=42)
        print(f"{name:12} recall {rate:.4f}  ({len(misses)} misses) {misses[:3]}")
    rate, hits = false_positive_rate(2000, seed=43)
    print(f"look-alikes: {rate:.4f} of 2000 prompts with a finding")
    for hit in hits[:20]:
        print("  ", hit)
    negatives = sum(bool(found(t)) for t in NEGATIVES)
    print(f"hand-written negatives: {negatives}/{len(NEGATIVES)} with a finding")
