"""European national identifiers, wallets and MAC addresses (recognizers/national.py, crypto.py).

Valid values are built with the specifications' check-digit rules (tests/support/national_ids.py),
invalid ones by changing the check digit; context words are the ones people write in each
country's own language.
"""

from __future__ import annotations

import random

import pytest

from privacy_guard.detect.config import DetectorConfig
from privacy_guard.detect.engine import Detector
from privacy_guard.detect.recognizers.crypto import eip55_valid, keccak256
from tests.support import national_ids as ids

DETECTOR = Detector(DetectorConfig(ner=False, cache_size=0))


def found(text: str) -> list[tuple[str, str]]:
    return [(f.entity_type, text[f.start : f.end]) for f in DETECTOR.scan(text)]


def wrong_check(value: str) -> str:
    """The value with its last character changed (a check digit or check letter)."""
    last = value[-1]
    if last.isdigit():
        return value[:-1] + str((int(last) + 1) % 10)
    return value[:-1] + ("B" if last.upper() != "B" else "C")


def digits(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789") for _ in range(n))


def _nhs(r: random.Random) -> str:
    while True:
        try:
            return ids.nhs(str(r.randint(4, 6)) + digits(r, 8))
        except ValueError:
            continue


def _bsn(r: random.Random) -> str:
    while True:
        try:
            return ids.nl_bsn(str(r.randint(1, 9)) + digits(r, 7))
        except ValueError:
            continue


def _svnr(r: random.Random) -> str:
    while True:
        try:
            day, month, year = r.randint(1, 28), r.randint(1, 12), r.randint(0, 99)
            return ids.at_svnr(str(r.randint(100, 999)), f"{day:02d}{month:02d}{year:02d}")
        except ValueError:
            continue


def _date6(r: random.Random) -> str:
    return f"{r.randint(1, 28):02d}{r.randint(1, 12):02d}{r.randint(0, 99):02d}"


def _idnr(r: random.Random) -> str:
    # The first ten digits: no leading zero, one digit twice, exactly one digit missing.
    pool = r.sample("0123456789", 9)
    while pool[0] == "0":
        r.shuffle(pool)
    ten = [*pool, r.choice(pool[1:])]
    head, tail = ten[0], ten[1:]
    r.shuffle(tail)
    return ids.de_idnr(head + "".join(tail))


def _pesel(r: random.Random) -> str:
    return ids.pesel(
        f"{r.randint(50, 99):02d}{r.randint(1, 12):02d}{r.randint(1, 28):02d}" + digits(r, 4)
    )


def _be(r: random.Random) -> str:
    value = ids.be_nn(
        f"{r.randint(50, 99):02d}{r.randint(1, 12):02d}{r.randint(1, 28):02d}", digits(r, 3)
    )
    return f"{value[:2]}.{value[2:4]}.{value[4:6]}-{value[6:9]}.{value[9:]}"


# entity, value maker, sentences with their own-language context words
NAMED_CASES = [
    ("UK_NHS", _nhs, ["Patient NHS number: {v}", "her NHS no {v} on the referral"]),
    ("NL_BSN", _bsn, ["Mijn BSN is {v}", "burgerservicenummer {v}"]),
    ("AT_SVNR", _svnr, ["Sozialversicherungsnummer: {v}", "SVNR {v} (e-card)"]),
    ("DE_TAX_ID", _idnr, ["Steuer-ID: {v}", "meine steuerliche Identifikationsnummer lautet {v}"]),
    ("PL_PESEL", _pesel, ["Numer PESEL: {v}", "PESEL {v}"]),
    (
        "SE_PERSONNUMMER",
        lambda r: ids.se_personnummer(_date6(r)[4:] + _date6(r)[2:4] + _date6(r)[:2], digits(r, 3)),
        ["Personnummer: {v}", "mitt personnummer är {v}"],
    ),
    (
        "IT_VAT_CODE",
        lambda r: ids.it_vat(digits(r, 7) + f"{r.randint(1, 100):03d}"),
        ["Partita IVA {v}", "P.IVA: {v}"],
    ),
    (
        "LI_PEID",
        lambda r: str(r.randint(1000, 99999999)),
        ["PEID: {v}", "Personenidentifikationsnummer {v}"],
    ),
    (
        "LU_NATIONAL_ID",
        lambda r: ids.lu_matricule(
            f"19{r.randint(40, 99)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}", digits(r, 3)
        ),
        ["Numéro d'identification national : {v}", "Matricule {v}"],
    ),
    (
        "DE_ID_CARD",
        lambda r: (
            (
                p := r.choice("LMNPRTVWXYZ")
                + "".join(r.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(7))
            )
            + ids.icao_check(p)
        ),
        ["Personalausweis-Nr. {v}", "Ausweisnummer: {v}"],
    ),
    (
        "DE_PASSPORT",
        lambda r: (
            (p := "C" + "".join(r.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(7)))
            + ids.icao_check(p)
        ),
        ["Reisepassnummer {v}", "Pass-Nr.: {v}"],
    ),
]


# A PEID has no check digit: nothing to get wrong.
CHECKED_CASES = [case for case in NAMED_CASES if case[0] != "LI_PEID"]


@pytest.mark.parametrize(
    ("entity", "make", "sentences"), NAMED_CASES, ids=[c[0] for c in NAMED_CASES]
)
def test_weakly_checked_numbers_are_found_with_their_context_word(entity, make, sentences) -> None:
    r = random.Random(entity)
    for _ in range(12):
        value = make(r)
        for sentence in sentences:
            text = sentence.format(v=value)
            assert (entity, value) in found(text), text


@pytest.mark.parametrize(
    ("entity", "make", "sentences"), CHECKED_CASES, ids=[c[0] for c in CHECKED_CASES]
)
def test_a_wrong_check_digit_or_no_context_word_is_not_that_identifier(
    entity, make, sentences
) -> None:
    r = random.Random(entity + "-bad")
    for _ in range(12):
        value = make(r)
        bad = wrong_check(value)
        assert entity not in {e for e, _ in found(sentences[0].format(v=bad))}, bad
        assert entity not in {e for e, _ in found(f"The parcel weighs {value} grams")}, value


def test_codice_fiscale_stands_on_its_own_and_a_wrong_check_letter_is_rejected() -> None:
    from stdnum.it import codicefiscale

    for body in ("RSSMRA85T10A562", "BNCLRA90A41F205", "VRDGPP70E15H501"):
        value = body + codicefiscale.calc_check_digit(body)
        assert ("IT_FISCAL_CODE", value) in found(f"Codice fiscale: {value}")
        assert ("IT_FISCAL_CODE", value.lower()) in found(f"ecco il mio {value.lower()} grazie")
        assert "IT_FISCAL_CODE" not in {e for e, _ in found(f"codice fiscale {wrong_check(value)}")}


def test_spanish_dni_and_nie() -> None:
    r = random.Random(7)
    for _ in range(20):
        dni = ids.es_dni(digits(r, 8))
        nie = ids.es_nie(r.choice("XYZ"), digits(r, 7))
        assert ("ES_NIF", dni) in found(f"Mi DNI es {dni}.")
        assert ("ES_NIE", nie) in found(f"Número de identidad de extranjero (NIE): {nie}")
        assert ("ES_NIF", dni) in found(f"client {dni}")  # the check letter is enough alone
        assert "ES_NIF" not in {e for e, _ in found(f"DNI {wrong_check(dni)}")}
        assert "ES_NIE" not in {e for e, _ in found(f"NIE {wrong_check(nie)}")}


def test_finnish_henkilotunnus_every_century_sign() -> None:
    r = random.Random(3)
    for sign in "+-A":
        for _ in range(8):
            value = ids.fi_hetu(_date6(r), sign, f"{r.randint(2, 899):03d}")
            assert ("FI_PERSONAL_IDENTITY_CODE", value) in found(f"Henkilötunnus: {value}")
            bad = value[:-1] + ("0" if value[-1] != "0" else "1")
            assert "FI_PERSONAL_IDENTITY_CODE" not in {e for e, _ in found(f"hetu {bad}")}


def test_german_social_security_number() -> None:
    value = ids.de_svnr("65", "180539", "W", "00")
    assert ("DE_SOCIAL_SECURITY", value) in found(f"Rentenversicherungsnummer {value}")
    assert ("DE_SOCIAL_SECURITY", value) in found(f"SV-Nummer: {value}")
    assert "DE_SOCIAL_SECURITY" not in {e for e, _ in found(f"SV-Nummer: {wrong_check(value)}")}


def test_uk_national_insurance_number() -> None:
    assert ("UK_NINO", "AB 12 34 56 C") in found("National Insurance number: AB 12 34 56 C")
    assert ("UK_NINO", "JG103759A") in found("my NI number is JG103759A")
    # D, F, I, Q, U and V are never used as the first letter; suffix is A-D.
    assert "UK_NINO" not in {e for e, _ in found("NINO: QQ 12 34 56 C")}
    assert "UK_NINO" not in {e for e, _ in found("NINO: AB 12 34 56 E")}


def test_belgian_national_number_grouped_alone_or_bare_with_its_word() -> None:
    r = random.Random(11)
    for _ in range(10):
        grouped = _be(r)
        bare = grouped.replace(".", "").replace("-", "")
        assert ("BE_NATIONAL_NUMBER", grouped) in found(f"client {grouped}")
        assert ("BE_NATIONAL_NUMBER", bare) in found(f"Rijksregisternummer {bare}")
        assert ("BE_NATIONAL_NUMBER", bare) in found(f"numéro de registre national : {bare}")
        assert "BE_NATIONAL_NUMBER" not in {
            e for e, _ in found(f"registre national {wrong_check(bare)}")
        }


def test_bitcoin_addresses_base58check_and_bech32() -> None:
    r = random.Random(5)
    for _ in range(10):
        payload = bytes(r.randrange(256) for _ in range(20))
        for address in (
            ids.base58check(0, payload),
            ids.base58check(5, payload),
            ids.segwit_v0(payload),
        ):
            assert ("CRYPTO", address) in found(f"send it to {address} please")
            broken = address[:-1] + ("q" if address[-1] != "q" else "p")
            assert "CRYPTO" not in {e for e, _ in found(f"wallet {broken}")}


def test_ethereum_eip55_checksum() -> None:
    assert (
        keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # the example in EIP-55 itself
    assert eip55_valid(address)
    assert ("CRYPTO", address) in found(f"pay {address} today")
    flipped = address[:-1] + "D"
    assert "CRYPTO" not in {e for e, _ in found(f"pay {flipped} today")}
    lower = address.lower()
    assert ("CRYPTO", lower) in found(f"my ETH wallet is {lower}")  # no checksum: context needed
    assert "CRYPTO" not in {e for e, _ in found(f"commit {lower}")}


def test_mac_addresses() -> None:
    for mac in ("00:1A:2B:3C:4D:5E", "a4-5e-60-c2-11-0f", "0012.3456.789a"):
        assert ("MAC_ADDRESS", mac) in found(f"The device {mac} keeps dropping.")
    assert ("MAC_ADDRESS", "0012.3456.7890") in found("MAC address 0012.3456.7890")
    assert "MAC_ADDRESS" not in {e for e, _ in found("version 1234.5678.9012")}
    assert "MAC_ADDRESS" not in {e for e, _ in found("at 12:30:45 on 2024-01-02")}
    assert "IP_ADDRESS" in {e for e, _ in found("fe80::1a:2b:3c:4d:5e:6f")}


def test_presidio_runs_only_on_windows_around_prefilter_hits() -> None:
    import re

    from privacy_guard.detect.presidio_adapter import PresidioWindowRecognizer

    windows: list[str] = []

    class Recording:
        def analyze(self, text, entities, nlp_artifacts):  # type: ignore[no-untyped-def]
            windows.append(text)
            return []

    built: list[int] = []

    def factory() -> Recording:
        built.append(1)
        return Recording()

    recognizer = PresidioWindowRecognizer(
        "t", "T", factory, re.compile(r"NHS"), lambda *a: 1.0, window=10
    )
    assert list(recognizer.find("nothing to see " * 100, "en")) == []
    assert built == []  # no candidate: the Presidio recognizer is not even built
    text = "x " * 200 + "my NHS number 401 023 2137 ok" + " y" * 200
    list(recognizer.find(text, "en"))
    assert built == [1]
    assert windows == ["x x x x my NHS number 401"]  # 10 characters around, to a space


def test_steuer_id_written_in_groups_as_letters_print_it() -> None:
    r = random.Random(21)
    for _ in range(10):
        value = _idnr(r)
        spaced = f"{value[:2]} {value[2:5]} {value[5:8]} {value[8:]}"
        assert ("DE_TAX_ID", spaced) in found(f"Ihre Identifikationsnummer: {spaced}")
        assert "DE_TAX_ID" not in {e for e, _ in found(f"Steuer-ID {wrong_check(spaced)}")}
        assert "DE_TAX_ID" not in {e for e, _ in found(f"Preis {spaced} Euro")}
