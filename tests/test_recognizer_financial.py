"""IBAN_CODE and CREDIT_CARD: privacy_guard.detect.recognizers.financial.

Values come from faker (fixed seeds) and python-stdnum, written the ways people and evaders
write them (grouped, dashed, dotted, lower case, split over lines, regrouped); failing checksums
and look-alike identifiers must not be reported. Spans are asserted exactly.
"""

from __future__ import annotations

import functools
import json
import random
import string
import time
from pathlib import Path

import pytest
from faker import Faker
from stdnum import iban, luhn

from privacy_guard.detect.normalize import normalize
from privacy_guard.detect.recognizers import financial

DEVSET = Path(__file__).parent / "data" / "devset.jsonl"
IBAN_LOCALES = ("fr_FR", "fr_CH", "en_GB", "en_US", "de_DE", "it_IT", "nl_BE", "es_ES", "de_AT")
CARD_TYPES = (
    "amex",
    "diners",
    "discover",
    "jcb15",
    "jcb16",
    "maestro",
    "mastercard",
    "visa13",
    "visa16",
    "visa19",
)


def found(text: str, entity: str) -> list[str]:
    spans = sorted(
        (s.start, s.end)
        for r in financial.RECOGNIZERS
        for s in r.find(text, "en")
        if s.entity_type == entity
    )
    return [text[a:b] for a, b in spans]


def break_checksum(value: str, check: object, seed: int) -> str:
    """`value` with one digit changed so that `check` fails."""
    rnd = random.Random(seed)
    while True:
        idx = rnd.choice([i for i, ch in enumerate(value) if ch.isdigit()])
        wrong = value[:idx] + rnd.choice(string.digits.replace(value[idx], "")) + value[idx + 1 :]
        if not check(wrong):  # type: ignore[operator]
            return wrong


def iban_spellings(value: str) -> list[str]:
    grouped = iban.format(value)
    return [
        value,
        grouped,
        iban.format(value, "-"),
        value.lower(),
        grouped.replace(" ", "\n", 2),
        grouped.replace(" ", " - "),
        " ".join(value[i : i + 3] for i in range(0, len(value), 3)),
    ]


# -------------------------------------------------------------------------------------- IBAN


@pytest.mark.parametrize("locale", IBAN_LOCALES)
def test_faker_ibans_in_every_spelling(locale: str) -> None:
    fk = Faker(locale)
    fk.seed_instance(5)
    for k in range(30):
        value = fk.iban()
        for spelling in iban_spellings(value):
            template = ("Virement sur {} merci.", "Please pay to IBAN {} (holder: J. Doe).")[k % 2]
            text = template.format(spelling)
            assert found(text, "IBAN_CODE") == [spelling], text


@pytest.mark.parametrize(
    "value",
    [
        "FR76 3000 6000 0112 3456 7890 189",
        "CH93 0076 2011 6238 5295 7",
        "DE89 3704 0044 0532 0130 00",
        "GB29 NWBK 6016 1331 9268 19",
        "BE71 0961 2345 6769",
        "IT60 X054 2811 1010 0000 0123 456",
        "ES91 2100 0418 4502 0005 1332",
        "LU28 0019 4006 4475 0000",
        "NL91ABNA0417164300",
        "fr7630006000011234567890189",
    ],
)
def test_iban_examples(value: str) -> None:
    assert found(f"my iban is {value} thanks", "IBAN_CODE") == [value]
    assert found(f"{value}.", "IBAN_CODE") == [value]


def test_iban_followed_by_words_and_a_second_iban() -> None:
    text = "Two: DE89370400440532013000 GB29NWBK60161331926819."
    assert found(text, "IBAN_CODE") == ["DE89370400440532013000", "GB29NWBK60161331926819"]
    text = "IBAN FR76 3000 6000 0112 3456 7890 189 pour le loyer"
    assert found(text, "IBAN_CODE") == ["FR76 3000 6000 0112 3456 7890 189"]


