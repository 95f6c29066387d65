# ruff: noqa: E501  (templates are prose: their long lines are the data)
"""Build tests/data/devset.jsonl, the development set of privacy-guard's detector.

Run: ``python tests/data/make_devset.py`` (deterministic: fixed seeds, faker and stdnum only).

Each example is a prompt as people write them to an LLM: short requests, e-mails to rewrite,
CVs, tickets, medical letters, HR notes, code and config with secrets, CSV/JSON/log extracts, in
English, French (France and Switzerland), some Swiss German and Italian, and mixed FR/EN.
Templates hold slots written ``⟦name⟧``; a slot's name picks its generator (and label, or none for
filler), a trailing digit asks for another instance (``⟦person2⟧``), a trailing ``~`` forces an
obfuscated spelling. Gold offsets are computed while the text is assembled.
About 28 % of the examples are clean prompts full of look-alikes (versions, hashes, order
numbers, prices, numbers that fail their checksum, places and companies on their own).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import random
import re
import string
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers
from faker import Faker
from stdnum import ean, iban, luhn
from stdnum.ch import ssn as ch_ssn
from stdnum.ch import uid as ch_uid
from stdnum.eu import vat as eu_vat
from stdnum.fr import nir as fr_nir
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

SEED = 20_240_611
OUT = Path(__file__).with_name("devset.jsonl")
LOCALES = ("en_US", "en_GB", "fr_FR", "fr_CH", "de_CH", "it_CH")
ZWSP, SHY = "\u200b", "\u00ad"

# ============================================================================ value generators


class Values:
    """Random but valid identifiers, names and addresses; one instance per dataset build."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.fakers: dict[str, Faker] = {}
        for i, loc in enumerate(LOCALES):
            fk = Faker("it_IT" if loc == "it_CH" else loc)  # faker's it_CH has no names
            fk.seed_instance(seed + i)
            self.fakers[loc] = fk

    # -- small helpers
    def digits(self, n: int, first_nonzero: bool = False) -> str:
        out = "".join(self.r.choice(string.digits) for _ in range(n))
        if first_nonzero and out[0] == "0":
            out = self.r.choice("123456789") + out[1:]
        return out

    def chars(self, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def pick(self, options: list[str] | tuple[str, ...]) -> str:
        return self.r.choice(options)

    # -- phones: a valid national significant number, then one of the usual spellings
    def _nsn(self, cc: str, make: Callable[[], str]) -> str:
        while True:
            nsn = make()
            if phonenumbers.is_valid_number(phonenumbers.parse(f"+{cc}{nsn}")):
                return nsn

    def phone(self, country: str) -> str:
        r, d = self.r, self.digits
        if country == "FR":
            n = self._nsn("33", lambda: r.choice("6677123459") + d(8))
            p = [n[0], n[1:3], n[3:5], n[5:7], n[7:9]]
            forms = [
                "0" + " ".join(p),
                "0" + ".".join(p),
                "0" + n,
                "0" + "-".join(p),
                "+33 " + " ".join(p),
                "+33 (0)" + " ".join(p),
                "+33" + n,
                "0033 " + " ".join(p),
                f"+33 {n[:3]} {n[3:6]} {n[6:]}",
            ]
        elif country == "CH":
            n = self._nsn(
                "41",
                lambda: r.choice(["75", "76", "77", "78", "79", "22", "21", "44", "31"]) + d(7),
            )
            a, b, c, e = n[:2], n[2:5], n[5:7], n[7:]
            forms = [
                f"0{a} {b} {c} {e}",
                f"0{n}",
                f"+41 {a} {b} {c} {e}",
                f"0041 {a} {b} {c} {e}",
                f"+41 (0){a} {b} {c} {e}",
                f"+41{n}",
                f"0{a}/{b} {c} {e}",
                f"0{a}.{b}.{c}.{e}",
            ]
        elif country == "UK":
            if r.random() < 0.6:
                n = self._nsn("44", lambda: "7" + r.choice("45789") + d(8))
                a, b = n[:4], n[4:]
                forms = [f"0{a} {b}", f"+44 {a} {b}", f"+44 (0){a} {b}", f"0{n}", f"+44{n}"]
                forms.append(f"0044 {a} {b[:3]} {b[3:]}")
            else:
                n = self._nsn("44", lambda: "20" + r.choice("378") + d(7))
                forms = [f"020 {n[2:6]} {n[6:]}", f"+44 20 {n[2:6]} {n[6:]}"]
                forms += [f"(020) {n[2:6]} {n[6:]}", f"+44 (0)20 {n[2:6]} {n[6:]}"]
        elif country == "US":
            areas = ["212", "415", "617", "312", "206", "512", "303", "404", "305", "718", "646"]

            def make_us() -> str:
                exch = r.choice("23456789") + d(2)
                return r.choice(areas) + ("556" if exch == "555" else exch) + d(4)

            n = self._nsn("1", make_us)
            a, b, c = n[:3], n[3:6], n[6:]
            forms = [
                f"({a}) {b}-{c}",
                f"{a}-{b}-{c}",
                f"{a}.{b}.{c}",
                f"+1 {a}-{b}-{c}",
                f"+1 ({a}) {b}-{c}",
                f"1-{a}-{b}-{c}",
                f"+1{n}",
                f"{a} {b} {c}",
            ]
        elif country == "DE":
            if r.random() < 0.5:
                n = self._nsn("49", lambda: r.choice(["151", "152", "160", "170", "176"]) + d(8))
                forms = [f"+49 {n[:3]} {n[3:]}", f"0{n[:3]} {n[3:]}", f"0{n[:3]}/{n[3:]}"]
                forms.append(f"0049 {n[:3]} {n[3:7]} {n[7:]}")
            else:
                n = self._nsn("49", lambda: r.choice(["30", "89", "40"]) + d(8))
                forms = [
                    f"+49 {n[:2]} {n[2:]}",
                    f"0{n[:2]} {n[2:]}",
                    f"(0{n[:2]}) {n[2:6]} {n[6:]}",
                ]
                forms.append(f"+49 (0){n[:2]} {n[2:]}")
        elif country == "IT":
            if r.random() < 0.6:
                n = self._nsn("39", lambda: "3" + r.choice("2345679") + d(8))
                forms = [
                    f"+39 {n[:3]} {n[3:6]} {n[6:]}",
                    f"{n[:3]} {n[3:]}",
                    f"{n[:3]}-{n[3:6]}-{n[6:]}",
                ]
                forms += [f"0039 {n[:3]} {n[3:]}", f"+39{n}"]
            else:
                n = self._nsn("39", lambda: "06" + d(8))
                forms = [f"+39 06 {n[2:6]} {n[6:]}", f"06 {n[2:]}", f"+39 06 {n[2:]}"]
        elif country == "BE":
            if r.random() < 0.6:
                n = self._nsn("32", lambda: "4" + r.choice("789") + d(7))
                a, b, c, e = n[:3], n[3:5], n[5:7], n[7:]
                forms = [f"+32 {a} {b} {c} {e}", f"0{a} {b} {c} {e}", f"0{a}/{b}.{c}.{e}"]
                forms += [f"0032 {a} {n[3:6]} {n[6:]}", f"+32{n}"]
            else:
                n = self._nsn("32", lambda: "2" + r.choice("2345") + d(6))
                forms = [f"+32 2 {n[1:4]} {n[4:6]} {n[6:]}", f"02 {n[1:4]} {n[4:6]} {n[6:]}"]
        else:
            raise ValueError(country)
        return r.choice(forms)

    # -- bank and cards
    def iban(self, country: str) -> str:
        r = self.r
        while True:
            if country == "FR":
                bank, branch, acct = self.digits(5), self.digits(5), self.digits(11)
                key = 97 - ((89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97)
                bban = f"{bank}{branch}{acct}{key:02d}"
            elif country == "CH":
                bban = r.choice(["00762", "00235", "00700", "08390", "00767"]) + self.digits(12)
            elif country == "DE":
                bban = self.digits(18, first_nonzero=True)
            elif country == "BE":
                head = self.digits(10)
                bban = head + f"{int(head) % 97 or 97:02d}"
            elif country == "IT":
                bban = r.choice(string.ascii_uppercase) + self.digits(22)
            elif country == "GB":
                bban = r.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + self.digits(14)
            elif country == "ES":
                bban = self.digits(20)
            elif country == "LU":
                bban = self.digits(16)
            else:
                raise ValueError(country)
            number = country + "00" + bban
            number = country + iban.calc_check_digits(number) + bban
            if iban.is_valid(number):
                break
        if r.random() < 0.55:
            return iban.format(number)
        return number

    def card(self, brand: str | None = None) -> str:
        r = self.r
        brand = brand or r.choice(["visa", "visa", "mc", "mc", "amex", "disc"])
        if brand == "amex":
            body = r.choice(["34", "37"]) + self.digits(12)
        elif brand == "mc":
            body = r.choice(["51", "52", "53", "54", "55", "2221", "2720"])
            body += self.digits(15 - len(body))
        elif brand == "disc":
            body = "6011" + self.digits(11)
        else:
            body = "4" + self.digits(14)
        number = body + luhn.calc_check_digit(body)
        sep = r.choice([" ", " ", "-", ""])
        if len(number) == 15:
            return sep.join([number[:4], number[4:10], number[10:]])
        return sep.join(number[i : i + 4] for i in range(0, 16, 4))

    # -- French identifiers
    def nir(self, corsica: bool = False) -> str:
        r = self.r
        dept = r.choice(["2A", "2B"]) if corsica else f"{r.randint(1, 95):02d}".replace("20", "75")
        if not corsica and r.random() < 0.06:
            dept = "97"
        body = f"{r.choice('12')}{self.digits(2)}{r.randint(1, 12):02d}{dept}"
        body += f"{r.randint(1, 990):03d}{r.randint(1, 999):03d}"
        number = body + fr_nir.calc_check_digits(body)
        assert fr_nir.is_valid(number)
        if r.random() < 0.6:
            return fr_nir.format(number)
        return number

    def siren_digits(self) -> str:
        while True:
            body = self.digits(8, first_nonzero=True)
            number = body + luhn.calc_check_digit(body)
            if fr_siren.is_valid(number):
                return number

    def siren(self) -> str:
        number = self.siren_digits()
        return fr_siren.format(number) if self.r.random() < 0.6 else number

    def siret(self) -> str:
        while True:
            head = self.siren_digits() + "000" + self.digits(1, first_nonzero=True)
            number = head + luhn.calc_check_digit(head)
            if fr_siret.is_valid(number):
                break
        return fr_siret.format(number) if self.r.random() < 0.6 else number

    def vat(self, country: str | None = None) -> str:
        r = self.r
        country = country or r.choice(["FR", "FR", "DE", "BE", "IT", "LU", "NL", "ES", "AT"])
        makers: dict[str, Callable[[], str]] = {
            "FR": lambda: "FR" + self.digits(2) + self.siren_digits(),
            "DE": lambda: "DE" + self.digits(9, first_nonzero=True),
            "BE": lambda: "BE0" + self.digits(9, first_nonzero=True),
            "IT": lambda: "IT" + self.digits(11),
            "LU": lambda: "LU" + self.digits(8),
            "NL": lambda: "NL" + self.digits(9) + "B0" + r.choice("123"),
            "ES": lambda: "ES" + r.choice("ABCDEFGHJ") + self.digits(8),
            "AT": lambda: "ATU" + self.digits(8),
        }
        while True:
            number = makers[country]()
            if eu_vat.is_valid(number):
                break
        if country == "FR" and r.random() < 0.35:
            return f"FR {number[2:4]} {number[4:7]} {number[7:10]} {number[10:]}"
        if country == "BE" and r.random() < 0.4:
            return f"BE {number[2:6]}.{number[6:9]}.{number[9:]}"
        return number

    # -- Swiss and US identifiers
    def ahv(self) -> str:
        body = "756" + self.digits(9)
        number = body + ean.calc_check_digit(body)
        assert ch_ssn.is_valid(number)
        x = self.r.random()
        if x < 0.75:
            return ch_ssn.format(number)
        if x < 0.88:
            return number
        return " ".join([number[:3], number[3:7], number[7:11], number[11:]])

    def uid(self) -> str:
        while True:
            body = self.digits(8, first_nonzero=True)
            check = ch_uid.calc_check_digit(body)
            if len(check) == 1:
                break
        number = "CHE" + body + check
        assert ch_uid.is_valid(number)
        return ch_uid.format(number) if self.r.random() < 0.8 else number

    def ssn(self) -> str:
        r = self.r
        area = r.choice([a for a in range(1, 900) if a != 666])
        g, s = r.randint(1, 99), r.randint(1, 9999)
        return r.choice(["{:03d}-{:02d}-{:04d}"] * 4 + ["{:03d} {:02d} {:04d}"]).format(area, g, s)

    def ip(self) -> str:
        fk = self.fakers["en_US"]
        x = self.r.random()
        if x < 0.6:
            return fk.ipv4_public()
        if x < 0.8:
            return fk.ipv4_private()
        return fk.ipv6() if self.r.random() < 0.6 else fk.ipv6().rsplit(":", 4)[0] + "::1"

    # -- secrets
    def secret(self, kind: str) -> str:
        r, c = self.r, self.chars
        b64 = string.ascii_letters + string.digits + "_-"
        if kind == "openai":
            if r.random() < 0.75:
                return "sk-proj-" + c(r.choice([48, 74, 132]), b64)
            return "sk-" + c(48)
        if kind == "anthropic":
            return "sk-ant-api03-" + c(93, b64) + "AA"
        if kind == "aws_id":
            return r.choice(["AKIA", "AKIA", "ASIA"]) + c(16, string.ascii_uppercase + "234567")
        if kind == "aws_secret":
            return c(40, string.ascii_letters + string.digits + "/+")
        if kind == "github":
            if r.random() < 0.75:
                return r.choice(["ghp_", "ghp_", "gho_", "ghs_"]) + c(36)
            return "github_pat_11" + c(20, string.ascii_uppercase + string.digits) + "_" + c(59)
        if kind == "gitlab":
            return "glpat-" + c(20, b64)
        if kind == "slack":
            return f"xox{r.choice('bpa')}-{self.digits(12)}-{self.digits(13)}-{c(24)}"
        if kind == "stripe":
            return r.choice(["sk_live_", "sk_live_", "rk_live_"]) + c(r.choice([24, 99]))
        if kind == "google":
            return "AIza" + c(35, b64)
        if kind == "hf":
            return "hf_" + c(34)
        if kind == "sendgrid":
            return "SG." + c(22, b64) + "." + c(43, b64)
        if kind == "jwt":
            return self.jwt()
        if kind == "pem":
            return self.pem()
        if kind == "password":
            return self.password()
        raise ValueError(kind)

    def jwt(self) -> str:
        def enc(obj: dict[str, object]) -> str:
            raw = json.dumps(obj, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        head = enc({"alg": self.pick(["HS256", "RS256"]), "typ": "JWT"})
        body = enc({"sub": self.digits(8), "iat": 1_700_000_000 + self.r.randint(0, 9_999_999)})
        sig = base64.urlsafe_b64encode(self.r.randbytes(32)).rstrip(b"=").decode()
        return f"{head}.{body}.{sig}"

    def pem(self) -> str:
        kind = self.pick(
            ["RSA PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PRIVATE KEY"]
        )
        size = {"RSA PRIVATE KEY": 600, "PRIVATE KEY": 630, "EC PRIVATE KEY": 120}.get(kind, 400)
        blob = base64.b64encode(self.r.randbytes(size)).decode()
        lines = [blob[i : i + 64] for i in range(0, len(blob), 64)]
        return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----"

    def password(self) -> str:
        r = self.r
        words = [
            "Soleil",
            "Winter",
            "Dragon",
            "Marmotte",
            "Paris",
            "Sunshine",
            "Matterhorn",
            "Chat",
        ]
        x = r.random()
        if x < 0.4:
            return r.choice(words) + str(r.randint(1, 2025)) + r.choice("!?#$*")
        if x < 0.7:
            return self.chars(r.randint(12, 24), string.ascii_letters + string.digits + "!#%&*+-")
        return r.choice(words).lower() + r.choice(["_", "-", "."]) + self.chars(6) + "!"


# ============================================================================ word lists

CITIES = {
    "en_US": ["Austin", "Denver", "Seattle", "Boston", "Chicago", "Portland", "San Diego"],
    "en_GB": ["Bristol", "Leeds", "Manchester", "Edinburgh", "Cardiff", "Brighton", "York"],
    "fr_FR": [
        "Lyon",
        "Nantes",
        "Bordeaux",
        "Lille",
        "Rennes",
        "Grenoble",
        "Montpellier",
        "Ajaccio",
    ],
    "fr_CH": ["Lausanne", "Genève", "Neuchâtel", "Fribourg", "Sion", "Montreux", "Yverdon"],
    "de_CH": ["Zürich", "Bern", "Basel", "Luzern", "Winterthur", "St. Gallen", "Zug"],
    "it_CH": ["Lugano", "Bellinzona", "Locarno", "Mendrisio", "Chiasso"],
}
REAL_POSTAL = {
    "en_US": [
        ("Austin", "TX", "78701"),
        ("Denver", "CO", "80202"),
        ("Seattle", "WA", "98101"),
        ("Boston", "MA", "02116"),
        ("Chicago", "IL", "60614"),
        ("Portland", "OR", "97205"),
    ],
    "en_GB": [
        ("London", "", "SW1A 2AA"),
        ("Manchester", "", "M1 4BT"),
        ("Bristol", "", "BS1 5TR"),
        ("Leeds", "", "LS1 4AP"),
        ("Edinburgh", "", "EH1 1YZ"),
        ("Cardiff", "", "CF10 1EP"),
    ],
    "fr_FR": [
        ("Paris", "", "75011"),
        ("Lyon", "", "69003"),
        ("Marseille", "", "13008"),
        ("Toulouse", "", "31000"),
        ("Nantes", "", "44000"),
        ("Bastia", "", "20200"),
        ("Strasbourg", "", "67000"),
        ("Lille", "", "59000"),
    ],
    "fr_CH": [
        ("Genève", "", "1204"),
        ("Lausanne", "", "1003"),
        ("Fribourg", "", "1700"),
        ("Neuchâtel", "", "2000"),
        ("Sion", "", "1950"),
        ("Carouge", "", "1227"),
    ],
    "de_CH": [
        ("Zürich", "", "8004"),
        ("Bern", "", "3011"),
        ("Basel", "", "4051"),
        ("Luzern", "", "6003"),
        ("Winterthur", "", "8400"),
    ],
    "it_CH": [
        ("Lugano", "", "6900"),
        ("Bellinzona", "", "6500"),
        ("Locarno", "", "6600"),
        ("Mendrisio", "", "6850"),
        ("Chiasso", "", "6830"),
    ],
}
STREETS = {
    "en_US": ["Maple Avenue", "Oak Street", "Pine Road", "Elm Drive", "Lakeview Blvd"],
    "en_GB": ["High Street", "Church Lane", "Victoria Road", "Station Road", "Mill Lane"],
    "fr_FR": [
        "rue de la République",
        "avenue Jean Jaurès",
        "boulevard Voltaire",
        "rue des Lilas",
        "impasse des Tilleuls",
        "chemin du Moulin",
        "place de la Mairie",
    ],
    "fr_CH": [
        "rue du Rhône",
        "avenue de la Gare",
        "chemin des Vignes",
        "route de Chêne",
        "rue de Lausanne",
    ],
    "de_CH": ["Bahnhofstrasse", "Seestrasse", "Dorfstrasse", "Hauptstrasse", "Langstrasse"],
    "it_CH": ["Via Nassa", "Via Cantonale", "Via San Gottardo", "Via Ciseri", "Corso Elvezia"],
}
COMPANIES = [
    "Acme Corp",
    "Nestlé",
    "Capgemini",
    "Swisscom",
    "Airbus",
    "Decathlon",
    "Logitech",
    "Orange Business",
    "OVHcloud",
    "Migros",
    "Globex Industries",
    "Initech",
    "Datadog",
    "Sopra Steria",
    "La Poste",
    "BNP Paribas",
    "Raiffeisen",
    "Zalando",
    "Atos",
    "Mistral AI",
]
PLACES = [
    "Geneva",
    "Lyon",
    "Paris",
    "Zurich",
    "Marseille",
    "Lausanne",
    "London",
    "Brussels",
    "Montreal",
    "Bordeaux",
    "Lugano",
    "Basel",
    "Nice",
    "Toulouse",
    "Berlin",
    "Milan",
]
FR_DOMAINS = [
    "gmail.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "yahoo.fr",
    "outlook.fr",
    "sfr.fr",
    "wanadoo.fr",
    "proton.me",
]
CH_DOMAINS = ["bluewin.ch", "gmx.ch", "sunrise.ch", "gmail.com", "hispeed.ch", "protonmail.ch"]
EN_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.co.uk", "icloud.com", "aol.com"]
CORP_DOMAINS = [
    "acme-corp.com",
    "globex.io",
    "initech.fr",
    "dupont-associes.fr",
    "helvetia-it.ch",
    "cabinet-martin.fr",
    "northwind.co.uk",
    "contoso.com",
    "example-bank.ch",
]

HEALTH = {
    "en": {
        "cond": [
            "type 2 diabetes",
            "depression",
            "bipolar disorder",
            "HIV",
            "epilepsy",
            "breast cancer",
            "multiple sclerosis",
            "Crohn's disease",
            "asthma",
            "generalized anxiety disorder",
            "hypertension",
            "ADHD",
            "schizophrenia",
            "Parkinson's disease",
            "lupus",
            "hepatitis C",
            "anorexia",
            "PTSD",
            "heart failure",
            "long COVID",
            "endometriosis",
            "celiac disease",
        ],
        "treat": [
            "chemotherapy",
            "dialysis",
            "radiotherapy",
            "physiotherapy",
            "IVF",
            "cognitive behavioural therapy",
            "insulin therapy",
            "immunotherapy",
            "hormone therapy",
            "antiretroviral therapy",
        ],
        "proc": [
            "hip replacement",
            "kidney transplant",
            "mastectomy",
            "gastric bypass",
            "knee surgery",
            "alcohol rehab",
            "heart bypass surgery",
        ],
        "med": [
            "metformin",
            "sertraline",
            "lithium",
            "insulin",
            "methotrexate",
            "Ozempic",
            "fluoxetine",
            "Adderall",
            "levothyroxine",
            "Xanax",
            "Truvada",
            "warfarin",
            "prednisone",
            "Ritalin",
        ],
    },
    "fr": {
        "cond": [
            "diabète de type 2",
            "dépression",
            "trouble bipolaire",
            "VIH",
            "épilepsie",
            "cancer du sein",
            "sclérose en plaques",
            "maladie de Crohn",
            "asthme",
            "hypertension artérielle",
            "burn-out",
            "schizophrénie",
            "maladie de Parkinson",
            "hépatite C",
            "anorexie",
            "endométriose",
            "insuffisance rénale",
            "TDAH",
            "infarctus",
            "covid long",
            "trouble anxieux généralisé",
            "cancer de la prostate",
        ],
        "treat": [
            "chimiothérapie",
            "dialyse",
            "radiothérapie",
            "immunothérapie",
            "insulinothérapie",
            "trithérapie",
            "hormonothérapie",
            "psychothérapie",
        ],
        "proc": [
            "prothèse de hanche",
            "greffe de rein",
            "mastectomie",
            "sleeve gastrique",
            "ablation de la thyroïde",
            "cure de désintoxication",
            "pontage coronarien",
        ],
        "med": [
            "metformine",
            "sertraline",
            "lithium",
            "insuline",
            "méthotrexate",
            "Lévothyrox",
            "Doliprane 1000",
            "fluoxétine",
            "Xanax",
            "Ozempic",
            "Ritaline",
            "Deroxat",
            "Kardegic",
            "Seresta",
        ],
    },
    "de": {
        "cond": [
            "Diabetes Typ 2",
            "Depression",
            "Multiple Sklerose",
            "Epilepsie",
            "Brustkrebs",
            "Burnout",
            "Morbus Crohn",
            "HIV",
        ],
        "treat": ["Chemotherapie", "Dialyse", "Physiotherapie", "Psychotherapie"],
        "proc": ["Hüftprothese", "Nierentransplantation", "Bypass-Operation"],
        "med": ["Metformin", "Sertralin", "Ritalin", "Insulin", "Lithium"],
    },
    "it": {
        "cond": [
            "diabete di tipo 2",
            "depressione",
            "sclerosi multipla",
            "epilessia",
            "tumore al seno",
            "morbo di Crohn",
            "HIV",
        ],
        "treat": ["chemioterapia", "dialisi", "fisioterapia", "psicoterapia"],
        "proc": ["protesi d'anca", "trapianto di rene", "bypass coronarico"],
        "med": ["metformina", "sertralina", "insulina", "litio"],
    },
}
JOBS = {
    "en": ["data engineer", "nurse", "project manager", "sales director", "teacher", "accountant"],
    "fr": ["développeuse", "infirmier", "chef de projet", "comptable", "juriste", "technicien"],
}
SECRET_KINDS = [
    "openai",
    "anthropic",
    "aws_id",
    "aws_secret",
    "github",
    "gitlab",
    "slack",
    "stripe",
    "google",
    "hf",
    "sendgrid",
    "jwt",
    "pem",
    "password",
]


# ============================================================================ per-example context


def ascii_fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and (c.isalnum() or c in "-")).lower()


class Ctx:
    """Values drawn for one example: the same slot name yields the same value throughout."""

    def __init__(self, v: Values, locale: str, lang: str) -> None:
        self.v, self.r, self.locale, self.lang = v, v.r, locale, lang
        self.fk = v.fakers[locale]
        self.people: dict[str, tuple[str, str, str]] = {}

    @property
    def health_lang(self) -> str:
        return self.lang if self.lang in HEALTH else "en"

    def who(self, idx: str) -> tuple[str, str, str]:
        """(first, last, gender) of person number `idx` ('' is the first one)."""
        if idx not in self.people:
            gender = self.r.choice("mf")
            first = self.fk.first_name_male() if gender == "m" else self.fk.first_name_female()
            self.people[idx] = (first, self.fk.last_name(), gender)
        return self.people[idx]

    def person(self, idx: str) -> str:
        first, last, _ = self.who(idx)
        x = self.r.random()
        if self.lang in ("fr", "de") and x < 0.1:
            return f"{last.upper()} {first}"
        if self.lang == "en" and x < 0.1:
            return f"{first} {self.r.choice(string.ascii_uppercase)}. {last}"
        return f"{first} {last}"

    def title(self, idx: str) -> str:
        gender = self.who(idx)[2]
        options = {
            "en": (["Mr", "Mr.", "Dr"], ["Ms", "Mrs", "Ms.", "Dr"]),
            "fr": (["M.", "Monsieur", "Dr", "Me"], ["Mme", "Madame", "Dr", "Mme"]),
            "de": (["Herr", "Herr Dr."], ["Frau", "Frau Dr."]),
            "it": (["Sig.", "dott."], ["Sig.ra", "dott.ssa"]),
        }[self.lang if self.lang in ("en", "fr", "de", "it") else "en"]
        return self.r.choice(options[0] if gender == "m" else options[1])

    def email(self, idx: str) -> str:
        first, last, _ = self.who(idx)
        f, la = ascii_fold(first), ascii_fold(last)
        user = self.r.choice(
            [
                f"{f}.{la}",
                f"{f}.{la}",
                f"{f[0]}.{la}",
                f"{f}{la}",
                f"{f}_{la}",
                f"{la}.{f}",
                f"{f}{self.r.randint(1, 99)}",
                f"{f[0]}{la}{self.r.randint(70, 99)}",
            ]
        )
        if self.locale.endswith("CH"):
            domains = CH_DOMAINS
        elif self.locale.startswith("fr"):
            domains = FR_DOMAINS
        else:
            domains = EN_DOMAINS
        if self.r.random() < 0.35:
            domains = CORP_DOMAINS
        out = f"{user}@{self.r.choice(domains)}"
        if self.r.random() < 0.05:
            out = out[0].upper() + out[1:]
        return out

    def country(self) -> str:
        return {"en_US": "US", "en_GB": "UK", "fr_FR": "FR"}.get(self.locale, "CH")

    def address(self, one_line: bool) -> str:
        r, loc = self.r, self.locale
        if loc != "it_CH" and r.random() < 0.5:
            text = self.fk.address()
        else:
            city, state, zip_code = r.choice(REAL_POSTAL[loc])
            street, num = r.choice(STREETS[loc]), str(r.randint(1, 180))
            if loc == "en_US":
                apt = r.choice(["", "", f", Apt {r.randint(1, 40)}"])
                text = f"{num} {street}{apt}\n{city}, {state} {zip_code}"
            elif loc == "en_GB":
                text = f"{num} {street}\n{city}\n{zip_code}"
            elif loc == "fr_FR":
                bis = r.choice(["", "", " bis"])
                text = f"{num}{bis}{r.choice([',', ''])} {street}\n{zip_code} {city}"
            else:
                prefix = r.choice(["", "", "CH-"])
                text = f"{street} {num}\n{prefix}{zip_code} {city}"
        if one_line or r.random() < 0.4:
            text = text.replace("\n", ", ")
        return text

    def street(self) -> str:
        num, street = str(self.r.randint(1, 120)), self.r.choice(STREETS[self.locale])
        if self.locale in ("en_US", "en_GB"):
            return f"{num} {street}"
        if self.locale == "fr_FR":
            return f"{num} {street}"
        return f"{street} {num}"


# ============================================================================ slots


def _secret(kind: str) -> Callable[[Ctx, str], str]:
    return lambda c, i: c.v.secret(kind)


def _phone(country: str) -> Callable[[Ctx, str], str]:
    return lambda c, i: c.v.phone(country)


def _iban(country: str) -> Callable[[Ctx, str], str]:
    return lambda c, i: c.v.iban(country)


def _health(kind: str) -> Callable[[Ctx, str], str]:
    return lambda c, i: c.r.choice(HEALTH[c.health_lang][kind])


def _date(c: Ctx, i: str) -> str:
    d = c.fk.date_between(start_date="-2y", end_date="+1y")
    if c.lang == "en":
        return c.r.choice([d.strftime("%B %d"), d.strftime("%d/%m/%Y"), d.isoformat()])
    months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    return c.r.choice(
        [f"{d.day} {months[d.month - 1]}", d.strftime("%d/%m/%Y"), d.strftime("%d.%m.%Y")]
    )


def _dob(c: Ctx, i: str) -> str:
    d = c.fk.date_of_birth(minimum_age=18, maximum_age=85)
    return d.strftime("%d/%m/%Y") if c.lang != "en" else d.strftime("%m/%d/%Y")


def _iban_local(c: Ctx, i: str) -> str:
    country = {"en_US": "GB", "en_GB": "GB", "fr_FR": "FR"}.get(c.locale, "CH")
    return c.v.iban(country)


def _amount(c: Ctx, i: str) -> str:
    n = c.r.randint(12, 9800)
    if c.lang == "en":
        return c.r.choice([f"${n:,}.00", f"£{n}", f"{n} EUR"])
    return c.r.choice([f"{n} €", f"{n},00 €", f"CHF {n}.-", f"{n} CHF"])


def _ip_any(c: Ctx, i: str) -> str:
    return c.v.ip()


# slot name -> (label or None for filler, generator(ctx, instance index))
SLOTS: dict[str, tuple[str | None, Callable[[Ctx, str], str]]] = {
    "person": ("PERSON", lambda c, i: c.person(i)),
    "first": ("PERSON", lambda c, i: c.who(i)[0]),
    "last": ("PERSON", lambda c, i: c.who(i)[1]),
    # A full name is one span, in either order.
    "fullname": ("PERSON", lambda c, i: f"{c.who(i)[0]} {c.who(i)[1]}"),
    "lastfirst": ("PERSON", lambda c, i: f"{c.who(i)[1]} {c.who(i)[0]}"),
    "email": ("EMAIL_ADDRESS", lambda c, i: c.email(i)),
    "phone": ("PHONE_NUMBER", lambda c, i: c.v.phone(c.country())),
    "phone_fr": ("PHONE_NUMBER", _phone("FR")),
    "phone_ch": ("PHONE_NUMBER", _phone("CH")),
    "phone_uk": ("PHONE_NUMBER", _phone("UK")),
    "phone_us": ("PHONE_NUMBER", _phone("US")),
    "phone_de": ("PHONE_NUMBER", _phone("DE")),
    "phone_it": ("PHONE_NUMBER", _phone("IT")),
    "phone_be": ("PHONE_NUMBER", _phone("BE")),
    "phone_any": (
        "PHONE_NUMBER",
        lambda c, i: c.v.phone(c.r.choice(["FR", "CH", "UK", "US", "DE", "IT", "BE"])),
    ),
    "iban": ("IBAN_CODE", _iban_local),
    "iban_fr": ("IBAN_CODE", _iban("FR")),
    "iban_ch": ("IBAN_CODE", _iban("CH")),
    "iban_de": ("IBAN_CODE", _iban("DE")),
    "iban_gb": ("IBAN_CODE", _iban("GB")),
    "iban_be": ("IBAN_CODE", _iban("BE")),
    "iban_it": ("IBAN_CODE", _iban("IT")),
    "iban_any": (
        "IBAN_CODE",
        lambda c, i: c.v.iban(c.r.choice(["FR", "CH", "DE", "GB", "BE", "IT", "ES", "LU"])),
    ),
    "card": ("CREDIT_CARD", lambda c, i: c.v.card()),
    "card_amex": ("CREDIT_CARD", lambda c, i: c.v.card("amex")),
    "nir": ("FR_NIR", lambda c, i: c.v.nir()),
    "nir_corse": ("FR_NIR", lambda c, i: c.v.nir(corsica=True)),
    "siren": ("FR_SIREN", lambda c, i: c.v.siren()),
    "siret": ("FR_SIRET", lambda c, i: c.v.siret()),
    "vat": ("EU_VAT", lambda c, i: c.v.vat()),
    "vat_fr": ("EU_VAT", lambda c, i: c.v.vat("FR")),
    "vat_de": ("EU_VAT", lambda c, i: c.v.vat("DE")),
    "vat_be": ("EU_VAT", lambda c, i: c.v.vat("BE")),
    "vat_it": ("EU_VAT", lambda c, i: c.v.vat("IT")),
    "ahv": ("CH_AHV", lambda c, i: c.v.ahv()),
    "uid": ("CH_UID", lambda c, i: c.v.uid()),
    "ssn": ("US_SSN", lambda c, i: c.v.ssn()),
    "ip": ("IP_ADDRESS", _ip_any),
    "ip_pub": ("IP_ADDRESS", lambda c, i: c.fk.ipv4_public()),
    "sk_openai": ("SECRET", _secret("openai")),
    "sk_ant": ("SECRET", _secret("anthropic")),
    "aws_id": ("SECRET", _secret("aws_id")),
    "aws_secret": ("SECRET", _secret("aws_secret")),
    "gh_token": ("SECRET", _secret("github")),
    "gl_token": ("SECRET", _secret("gitlab")),
    "slack_token": ("SECRET", _secret("slack")),
    "stripe_key": ("SECRET", _secret("stripe")),
    "google_key": ("SECRET", _secret("google")),
    "hf_token": ("SECRET", _secret("hf")),
    "sendgrid_key": ("SECRET", _secret("sendgrid")),
    "jwt": ("SECRET", _secret("jwt")),
    "pem": ("SECRET", _secret("pem")),
    "pwd": ("SECRET", _secret("password")),
    "api_key": ("SECRET", lambda c, i: c.v.secret(c.r.choice(SECRET_KINDS[:11]))),
    "address": ("LOCATION", lambda c, i: c.address(one_line=False)),
    "addr_line": ("LOCATION", lambda c, i: c.address(one_line=True)),
    "street": ("LOCATION", lambda c, i: c.street()),
    "home": ("LOCATION", lambda c, i: c.r.choice(CITIES[c.locale])),
    "cond": ("HEALTH", _health("cond")),
    "treat": ("HEALTH", _health("treat")),
    "med": ("HEALTH", _health("med")),
    "proc": ("HEALTH", _health("proc")),
    "treat_fr": ("HEALTH", lambda c, i: c.r.choice(HEALTH["fr"]["treat"])),
    # fillers: no label
    "title": (None, lambda c, i: c.title(i)),
    "company": (None, lambda c, i: c.r.choice(COMPANIES)),
    "city": (None, lambda c, i: c.r.choice(CITIES[c.locale])),
    "date": (None, _date),
    "dob": (None, _dob),
    "amount": (None, _amount),
    "n": (None, lambda c, i: str(c.r.randint(2, 48))),
    "year": (None, lambda c, i: str(c.r.randint(2008, 2015) if i else c.r.randint(2016, 2023))),
    "ticket": (None, lambda c, i: c.v.digits(5, first_nonzero=True)),
    "bic": (
        None,
        lambda c, i: c.r.choice(
            ["BNPAFRPPXXX", "UBSWCHZH80A", "DEUTDEFFXXX", "POFICHBEXXX", "CEPAFRPP751", "BARCGB22"]
        ),
    ),
    "exp": (None, lambda c, i: f"{c.r.randint(1, 12):02d}/{c.r.randint(25, 31)}"),
    "cvv": (None, lambda c, i: c.v.digits(3)),
    "job": (None, lambda c, i: c.r.choice(JOBS["fr" if c.lang == "fr" else "en"])),
    "host": (
        None,
        lambda c, i: c.r.choice(
            [
                "db.internal",
                "10-0-3-7.svc.cluster.local",
                "prod-db-01",
                "localhost",
                "cluster0.mongodb.net",
            ]
        ),
    ),
    "user": (
        None,
        lambda c, i: c.r.choice(["admin", "app", "root", "deploy", "svc_backend", "postgres"]),
    ),
    "hh": (
        None,
        lambda c, i: f"{c.r.randint(0, 23):02d}:{c.r.randint(0, 59):02d}:{c.r.randint(0, 59):02d}",
    ),
}


# -- look-alike fillers for clean prompts (never labelled)


def _bad(valid: str, check: Callable[[str], bool], r: random.Random) -> str:
    """`valid` with one digit changed so that its checksum fails."""
    while True:
        idx = r.choice([i for i, ch in enumerate(valid) if ch.isdigit()])
        wrong = valid[:idx] + r.choice(string.digits.replace(valid[idx], "")) + valid[idx + 1 :]
        if not check(wrong):
            return wrong


def _isbn(c: Ctx, i: str) -> str:
    body = "978" + c.r.choice(["2", "0", "3", "88"]) + c.v.digits(12 - 3 - 1)
    body = body[:12]
    full = body + ean.calc_check_digit(body)
    if c.r.random() < 0.5:
        return full
    return f"{full[:3]}-{full[3]}-{full[4:7]}-{full[7:12]}-{full[12]}"


def _version(c: Ctx, i: str) -> str:
    r = c.r
    core = f"{r.randint(0, 24)}.{r.randint(0, 40)}.{r.randint(0, 30)}"
    return r.choice([f"v{core}", core, f"{core}-rc.{r.randint(1, 5)}", f"v{core}-beta"])


def _price(c: Ctx, i: str) -> str:
    r = c.r
    n, cents = r.randint(3, 4999), r.choice(["00", "99", "90", "50"])
    whole = f"{n:,}".replace(",", " ")
    return r.choice(
        [f"{whole},{cents} €", f"${n:,}.{cents}", f"€{n}.{cents}", f"CHF {n}.–", f"£{n:,}.{cents}"]
    )


def _order(c: Ctx, i: str) -> str:
    r, d = c.r, c.v.digits
    return r.choice(
        [
            d(10, True),
            f"#{d(7, True)}",
            f"CMD-{r.randint(2019, 2025)}-{d(7)}",
            f"A{d(2)}-{d(4)}-{d(3)}",
            f"{d(3, True)}-{d(7)}-{d(7)}",
        ]
    )


def _tracking(c: Ctx, i: str) -> str:
    r, d = c.r, c.v.digits
    ups = "1Z" + c.v.chars(6, string.ascii_uppercase + string.digits) + "0" + r.choice("123") + d(8)
    return r.choice([ups, "6A" + d(11), "8R" + d(11), "LX" + d(9) + "CH", d(12)])


CLEAN_SLOTS: dict[str, Callable[[Ctx, str], str]] = {
    "ver": _version,
    "sha": lambda c, i: c.v.chars(c.r.choice([7, 40]), "0123456789abcdef"),
    "mdhash": lambda c, i: c.v.chars(32, "0123456789abcdef"),
    "uuid": lambda c, i: str(uuid.UUID(int=c.r.getrandbits(128), version=4)),
    "order": _order,
    "tracking": _tracking,
    "price": _price,
    "isbn": _isbn,
    "hex": lambda c, i: "#" + c.v.chars(6, "0123456789abcdef"),
    "blob": lambda c, i: base64.b64encode(c.r.randbytes(c.r.choice([18, 27, 45]))).decode(),
    "bad_iban": lambda c, i: _bad(
        c.v.iban(c.r.choice(["FR", "CH", "DE", "GB"])), iban.is_valid, c.r
    ),
    "bad_card": lambda c, i: _bad(c.v.card(), lambda s: luhn.is_valid(re.sub(r"\D", "", s)), c.r),
    "bad_nir": lambda c, i: _bad(c.v.nir(), fr_nir.is_valid, c.r),
    "bad_ahv": lambda c, i: _bad(c.v.ahv(), ch_ssn.is_valid, c.r),
    "place": lambda c, i: c.r.choice(PLACES),
    "product": lambda c, i: c.r.choice(
        [
            "iPhone 15 Pro",
            "ThinkPad X1 Carbon",
            "Pixel 8",
            "Kindle Paperwhite",
            "MacBook Air M2",
            "Galaxy S24",
            "PlayStation 5",
            "Dyson V15",
            "Raspberry Pi 5",
            "Surface Pro 9",
        ]
    ),
    "pod": lambda c, i: (
        f"api-{c.v.chars(9, 'bcdf0123456789')}-{c.v.chars(5, 'bcdfghjklmnpqrstvwxz2456789')}"
    ),
    "invoice": lambda c, i: (
        c.r.choice(["FAC", "INV", "F"]) + f"-{c.r.randint(2020, 2025)}-{c.v.digits(5)}"
    ),
    "flight": lambda c, i: (
        c.r.choice(["LX", "AF", "EZS", "BA", "LH", "U2"])
        + c.r.choice(["", " "])
        + c.v.digits(4, True)
    ),
    "errcode": lambda c, i: c.r.choice(
        [
            "0x80070005",
            "0xC000021A",
            "ERR_CONNECTION_RESET",
            "E1102",
            "ORA-00942",
            "EADDRINUSE",
            "SQLSTATE 23505",
        ]
    ),
    "port": lambda c, i: c.r.choice(["8080", "5432", "3306", "6379", "443", "27017", "9200"]),
    "sku": lambda c, i: f"SKU-{c.v.digits(4)}-{c.r.choice(['BLK', 'WHT', 'RED', 'XL'])}",
    "ts": lambda c, i: (
        f"2024-{c.r.randint(1, 12):02d}-{c.r.randint(1, 28):02d}T{c.r.randint(0, 23):02d}:{c.r.randint(0, 59):02d}:{c.r.randint(0, 59):02d}Z"
    ),
    "zoom": lambda c, i: f"{c.v.digits(3, True)} {c.v.digits(4)} {c.v.digits(4)}",
    "pct": lambda c, i: f"{c.r.randint(1, 99)}.{c.r.randint(0, 9)}%",
    "big": lambda c, i: c.r.choice(
        [f"{c.r.randint(1000, 9_999_999):,}", f"{c.r.randint(1000, 999_999):,}".replace(",", " ")]
    ),
    "docker": lambda c, i: c.r.choice(
        [
            "python:3.12-slim",
            "node:20-alpine",
            "postgres:16.2",
            "nginx:1.25.4",
            "redis:7.2-bookworm",
        ]
    ),
    "course": lambda c, i: c.r.choice(["CS229", "INF-2201", "MATH 141", "ECON101", "BIO-310"]),
    "room": lambda c, i: c.r.choice(["B204", "A-12", "3.14", "C108", "Sala 2"]),
    "coupon": lambda c, i: c.v.chars(10, string.ascii_uppercase + string.digits),
}
for _name, _fn in CLEAN_SLOTS.items():
    SLOTS[_name] = (None, _fn)


# ============================================================================ obfuscation


def fullwidth(text: str, letters: bool = False) -> str:
    def conv(ch: str) -> str:
        if ch.isascii() and (ch.isdigit() or ch == "@" or (letters and ch.isalpha())):
            return chr(ord(ch) + 0xFEE0)
        return ch

    return "".join(conv(ch) for ch in text)


def insert_marks(text: str, mark: str, r: random.Random) -> str:
    slots = [i for i in range(1, len(text)) if text[i - 1].isalnum() and text[i].isalnum()]
    chosen = set(r.sample(slots, min(len(slots), r.randint(1, 3))))
    return "".join((mark if i in chosen else "") + ch for i, ch in enumerate(text))


def regroup(text: str, r: random.Random) -> str:
    chars = [ch for ch in text if ch.isalnum()]
    sep = r.choice([" ", ".", "-", " - ", "\n", "  ", " / "])
    groups, i = [], 0
    while i < len(chars):
        size = r.randint(2, 4)
        groups.append("".join(chars[i : i + size]))
        i += size
    return sep.join(groups)


def obfuscate_email(text: str, r: random.Random) -> str:
    local, domain = text.split("@", 1)
    style = r.randint(0, 6)
    if style <= 4:
        at, dot = [
            ("[at]", "[dot]"),
            ("(at)", "(dot)"),
            ("at", "dot"),
            ("AT", "DOT"),
            ("{at}", "{dot}"),
        ][style]
        return f"{local} {at} " + f" {dot} ".join(domain.split("."))
    if style == 5:
        return insert_marks(local, ZWSP, r) + "@" + domain
    return local + "＠" + domain


def obfuscate(label: str, value: str, r: random.Random) -> str:
    """An evasive spelling of `value` (a different string than `value`)."""
    if label == "EMAIL_ADDRESS":
        return obfuscate_email(value, r)
    if label == "IP_ADDRESS":
        if "." in value and r.random() < 0.6:
            return value.replace(".", r.choice(["[.]", "(.)", " . "]))
        return fullwidth(value) if r.random() < 0.5 else insert_marks(value, ZWSP, r)
    if label in ("SECRET", "LOCATION"):
        return insert_marks(value, r.choice([ZWSP, ZWSP, SHY]), r)
    if label in ("PERSON", "HEALTH"):
        x = r.random()
        if x < 0.4:
            return insert_marks(value, ZWSP, r)
        if x < 0.7:
            return insert_marks(value, SHY, r)
        return fullwidth(value, letters=True)
    # numeric identifiers
    x = r.random()
    if x < 0.25:
        return fullwidth(value)
    if x < 0.45:
        return insert_marks(value, ZWSP, r)
    if x < 0.55:
        return insert_marks(value, SHY, r)
    if x < 0.9:
        return regroup(value, r)
    return " ".join(ch for ch in value if ch.isalnum())


# ============================================================================ rendering

SLOT_RE = re.compile(r"⟦(?:([a-z_]+)(\d?)(~?)|([A-Z_]+)=([^⟧]+))⟧")
LANG_LOCALES = {
    "en": ("en_US", "en_GB"),
    "fr": ("fr_FR", "fr_FR", "fr_CH"),
    "de": ("de_CH",),
    "it": ("it_CH",),
    "mixed-en": ("en_GB", "fr_FR", "fr_CH"),
    "mixed-fr": ("fr_FR", "fr_CH"),
}
OBFUSCATE_RATE = 0.14
LOWER_LABELS = {"PERSON", "LOCATION", "HEALTH", "EMAIL_ADDRESS"}


@dataclass(frozen=True)
class Template:
    lang: str  # en, fr, de, it, mixed-en, mixed-fr (mixed: main language after the dash)
    text: str
    doc: bool = False
    repeat: int = 4
    locales: tuple[str, ...] = ()


@dataclass
class Seg:
    text: str
    label: str | None = None
    key: str = ""
    obfuscated: bool = False


@dataclass
class Built:
    text: str
    spans: list[dict[str, object]]
    language: str
    tags: list[str] = field(default_factory=list)


def render(tpl: Template, v: Values) -> Built:
    r = v.r
    lang = tpl.lang.split("-")[-1]
    locale = r.choice(tpl.locales or LANG_LOCALES[tpl.lang])
    ctx = Ctx(v, locale, lang)
    segs: list[Seg] = []
    values: dict[str, str] = {}
    forced: set[str] = set()
    pos = 0
    for m in SLOT_RE.finditer(tpl.text):
        segs.append(Seg(tpl.text[pos : m.start()]))
        pos = m.end()
        base, idx, tilde, literal_label, literal = m.groups()
        if literal_label:  # ⟦LABEL=fixed text⟧
            key, label = f"{literal_label}={literal}", literal_label
            values[key] = literal
            segs.append(Seg(literal, label, key))
            continue
        key = base + idx
        label, make = SLOTS[base]
        if key not in values:
            values[key] = make(ctx, idx)
        if tilde:
            forced.add(key)
        segs.append(Seg(values[key], label, key))
    segs.append(Seg(tpl.text[pos:]))

    if lang in ("fr", "it"):
        elide(segs)
    labelled = sorted({s.key for s in segs if s.label})
    to_hide = set(forced)
    if labelled and not to_hide and r.random() < OBFUSCATE_RATE:
        to_hide.add(r.choice(labelled))
    hidden: dict[str, str] = {}
    for s in segs:
        if s.key in to_hide and s.label:
            if s.key not in hidden:
                hidden[s.key] = obfuscate(s.label, s.text, r)
            s.text, s.obfuscated = hidden[s.key], True

    if not tpl.doc and lang in ("en", "fr"):
        style(segs, lang, r)

    text, spans, tags = "", [], [f"lang:{tpl.lang.split('-')[0]}", f"locale:{locale}"]
    for s in segs:
        if s.label:
            value = s.text
            assert value and value == value.strip(), (tpl.text, value)
            spans.append({"start": len(text), "end": len(text) + len(value), "label": s.label})
        text += s.text
    for s, span in zip([s for s in segs if s.label], spans, strict=True):
        assert text[span["start"] : span["end"]] == s.text  # type: ignore[misc]
        if not s.obfuscated:
            assert s.text == values[s.key] or s.text == values[s.key].lower()
    if tpl.doc:
        tags.append("document")
    if to_hide:
        tags.append("obfuscated")
    return Built(text, spans, lang, tags)


ELISIONS = (
    (" de la ", " de l'"),
    (" de ", " d'"),
    (" le ", " l'"),
    (" la ", " l'"),
    (" que ", " qu'"),
    (" di ", " d'"),
)


def elide(segs: list[Seg]) -> None:
    """French/Italian elision before a vowel: "atteint de épilepsie" -> "atteint d'épilepsie"."""
    for before, after in itertools.pairwise(segs):
        if before.label or not after.label or after.text[:1].lower() not in "aeiouyéèêh":
            continue
        for long, short in ELISIONS:
            if before.text.endswith(long):
                before.text = before.text[: -len(long)] + short
                break


def style(segs: list[Seg], lang: str, r: random.Random) -> None:
    """Casual variations: all lowercase, no final punctuation, a greeting in front."""
    x = r.random()
    if x < 0.07:
        for s in segs:
            if (not s.label or s.label in LOWER_LABELS) and len(s.text.lower()) == len(s.text):
                s.text = s.text.lower()
    elif x < 0.17 and not segs[-1].label:
        segs[-1].text = segs[-1].text.rstrip(" .?!")
        if not segs[-1].text and len(segs) > 1 and segs[-2].label:
            segs[-1].text = ""
    if r.random() < 0.08 and not segs[0].label:
        greeting = r.choice(
            ["hi, ", "hey ", "Hello! ", "Quick question: "]
            if lang == "en"
            else ["Bonjour, ", "salut ", "Coucou, ", "Question : "]
        )
        head = segs[0].text
        if head[:1].isupper() and head[1:2].islower():
            head = head[0].lower() + head[1:]
        segs[0].text = greeting + head


# ============================================================================ templates


def group(
    lang: str,
    texts: list[str],
    *,
    doc: bool = False,
    repeat: int = 4,
    locales: tuple[str, ...] = (),
) -> list[Template]:
    return [Template(lang, t, doc, repeat, locales) for t in texts]


EN_SHORT = [
    # EMAIL_ADDRESS
    "Can you write a polite follow-up to ⟦email⟧? They haven't replied since ⟦date⟧.",
    "my email is ⟦email⟧ - please use it for the invoice",
    "Draft a reply to ⟦person⟧ (⟦email⟧) confirming the meeting on ⟦date⟧.",
    "Add ⟦email⟧ and ⟦email2⟧ to the CC list and rewrite this: 'we are delayed again'.",
    "Why does my regex reject ⟦email⟧? pattern is ^[a-z]+@[a-z]+\\.[a-z]{2,}$",
    "Please send the signed contract back to ⟦email⟧ by Friday.",
    "Is ⟦email⟧ a valid address? Mails to it keep bouncing.",
    "I keep getting spam at ⟦email⟧, how do I set up a filter in Outlook?",
    "Write a mailto link for ⟦email⟧ with the subject 'Quote request'",
    "CONTACT: ⟦email⟧",
    # PHONE_NUMBER
    "Call me back on ⟦phone⟧ after 6pm.",
    "My number is ⟦phone⟧, text me when the parcel arrives",
    "Can you format these in E.164: ⟦phone_fr⟧, ⟦phone_ch⟧, ⟦phone_us⟧",
    "The landlord's phone is ⟦phone_uk⟧ — draft a complaint about the broken heating.",
    "Reach ⟦first⟧ from support at ⟦phone_us⟧ ext. 204",
    "Why does libphonenumber reject ⟦phone_de⟧?",
    "tel: ⟦phone_it⟧ / mobile: ⟦phone_be⟧",
    "Please update my contact number to ⟦phone⟧ in the CRM.",
    "Mobile ⟦phone_any⟧ - WhatsApp preferred.",
    "Write a voicemail greeting that says to call ⟦phone⟧ instead.",
    # IBAN_CODE
    "Please pay the deposit to IBAN ⟦iban_gb⟧ (account holder: ⟦person⟧).",
    "Is this IBAN valid? ⟦iban_any⟧",
    "Write an email asking the tenant to send the rent to ⟦iban⟧ from next month.",
    "Bank details: ⟦iban_de⟧, BIC ⟦bic⟧",
    "my iban is ⟦iban⟧ thanks",
    "Can you split ⟦iban_any⟧ into bank code and account number?",
    "The refund should go to ⟦iban_ch⟧, not to the old account.",
    "SEPA transfer to ⟦iban_fr⟧ failed with reason AC04, what does it mean?",
    # CREDIT_CARD
    "I was charged twice on my card ⟦card⟧, write a dispute letter to the bank.",
    "Card number ⟦card⟧ exp ⟦exp⟧ CVV ⟦cvv⟧ - why is the payment declined?",
    "Test my Luhn function with ⟦card⟧",
    "Please update the card on file to ⟦card⟧.",
    "My Amex ⟦card_amex⟧ was stolen yesterday, what should I do first?",
    "The customer read their card out on the phone: ⟦card⟧. Can we keep it in the ticket notes?",
    "payment: ⟦card⟧ | name on card: ⟦person⟧",
    "Which bank issued ⟦card⟧?",
    # FR_NIR (English)
    "My French social security number is ⟦nir⟧, how do I get a carte vitale?",
    "What do the digits in ⟦nir⟧ mean? It's my NIR.",
    "Employee NIR: ⟦nir⟧ - please add it to the payroll export.",
    "I was born in ⟦LOCATION=Corsica⟧ and my number is ⟦nir_corse⟧, why is there a letter in it?",
    "Fill in the form for ⟦person⟧, French social security no. ⟦nir⟧",
    "Is the key of ⟦nir⟧ correct?",
    "INSEE number ⟦nir⟧",
    "The mutuelle wants my numéro de sécurité sociale: ⟦nir⟧. Write the email.",
    # FR_SIREN / FR_SIRET
    "Our French subsidiary's SIREN is ⟦siren⟧; what else must appear on the invoice?",
    "Vendor SIRET: ⟦siret⟧",
    "Check whether SIRET ⟦siret⟧ belongs to an active establishment.",
    "The supplier is registered in France under SIREN ⟦siren⟧ (RCS ⟦city⟧).",
    "Write a reminder to the client (SIRET ⟦siret⟧) about invoice ⟦invoice⟧.",
    "How do I get the SIREN from SIRET ⟦siret⟧?",
    "Company ID (SIREN): ⟦siren⟧ - is that enough for a French tender?",
    "Add siren ⟦siren⟧ to the vendor master data",
    "Look up SIREN ⟦siren⟧ in the French company register.",
    "The client is registered under SIREN no. ⟦siren⟧ - is it a sole trader?",
    "RCS ⟦city⟧ B ⟦siren⟧: what does the B mean?",
    "French supplier IDs: SIREN ⟦siren⟧ / SIRET ⟦siret⟧",
    "Invoice header: SIRET ⟦siret⟧",
    "The French freelancer sent SIRET ⟦siret⟧ with her quote; is she VAT exempt?",
    "Change the vendor SIRET to ⟦siret⟧, they moved offices.",
    # EU_VAT
    "Our VAT number is ⟦vat⟧, please add it to the invoice footer.",
    "Is ⟦vat_de⟧ a valid German VAT ID?",
    "Customer VAT ID: ⟦vat⟧ - reverse charge applies.",
    "Validate these VAT numbers in VIES: ⟦vat_fr⟧, ⟦vat_be⟧",
    "Intra-community VAT no. ⟦vat_it⟧",
    "Put VAT reg. ⟦vat⟧ on the purchase order.",
    "Why does VIES say ⟦vat_fr⟧ is not valid?",
    "vat: ⟦vat⟧",
    # CH_AHV / CH_UID
    "My AHV number is ⟦ahv⟧, which pension fund is it linked to?",
    "Swiss social security number: ⟦ahv⟧",
    "Please add the AVS number ⟦ahv⟧ to ⟦person⟧'s payroll record.",
    "Can you check the checksum of ⟦ahv⟧?",
    "The Swiss company has UID ⟦uid⟧, can I invoice it without VAT?",
    "Supplier UID: ⟦uid⟧ MWST",
    "Is ⟦uid⟧ registered in the Zefix commercial register?",
    "Enterprise identification number ⟦uid⟧ - add it to the contract header.",
    "AHV/AVS: ⟦ahv⟧, UID of the employer: ⟦uid⟧",
    "Swiss AHV no. ⟦ahv⟧ - is that the same as the old 11-digit number?",
    "Write to the compensation office for ⟦person⟧ (AHV ⟦ahv⟧) about missing contributions.",
    "Our Swiss entity, UID ⟦uid⟧, needs an English company profile.",
    "The supplier's quote lists ⟦uid⟧ TVA - what does that mean?",
    "Add the UID ⟦uid⟧ to the vendor record.",
    # US_SSN
    "My SSN is ⟦ssn⟧, can you fill in the W-4 for me?",
    "SSN: ⟦ssn⟧",
    "Write a letter to the IRS for ⟦person⟧, social security number ⟦ssn⟧.",
    "Is ⟦ssn⟧ a valid social security number format?",
    "Employee ⟦fullname⟧, SSN ⟦ssn⟧, start date ⟦date⟧",
    "The credit check form asks for my social: ⟦ssn⟧",
    "Update the tax record: ssn ⟦ssn⟧",
    "I think my social security number ⟦ssn⟧ was stolen, what now?",
    # IP_ADDRESS
    "Why can't I ssh into ⟦ip⟧? It times out.",
    "Block ⟦ip⟧ in nginx, it's hammering our login page.",
    "My home IP is ⟦ip_pub⟧, add it to the allowlist.",
    "Is ⟦ip⟧ in a private range or is it public?",
    "The VPN gives me ⟦ip⟧ but the firewall expects ⟦ip2⟧.",
    "Geolocate ⟦ip_pub⟧ please",
    "fail2ban banned ⟦ip⟧, how do I unban it?",
    "Connection refused from ⟦ip⟧ on port 5432",
    # SECRET
    'Why does this fail? client = OpenAI(api_key="⟦sk_openai⟧")',
    "my anthropic key ⟦sk_ant⟧ returns 401, is it expired?",
    "aws configure asks for the key, I have ⟦aws_id⟧ / ⟦aws_secret⟧ - which is which?",
    "git push fails with token ⟦gh_token⟧, what scopes does it need?",
    "Is ⟦gl_token⟧ a personal or project access token?",
    "Our Slack bot token ⟦slack_token⟧ stopped working after the reinstall.",
    "stripe.api_key = '⟦stripe_key⟧'  # why do I get 'invalid API key'?",
    "Decode this JWT and tell me when it expires: ⟦jwt⟧",
    "Google Maps says the key ⟦google_key⟧ is not authorized for this API.",
    "the db password is ⟦pwd⟧, write the connection string for psycopg",
    "HF_TOKEN=⟦hf_token⟧ - why does the download still say 401?",
    "Set SENDGRID_API_KEY to ⟦sendgrid_key⟧ in the Dockerfile?",
    "My wifi password is ⟦pwd⟧, write it on a printable card for guests.",
    "Here is my key, what format is it in?\n⟦pem⟧",
    # PERSON
    "My name is ⟦person⟧ and I'd like to cancel my subscription.",
    "Write a birthday message for my colleague ⟦fullname⟧.",
    "Dear ⟦title⟧ ⟦last⟧, thank you for your patience. <- make this sound warmer",
    "Translate to French: ⟦person⟧ has been promoted to head of sales.",
    "Write a reference letter for ⟦person⟧, who worked with us as a ⟦job⟧.",
    "I'm ⟦first⟧, nice to meet you - how do I say this in Japanese?",
    "Summarise the complaint from ⟦person⟧ in two lines.",
    "Can ⟦first⟧ and ⟦first2⟧ share the same Jira licence?",
    "Thanks,\n⟦person⟧",
    "Please remind ⟦person⟧ and ⟦person2⟧ about Monday's offsite.",
    "who should I cc, ⟦first⟧ or ⟦title2⟧ ⟦last2⟧?",
    "Write a LinkedIn recommendation for ⟦person⟧ (great ⟦job⟧).",
    # LOCATION
    "Ship it to ⟦addr_line⟧ please.",
    "My new address is ⟦addr_line⟧ - write an email to my bank to update it.",
    "I live in ⟦home⟧, what are good weekend trips from here?",
    "Write a noise complaint from the tenant at ⟦addr_line⟧.",
    "Deliver to:\n⟦address⟧",
    "We just moved to ⟦street⟧, which school district is that?",
    "How far is it from ⟦addr_line⟧ to the airport?",
    "I moved to ⟦home⟧ last year and I still don't know anyone, any tips?",
    "Return address: ⟦addr_line⟧",
    "Is there a late-night pharmacy near ⟦street⟧ in ⟦home⟧?",
    # HEALTH
    "I was diagnosed with ⟦cond⟧ last month, what should I eat?",
    "Medical history: ⟦cond⟧, currently on ⟦med⟧. Rewrite this for the insurance form.",
    "My mother is on ⟦treat⟧ and feels exhausted, how can I help her?",
    "I take ⟦med⟧ every morning, can I drink alcohol tonight?",
    "Write a note to my manager: I need time off for ⟦treat⟧.",
    "My son has ⟦cond⟧; draft a letter to his school asking for accommodations.",
    "Is it safe to combine ⟦med⟧ and ⟦med2⟧? I was prescribed both.",
    "I've been living with ⟦cond⟧ for 10 years and want to start running.",
    "After my ⟦treat⟧ I lost my hair, how do I tell my team?",
    "I'm ⟦HEALTH=HIV positive⟧ - do I have to tell my employer?",
    "I'm recovering from ⟦proc⟧, how long before I can drive?",
    "Write an out-of-office: back after my ⟦proc⟧ in three weeks.",
    "my doctor put me on ⟦med⟧ for my ⟦cond⟧, side effects?",
    "My partner is ⟦HEALTH=bipolar⟧ and stopped taking ⟦med⟧, what do I do?",
]

FR_SHORT = [
    # EMAIL_ADDRESS
    "Peux-tu rédiger un mail de relance à ⟦email⟧ ? Pas de réponse depuis le ⟦date⟧.",
    "mon adresse mail c'est ⟦email⟧, merci de mettre à jour le dossier",
    "Réponds à ⟦person⟧ (⟦email⟧) pour confirmer le rendez-vous du ⟦date⟧.",
    "Ajoute ⟦email⟧ en copie et reformule : « nous avons encore du retard ».",
    "Pourquoi ma regex refuse ⟦email⟧ ?",
    "Courriel : ⟦email⟧",
    "Merci de renvoyer le contrat signé à ⟦email⟧ avant vendredi.",
    "L'adresse ⟦email⟧ est-elle bien formée ? Le mail revient en erreur.",
    "Écris à ⟦email⟧ et mets ⟦email2⟧ en cc.",
    "Je reçois des spams sur ⟦email⟧, comment filtrer dans Thunderbird ?",
    # PHONE_NUMBER
    "Rappelle-moi au ⟦phone⟧ après 18h.",
    "mon numéro : ⟦phone⟧, envoie-moi un SMS quand le colis arrive",
    "Mets ces numéros au format international : ⟦phone_fr⟧ ; ⟦phone_ch⟧ ; ⟦phone_be⟧",
    "Le numéro du propriétaire est le ⟦phone_fr⟧, rédige une lettre pour le chauffage en panne.",
    "Joignable au ⟦phone_ch⟧ (portable) ou au ⟦phone_ch2⟧ (bureau).",
    "Tél. : ⟦phone⟧",
    "Peux-tu remplacer mon ancien numéro par ⟦phone⟧ dans la signature ?",
    "Mon fils ⟦first⟧ est joignable au ⟦phone_fr⟧ en cas d'urgence.",
    "Ligne directe ⟦phone_be⟧ — demandez ⟦title⟧ ⟦last⟧.",
    "numéro italien de la cliente : ⟦phone_it⟧, numéro allemand : ⟦phone_de⟧",
    # IBAN_CODE
    "Voici mon RIB : IBAN ⟦iban_fr⟧, BIC ⟦bic⟧. Rédige le mail pour le propriétaire.",
    "Cet IBAN est-il valide ? ⟦iban_any⟧",
    "Le virement vers ⟦iban_fr⟧ a été rejeté, que signifie le code AC04 ?",
    "mon iban ⟦iban⟧",
    "Merci de rembourser sur le compte ⟦iban_ch⟧ et non sur l'ancien.",
    "Coordonnées bancaires du fournisseur : ⟦iban_be⟧",
    "Peux-tu extraire le code banque et le code guichet de ⟦iban_fr⟧ ?",
    "Mettre à jour le mandat SEPA de ⟦person⟧ avec l'IBAN ⟦iban⟧.",
    # CREDIT_CARD
    "On m'a débité deux fois sur ma carte ⟦card⟧, rédige une réclamation.",
    "Carte ⟦card⟧, expiration ⟦exp⟧, cryptogramme ⟦cvv⟧ : pourquoi le paiement est refusé ?",
    "Teste ma fonction de Luhn avec ⟦card⟧",
    "Remplace la carte enregistrée par ⟦card⟧ stp",
    "Ma carte Amex ⟦card_amex⟧ a été volée, que faire en premier ?",
    "Le client a dicté sa carte au téléphone : ⟦card⟧. On peut la noter dans le ticket ?",
    "paiement : ⟦card⟧ | titulaire : ⟦person⟧",
    "Quelle banque a émis la carte ⟦card⟧ ?",
    # FR_NIR
    "Mon numéro de sécu est ⟦nir⟧, c'est pour le formulaire CERFA.",
    "NIR : ⟦nir⟧",
    "Vérifie la clé de ce numéro de sécurité sociale : ⟦nir⟧",
    "Rédige un courrier à la CPAM pour ⟦person⟧, n° de sécurité sociale ⟦nir⟧.",
    "numéro INSEE du salarié ⟦nir⟧ — il manque dans la DSN",
    "Je suis né en ⟦LOCATION=Corse⟧, mon numéro de sécu est ⟦nir_corse⟧, c'est normal qu'il y ait une lettre ?",
    "carte vitale n° ⟦nir⟧",
    "Le n° SS de ⟦title⟧ ⟦last⟧ est ⟦nir⟧.",
    "Mon numéro de sécurité sociale ⟦nir_corse⟧ est refusé par le site ameli",
    # FR_SIREN / FR_SIRET
    "La société ⟦company⟧, immatriculée au RCS de ⟦city⟧ sous le numéro ⟦siren⟧, rédige les mentions légales.",
    "SIREN : ⟦siren⟧",
    "SIRET ⟦siret⟧ — peux-tu vérifier que l'établissement est actif ?",
    "Facture à établir pour le SIRET ⟦siret⟧, TVA intracom ⟦vat_fr⟧.",
    "Mon auto-entreprise a le numéro SIREN ⟦siren⟧, comment déclarer mon CA ?",
    "RCS ⟦city⟧ ⟦siren⟧",
    "n° siret: ⟦siret⟧",
    "Mentions légales : SAS au capital de 10 000 €, SIRET ⟦siret⟧, APE 6201Z.",
    "Le fournisseur est immatriculé sous le numéro ⟦siren⟧, peux-tu retrouver son SIRET ?",
    "Le client (SIREN ⟦siren⟧) ne paie pas, rédige une mise en demeure.",
    "siren ⟦siren⟧ : c'est une SARL ou une SAS ?",
    "Immatriculée sous le n° ⟦siren⟧ RCS ⟦city⟧",
    "Mon SIRET est ⟦siret⟧, comment l'ajouter sur mon profil freelance ?",
    "Numéro SIRET de l'établissement secondaire : ⟦siret⟧",
    "Le SIRET ⟦siret⟧ apparaît comme fermé dans l'annuaire, c'est grave ?",
    "Attestation URSSAF à demander pour le SIRET ⟦siret⟧",
    # EU_VAT
    "Notre numéro de TVA intracommunautaire est ⟦vat_fr⟧, ajoute-le en pied de facture.",
    "Le client belge a le n° TVA ⟦vat_be⟧, autoliquidation ?",
    "TVA intracom : ⟦vat⟧",
    "Vérifie ces numéros de TVA sur VIES : ⟦vat⟧ et ⟦vat2⟧",
    "n° de TVA ⟦vat_de⟧ (client allemand)",
    "Pourquoi VIES refuse ⟦vat_fr⟧ ?",
    "Ajoute la TVA intracommunautaire ⟦vat_it⟧ au bon de commande.",
    "numéro d'identification TVA : ⟦vat⟧",
    # CH_AHV / CH_UID
    "Mon numéro AVS est ⟦ahv⟧, à quelle caisse de compensation suis-je rattaché ?",
    "N° AVS : ⟦ahv⟧",
    "Ajoute le numéro AVS ⟦ahv⟧ au dossier de ⟦person⟧.",
    "Peux-tu vérifier la clé de contrôle de ⟦ahv⟧ ?",
    "L'entreprise a l'IDE ⟦uid⟧, faut-il facturer la TVA ?",
    "IDE : ⟦uid⟧ TVA",
    "Le numéro IDE ⟦uid⟧ est-il inscrit au registre du commerce ?",
    "numéro d'identification des entreprises ⟦uid⟧ à mettre dans le contrat",
    "Mon n° AVS ⟦ahv⟧ et l'IDE de mon employeur ⟦uid⟧ pour la caisse de pension",
    "numéro AVS de ma fille ⟦first⟧ : ⟦ahv⟧",
    "La caisse AVS me demande mon numéro ⟦ahv⟧ par mail, c'est sûr ?",
    "Notre société suisse (IDE ⟦uid⟧) doit facturer en euros, que mettre sur la facture ?",
    "Le devis mentionne ⟦uid⟧ MWST, c'est quoi ?",
    # US_SSN
    "Mon SSN américain est ⟦ssn⟧, comment remplir le formulaire W-8BEN ?",
    "Numéro de sécurité sociale américain (SSN) : ⟦ssn⟧",
    "Un collègue américain m'a envoyé son SSN ⟦ssn⟧ par mail, c'est grave ?",
    "Rédige un courrier à l'IRS pour ⟦person⟧, SSN ⟦ssn⟧.",
    "ssn du candidat: ⟦ssn⟧",
    "Est-ce que ⟦ssn⟧ est un format de SSN valide ?",
    "Pour le visa, ils demandent mon social security number : ⟦ssn⟧",
    "Met à jour la fiche fiscale : SSN ⟦ssn⟧",
    # IP_ADDRESS
    "Pourquoi je n'arrive pas à me connecter en ssh sur ⟦ip⟧ ?",
    "Bloque ⟦ip⟧ dans nginx, il spamme la page de connexion.",
    "Mon IP perso est ⟦ip_pub⟧, ajoute-la à la liste blanche.",
    "Est-ce que ⟦ip⟧ est une adresse privée ?",
    "Le VPN me donne ⟦ip⟧ mais le pare-feu attend ⟦ip2⟧.",
    "fail2ban a banni ⟦ip⟧, comment le débannir ?",
    "Connexion refusée depuis ⟦ip⟧ sur le port 5432",
    "adresse IP du client : ⟦ip⟧",
    # SECRET
    'Pourquoi ça plante ? client = OpenAI(api_key="⟦sk_openai⟧")',
    "ma clé anthropic ⟦sk_ant⟧ renvoie 401, elle est expirée ?",
    "Ma clé d'accès AWS est ⟦aws_id⟧ et la clé secrète ⟦aws_secret⟧, comment configurer le CLI ?",
    "git push échoue avec le jeton ⟦gh_token⟧, il lui faut quels droits ?",
    "Le jeton GitLab ⟦gl_token⟧ marche en local mais pas dans la CI.",
    "le mot de passe de la base est ⟦pwd⟧, écris la chaîne de connexion",
    "Mot de passe : ⟦pwd⟧",
    "mdp wifi: ⟦pwd⟧ — fais-moi une jolie affiche pour les invités",
    "Décode ce JWT : ⟦jwt⟧",
    "La clé Stripe ⟦stripe_key⟧ est refusée en production, pourquoi ?",
    "token slack ⟦slack_token⟧, le bot ne poste plus rien",
    "Voici ma clé privée, c'est quel format ?\n⟦pem⟧",
    "Identifiant : admin / mot de passe : ⟦pwd⟧ — rédige le mail d'accès pour le stagiaire",
    # PERSON
    "Je m'appelle ⟦person⟧ et je voudrais résilier mon abonnement.",
    "Écris un message d'anniversaire pour ma collègue ⟦fullname⟧.",
    "Bonjour ⟦title⟧ ⟦last⟧, merci pour votre patience. <- rends ça plus chaleureux",
    "Traduis en anglais : ⟦person⟧ a été nommé directeur commercial.",
    "Rédige une lettre de recommandation pour ⟦person⟧, ⟦job⟧ chez nous pendant 3 ans.",
    "Moi c'est ⟦first⟧, comment on dit ça en allemand ?",
    "Résume la réclamation de ⟦title⟧ ⟦person⟧ en deux lignes.",
    "Est-ce que ⟦first⟧ et ⟦first2⟧ peuvent partager la même licence ?",
    "Cordialement,\n⟦person⟧",
    "Rappelle à ⟦person⟧ et ⟦person2⟧ le séminaire de lundi.",
    "je mets qui en copie, ⟦first⟧ ou ⟦title2⟧ ⟦last2⟧ ?",
    "Le dossier de ⟦lastfirst⟧ est incomplet, écris-lui un mail.",
    # LOCATION
    "Livrez à ⟦addr_line⟧ svp.",
    "Ma nouvelle adresse est ⟦addr_line⟧ — écris un mail à ma banque pour la mettre à jour.",
    "J'habite à ⟦home⟧, quelles balades faire ce week-end ?",
    "Rédige une plainte pour tapage nocturne de la part du locataire habitant ⟦addr_line⟧.",
    "Adresse de livraison :\n⟦address⟧",
    "On vient d'emménager ⟦street⟧, c'est quelle école de secteur ?",
    "Combien de temps de ⟦addr_line⟧ à la gare ?",
    "je vis à ⟦home⟧ depuis deux ans et je ne connais personne, des idées ?",
    "Adresse de l'expéditeur : ⟦addr_line⟧",
    "Y a-t-il une pharmacie de garde près du ⟦street⟧ à ⟦home⟧ ?",
    # HEALTH
    "Diagnostic posé le mois dernier : ⟦cond⟧. Que dois-je manger ?",
    "Antécédents : ⟦cond⟧, traitement en cours : ⟦med⟧. Reformule pour l'assurance.",
    "Opération prévue le ⟦date⟧ (⟦proc⟧), rédige ma demande d'arrêt.",
    "Ma mère est sous ⟦treat⟧ et elle est épuisée, comment l'aider ?",
    "Je suis sous ⟦med⟧ depuis un an, je peux boire de l'alcool ce soir ?",
    "je prends ⟦med⟧ matin et soir, c'est compatible avec l'ibuprofène ?",
    "Écris à mon manager que je dois m'absenter pour ma ⟦treat⟧.",
    "Mon fils est atteint de ⟦cond⟧, rédige un courrier pour l'école (PAI).",
    "Peut-on associer ⟦med⟧ et ⟦med2⟧ ? Le médecin m'a prescrit les deux.",
    "Atteint de ⟦cond⟧ depuis 10 ans, je veux reprendre le sport.",
    "Je suis ⟦HEALTH=séropositif⟧, dois-je le dire à mon employeur ?",
    "Ma sœur est ⟦HEALTH=séropositive⟧ et enceinte, quels sont les risques pour le bébé ?",
    "mon médecin m'a mis sous ⟦med⟧ (diagnostic : ⟦cond⟧), effets secondaires ?",
    "Suite à ma ⟦treat⟧ j'ai perdu mes cheveux, comment l'annoncer à l'équipe ?",
]

DE_SHORT = [
    "Meine AHV-Nummer ist ⟦ahv⟧, bei welcher Ausgleichskasse bin ich?",
    "Bitte schreib eine E-Mail an ⟦email⟧ und frag nach der Offerte.",
    "Ruf mich bitte unter ⟦phone_ch⟧ zurück.",
    "Mein Name ist ⟦person⟧ und ich möchte mein Abo kündigen.",
    "Neue Adresse: ⟦addr_line⟧ – bitte an die Krankenkasse melden.",
    "Die Firma hat die UID ⟦uid⟧ MWST, muss ich Mehrwertsteuer verrechnen?",
    "IBAN für die Rückerstattung: ⟦iban_ch⟧",
    "Ich wohne in ⟦home⟧ und suche einen Hausarzt.",
    "Bei mir wurde ⟦cond⟧ diagnostiziert, was darf ich essen?",
    "Ich nehme ⟦med⟧ und bin oft müde, ist das normal?",
    "Schreib ein Arbeitszeugnis für ⟦title⟧ ⟦person⟧.",
    "Meine Mutter ist in ⟦treat⟧, wie kann ich sie unterstützen?",
    "Tel. ⟦phone_de⟧, USt-IdNr. ⟦vat_de⟧",
    "Das Passwort für den Server ist ⟦pwd⟧, bitte sicher aufbewahren.",
    "Kreditkarte ⟦card⟧ wurde doppelt belastet, bitte Reklamation formulieren.",
    "AHV-Nr. von ⟦fullname⟧: ⟦ahv⟧",
]
IT_SHORT = [
    "Il mio numero AVS è ⟦ahv⟧, a quale cassa di compensazione sono affiliato?",
    "Scrivi una mail a ⟦email⟧ per confermare l'appuntamento.",
    "Richiamami al ⟦phone_ch⟧ dopo le 18.",
    "Mi chiamo ⟦person⟧ e vorrei disdire l'abbonamento.",
    "Nuovo indirizzo: ⟦addr_line⟧",
    "L'azienda ha l'IDI ⟦uid⟧ IVA, devo fatturare l'IVA?",
    "IBAN per il rimborso: ⟦iban_ch⟧",
    "Abito a ⟦home⟧ e cerco un medico di famiglia.",
    "Mi hanno diagnosticato ⟦cond⟧, cosa posso mangiare?",
    "Prendo ⟦med⟧ ogni mattina, posso bere un bicchiere di vino?",
    "Numero di telefono della signora ⟦last⟧: ⟦phone_it⟧",
    "Mia madre è in ⟦treat⟧, come posso aiutarla?",
    "Partita IVA ⟦vat_it⟧, intestata a ⟦person⟧",
]
MIXED = [
    (
        "mixed-fr",
        "Peux-tu translate this for me : « Dear ⟦title⟧ ⟦last⟧, please find attached the invoice » ? Mon mail c'est ⟦email⟧",
    ),
    (
        "mixed-fr",
        "J'ai besoin d'un cover letter en anglais. Je m'appelle ⟦person⟧, tel ⟦phone_fr⟧, je vis à ⟦home⟧.",
    ),
    (
        "mixed-fr",
        "Fix ce code stp, il plante : requests.get(url, headers={'Authorization': 'Bearer ⟦gh_token⟧'})",
    ),
    (
        "mixed-fr",
        "Réécris en anglais pro : le client ⟦person⟧ (IBAN ⟦iban_fr⟧) demande un remboursement ASAP.",
    ),
    (
        "mixed-fr",
        "C'est quoi le best practice pour stocker ⟦aws_secret⟧ ? Là il est en dur dans le repo.",
    ),
    (
        "mixed-en",
        "Translate to English: « Bonjour, je suis ⟦person⟧, mon numéro de sécu est ⟦nir⟧ »",
    ),
    (
        "mixed-en",
        "Translate into French: 'Hi, I'm ⟦first⟧, you can call me on ⟦phone_uk⟧ or email ⟦email⟧.'",
    ),
    ("mixed-en", "What does « sous ⟦treat_fr⟧ » mean in this French letter about my dad?"),
    (
        "mixed-en",
        "Help me answer my French landlord: « Madame, le loyer doit être versé sur ⟦iban_fr⟧ avant le 5 » - I live at ⟦addr_line⟧.",
    ),
    ("mixed-en", "My Swiss payslip says AVS ⟦ahv⟧ and employer IDE ⟦uid⟧ - what are these?"),
    (
        "mixed-fr",
        "Le ticket dit « user ⟦email⟧ cannot login from ⟦ip⟧ », tu peux résumer en français ?",
    ),
    (
        "mixed-fr",
        "Mon boss veut un summary en anglais : ⟦person⟧ est en arrêt pour ⟦cond⟧ jusqu'au ⟦date⟧.",
    ),
    (
        "mixed-en",
        "Is « SIRET ⟦siret⟧ » the same as a company number? The French supplier put it on the quote.",
    ),
    (
        "mixed-en",
        "Can you proofread my French email? « Bonjour, je vous transmets ma carte ⟦card⟧ pour la réservation. ⟦person⟧ »",
    ),
    (
        "mixed-fr",
        "Écris un email in English à ⟦email⟧ pour dire que le password ⟦pwd⟧ doit être changé.",
    ),
]

EN_DOCS = [
    """Can you rewrite this email so it sounds more professional?

Hi ⟦first2⟧,

sorry for the late reply. I can't make it on ⟦date⟧, my ⟦treat⟧ got moved. Can we do the week after? You can reach me on ⟦phone⟧ anytime.

Cheers,
⟦person⟧
⟦email⟧""",
    """Improve my CV summary and fix the formatting:

⟦person⟧
⟦address⟧
⟦phone⟧ | ⟦email⟧

PROFILE
⟦job⟧ with 8 years of experience in fintech. Fluent English and French.

EXPERIENCE
⟦year⟧-now  ⟦company⟧ - led a team of 6
⟦year2⟧-⟦year⟧  ⟦company2⟧ - built the payments API""",
    """Summarise this support ticket in 3 bullet points:

Ticket #⟦ticket⟧
From: ⟦person⟧ <⟦email⟧>
Phone: ⟦phone⟧
Subject: refund not received

I returned the order on ⟦date⟧ and I'm still waiting for the refund of ⟦amount⟧. It should go to card ⟦card⟧ or to my account ⟦iban⟧. Please call me back.""",
    """Write a referral letter based on these notes:

Patient: ⟦person⟧, DOB ⟦dob⟧
Address: ⟦addr_line⟧
Known ⟦cond⟧, on ⟦med⟧ 500 mg twice daily. Recent ⟦treat⟧. Referred to cardiology for chest pain.
GP: ⟦title2⟧ ⟦last2⟧, ⟦phone2⟧""",
    """Turn this into a formal HR note:

meeting with ⟦person⟧ today. she's been off 3 weeks for ⟦cond⟧, back part time from ⟦date⟧. wants to relocate to ⟦home⟧. SSN on file ⟦ssn⟧. manager ⟦fullname2⟧ agrees.""",
    """Why does this script fail with AuthenticationError?

```python
import anthropic
import openai

openai.api_key = "⟦sk_openai⟧"
claude = anthropic.Anthropic(api_key="⟦sk_ant⟧")

def ask(q: str) -> str:
    return claude.messages.create(model="claude-3-5-sonnet", max_tokens=256,
                                  messages=[{"role": "user", "content": q}]).content[0].text
```""",
    """Here's my .env, the app can't reach the database. What's wrong?

DATABASE_URL=postgres://⟦user⟧:⟦pwd⟧@⟦host⟧:5432/prod
REDIS_URL=redis://cache:6379/0
AWS_ACCESS_KEY_ID=⟦aws_id⟧
AWS_SECRET_ACCESS_KEY=⟦aws_secret⟧
STRIPE_SECRET_KEY=⟦stripe_key⟧
DEBUG=false""",
    """Convert this CSV to a markdown table:

name,email,phone,city
⟦person⟧,⟦email⟧,⟦phone⟧,⟦home⟧
⟦person2⟧,⟦email2⟧,⟦phone2⟧,⟦home2⟧
⟦person3⟧,⟦email3⟧,⟦phone3⟧,⟦home3⟧""",
    """Validate this JSON payload against our schema:

{
  "customer": {"name": "⟦person⟧", "email": "⟦email⟧", "phone": "⟦phone⟧"},
  "billing": {"address": "⟦addr_line⟧", "card": "⟦card⟧", "exp": "⟦exp⟧"},
  "order_id": "⟦order⟧"
}""",
    """What do these log lines tell you? Is someone brute-forcing us?

⟦ts⟧ WARN auth failed user=⟦email⟧ ip=⟦ip⟧ attempts=5
⟦ts2⟧ WARN auth failed user=⟦email⟧ ip=⟦ip⟧ attempts=6
⟦ts3⟧ INFO login ok user=⟦email2⟧ ip=⟦ip2⟧
⟦ts4⟧ ERROR token rejected: Bearer ⟦jwt⟧""",
    """Fix the YAML indentation:

slack:
    token: ⟦slack_token⟧
  channel: "#alerts"
github:
  token: ⟦gh_token⟧
gitlab:
   token: ⟦gl_token⟧""",
    """Write a polite reply to this letter from our tenant:

⟦person⟧
⟦address⟧

Dear Sir or Madam,
I am writing about the deposit of ⟦amount⟧ which has still not been returned. Please transfer it to ⟦iban⟧.
Yours faithfully,
⟦person⟧""",
    """Payroll export for review:

employee_id;full_name;ssn;bank_account
⟦ticket⟧;⟦person⟧;⟦ssn⟧;⟦iban⟧
⟦ticket2⟧;⟦person2⟧;⟦ssn2⟧;⟦iban2⟧""",
    """Why won't ssh accept this key?

⟦pem⟧

I copied it into ~/.ssh/id_rsa and ran chmod 600.""",
    """Draft a reply to this customer email:

From: ⟦email⟧
Sent: ⟦date⟧
Hello, my name is ⟦person⟧. I live at ⟦addr_line⟧ and my parcel never arrived. My phone is ⟦phone⟧.""",
]

FR_DOCS = [
    """Peux-tu reformuler ce mail pour qu'il soit plus pro ?

Bonjour ⟦first2⟧,

désolé pour le retard. Je ne pourrai pas venir le ⟦date⟧, ma séance de ⟦treat⟧ a été décalée. On peut voir la semaine d'après ? Tu peux me joindre au ⟦phone⟧.

Bien à toi,
⟦person⟧
⟦email⟧""",
    """Améliore mon CV :

⟦person⟧
⟦address⟧
⟦phone⟧ – ⟦email⟧

PROFIL
⟦job⟧, 8 ans d'expérience, bilingue français-anglais.

EXPÉRIENCE
⟦year⟧ – aujourd'hui : ⟦company⟧
⟦year2⟧ – ⟦year⟧ : ⟦company2⟧""",
    """Résume ce ticket en 3 points :

Ticket n°⟦ticket⟧
De : ⟦person⟧ <⟦email⟧>
Tél : ⟦phone⟧
Objet : remboursement non reçu

J'ai renvoyé la commande le ⟦date⟧ et j'attends toujours le remboursement de ⟦amount⟧ sur ma carte ⟦card⟧ ou sur mon compte ⟦iban⟧.""",
    """Rédige un courrier d'adressage à partir de ces notes :

Cher confrère,
Je vous adresse ⟦title⟧ ⟦person⟧, né(e) le ⟦dob⟧, NIR ⟦nir⟧, domicilié(e) ⟦addr_line⟧, suivi(e) pour ⟦cond⟧ et traité(e) par ⟦med⟧. Fin de la ⟦treat⟧ le ⟦date⟧.
Bien confraternellement,
⟦title2⟧ ⟦person2⟧""",
    """Mets en forme ce compte rendu d'entretien RH :

entretien avec ⟦person⟧ ce matin. arrêt maladie de 3 semaines (⟦cond⟧), reprise à mi-temps le ⟦date⟧. souhaite une mutation à ⟦home⟧ où vit sa famille. n° sécu ⟦nir⟧. manager : ⟦fullname2⟧ d'accord.""",
    """Pourquoi ce script renvoie 401 ?

```python
from mistralai import Mistral
import openai

openai.api_key = "⟦sk_openai⟧"
client = Mistral(api_key="⟦api_key⟧")
```""",
    """Voici mon fichier .env, l'appli n'arrive pas à se connecter. Tu vois le problème ?

DB_HOST=⟦host⟧
DB_USER=⟦user⟧
DB_PASSWORD=⟦pwd⟧
SMTP_PASSWORD=⟦pwd2⟧
GOOGLE_API_KEY=⟦google_key⟧
SENTRY_ENV=production""",
    """Transforme ce CSV en tableau :

nom;prénom;email;téléphone;IBAN
⟦last⟧;⟦first⟧;⟦email⟧;⟦phone⟧;⟦iban⟧
⟦last2⟧;⟦first2⟧;⟦email2⟧;⟦phone2⟧;⟦iban2⟧
⟦last3⟧;⟦first3⟧;⟦email3⟧;⟦phone3⟧;⟦iban3⟧""",
    """Vérifie ce JSON :

{"client": {"nom": "⟦person⟧", "mail": "⟦email⟧", "tel": "⟦phone⟧",
  "adresse": "⟦addr_line⟧"},
 "entreprise": {"siret": "⟦siret⟧", "tva": "⟦vat_fr⟧"},
 "paiement": {"iban": "⟦iban_fr⟧"}}""",
    """Analyse ces logs, c'est une attaque ?

⟦ts⟧ WARN échec auth utilisateur=⟦email⟧ ip=⟦ip⟧
⟦ts2⟧ WARN échec auth utilisateur=⟦email⟧ ip=⟦ip⟧
⟦ts3⟧ INFO connexion ok utilisateur=⟦email2⟧ ip=⟦ip2⟧""",
    """Réponds poliment à ce courrier :

⟦person⟧
⟦address⟧

Madame, Monsieur,
Je n'ai toujours pas reçu le remboursement de mon dépôt de garantie de ⟦amount⟧. Merci de le virer sur le compte ⟦iban⟧.
Veuillez agréer mes salutations distinguées.
⟦person⟧""",
    """Fiche salarié à compléter :

Nom : ⟦last⟧
Prénom : ⟦first⟧
Né(e) le : ⟦dob⟧
N° de sécurité sociale : ⟦nir⟧
Adresse : ⟦addr_line⟧
Téléphone : ⟦phone⟧
RIB : ⟦iban_fr⟧""",
    """Facture à relire :

⟦company⟧ – SAS au capital de 50 000 €
SIREN ⟦siren⟧ – TVA intracommunautaire ⟦vat_fr⟧
Client : ⟦person⟧, ⟦addr_line⟧
Règlement par virement : ⟦iban_fr⟧""",
    """Réponds à ce mail d'un patient :

De : ⟦email⟧
Bonjour docteur, c'est ⟦person⟧. Depuis que je suis sous ⟦med⟧ j'ai des vertiges. J'ai aussi ⟦cond⟧, est-ce lié ? Mon numéro : ⟦phone⟧.""",
    """Ajoute des commentaires à cette config :

[database]
host = ⟦host⟧
user = ⟦user⟧
mot_de_passe = ⟦pwd⟧

[api]
cle = ⟦api_key⟧""",
]

CH_DOCS = [
    (
        "fr",
        """Complète la fiche de salaire :

Employé : ⟦person⟧
Adresse : ⟦address⟧
N° AVS : ⟦ahv⟧
IBAN : ⟦iban_ch⟧
Employeur : ⟦company⟧, IDE ⟦uid⟧ TVA""",
    ),
    (
        "fr",
        """Reformule ce mail pour la régie :

Bonjour,
Je suis locataire (adresse : ⟦addr_line⟧). Le chauffage est en panne depuis le ⟦date⟧. Merci de me rappeler au ⟦phone_ch⟧.
⟦person⟧""",
    ),
    (
        "de",
        """Bitte formuliere diese Nachricht höflicher:

Grüezi ⟦title⟧ ⟦last⟧
Ich warte immer noch auf die Rückzahlung auf mein Konto ⟦iban_ch⟧. Meine AHV-Nummer ist ⟦ahv⟧.
Freundliche Grüsse
⟦person2⟧
⟦phone_ch⟧""",
    ),
    (
        "de",
        """Lebenslauf verbessern:

⟦person⟧
⟦address⟧
⟦phone_ch⟧ · ⟦email⟧
AHV-Nr.: ⟦ahv⟧""",
    ),
    (
        "it",
        """Migliora questa lettera:

Gentile ⟦title⟧ ⟦last⟧,
le confermo il trasferimento al nuovo indirizzo ⟦addr_line⟧. Il mio IBAN è ⟦iban_ch⟧ e il numero AVS ⟦ahv⟧.
Cordiali saluti,
⟦person2⟧""",
    ),
    (
        "it",
        """Riassumi questa nota:

Paziente ⟦person⟧, affetto da ⟦cond⟧, in terapia con ⟦med⟧. Telefono ⟦phone_ch⟧.""",
    ),
]

# ---------------------------------------------------------------- clean prompts (no gold span)

EN_CLEAN = [
    "What's new in Django ⟦ver⟧ compared to the previous release?",
    "git revert ⟦sha⟧ fails with a merge conflict, how do I resolve it?",
    "Write a Postgres query that finds rows where id = '⟦uuid⟧'",
    "Where is order ⟦order⟧? It says shipped but there's been no update for 5 days.",
    "Tracking ⟦tracking⟧ shows 'exception', what does that mean?",
    "Is ⟦price⟧ a good price for a used ⟦product⟧?",
    "Convert ⟦date⟧ to ISO 8601 and tell me which weekday it was.",
    "Find the book with ISBN ⟦isbn⟧ and summarise it.",
    "Which colour is ⟦hex⟧? Suggest a complementary palette.",
    "Decode this base64 string: ⟦blob⟧",
    "Why does my IBAN validator accept ⟦bad_iban⟧? The checksum should fail.",
    "Add ⟦bad_card⟧ to the invalid card numbers in our unit tests, it fails Luhn.",
    "Write a haiku about ⟦place⟧.",
    "Plan a 3-day itinerary in ⟦place⟧ for a food lover.",
    "Compare ⟦company⟧ and ⟦company2⟧ as employers for data scientists.",
    "Write a product description for the ⟦product⟧.",
    "Explain the difference between a list and a tuple in Python.",
    "How do I center a div in CSS?",
    "Our docker image ⟦docker⟧ fails to build on ARM, any ideas?",
    "kubectl logs ⟦pod⟧ shows CrashLoopBackOff, what should I check first?",
    "Error ⟦errcode⟧ when installing updates, how to fix?",
    "The service listens on port ⟦port⟧ but curl hangs forever.",
    "Invoice ⟦invoice⟧ shows ⟦price⟧ but the PO says ⟦price2⟧; write a neutral note to accounting.",
    "Flight ⟦flight⟧ was cancelled, what compensation does EU261 give passengers?",
    "Zoom says meeting ID ⟦zoom⟧ is invalid, why?",
    "Revenue grew ⟦pct⟧ to ⟦big⟧ units this quarter, write an upbeat company tweet.",
    "Summarise RFC 7231 section 6 in plain English.",
    "What's the population of ⟦place⟧?",
    "SKU ⟦sku⟧ is out of stock, write a back-in-stock email template with a {first_name} placeholder.",
    "Regex to match UUIDs like ⟦uuid⟧ in Go?",
    "I expected the MD5 ⟦mdhash⟧ but got a different one after download, why?",
    "Give me 10 interview questions for a junior DevOps engineer.",
    "Write unit tests for a function that validates French NIR numbers.",
    "Explain how IBAN check digits are computed, step by step.",
    "Why does npm install lodash@⟦ver⟧ warn about a vulnerability?",
    "Coupon ⟦coupon⟧ is not applied at checkout, what could be wrong in Shopify?",
    "The ⟦place⟧ office needs a new coffee machine, write the request to facilities.",
    "Convert ⟦price⟧ to CHF at a rough current rate.",
    "How many working days are there between ⟦date⟧ and ⟦date2⟧?",
    "Our fixture uses ⟦bad_nir⟧ as an invalid NIR; write a pytest case asserting it is rejected.",
    "Add ⟦bad_ahv⟧ to the list of invalid AHV numbers in the test suite.",
    "What checksum does ⟦isbn⟧ use?",
    "Batch ⟦order⟧ failed at step 3 of 7, write a status update for the team channel.",
    "Build #⟦ticket⟧ failed: ModuleNotFoundError: No module named 'yaml'",
    "Translate 'the meeting has moved to room ⟦room⟧' into German.",
    "What is ⟦big⟧ divided by 12?",
    "Which is smaller, ⟦docker⟧ or the alpine variant?",
    "What does HTTP 429 mean and how should a client back off?",
    "Generate a UUID v7 in Python.",
    "Write a SQL query that masks the email column of the users table.",
    "Translate 'privacy policy' into French, German and Italian.",
    "Explain the JWT structure (header.payload.signature) without using a real token.",
    "is ⟦place⟧ or ⟦place2⟧ better for a team offsite in spring?",
    "Write a short poem about autumn in ⟦place⟧",
    "What's the time difference between ⟦place⟧ and Tokyo?",
    "Tell me a fun fact about the history of ⟦company⟧.",
    "Which course should I take first, ⟦course⟧ or ⟦course2⟧?",
    "Price went from ⟦price⟧ to ⟦price2⟧, what's the percentage change?",
    "Our API returns ⟦errcode⟧ for request ⟦uuid⟧, what does it mean?",
    "Write release notes for ⟦ver⟧: fixed the login timeout, faster search.",
    "Estimate shipping for SKU ⟦sku⟧ (2.4 kg) from our warehouse to ⟦place⟧.",
    "The webinar starts at ⟦hh⟧ CET on ⟦date⟧ - what time is that in New York?",
    "Split a bill of ⟦price⟧ between 6 people with a 15% tip.",
    "Why does Excel turn ⟦order⟧ into scientific notation?",
    "Explain what FROM ⟦docker⟧ does in a Dockerfile.",
]

FR_CLEAN = [
    "Quoi de neuf dans Django ⟦ver⟧ ?",
    "git revert ⟦sha⟧ échoue avec un conflit, comment faire ?",
    "Où en est la commande n° ⟦order⟧ ? Expédiée mais pas de suivi depuis 5 jours.",
    "Le colis ⟦tracking⟧ est bloqué en douane, que faire ?",
    "⟦price⟧ pour un ⟦product⟧ d'occasion, c'est correct ?",
    "Écris un haïku sur ⟦place⟧.",
    "Le bureau de ⟦place⟧ déménage en septembre, rédige l'annonce interne.",
    "Compare ⟦company⟧ et ⟦company2⟧ pour un stage en data.",
    "Explique la différence entre une liste et un tuple en Python.",
    "Pourquoi mon validateur accepte ⟦bad_iban⟧ alors que la clé est fausse ?",
    "Ajoute ⟦bad_card⟧ aux numéros de carte invalides de nos tests unitaires.",
    "Convertis le ⟦date⟧ au format ISO et dis-moi quel jour de la semaine c'était.",
    "Trouve le livre ISBN ⟦isbn⟧ et résume-le.",
    "Quelle couleur est ⟦hex⟧ ? Propose une palette assortie.",
    "Décode cette chaîne base64 : ⟦blob⟧",
    "Facture ⟦invoice⟧ : ⟦price⟧ au lieu de ⟦price2⟧, rédige une note neutre pour la compta.",
    "Le vol ⟦flight⟧ est annulé, quels sont les droits des passagers ?",
    "L'image ⟦docker⟧ ne build pas sur ARM, une idée ?",
    "kubectl logs ⟦pod⟧ affiche CrashLoopBackOff, je regarde quoi ?",
    "Erreur ⟦errcode⟧ à l'installation, comment corriger ?",
    "Le service écoute sur le port ⟦port⟧ mais rien ne répond.",
    "Écris des tests unitaires pour une fonction qui valide les numéros SIRET.",
    "Explique comment fonctionne la clé de contrôle d'un NIR.",
    "Combien de jours ouvrés entre le ⟦date⟧ et le ⟦date2⟧ ?",
    "Notre fixture utilise ⟦bad_nir⟧ comme NIR invalide : écris le test pytest.",
    "Ajoute ⟦bad_ahv⟧ à la liste des numéros AVS invalides des tests.",
    "Le CA a progressé de ⟦pct⟧ pour atteindre ⟦big⟧ €, écris un post LinkedIn pour l'entreprise.",
    "Le code promo ⟦coupon⟧ ne s'applique pas, que vérifier dans PrestaShop ?",
    "Zoom : « ID de réunion ⟦zoom⟧ invalide », pourquoi ?",
    "Traduis « la réunion est déplacée en salle ⟦room⟧ » en anglais.",
    "Propose un itinéraire de 3 jours à ⟦place⟧ pour un gourmand.",
    "Quelle est la population de ⟦place⟧ ?",
    "Rédige une fiche produit pour le ⟦product⟧.",
    "Comment centrer une div en CSS ?",
    "Donne-moi 10 questions d'entretien pour un poste de DevOps junior.",
    "Écris une requête SQL qui masque les adresses e-mail de la table clients.",
    "Le lot ⟦sku⟧ est en rupture, écris un mail type avec un champ {prénom}.",
    "Quelle TVA s'applique à une prestation de conseil en France ?",
    "Résume l'article 9 du RGPD en 5 points.",
    "Écris une fonction JavaScript qui formate ⟦big⟧ avec des espaces.",
    "Pourquoi npm install lodash@⟦ver⟧ affiche une vulnérabilité ?",
    "La commande ⟦order⟧ est partie au mauvais entrepôt, rédige le message pour le transporteur.",
    "c'est quoi la différence entre SIREN et SIRET ?",
    "Comment calculer la clé RIB à partir d'un IBAN ?",
    "Le prix est passé de ⟦price⟧ à ⟦price2⟧, quel pourcentage ?",
    "Écris un poème sur l'automne à ⟦place⟧",
    "Raconte l'histoire de ⟦company⟧ en 5 lignes.",
    "Le cours ⟦course⟧ est-il un prérequis pour ⟦course2⟧ ?",
    "le ticket ⟦ticket⟧ est bloqué depuis ⟦date⟧, relance l'équipe infra (message générique)",
    "Rédige les notes de version de la ⟦ver⟧ : correction du timeout, recherche plus rapide.",
    "Le devis ⟦invoice⟧ s'élève à ⟦price⟧ HT, calcule le TTC avec 20 % de TVA.",
    "Le webinaire est à ⟦hh⟧ le ⟦date⟧, quelle heure à Montréal ?",
    "Pourquoi Excel transforme ⟦order⟧ en notation scientifique ?",
    "Le commit ⟦sha⟧ n'existe pas sur main, comment le retrouver ?",
    "Quelle différence entre ⟦docker⟧ et une image distroless ?",
    "Résume les nouveautés de Python ⟦ver⟧ pour des débutants.",
]

DE_IT_CLEAN = [
    ("de", "Was ist neu in Python ⟦ver⟧?"),
    ("de", "Schreib ein Gedicht über den Herbst in ⟦place⟧."),
    ("de", "Bestellung ⟦order⟧ ist noch nicht angekommen, was kann ich tun?"),
    ("de", "Erklär mir den Unterschied zwischen UID und AHV-Nummer."),
    ("de", "Der Preis ist ⟦price⟧, ist das für ein ⟦product⟧ günstig?"),
    ("it", "Quali sono le novità di Django ⟦ver⟧?"),
    ("it", "Scrivi un haiku su ⟦place⟧."),
    ("it", "L'ordine ⟦order⟧ non è ancora arrivato, cosa posso fare?"),
    ("it", "Spiegami la differenza tra IBAN e BIC."),
]

CODE_CLEAN = [
    (
        "en",
        """Why is this query slow?

```sql
SELECT o.id, SUM(l.amount) AS total
FROM orders o JOIN order_lines l ON l.order_id = o.id
WHERE o.created_at > '⟦date⟧'
GROUP BY o.id
HAVING SUM(l.amount) > 1000;
```""",
    ),
    (
        "en",
        """Review this code, is reading the key like this safe?

```python
import os
from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
resp = client.responses.create(model="gpt-4o-mini", input="ping")
```""",
    ),
    (
        "en",
        """Fix the off-by-one in my Luhn check:

```python
def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in number if d.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0
```""",
    ),
    (
        "en",
        """docker-compose.yml:

services:
  db:
    image: ⟦docker⟧
    environment:
      POSTGRES_PASSWORD: ${DB_PASSWORD}
      POSTGRES_USER: ${DB_USER}
    ports:
      - "⟦port⟧:⟦port⟧"

Where does DB_PASSWORD come from at runtime?""",
    ),
    (
        "en",
        """Why does this return NaN?

```js
const total = items.reduce((sum, item) => sum + item.price * item.qty, 0);
console.log(total.toFixed(2));
```""",
    ),
    (
        "en",
        """Explain this lockfile entry:

"node_modules/lodash": {
  "version": "⟦ver⟧",
  "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",
  "integrity": "sha512-⟦blob⟧"
}""",
    ),
    (
        "en",
        """Is it OK to commit this .env.example?

OPENAI_API_KEY=your-key-here
STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxx
DATABASE_URL=postgres://localhost:5432/app
DEBUG=true""",
    ),
    (
        "en",
        """Parse these log lines with awk and compute the p95 latency:

⟦ts⟧ INFO req_id=⟦uuid⟧ path=/api/orders status=200 latency_ms=⟦n⟧
⟦ts2⟧ INFO req_id=⟦uuid2⟧ path=/api/orders status=200 latency_ms=⟦n2⟧
⟦ts3⟧ WARN req_id=⟦uuid3⟧ path=/api/cart status=429 latency_ms=⟦n3⟧""",
    ),
    (
        "en",
        """Convert this CSV to JSON:

sku,name,price,stock
⟦sku⟧,⟦product⟧,⟦price⟧,⟦n⟧
⟦sku2⟧,⟦product2⟧,⟦price2⟧,⟦n2⟧""",
    ),
    (
        "en",
        """What's wrong with this CSS?

.button {
  background: ⟦hex⟧;
  color: ⟦hex2⟧;
  background-image: url("data:image/png;base64,⟦blob⟧");
}""",
    ),
    (
        "fr",
        """Pourquoi cette requête est lente ?

```sql
SELECT c.id, COUNT(*) FROM commandes c
JOIN lignes l ON l.commande_id = c.id
WHERE c.date_creation > '⟦date⟧'
GROUP BY c.id;
```""",
    ),
    (
        "fr",
        """Relis ce code, c'est propre de lire la clé comme ça ?

```python
import os
import anthropic

client = anthropic.Anthropic(api_key=os.getenv("ANTHROPIC_API_KEY"))
```""",
    ),
    (
        "fr",
        """Mon fichier .env.exemple :

MISTRAL_API_KEY=votre-cle-ici
DB_PASSWORD=
SMTP_HOST=smtp.example.com

Je peux le commiter ?""",
    ),
    (
        "fr",
        """Explique ce changelog :

## ⟦ver⟧
- fix: correction du calcul de TVA (commit ⟦sha⟧)
- feat: export CSV des commandes
## ⟦ver2⟧
- perf: cache des requêtes (⟦pct⟧ plus rapide)""",
    ),
    (
        "fr",
        """Que veut dire ce JSON de commande ?

{"commande": "⟦order⟧", "articles": [{"sku": "⟦sku⟧", "prix": "⟦price⟧", "qte": ⟦n⟧}],
 "suivi": "⟦tracking⟧", "id": "⟦uuid⟧"}""",
    ),
    (
        "fr",
        """Écris une regex pour valider un IBAN français, et commente ce code :

```python
import re
IBAN_FR = re.compile(r"^FR\\d{2}(?: ?\\d{4}){5} ?\\d{3}$")
```""",
    ),
]


def all_templates() -> list[Template]:
    out = group("en", EN_SHORT) + group("fr", FR_SHORT)
    out += group("de", DE_SHORT) + group("it", IT_SHORT)
    out += [Template(lang, text) for lang, text in MIXED]
    out += group("en", EN_DOCS, doc=True, repeat=6) + group("fr", FR_DOCS, doc=True, repeat=6)
    out += [Template(lang, text, doc=True, repeat=5) for lang, text in CH_DOCS]
    out += group("en", EN_CLEAN, repeat=5) + group("fr", FR_CLEAN, repeat=5)
    out += [Template(lang, text, repeat=3) for lang, text in DE_IT_CLEAN]
    out += [Template(lang, text, doc=True, repeat=5) for lang, text in CODE_CLEAN]
    return out


def build(seed: int = SEED) -> list[dict[str, object]]:
    v = Values(seed)
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for tpl in all_templates():
        made = 0
        for _ in range(3 * tpl.repeat):  # a template without slots only varies by style
            b = render(tpl, v)
            if b.text in seen:
                continue
            seen.add(b.text)
            rows.append({"text": b.text, "spans": b.spans, "language": b.language, "tags": b.tags})
            made += 1
            if made == tpl.repeat:
                break
    random.Random(seed).shuffle(rows)
    out = [{"id": f"dev-{i:04d}", **row} for i, row in enumerate(rows, start=1)]
    out += secrets_round_two()  # appended: the rows above stay as they were
    out += european_ids_and_leaks()  # appended too (issue 11, sections 2 and 3)
    return out


# ============================================================================ secrets, round two
# Issue 11: provider formats of gitleaks' rule set, the syntaxes of pasted files, documentation
# stand-ins. Its own seeded RNG, and rows appended after the shuffled ones, so that adding this
# section changed no earlier row. Values are random in each provider's documented shape.

SECRETS_2_SEED = 20_261_104


def secrets_round_two(seed: int = SECRETS_2_SEED) -> list[dict[str, object]]:
    r = random.Random(seed)
    alnum, hexd, upper = string.ascii_letters + string.digits, "0123456789abcdef", string.ascii_uppercase + string.digits

    def c(n: int, alphabet: str = alnum) -> str:
        return "".join(r.choice(alphabet) for _ in range(n))

    def b64(n: int) -> str:
        return base64.b64encode(r.randbytes(n)).decode()

    def password() -> str:
        return c(5) + r.choice(string.digits) + c(r.randint(6, 14))

    made = {
        "heroku": lambda: str(uuid.UUID(int=r.getrandbits(128), version=4)),
        "heroku2": lambda: "HRKU-AA" + c(58, alnum + "_-"),
        "snyk": lambda: str(uuid.UUID(int=r.getrandbits(128), version=4)),
        "azure": lambda: c(3) + r.choice(string.digits) + "Q~" + c(34, alnum + "_~.-"),
        "sourcegraph": lambda: r.choice(["sgp_", f"sgp_{c(16, hexd)}_"]) + c(40, hexd),
        "op_key": lambda: "A3-" + "-".join([c(6, upper), c(6, upper)] + [c(5, upper) for _ in range(4)]),
        "op_sa": lambda: "ops_" + base64.b64encode(json.dumps(
            {"signInAddress": "my.1password.com", "email": f"{c(10).lower()}@1passwordserviceaccounts.com",
             "srpX": c(64, hexd), "muk": {"alg": "A256GCM", "k": c(43), "kty": "oct"},
             "secretKey": f"A3-{c(6, upper)}-{c(6, upper)}-{c(5, upper)}-{c(5, upper)}-{c(5, upper)}-{c(5, upper)}"}
        ).encode()).decode().rstrip("="),
        "fb_page": lambda: r.choice(["EAAC", "EAAM"]) + c(r.randint(140, 200)),
        "fb_app": lambda: f"{r.randrange(10**14, 10**15)}{r.randint(1, 9)}|{c(32, hexd)}",
        "fb_secret": lambda: c(32, hexd),
        "easypost": lambda: r.choice(["EZAK", "EZTK"]) + c(54, string.ascii_lowercase + string.digits),
        "sonar": lambda: r.choice(["squ_", "sqp_", "sqa_"]) + c(40, hexd),
        "bedrock": lambda: "ABSK" + base64.b64encode(
            f"BedrockAPIKey-{c(4).lower()}-at-{r.randrange(10**11, 10**12)}:{c(60, alnum + '+/')}".encode()
        ).decode(),
        "bedrock_short": lambda: "bedrock-api-key-" + base64.b64encode(
            ("bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256"
             f"&X-Amz-Credential=ASIA{c(16, upper)}%2F20261204%2Feu-west-1%2Fbedrock%2Faws4_request"
             f"&X-Amz-Security-Token={c(200, alnum + '+/')}&X-Amz-Signature={c(64, hexd)}&Version=1").encode()
        ).decode(),
        "slack_hook": lambda: f"hooks.slack.com/services/T{c(8, upper)}/B{c(10, upper)}/{c(24)}",
        "k8s": lambda: b64(r.randint(8, 30)),
        "pw": password,
    }
    with_secrets = [
        ("en", "Why does `heroku container:login` fail in CI? The runner has\nHEROKU_API_KEY=⟦heroku⟧\nHEROKU_APP=shop-prod"),
        ("en", "Rotate this before Friday: export HEROKU_API_KEY=⟦heroku2⟧"),
        ("en", "snyk test keeps asking me to auth even though SNYK_TOKEN: ⟦snyk⟧ is set in the pipeline"),
        ("fr", "Le pipeline échoue avec l'erreur 401 alors que AZURE_CLIENT_SECRET=⟦azure⟧ est bien défini, une idée ?"),
        ("en", "appsettings.json:\n{\n  \"AzureAd\": {\n    \"Instance\": \"https://login.microsoftonline.com/\",\n    \"ClientSecret\": \"⟦azure⟧\"\n  }\n}"),
        ("en", "src login fails: SRC_ENDPOINT=https://sourcegraph.example.org SRC_ACCESS_TOKEN=⟦sourcegraph⟧"),
        ("en", "Is it safe to paste my 1Password secret key (⟦op_key⟧) into the support form?"),
        ("en", "op run says unauthorized. OP_SERVICE_ACCOUNT_TOKEN=⟦op_sa⟧"),
        ("en", "FacebookAdsApi.init(app_id, app_secret, access_token='⟦fb_page⟧') returns error 190, why?"),
        ("fr", "Mon token d'application Facebook ⟦fb_app⟧ ne marche plus depuis hier."),
        ("en", "settings.py has FACEBOOK_APP_SECRET = \"⟦fb_secret⟧\", should it move to the vault?"),
        ("en", "client = easypost.EasyPostClient(\"⟦easypost⟧\")\nshipment = client.shipment.create(...)"),
        ("en", "mvn sonar:sonar -Dsonar.host.url=https://sonar.example.org -Dsonar.token=⟦sonar⟧ fails with 401"),
        ("en", "In GitHub Actions I set SONAR_TOKEN: ⟦sonar⟧ in env, is that wrong?"),
        ("en", "boto3 bedrock-runtime works locally with AWS_BEARER_TOKEN_BEDROCK=⟦bedrock⟧ but not in Lambda"),
        ("en", "The console gave me this short-term key: ⟦bedrock_short⟧ - how long is it valid?"),
        ("fr", "Le cron poste les alertes sur ⟦slack_hook⟧ mais rien n'arrive dans le canal."),
        ("en", "alertmanager.yml:\nreceivers:\n  - name: ops\n    slack_configs:\n      - api_url: ⟦slack_hook⟧"),
        ("en", "Why can't the pod read it?\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\ntype: Opaque\ndata:\n  username: ⟦k8s⟧\n  password: ⟦k8s2⟧"),
        ("en", "kubectl get secret api -o json:\n{\n  \"apiVersion\": \"v1\",\n  \"data\": {\n    \"token\": \"⟦k8s⟧\"\n  },\n  \"kind\": \"Secret\"\n}"),
        ("en", "Fix the deprecation warning in this PHP:\n<?php\n$dsn = 'mysql:host=db;dbname=shop';\n$pass .= \"⟦pw⟧\";\n$pdo = new PDO($dsn, 'shop', $pass);"),
        ("en", "Why does Maven ignore my server credentials?\n<server>\n  <id>nexus</id>\n  <username>deploy</username>\n  <password>\n    ⟦pw⟧\n  </password>\n</server>"),
        ("en", "The log line is {\"msg\": \"connect db\", \"cfg\": \"host=db1\\nuser=app\\npassword=⟦pw⟧\\nsslmode=require\"} - which field breaks the parser?"),
        ("en", "Go vet complains here:\nvar apiKey string = \"⟦pw⟧\"\nfunc main() { client.New(apiKey) }"),
        ("en", "Makefile:\nREGISTRY ?= ghcr.io/acme\nREGISTRY_PASSWORD ?= ⟦pw⟧\nDEPLOY_TOKEN := $(shell echo ⟦pw2⟧)\n\npush:\n\tdocker push $(REGISTRY)/app"),
        ("en", "GNU make 4 syntax question: is `API_TOKEN != echo ⟦pw⟧` evaluated once?"),
        ("fr", "Le fichier config.ini :\n[database]\nhost = db1\nuser = app\npassword = ⟦pw⟧\n\nPourquoi configparser lève une erreur ?"),
        ("en", "docker-compose.yml:\nservices:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: ⟦pw⟧"),
        ("en", ".env.production\nNODE_ENV=production\nDATABASE_PASSWORD=⟦pw⟧\nSTRIPE_WEBHOOK_SECRET=⟦pw2⟧"),
        ("en", "The backup script runs `mysqldump -u backup -p⟦pw⟧ shop > shop.sql` - how do I avoid the warning?"),
        ("en", "redis-cli -h cache.internal -a ⟦pw⟧ --scan | head"),
        ("en", "Deploy step: docker login -u ci -p ⟦pw⟧ registry.acme.io && docker push"),
    ]
    clean = [
        ("en", "The README says to run: export OPENAI_API_KEY=\"sk-...your-key...\" then python app.py"),
        ("en", "AWS docs example:\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("en", "docker run -e POSTGRES_PASSWORD=changeme postgres:16 - is changeme really the default?"),
        ("en", "The tutorial uses curl -u test:test http://localhost:8080/api/items, what does -u do?"),
        ("en", "Template for .env.example:\nDB_PASSWORD=xxx\nAPI_TOKEN=<your-token>\nSECRET_KEY=${SECRET_KEY}"),
        ("en", "In the workflow: SONAR_TOKEN: ${{ secrets.SONAR_TOKEN }} and HEROKU_API_KEY: ${{ secrets.HEROKU_API_KEY }}"),
        ("en", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  LOG_LEVEL: info\n  FEATURE_FLAGS: c2VhcmNoLGNoZWNrb3V0"),
        ("en", "Helm template:\nkind: Secret\ndata:\n  password: {{ .Values.db.password | b64enc | quote }}"),
        ("fr", "Sur Sourcegraph, le commit 3f9c2d5e8a7b6c4d3e2f1a0b9c8d7e6f5a4b3c2d a cassé la recherche, comment revenir en arrière ?"),
        ("en", "keystorePassword=changeit is the JDK default, right? Our pom sets <password>${env.NEXUS_PASSWORD}</password>."),
        ("en", "const keyboardLayout = 'qwertz-swiss-german';\nconst api_version = \"2024-06-01\";\nconst token_type = \"bearer\";"),
        ("en", "Which Heroku dyno type should shop-prod use, eco or basic? We have 3 web and 2 worker processes."),
        ("en", "Write a Makefile target that reads the token with TOKEN := $(shell cat .token) and passes it to curl."),
        ("en", "Explain this flag: mysql -u root -p (with no value) prompts for the password, right?"),
    ]
    rows: list[dict[str, object]] = []
    for lang, template in with_secrets:
        for _ in range(3):
            rows.append(_assemble(template, lang, made, ["secrets-2"]))
    for lang, template in clean:
        rows.append(_assemble(template, lang, made, ["secrets-2", "clean"]))
    return [{"id": f"sec2-{i:03d}", **row} for i, row in enumerate(rows, start=1)]


def _assemble(
    template: str, lang: str, made: dict[str, Callable[[], str]], tags: list[str]
) -> dict[str, object]:
    """`⟦kind⟧` slots (a trailing digit draws another value of the kind), all labelled SECRET."""
    text, spans, values = "", [], {}
    pos = 0
    for m in re.finditer(r"⟦([a-z_0-9]+?)(\d?)⟧", template):
        text += template[pos : m.start()]
        key = m.group(1) + m.group(2)
        if key not in values:
            values[key] = made[m.group(1)]()
        spans.append({"start": len(text), "end": len(text) + len(values[key]), "label": "SECRET"})
        text += values[key]
        pos = m.end()
    text += template[pos:]
    return {"text": text, "spans": spans, "language": lang, "tags": [f"lang:{lang}", *tags]}


# ============================================================== European ids and leak shapes
# Issue 11, sections 2 and 3: the national identifiers of Switzerland's neighbours, wallets and
# MAC addresses, with context words in their own languages; values in the shapes pastes give
# them (side by side, split by a line break or a JSON escape, glued to a word); names, street
# types and symptoms the first round missed; and look-alikes that must stay unflagged. Its own
# seeded RNG and Faker, rows appended after everything else (ids eu2-*). Every value is made
# from its format's rules (check digits computed, not copied).

EU_IDS_SEED = 20_261_204


def european_ids_and_leaks(seed: int = EU_IDS_SEED) -> list[dict[str, object]]:
    from stdnum import luhn as _luhn
    from stdnum import verhoeff
    from stdnum.at import vnr
    from stdnum.de import idnr
    from stdnum.es import dni, nie
    from stdnum.fi import hetu
    from stdnum.gb import nhs
    from stdnum.it import codicefiscale, iva
    from stdnum.nl import bsn
    from stdnum.pl import pesel
    from stdnum.se import personnummer

    r = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in ("en_US", "en_GB", "de_DE", "fr_FR")}
    for i, fk in enumerate(fakers.values()):
        fk.seed_instance(seed + i)
    digits = "0123456789"

    def d(n: int) -> str:
        return "".join(r.choice(digits) for _ in range(n))

    def complete(prefix: str, valid: Callable[[str], bool], alphabet: str = digits) -> str | None:
        return next((prefix + c for c in alphabet if valid(prefix + c)), None)

    def until(make: Callable[[], str | None]) -> str:
        while (value := make()) is None:
            pass
        return value

    def broken(value: str) -> str:
        """The value with its last character (a check digit or letter) changed."""
        last = value[-1]
        if last.isdigit():
            return value[:-1] + str((int(last) + r.randint(1, 9)) % 10)
        return value[:-1] + r.choice([c for c in "ABCDEFGHJKLMNPQRSTUVWXYZ" if c != last.upper()])

    def date6() -> str:
        return f"{r.randint(1, 28):02d}{r.randint(1, 12):02d}{r.randint(40, 99):02d}"

    def icao(payload: str) -> str:
        values = [int(c) if c.isdigit() else ord(c) - 55 for c in payload]
        return payload + str(sum(v * (7, 3, 1)[i % 3] for i, v in enumerate(values)) % 10)

    def de_sv() -> str:
        area, born, initial, serial = f"{r.randint(10, 89)}", date6(), r.choice("ABDFHKMSW"), d(2)
        digits13 = area + born + f"{ord(initial) - 64:02d}" + serial
        weights = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)
        total = sum(sum(divmod(int(x) * w, 10)) for x, w in zip(digits13, weights, strict=True))
        return f"{area}{born}{initial}{serial}{total % 10}"

    def idnr_value() -> str | None:
        pool = r.sample(digits, 9)
        if pool[0] == "0":
            return None
        ten = [*pool, r.choice(pool[1:])]
        tail = ten[1:]
        r.shuffle(tail)
        return complete(ten[0] + "".join(tail), idnr.is_valid)

    def cf() -> str:
        consonants = "BCDFGLMNPRSTVZ"
        body = (
            "".join(r.choice(consonants) for _ in range(6))
            + d(2) + r.choice("ABCDEHLMPRST") + f"{r.randint(1, 28) + r.choice((0, 40)):02d}"
            + r.choice("ABCDEFGHLM") + d(3)
        )
        return body + codicefiscale.calc_check_digit(body)

    def b58(version: int) -> str:
        alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
        raw = bytes([version]) + r.randbytes(20)
        raw += hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
        n, out = int.from_bytes(raw, "big"), ""
        while n:
            n, rest = divmod(n, 58)
            out = alphabet[rest] + out
        return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out

    def bech32() -> str:
        charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
        acc, bits, data = 0, 0, [0]
        for byte in r.randbytes(20):
            acc, bits = (acc << 8) | byte, bits + 8
            while bits >= 5:
                bits -= 5
                data.append((acc >> bits) & 31)
        values = [3, 3, 0, 2, 3] + data + [0] * 6  # hrp "bc" expanded
        chk = 1
        for v in values:
            top, chk = chk >> 25, (chk & 0x1FFFFFF) << 5 ^ v
            for i, g in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
                chk ^= g if (top >> i) & 1 else 0
        poly = chk ^ 1
        return "bc1" + "".join(charset[x] for x in data + [(poly >> 5 * (5 - i)) & 31 for i in range(6)])

    def mac() -> str:
        sep = r.choice(":-")
        octets = [f"{r.randrange(256):02x}" for _ in range(6)]
        octets[0] = f"{int(octets[0], 16) & 0xFC | 0x02:02x}" if r.random() < 0.3 else octets[0]
        value = sep.join(octets)
        return value.upper() if r.random() < 0.5 else value

    def card(prefix: str) -> str:
        body = prefix + d(15 - len(prefix))
        return body + _luhn.calc_check_digit(body)

    def grouped(number: str) -> str:
        return " ".join(number[i : i + 4] for i in range(0, len(number), 4))

    def siren() -> str:
        return until(lambda: complete(str(r.randint(1, 9)) + d(7), lambda v: _luhn.is_valid(v)))

    def iso_iban(country: str, bban: str) -> str:
        number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
        return f"{country}{98 - number % 97:02d}{bban}"

    def lu_id() -> str:
        payload = f"19{r.randint(40, 99)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}" + d(3)
        return payload + _luhn.calc_check_digit(payload) + verhoeff.calc_check_digit(payload)

    def be_grouped() -> str:
        base = f"{r.randint(40, 99):02d}{r.randint(1, 12):02d}{r.randint(1, 28):02d}" + d(3)
        value = base + f"{97 - int(base) % 97:02d}"
        return f"{value[:2]}.{value[2:4]}.{value[4:6]}-{value[6:9]}.{value[9:]}"

    def phone_us() -> str:
        return f"{r.randint(201, 989)}-{r.randint(200, 999)}-{d(4)}"

    def email(fk: Faker) -> str:
        return f"{fk.first_name().lower()}.{fk.last_name().lower()}@{fk.free_email_domain()}"

    def nino() -> str:
        # HMRC: no D, F, I, Q, U, V in the prefix, no O second, and never BG, GB, KN, NK, NT, TN, ZZ.
        while (prefix := r.choice("ABCEGHJKLMNPRSTWXYZ") + r.choice("ABCEGHJKLMNPRSTWXYZ")) in (
            "BG", "GB", "KN", "NK", "NT", "TN", "ZZ"
        ):  # fmt: skip
            pass
        return prefix + " " + " ".join(d(2) for _ in range(3)) + " " + r.choice("ABCD")

    def prefix_name() -> str:
        prefix = r.choice(("Mc", "Mac", "O’", "O'"))
        rest = r.choice(("Allister", "Donald", "Brien", "Connor", "Leod", "Kenna"))
        return f"{gb.first_name()} {prefix}{rest}"

    def at_svnr() -> str:
        while True:
            serial, born = f"{r.randint(100, 999)}", date6()
            value = complete(serial, lambda p, born=born: vnr.is_valid(p + born))
            if value is not None:
                return f"{value} {born}"

    en, gb = fakers["en_US"], fakers["en_GB"]
    makers: dict[str, Callable[[], tuple[str, str | None]]] = {
        "UK_NHS": lambda: (until(lambda: complete(str(r.randint(4, 6)) + d(8), nhs.is_valid)), "UK_NHS"),
        "UK_NINO": lambda: (nino(), "UK_NINO"),
        "IT_FISCAL_CODE": lambda: (cf(), "IT_FISCAL_CODE"),
        "IT_VAT_CODE": lambda: (until(lambda: complete(d(7) + f"{r.randint(1, 100):03d}", iva.is_valid)), "IT_VAT_CODE"),
        "ES_NIF": lambda: (until(lambda: complete(d(8), dni.is_valid, "TRWAGMYFPDXBNJZSQVHLCKE")), "ES_NIF"),
        "ES_NIE": lambda: (until(lambda: complete(r.choice("XYZ") + d(7), nie.is_valid, "TRWAGMYFPDXBNJZSQVHLCKE")), "ES_NIE"),
        "PL_PESEL": lambda: (
            until(lambda: complete(f"{r.randint(40, 99):02d}{r.randint(1, 12):02d}{r.randint(1, 28):02d}" + d(4), pesel.is_valid)),
            "PL_PESEL",
        ),
        "FI_HETU": lambda: (
            until(lambda: complete(date6() + r.choice("-A") + f"{r.randint(2, 899):03d}", hetu.is_valid, "0123456789ABCDEFHJKLMNPRSTUVWXY")),
            "FI_PERSONAL_IDENTITY_CODE",
        ),
        "SE_PNR": lambda: (
            until(lambda: (lambda v: v and v[:6] + "-" + v[6:])(complete(f"{r.randint(40, 99):02d}{r.randint(1, 12):02d}{r.randint(1, 28):02d}" + d(3), personnummer.is_valid))),
            "SE_PERSONNUMMER",
        ),
        "DE_TAX_ID": lambda: (until(idnr_value), "DE_TAX_ID"),
        "DE_SV": lambda: (de_sv(), "DE_SOCIAL_SECURITY"),
        "DE_ID": lambda: (icao(r.choice("LMNPRTVWXYZ") + "".join(r.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(7))), "DE_ID_CARD"),
        "DE_PASS": lambda: (icao("C" + "".join(r.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(7))), "DE_PASSPORT"),
        "AT_SVNR": lambda: (at_svnr(), "AT_SVNR"),
        "BE_NN": lambda: (be_grouped(), "BE_NATIONAL_NUMBER"),
        "NL_BSN": lambda: (until(lambda: complete(str(r.randint(1, 9)) + d(7), bsn.is_valid)), "NL_BSN"),
        "LI_PEID": lambda: (str(r.randint(10_000, 9_999_999)), "LI_PEID"),
        "LU_ID": lambda: (lu_id(), "LU_NATIONAL_ID"),
        "BTC": lambda: (b58(r.choice((0, 5))), "CRYPTO"),
        "BECH": lambda: (bech32(), "CRYPTO"),
        "MAC": lambda: (mac(), "MAC_ADDRESS"),
        "CARD": lambda: (grouped(card(r.choice(("4539", "4916", "5412", "5168")))), "CREDIT_CARD"),
        "CARD_RAW": lambda: (card(r.choice(("4539", "5412"))), None),
        "SIREN": lambda: ((lambda v: f"{v[:3]} {v[3:6]} {v[6:]}")(siren()), "FR_SIREN"),
        "SIRET": lambda: (
            (lambda v: f"{v[:3]} {v[3:6]} {v[6:9]} {v[9:]}")(until(lambda: complete(siren() + d(4), lambda v: _luhn.is_valid(v)))),
            "FR_SIRET",
        ),
        "IBAN_ES": lambda: ((lambda v: " ".join(v[i : i + 4] for i in range(0, 24, 4)))(iso_iban("ES", d(4) + d(4) + "00" + d(10))), "IBAN_CODE"),
        "SSN_DOTS": lambda: (f"{r.randint(100, 665)}.{r.randint(10, 99)}.{r.randint(1000, 9999)}", "US_SSN"),
        "PHONE_US": lambda: (phone_us(), "PHONE_NUMBER"),
        "PHONE_FR": lambda: ("06" + d(8), "PHONE_NUMBER"),
        "PHONE_CH": lambda: ("+4179" + d(7), "PHONE_NUMBER"),
        "EMAIL": lambda: (email(en), "EMAIL_ADDRESS"),
        "CIDR4": lambda: (f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.0/{r.choice((16, 20, 24))}", "IP_ADDRESS"),
        "CIDR6": lambda: (f"2001:db8:{r.randrange(65536):x}::/{r.choice((32, 48, 64))}", "IP_ADDRESS"),
        "IPV6": lambda: (f"2001:db8:{r.randrange(65536):x}::{r.randrange(1, 65536):x}", "IP_ADDRESS"),
        "AVS": lambda: ((lambda v: f"{v[:3]}.{v[3:7]}.{v[7:11]}.{v[11:]}")(until(lambda: complete("756" + d(9), lambda v: ean.is_valid(v)))), "CH_AHV"),
        "INITIAL_NAME": lambda: (f"{en.first_name()} {r.choice(string.ascii_uppercase)}. {en.last_name()}", "PERSON"),
        "WORD_NAME": lambda: (f"{r.choice(('April', 'June', 'Grace', 'Hope', 'August'))} {r.choice(('Johnson', 'Miller', 'Baumgartner', 'Fischer', 'Taylor', 'Murphy'))}", "PERSON"),
        "PREFIX_NAME": lambda: (prefix_name(), "PERSON"),
        "SPEAKER": lambda: (r.choice(("Nora", "Tom", "Laura", "Peter", "Hannah", "Lukas", "Chloé", "Marco")), "PERSON"),
        "SURNAME": lambda: (r.choice(("Fischer", "Keller", "Moreau", "Rossi", "Bianchi", "Schneider", "Dubois")), "PERSON"),
        "US_STREET": lambda: (
            f"{r.randint(1, 9999)} {r.choice(('Oak', 'Maple', 'Heron', 'Cedar', 'Mill', 'Canal', 'Willow'))} "
            f"{r.choice(('Plains', 'Crossroad', 'Shoals', 'Neck', 'Villages', 'Locks', 'Bluffs', 'Crest', 'Hollow', 'Spurs', 'Turnpike'))}",
            "LOCATION",
        ),
        "SYMPTOM": lambda: (r.choice(("chest pain", "shortness of breath", "night sweats", "palpitations", "blood in the stool", "difficulty swallowing")), "HEALTH"),
        "SYMPTOM_FR": lambda: (r.choice(("douleurs thoraciques", "essoufflement", "sueurs nocturnes", "palpitations", "vertiges")), "HEALTH"),
        "SYMPTOM_DE": lambda: (r.choice(("Brustschmerzen", "Atemnot", "Herzrasen", "Nachtschweiß")), "HEALTH"),
    }

    # Three sentences per identifier, in its country's languages and in English, ten values each.
    id_templates: list[tuple[str, str]] = [
        ("en", "Please update the patient record: NHS number ⟦UK_NHS⟧, referral from the GP attached."),
        ("en", "Her NHS no. is ⟦UK_NHS⟧ — book the follow-up at the clinic."),
        ("en", "National Health Service number ⟦UK_NHS⟧ (England), date of birth on file."),
        ("en", "My National Insurance number is ⟦UK_NINO⟧, can you fill in the HMRC form?"),
        ("en", "NINO: ⟦UK_NINO⟧"),
        ("en", "Payroll needs the NI number ⟦UK_NINO⟧ before the first salary."),
        ("it", "Il mio codice fiscale è ⟦IT_FISCAL_CODE⟧, compila il modulo per favore."),
        ("en", "Client file: tax code ⟦IT_FISCAL_CODE⟧ (Italy)."),
        ("it", "C.F. ⟦IT_FISCAL_CODE⟧ — tessera sanitaria in scadenza."),
        ("it", "Fattura intestata a Rossi SRL, partita IVA ⟦IT_VAT_CODE⟧, scadenza 30 giorni."),
        ("it", "P.IVA ⟦IT_VAT_CODE⟧ - Via Roma, Milano"),
        ("en", "Italian supplier, VAT number ⟦IT_VAT_CODE⟧, pays in 60 days."),
        ("es", "Mi DNI es ⟦ES_NIF⟧ y necesito renovar el pasaporte."),
        ("en", "Spanish contractor, NIF ⟦ES_NIF⟧, invoice attached."),
        ("es", "Documento nacional de identidad: ⟦ES_NIF⟧"),
        ("es", "Número de identidad de extranjero (NIE): ⟦ES_NIE⟧"),
        ("es", "Mi NIE es ⟦ES_NIE⟧, tengo la tarjeta de residencia desde marzo."),
        ("en", "The new hire's Spanish foreigner number (NIE) is ⟦ES_NIE⟧."),
        ("pl", "Proszę o potwierdzenie, mój numer PESEL to ⟦PL_PESEL⟧."),
        ("pl", "PESEL: ⟦PL_PESEL⟧, adres zamieszkania bez zmian."),
        ("en", "Polish employee, PESEL ⟦PL_PESEL⟧, starts on Monday."),
        ("fi", "Henkilötunnus: ⟦FI_HETU⟧, osoite muuttunut."),
        ("fi", "Hetu ⟦FI_HETU⟧ – lähetä päätös postitse."),
        ("en", "Finnish personal identity code ⟦FI_HETU⟧ for the residence permit."),
        ("sv", "Mitt personnummer är ⟦SE_PNR⟧, kan du skicka intyget?"),
        ("sv", "Personnummer: ⟦SE_PNR⟧"),
        ("en", "Swedish personal identity number ⟦SE_PNR⟧ on the tax form."),
        ("de", "Für die Lohnabrechnung: meine Steuer-ID lautet ⟦DE_TAX_ID⟧."),
        ("de", "Steueridentifikationsnummer ⟦DE_TAX_ID⟧ (BZSt)"),
        ("en", "German tax ID ⟦DE_TAX_ID⟧ needed for the payroll setup."),
        ("de", "Sozialversicherungsnummer ⟦DE_SV⟧ bitte in die Personalakte übernehmen."),
        ("de", "Rentenversicherungsnummer: ⟦DE_SV⟧"),
        ("en", "His German social security number is ⟦DE_SV⟧."),
        ("de", "Personalausweis-Nr. ⟦DE_ID⟧, gültig bis 2031."),
        ("de", "Ausweisnummer ⟦DE_ID⟧ wurde bei der Anmeldung geprüft."),
        ("en", "German ID card number ⟦DE_ID⟧ for the KYC check."),
        ("de", "Reisepassnummer ⟦DE_PASS⟧ für die Visumsanfrage."),
        ("de", "Pass-Nr.: ⟦DE_PASS⟧"),
        ("en", "Passport ⟦DE_PASS⟧ (Germany), expires next year."),
        ("de", "Versicherungsnummer (SVNR) ⟦AT_SVNR⟧, e-card liegt bei."),
        ("de", "Meine Sozialversicherungsnummer ist ⟦AT_SVNR⟧."),
        ("en", "Austrian social security number ⟦AT_SVNR⟧ for the claim."),
        ("fr", "Numéro de registre national : ⟦BE_NN⟧, merci de vérifier l'adresse."),
        ("nl", "Rijksregisternummer ⟦BE_NN⟧, graag bevestigen."),
        ("en", "Belgian national number ⟦BE_NN⟧ on the contract."),
        ("nl", "Mijn BSN is ⟦NL_BSN⟧, graag de toeslag aanpassen."),
        ("nl", "Burgerservicenummer: ⟦NL_BSN⟧"),
        ("en", "Dutch citizen service number (BSN) ⟦NL_BSN⟧."),
        ("de", "Personenidentifikationsnummer (PEID) ⟦LI_PEID⟧ für die Steuerverwaltung Vaduz."),
        ("de", "PEID: ⟦LI_PEID⟧"),
        ("en", "Liechtenstein PEID ⟦LI_PEID⟧ on the CRS form."),
        ("fr", "Matricule ⟦LU_ID⟧ (CNS), affiliation à mettre à jour."),
        ("fr", "Numéro d'identification national : ⟦LU_ID⟧"),
        ("en", "Luxembourg national identification number ⟦LU_ID⟧."),
        ("en", "Send the refund to my wallet ⟦BTC⟧ please."),
        ("en", "BTC address for the invoice: ⟦BECH⟧"),
        ("fr", "Envoie les fonds à ⟦BTC⟧ avant ce soir."),
        ("en", "The laptop with MAC ⟦MAC⟧ keeps dropping off the Wi-Fi."),
        ("en", "DHCP lease for ⟦MAC⟧ expired at noon."),
        ("de", "Die MAC-Adresse ⟦MAC⟧ ist im WLAN gesperrt."),
    ]
    # Values in the shapes pastes give them; names, street types and symptoms.
    shape_templates: list[tuple[str, str]] = [
        ("en", "Cards on file: ⟦CARD⟧ ⟦CARD:2⟧"),
        ("en", "Transfer to IBAN ⟦IBAN_ES⟧ before Friday."),
        ("en", "Whitelist ⟦CIDR4⟧ and ⟦CIDR6⟧ on the firewall."),
        ("en", "upstream ⟦IPV6⟧: connection refused (retrying)"),
        ("en", "Employee SSN ⟦SSN_DOTS⟧ must be masked in the export."),
        ("en", "Reach me on Tel⟦PHONE_FR⟧ or mobile⟦PHONE_CH⟧ after six."),
        ("en", "Phone: ⟦PHONE_US⟧ (office line)"),
        ("en", "Contact: ⟦EMAIL_SPLIT⟧ for the contract."),
        ("en", '{"msg": "Call me\\n⟦PHONE_CH⟧\\tthanks", "card": "⟦CARD_ESC⟧"}'),
        ("fr", "AVS ⟦AVS_SPLIT⟧ à vérifier."),
        ("en", "The contract was signed by ⟦INITIAL_NAME⟧ on Monday."),
        ("en", "Invite ⟦WORD_NAME⟧ to the kickoff and book a room."),
        ("en", "Forward this to ⟦PREFIX_NAME⟧ in accounting."),
        ("en", "⟦SPEAKER⟧: can you check the build?\n⟦SPEAKER:2⟧: on it, give me five minutes."),
        ("en", "First name? ⟦SPEAKER⟧\nLast name? ⟦SURNAME⟧"),
        ("en", "I live at ⟦US_STREET⟧ with my two kids."),
        ("en", "Since Tuesday he has ⟦SYMPTOM⟧ and ⟦SYMPTOM:2⟧."),
        ("fr", "Depuis hier elle signale des ⟦SYMPTOM_FR⟧."),
        ("de", "Der Patient klagt über ⟦SYMPTOM_DE⟧ seit dem Wochenende."),
        ("fr", "Fournisseur : ⟦SIREN⟧ — merci pour la facture."),
        ("fr", "Établissement ⟦SIRET⟧ sur la facture de mars."),
    ]
    # Look-alikes that must stay unflagged: the same sentences with a wrong check digit, order
    # and reference numbers that pass Luhn, hashes, versions, ordinary words that are names.
    clean: list[tuple[str, str]] = [
        ("en", "Please update the patient record: NHS number ⟦BAD_NHS⟧, referral attached."),
        ("it", "Il mio codice fiscale è ⟦BAD_CF⟧, compila il modulo per favore."),
        ("es", "Mi DNI es ⟦BAD_DNI⟧ y necesito renovar el pasaporte."),
        ("pl", "Proszę o potwierdzenie, mój numer PESEL to ⟦BAD_PESEL⟧."),
        ("nl", "Mijn BSN is ⟦BAD_BSN⟧, graag de toeslag aanpassen."),
        ("de", "Für die Lohnabrechnung: meine Steuer-ID lautet ⟦BAD_IDNR⟧."),
        ("en", "Send the refund to my wallet ⟦BAD_BTC⟧ please."),
        ("en", "Order reference ⟦CARD_RAW⟧ has shipped; tracking follows."),
        ("en", "commit 0x⟦HEX40⟧ merged into main"),
        ("en", "Upgrade to version ⟦VERSION⟧ and rerun the job at 12:30:45."),
        ("en", "Route 10.1.⟦OCTET⟧.3/33 is not a valid prefix; neither is 1.2.3.⟦OCTET:2⟧/24/5."),
        ("fr", "La commande ⟦ORDER⟧ est partie ; référence client ⟦ORDER:2⟧."),
        ("en", "In ⟦MONTH⟧ we speak English with the French team; the Grace period ends in May."),
        ("en", "Note: the build ⟦BUILD⟧ is green.\nWarning: disk almost full.\nResult: ok"),
        ("en", "The fatigue of the metal and the LLM hallucinations were in postmortem ⟦BUILD⟧."),
    ]
    bad_makers: dict[str, Callable[[], tuple[str, str | None]]] = {
        "BAD_NHS": lambda: (broken(makers["UK_NHS"]()[0]), None),
        "BAD_CF": lambda: (broken(cf()), None),
        "BAD_DNI": lambda: (broken(makers["ES_NIF"]()[0]), None),
        "BAD_PESEL": lambda: (broken(makers["PL_PESEL"]()[0]), None),
        "BAD_BSN": lambda: (broken(makers["NL_BSN"]()[0]), None),
        "BAD_IDNR": lambda: (broken(until(idnr_value)), None),
        "BAD_BTC": lambda: (broken(b58(0)), None),
        "HEX40": lambda: ("".join(r.choice("0123456789abcdef") for _ in range(40)), None),
        "VERSION": lambda: (f"{r.randint(1, 20)}.{r.randint(0, 40)}.{r.randint(0, 300)}", None),
        "OCTET": lambda: (str(r.randint(0, 255)), None),
        "ORDER": lambda: (f"CMD-{d(8)}", None),
        "MONTH": lambda: (r.choice(("April", "May", "June", "August")), None),
        "BUILD": lambda: (f"#{r.randint(1000, 99999)}", None),
    }
    makers.update(bad_makers)
    rows: list[dict[str, object]] = []

    def assemble(template: str, lang: str, tags: list[str]) -> dict[str, object]:
        text, spans, values = "", [], {}
        pos = 0
        for m in re.finditer(r"⟦([A-Z_0-9]+)(?::(\d))?⟧", template):
            text += template[pos : m.start()]
            key, kind = m.group(0), m.group(1)
            if key not in values:
                if kind == "EMAIL_SPLIT":
                    address = email(gb)
                    cut = address.index("@") + r.choice((0, 1, 4))
                    values[key] = (address[:cut] + "\n" + address[cut:], "EMAIL_ADDRESS")
                elif kind == "CARD_ESC":
                    number = grouped(card("4539"))
                    values[key] = (number[:9] + "\\n" + number[10:], "CREDIT_CARD")
                elif kind == "AVS_SPLIT":
                    value = makers["AVS"]()[0]
                    values[key] = (value[:9] + "\n" + value[9:], "CH_AHV")
                else:
                    values[key] = makers[kind]()
            value, label = values[key]
            if label is not None:
                spans.append({"start": len(text), "end": len(text) + len(value), "label": label})
            text += value
            pos = m.end()
        text += template[pos:]
        return {"text": text, "spans": spans, "language": lang, "tags": [f"lang:{lang}", *tags]}

    for lang, template in id_templates:
        for _ in range(10):
            rows.append(assemble(template, lang, ["eu-ids-leaks"]))
    for lang, template in shape_templates:
        for _ in range(5):
            rows.append(assemble(template, lang, ["eu-ids-leaks"]))
    for lang, template in clean:
        for _ in range(10):
            rows.append(assemble(template, lang, ["eu-ids-leaks", "clean"]))
    return [{"id": f"eu2-{i:03d}", **row} for i, row in enumerate(rows, start=1)]


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    labels: dict[str, int] = {}
    for row in rows:
        for span in row["spans"]:  # type: ignore[attr-defined]
            labels[span["label"]] = labels.get(span["label"], 0) + 1
    clean = sum(1 for row in rows if not row["spans"])
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()[:12]
    print(f"{len(rows)} examples ({clean} clean) -> {OUT} sha256:{digest}")
    print(", ".join(f"{k}={v}" for k, v in sorted(labels.items())))


if __name__ == "__main__":
    main()
