"""EMAIL_ADDRESS, PHONE_NUMBER and IP_ADDRESS: privacy_guard.detect.recognizers.contact.

Synthetic values come from faker with fixed seeds, embedded in English and French sentences;
hand-written variants cover the formats and obfuscations faker does not produce. Every positive
asserts the exact span; every negative asserts that no span of the entity is found.
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

from privacy_guard.detect.normalize import normalize
from privacy_guard.detect.recognizers import contact

LOCALES = ("fr_FR", "fr_CH", "en_GB", "en_US", "de_DE", "it_IT", "nl_BE")
DEVSET = Path(__file__).parent / "data" / "devset.jsonl"


def found(text: str, entity: str, language: str = "en") -> list[str]:
    """The substrings reported as `entity`, in text order."""
    spans = sorted(
        (s.start, s.end)
        for r in contact.RECOGNIZERS
        for s in r.find(text, language)
        if s.entity_type == entity
    )
    return [text[a:b] for a, b in spans]


def assert_exact(template: str, value: str, entity: str, language: str) -> None:
    text = template.format(value)
    assert found(text, entity, language) == [value], text


def fakers(seed: int) -> list[Faker]:
    out = []
    for i, locale in enumerate(LOCALES):
        fk = Faker(locale)
        fk.seed_instance(seed + i)
        out.append(fk)
    return out


def test_module_exposes_the_three_entities() -> None:
    entities = {e for r in contact.RECOGNIZERS for e in r.entities}
    assert entities == {"EMAIL_ADDRESS", "PHONE_NUMBER", "IP_ADDRESS"}
    for r in contact.RECOGNIZERS:
        assert r.name and r.entities and callable(r.find)


# ----------------------------------------------------------------------------------- e-mail

EMAIL_TEMPLATES = (
    ("en", "Please send the contract to {} by Friday."),
    ("en", "my email is {} - use it for the invoice"),
    ("fr", "Peux-tu écrire à {} pour confirmer le rendez-vous ?"),
    ("fr", "Contact : {}"),
    ("en", "{}"),
)


@pytest.mark.parametrize("seed", [1, 2])
def test_faker_emails_exact_spans(seed: int) -> None:
    for fk in fakers(seed):
        for k in range(40):
            value = fk.email() if k % 2 else fk.free_email()
            language, template = EMAIL_TEMPLATES[k % len(EMAIL_TEMPLATES)]
            assert_exact(template, value, "EMAIL_ADDRESS", language)


@pytest.mark.parametrize(
    "value",
    [
        "jean.dupont@example.fr",
        "jean+newsletter@mail.example.co.uk",
        "first_last-99@sub.domain.example.ch",
        "J.Dupont@Example.COM",
        "josé.müller@exämple.ch",
        "info@xn--exmple-cua.ch",
        "a.b@c.io",
    ],
)
def test_plain_email_variants(value: str) -> None:
    assert_exact("Write to {}, thanks.", value, "EMAIL_ADDRESS", "en")
    assert_exact("({})", value, "EMAIL_ADDRESS", "en")
    assert_exact("mail='{}'", value, "EMAIL_ADDRESS", "en")
    assert_exact("user={}", value, "EMAIL_ADDRESS", "en")


@pytest.mark.parametrize(
    ("value", "language"),
    [
        ("jean.dupont [at] example [dot] fr", "fr"),
        ("jean (at) example (dot) com", "en"),
        ("jean at example dot com", "en"),
        ("jean AT example DOT com", "en"),
        ("jean{at}example{dot}fr", "fr"),
        ("jean arobase example point fr", "fr"),
        ("jean (arobase) example (point) ch", "fr"),
        ("jean @ example . com", "en"),
        ("jean[at]example[.]fr", "fr"),
        ("jean dot dupont at gmail dot com", "en"),
        ("j.dupont [at] mail [dot] example [dot] co [dot] uk", "en"),
    ],
)
def test_obfuscated_emails(value: str, language: str) -> None:
    assert_exact("Reach me: {} (no spam please)", value, "EMAIL_ADDRESS", language)


def test_bare_at_with_a_real_domain_needs_an_email_word() -> None:
    assert found("email me: jean at example.com", "EMAIL_ADDRESS") == ["jean at example.com"]
    assert found("I'll look at google.com tonight", "EMAIL_ADDRESS") == []


@pytest.mark.parametrize(
    "text",
    [
        "Let's meet at noon dot",
        "I'll look at google.com later",
        "we invested at the dot com peak",
        "ssh user@localhost",
        '@app.route("/users")',
        "@Override public String toString()",
        "npm install @babel/core @types/node",
        "git clone git@github.com:org/repo.git",
        "git@gitlab.example.com:team/project.git",
        "pin foo@1.2.3 and react@18.2.0",
        "pip install 'pkg @ git+https://example.com/pkg.git'",
        "use icon@2x.png and logo@3x.webp",
        "y = x @ self.weight",
        "result = X @ W.T",
        "clone https://token@github.com/org/repo",
        "docker pull image@sha256:abcdef",
        "the price is 5 @ 10 each",
    ],
)
def test_not_emails(text: str) -> None:
    assert found(text, "EMAIL_ADDRESS") == []


# ----------------------------------------------------------------------------------- phones

PHONE_TEMPLATES = (
    ("en", "Call me at {} tomorrow."),
    ("fr", "Mon numéro est le {}, merci."),
    ("en", "You can reach Paul on {}."),
    ("fr", "Tél. : {}"),
    ("other", "Telefon: {}"),
    ("en", "Mobile {} - WhatsApp preferred."),
)


@pytest.mark.parametrize("locale", LOCALES)
def test_faker_phone_numbers_in_context(locale: str) -> None:
    fk = Faker(locale)
    fk.seed_instance(7)
    hits, total = 0, 300
    for k in range(total):
        value = fk.phone_number()
        language, template = PHONE_TEMPLATES[k % len(PHONE_TEMPLATES)]
        text = template.format(value)
        hits += found(text, "PHONE_NUMBER", language) == [value]
    assert hits / total >= 0.99


def test_faker_phone_numbers_without_context() -> None:
    """Without a phone word, grouped, international and trunk-0 spellings are still found; bare
    digit runs without a trunk 0 (5272868387) or led by two zeros (0028717952) are left to
    context, as such runs are ids as often as phones."""
    for fk in fakers(11):
        for _ in range(100):
            value = fk.phone_number()
            if (value.isdigit() and not value.startswith("0")) or value.startswith("00"):
                continue  # bare runs and zero-padded runs: left to context
            text = f"Details: {value}."
            assert found(text, "PHONE_NUMBER", "en") == [value], text


@pytest.mark.parametrize(
    "value",
    [
        # France
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "0612345678",
        "+33 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "+33612345678",
        "0033 6 12 34 56 78",
        "01 23 45 67 89",
        "+33 612 345 678",
        # Switzerland
        "079 123 45 67",
        "+41 79 123 45 67",
        "0041 79 123 45 67",
        "+41 (0)44 668 18 00",
        "044 668 18 00",
        "079/123 45 67",
        "079.123.45.67",
        "+41791234567",
        # United Kingdom
        "07700 900123",
        "+44 7700 900123",
        "020 7946 0958",
        "+44 (0)20 7946 0958",
        "(020) 7946 0958",
        "0044 7700 900 123",
        # United States
        "(415) 555-2671",
        "415-555-2671",
        "415.555.2671",
        "+1 415 555 2671",
        "+1 (415) 555-2671",
        "1-800-555-0199",
        "415 555 2671",
        "+14155552671",
        # Germany
        "+49 30 12345678",
        "030 12345678",
        "0151 12345678",
        "0151/12345678",
        "(030) 1234 5678",
        "+49 (0)30 12345678",
        # Italy
        "+39 02 1234 5678",
        "347 123 4567",
        "+39 347 123 4567",
        "347-123-4567",
        "06 12345678",
        # Belgium
        "+32 2 123 45 67",
        "0470 12 34 56",
        "+32 470 12 34 56",
        "0470/12.34.56",
        "02 123 45 67",
    ],
)
def test_phone_formats(value: str) -> None:
    assert_exact("Call {} after 6pm.", value, "PHONE_NUMBER", "en")
    assert_exact("Rappelez-moi au {} svp", value, "PHONE_NUMBER", "fr")
    assert_exact("{}", value, "PHONE_NUMBER", "other")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("tel: 0 6 1 2 3 4 5 6 7 8", "0 6 1 2 3 4 5 6 7 8"),
        ("Appelez le 06 12\n34 56 78 svp", "06 12\n34 56 78"),
        ("Appelez le 06 - 12 - 34 - 56 - 78", "06 - 12 - 34 - 56 - 78"),
        ("My number is 21 / 2382 / 5981, text me", "21 / 2382 / 5981"),
        ("mon numéro : 417 74 50 02 73, envoie un SMS", "417 74 50 02 73"),
        ("The landlord's phone is 440-78-508-18-565.", "440-78-508-18-565"),
        ("Joignable au 07 / 9516 / 869 / 2 (bureau)", "07 / 9516 / 869 / 2"),
        ("Call 206.269.0743x9150 now", "206.269.0743x9150"),
        ("Reach support at 212-504-7814 ext. 204", "212-504-7814"),
        ("1. Call 06 12 34 56 78\n2. Done", "06 12 34 56 78"),
        ("CV\n40051\n206.843.7407 | jane@example.com", "206.843.7407"),
        ("(tel: 06 12 34 56 78)", "06 12 34 56 78"),
        ("Tel.: +41 79 123 45 67.", "+41 79 123 45 67"),
    ],
)
def test_phone_evasions_and_boundaries(text: str, value: str) -> None:
    assert found(text, "PHONE_NUMBER", "en") == [value]


def test_two_phones_in_one_run_are_split() -> None:
    text = "Tel 06 12 34 56 78 07 12 34 56 78"
    assert found(text, "PHONE_NUMBER", "fr") == ["06 12 34 56 78", "07 12 34 56 78"]
    text = "06-12-34-56-78 ou 07-12-34-56-78"
    assert found(text, "PHONE_NUMBER", "fr") == ["06-12-34-56-78", "07-12-34-56-78"]


def test_phone_scores() -> None:
    [intl] = contact.phone.PhoneRecognizer().find("+41 79 123 45 67", "en")
    [national] = contact.phone.PhoneRecognizer().find("079 123 45 67", "en")
    assert intl.score >= 0.95
    assert 0.8 <= national.score < intl.score
    assert intl.priority == 10


PHONE_NEGATIVES = [
    "Please check order #4829173650 and tell me when it ships.",
    "Your ticket INC0012345 has been updated.",
    "Tracking number 1Z999AA10123456784 is in transit.",
    "Ma commande n° 123456789 n'est pas arrivée.",
    "Numéro de commande : 4829173650",
    "Where is order 4829173650? It says shipped.",
    "Bestellung 833-9988684-1192846 ist noch nicht angekommen.",
    "Why does Excel turn 2643294577 into scientific notation?",
    "Zoom says meeting ID 448 7053 3305 is invalid, why?",
    "The total is 1 234,56 € TTC.",
    "It costs $1,299.99 plus tax.",
    "Le prix est de 1 234 567 € pour l'immeuble.",
    "Revenue grew to 4 512 345 units.",
    "The meeting is on 2024-03-15 at 10:30.",
    "Rendez-vous le 15/03/2024 à 14h30.",
    "Datum: 15.03.2024",
    "Timestamp 2024-03-15T10:30:00Z and 2024-03-15 10:30:45",
    "Upgrade to version 1.2.3 or 10.0.19045.",
    "Windows build 10.0.19045.3930 is installed.",
    "The server 192.168.1.10 is down.",
    "fail2ban banned 207 . 122 . 40 . 84",
    "See ISBN 978-3-16-148410-0 for details.",
    "The book 978-3-16-148410-0 is great.",
    "The book 9782070360024 is great.",
    "ISBN 0-306-40615-2",
    "Between 2019-2024 sales grew.",
    "Coordinates: 48.8566, 2.3522 and 46.204391, 6.143158",
    "The population is 8 796 669 people.",
    "Use 3.14159265 as pi.",
    "Unix time 1700000000 corresponds to November 2023.",
    "Error code 0x80070005 occurred.",
    "Serial number SN 4829-1736-50 failed.",
    "Account ID: 12345678901",
    "Table: 12 34 56 78 90 12",
    "The sequence 0123456789 contains all digits.",
    "Numbers 1 2 3 4 5 6 7 8 9 10 11 12",
    "Card 4111 1111 1111 1111 exp 12/25",
    "Add 4424-7060-9055-7492 to the invalid card numbers, it fails Luhn.",
    "Ma carte Amex 3729 772633 64407 a été volée.",
    "IBAN FR76 3000 6000 0112 3456 7890 189",
    "FR76 - 0764 - 82 - 234 - 101 - 00 - 4220 - 66 - 004",
    "Mon numéro de sécu est 1 85 01 76 657 174 55",
    "né en Corse, sécu 1 18 06 2A 331 082 85",
    "Vendor SIRET: 378 338 172 00091",
    "Swiss AHV no. 756 7285 7442 18",
    "social security number 091-40-5769",
    "Customer VAT ID: BE 0241.666.689 - reverse charge applies",
    "Test 0000000000 and 1111111111",
    "Patient ID 0012345678",
    "Order 2024-1234-5678",
    "Lines 1200-1350 of main.py",
    '"order_id": "804-7972577-8706875"',
    "Can you explain 383 6083 4738 to me?",
    "Le colis 067612291134 est en route.",
    "pod api-035633287-gt7s4 restarted",
    "UUID 895c5b2f-e1c9-443c-9e9e-062904832001",
    "Reference 005992794221",
    "commit 0685998 broke the build",
    "La société, immatriculée au RCS de Sion sous le numéro 3970.3621.1, rédige ceci.",
    "Test card 0502 4111 0617 2449 fails Luhn",
    "Can you explain 0090-2013-8553-6047 to me?",
]


@pytest.mark.parametrize("text", PHONE_NEGATIVES)
def test_not_phone_numbers(text: str) -> None:
    for language in ("en", "fr", "other"):
        assert found(text, "PHONE_NUMBER", language) == [], (language, text)


# --------------------------------------------------------------------------------------- IP


@pytest.mark.parametrize("seed", [3, 4])
def test_faker_ip_addresses(seed: int) -> None:
    fk = Faker("en_US")
    fk.seed_instance(seed)
    values = [fk.ipv4_public() for _ in range(40)] + [fk.ipv4_private() for _ in range(40)]
    values += [fk.ipv6() for _ in range(40)]
    values += [fk.ipv6().rsplit(":", 4)[0] + "::1" for _ in range(20)]
    for k, value in enumerate(values):
        template = ("Connexion refusée depuis {}, pourquoi ?", "ssh to {} fails", "{}")[k % 3]
        assert_exact(template, value, "IP_ADDRESS", "fr" if k % 3 == 0 else "en")


@pytest.mark.parametrize(
    "value",
    [
        "192.168.1.10",
        "10.0.0.1",
        "8.8.8.8",
        "255.255.255.255",
        "192[.]168[.]1[.]1",
        "10(.)0(.)0(.)1",
        "211 . 87 . 10 . 106",
        "2001:db8::1",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "fe80::1%eth0",
        "::ffff:192.0.2.128",
        "::1",
    ],
)
def test_ip_variants(value: str) -> None:
    assert_exact("the host {} is down.", value, "IP_ADDRESS", "en")
    assert_exact("IP={}", value, "IP_ADDRESS", "en")


def test_ip_with_port_and_prefix() -> None:
    # A CIDR prefix length belongs to the address (it says which network); a port does not.
    assert found("Public 8.8.8.8:53 and 203.0.113.7/24", "IP_ADDRESS") == [
        "8.8.8.8",
        "203.0.113.7/24",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("allow 10.0.0.0/8 and 192.168.1.0/24;", ["10.0.0.0/8", "192.168.1.0/24"]),
        ("route 2001:db8::/32 via fe80::1/64", ["2001:db8::/32", "fe80::1/64"]),
        ("connect to [2001:db8::1]:8080 now", ["2001:db8::1"]),
        ("peer 2001:db8::7: connection refused", ["2001:db8::7"]),
        ("ssh fe80::1%eth0:22 failed", ["fe80::1%eth0"]),
        ("http://10.0.0.1/api is up", ["10.0.0.1"]),
        ("not a prefix: 10.1.2.3/33 or 1.2.3.4/24/5", []),
    ],
)
def test_ip_cidr_suffix_and_ipv6_before_a_colon_or_port(text: str, expected: list[str]) -> None:
    assert found(text, "IP_ADDRESS") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Upgrade to version 10.0.0.1",
        "v1.2.3.4 is out",
        "OID 1.3.6.1.4.1.2620",
        "see 1.2.3.4.5",
        "section 1.2.3.4 covers it",
        "invalid 256.1.1.1 and 1.2.3",
        "Python 3.11.4",
        "std::vector<int> v; a::b; Foo::Bar",
        "the empty address ::",
        "at 12:30:45 sharp",
        "MAC 00:1A:2B:3C:4D:5E",
        "MAC 00-1A-2B-3C-4D-5E",
        "ratio 16:9:4",
        "leading zeros 01.02.03.04",
    ],
)
def test_not_ip_addresses(text: str) -> None:
    assert found(text, "IP_ADDRESS") == []


# ------------------------------------------------------------------------------ clean text


CLEAN_PROMPTS = [
    "kubectl logs api-b6d038829-ph49f shows CrashLoopBackOff, what should I check first",
    "Explain what FROM python:3.12-slim does in a Dockerfile.",
    "Refactor this: for (int i = 0; i < 10; i++) { std::cout << i; }",
    "Summarise the Q3 report: revenue 4.5 billion, margin 12.3%, 1 234 employees.",
    "Le vol LX 1234 part à 07:45 de Genève, porte A12.",
    "Convert 2024-03-15T10:30:00Z to Europe/Zurich.",
    "git rebase -i HEAD~3 then git push --force-with-lease",
    "What is 2147483647 + 1 in a 32-bit signed int?",
    "Commit a3f5c9e1b2 fixed issue #1234 in release 2.4.1.",
    "Le colis 6A12345678901 est bloqué en douane.",
    "PID 123456 used 2048 MB; port 8080 and 443 open.",
    "UUID 123e4567-e89b-12d3-a456-426614174000",
    "The regex ^[a-z]+@[a-z]+\\.[a-z]{2,}$ rejects uppercase.",
    "Rate limit: 10000 requests per 3600 seconds.",
    "Chapter 12.3.4 explains the 2019-2024 trend.",
    "Loyer 2 450 francs, charges 180 CHF.",
]


@pytest.mark.parametrize("text", CLEAN_PROMPTS + PHONE_NEGATIVES)
def test_clean_prompts_have_no_contact_findings(text: str) -> None:
    entities = {"EMAIL_ADDRESS", "PHONE_NUMBER"}
    if "192.168" not in text and "207 . 122" not in text:
        entities.add("IP_ADDRESS")
    for entity in entities:
        assert found(text, entity, "en") == [], (entity, text)


# ------------------------------------------------------------------------- the project devset


def _devset_scores() -> tuple[dict[str, list[int]], int, int]:
    labels = {"EMAIL_ADDRESS", "PHONE_NUMBER", "IP_ADDRESS"}
    scores: dict[str, list[int]] = {label: [0, 0] for label in labels}
    flagged = clean = 0
    for line in DEVSET.read_text(encoding="utf-8").splitlines():
        example = json.loads(line)
        language = example.get("language", "en")
        language = language if language in ("en", "fr") else "other"
        norm = normalize(example["text"])
        spans = [
            (s.entity_type, *norm.to_original(s.start, s.end))
            for r in contact.RECOGNIZERS
            for s in r.find(norm.text, language)
        ]
        if not example["spans"]:
            clean += 1
            flagged += bool(spans)
        for gold in example["spans"]:
            if gold["label"] in labels:
                scores[gold["label"]][1] += 1
                scores[gold["label"]][0] += any(
                    t == gold["label"] and a < gold["end"] and gold["start"] < b
                    for t, a, b in spans
                )
    return scores, flagged, clean


@pytest.mark.skipif(not DEVSET.exists(), reason="no development set")
def test_devset_recall_and_clean_prompts() -> None:
    scores, flagged, clean = _devset_scores()
    for label, (hit, total) in scores.items():
        assert total == 0 or hit / total >= 0.99, (label, hit, total)
    assert flagged <= clean * 0.01


# ---------------------------------------------------------------------------- linear time


@functools.cache
def _junk_texts() -> dict[str, str]:
    rnd = random.Random(0)
    n = 1_000_000
    return {
        "digits": "".join(rnd.choices(string.digits, k=n)),
        "digits and spaces": "".join(rnd.choices(string.digits * 3 + " ", k=n)),
        "printable": "".join(rnd.choices(string.printable, k=n)),
        "words": " ".join(
            rnd.choices(["at", "dot", "jean", "(at)", "[dot]", "@", ".", "fr"], k=n // 4)
        ),
        "1:": "1:" * (n // 2),
        "+1 ": "+1 " * (n // 3),
        "(12) ": "(12) " * (n // 5),
        "a@": "a@" * (n // 2),
        "hex and colons": "".join(rnd.choices("0123456789abcdef:.", k=n)),
    }


@pytest.mark.parametrize("name", list(_junk_texts()))
def test_one_megabyte_of_junk_never_hangs(name: str) -> None:
    text = _junk_texts()[name]
    for r in contact.RECOGNIZERS:
        started = time.process_time()
        for _ in r.find(text, "en"):
            pass
        # A guard against catastrophic backtracking (which takes hours), not a speed figure:
        # throughput is measured by bench/detect_bench.py.
        assert time.process_time() - started < 30, (r.name, name)