def test_ibans_failing_their_checksum_are_not_reported() -> None:
    fk = Faker("fr_FR")
    fk.seed_instance(8)
    for k in range(100):
        wrong = break_checksum(fk.iban(), iban.is_valid, k)
        assert found(f"IBAN {wrong}", "IBAN_CODE") == [], wrong
        assert found(f"IBAN {iban.format(wrong)}", "IBAN_CODE") == [], wrong


@pytest.mark.parametrize(
    "text",
    [
        "The BIC is BNPAFRPPXXX and the SWIFT code DEUTDEFF.",
        "Ticket AB12 3456 7890 1234 5678 90 closed",
        "FR76 3000 6000 0112 3456 7890 188",
        "is 12 3456 7890 1234 a number?",
        "ES00 0000 0000 0000 0000 0000",
    ],
)
def test_not_ibans(text: str) -> None:
    assert found(text, "IBAN_CODE") == []


# ------------------------------------------------------------------------------------- cards


def card_spellings(value: str) -> list[str]:
    n = len(value)
    out = [value]
    if n == 16:
        groups = [value[i : i + 4] for i in range(0, 16, 4)]
        out += [" ".join(groups), "-".join(groups), ".".join(groups), "\n".join(groups)]
    elif n in (14, 15):
        out += [
            f"{value[:4]} {value[4:10]} {value[10:]}",
            f"{value[:4]}-{value[4:10]}-{value[10:]}",
        ]
    elif n == 19:
        out.append(" ".join(value[i : i + 4] for i in range(0, 19, 4)))
    out.append(" ".join(value[i : i + 3] for i in range(0, n, 3)))  # regrouped by an evader
    return out


@pytest.mark.parametrize("card_type", CARD_TYPES)
def test_faker_cards_in_every_spelling(card_type: str) -> None:
    fk = Faker("en_US")
    fk.seed_instance(9)
    for k in range(40):
        value = fk.credit_card_number(card_type=card_type)
        for spelling in card_spellings(value):
            template = ("Card {} exp 12/27 please", "Ma carte {} a été débitée deux fois.")[k % 2]
            text = template.format(spelling)
            assert found(text, "CREDIT_CARD") == [spelling], text


@pytest.mark.parametrize(
    "value",
    [
        "4111 1111 1111 1111",
        "5500 0000 0000 0004",
        "2221 0000 0000 0009",
        "3782 822463 10005",
        "6011 1111 1111 1117",
        "3056 930902 5904",
        "3530 1113 3330 0000",
        "6200 0000 0000 0005",
        "4222222222222",
    ],
)
def test_card_examples(value: str) -> None:
    assert found(f"payment: {value} | name on card: J. Doe", "CREDIT_CARD") == [value]


def test_card_followed_by_expiry_and_cvv() -> None:
    text = "Card number 4111 1111 1111 1111 12/25 CVV 123 - why is it declined?"
    assert found(text, "CREDIT_CARD") == ["4111 1111 1111 1111"]


def test_card_scores_and_priority() -> None:
    [span] = financial.CardRecognizer().find("4111 1111 1111 1111", "en")
    assert span.score >= 0.95 and span.priority == 20
    [span] = financial.IbanRecognizer().find("CH93 0076 2011 6238 5295 7", "en")
    assert span.score >= 0.95 and span.priority == 20


def test_cards_failing_luhn_are_not_reported() -> None:
    fk = Faker("en_US")
    fk.seed_instance(12)
    for k in range(200):
        value = fk.credit_card_number(card_type=CARD_TYPES[k % len(CARD_TYPES)])
        wrong = break_checksum(value, luhn.is_valid, k)
        for spelling in card_spellings(wrong):
            head = wrong[:16]
            if " " in spelling and financial.issuer_accepts(head) and luhn.is_valid(head):
                continue  # a valid 16-digit card followed by 3 digits (a CVV) is a card
            assert found(f"card {spelling}", "CREDIT_CARD") == [], spelling


@pytest.mark.parametrize(
    "text",
    [
        "Number 1234 5678 9012 3456",  # no issuer starts with 1234
        "Order 4829173650123457 shipped",  # fails Luhn
        "SIRET 56062799400091",
        "Mon SIRET est 3931  1483  00  007  7",
        "IMEI 356938035643809",
        "Tracking 1Z999AA10123456784",
        "FR76 3000 6000 0112 3456 7890 189",
        "GB72 LOYD 3517 8360 6688 81\n31704;Candice",
        "EAN 4006381333931",
        "UUID 123e4567-e89b-12d3-a456-426614174000",
        "0000 0000 0000 0000",
        "Table 4111 1111 1111 1111 1111 1111",  # the head of a longer run of groups
        "the numbers 4 1 1 1, 2 2 2 2, 3 3 3 3",
        "Order 686-5447774-4735388 is late",
        "Bad NIR 5 84 03 81 971 535 17",
        "Bad NIR 577084498661880",
        "Bad AHV 456.6489.2349.69",
        "Tracking 685529922195",
    ],
)
def test_not_cards(text: str) -> None:
    assert found(text, "CREDIT_CARD") == []


def test_issuer_rules() -> None:
    assert financial.issuer_accepts("4" * 16)
    assert not financial.issuer_accepts("4" * 15)
    assert financial.issuer_accepts("37" + "0" * 13)
    assert not financial.issuer_accepts("37" + "0" * 14)
    assert financial.issuer_accepts("0604" + "0" * 8)  # Maestro UK, 12 digits
    assert not financial.issuer_accepts("1234" + "0" * 12)


# ------------------------------------------------------------------------- the project devset


@pytest.mark.skipif(not DEVSET.exists(), reason="no development set")
def test_devset_recall_and_clean_prompts() -> None:
    labels = ("IBAN_CODE", "CREDIT_CARD")
    hits = dict.fromkeys(labels, 0)
    totals = dict.fromkeys(labels, 0)
    flagged = clean = false_positives = 0
    for line in DEVSET.read_text(encoding="utf-8").splitlines():
        example = json.loads(line)
        norm = normalize(example["text"])
        spans = [
            (s.entity_type, *norm.to_original(s.start, s.end))
            for r in financial.RECOGNIZERS
            for s in r.find(norm.text, "en")
        ]
        gold = example["spans"]
        clean += not gold
        flagged += bool(spans) and not gold
        for t, a, b in spans:
            false_positives += not any(
                g["label"] == t and a < g["end"] and g["start"] < b for g in gold
            )
        for g in gold:
            if g["label"] in labels:
                totals[g["label"]] += 1
                hits[g["label"]] += any(
                    t == g["label"] and a < g["end"] and g["start"] < b for t, a, b in spans
                )
    for label in labels:
        assert totals[label] == 0 or hits[label] / totals[label] >= 0.99, label
    assert flagged <= clean * 0.01
    assert false_positives <= 2


# ---------------------------------------------------------------------------- linear time


@functools.cache
def _junk_texts() -> dict[str, str]:
    rnd = random.Random(0)
    n = 1_000_000
    return {
        "digits": "".join(rnd.choices(string.digits, k=n)),
        "digits and spaces": "".join(rnd.choices(string.digits * 3 + " ", k=n)),
        "printable": "".join(rnd.choices(string.printable, k=n)),
        "alnum": "".join(rnd.choices(string.ascii_uppercase + string.digits + " ", k=n)),
        "FR76 ": "FR76 " * (n // 5),
        "1:": "1:" * (n // 2),
        "1 ": "1 " * (n // 2),
        "(12) ": "(12) " * (n // 5),
    }


@pytest.mark.parametrize("name", list(_junk_texts()))
def test_one_megabyte_of_junk_never_hangs(name: str) -> None:
    text = _junk_texts()[name]
    for r in financial.RECOGNIZERS:
        started = time.process_time()
        for _ in r.find(text, "en"):
            pass
        # A guard against catastrophic backtracking (which takes hours), not a speed figure:
        # throughput is measured by bench/detect_bench.py.
        assert time.process_time() - started < 30, (r.name, name)
