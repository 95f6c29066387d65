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
                "41", lambda: r.choice(["75", "76", "77", "78", "79", "22", "21", "44", "31"]) + d(7)
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
                forms = [f"+49 {n[:2]} {n[2:]}", f"0{n[:2]} {n[2:]}", f"(0{n[:2]}) {n[2:6]} {n[6:]}"]
                forms.append(f"+49 (0){n[:2]} {n[2:]}")
        elif country == "IT":
            if r.random() < 0.6:
                n = self._nsn("39", lambda: "3" + r.choice("2345679") + d(8))
                forms = [f"+39 {n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]} {n[3:]}", f"{n[:3]}-{n[3:6]}-{n[6:]}"]
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
        kind = self.pick(["RSA PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PRIVATE KEY"])
        size = {"RSA PRIVATE KEY": 600, "PRIVATE KEY": 630, "EC PRIVATE KEY": 120}.get(kind, 400)
        blob = base64.b64encode(self.r.randbytes(size)).decode()
        lines = [blob[i : i + 64] for i in range(0, len(blob), 64)]
        return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----"

    def password(self) -> str:
        r = self.r
        words = ["Soleil", "Winter", "Dragon", "Marmotte", "Paris", "Sunshine", "Matterhorn", "Chat"]
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
    "fr_FR": ["Lyon", "Nantes", "Bordeaux", "Lille", "Rennes", "Grenoble", "Montpellier", "Ajaccio"],
    "fr_CH": ["Lausanne", "Genève", "Neuchâtel", "Fribourg", "Sion", "Montreux", "Yverdon"],
    "de_CH": ["Zürich", "Bern", "Basel", "Luzern", "Winterthur", "St. Gallen", "Zug"],
    "it_CH": ["Lugano", "Bellinzona", "Locarno", "Mendrisio", "Chiasso"],
}
REAL_POSTAL = {
    "en_US": [("Austin", "TX", "78701"), ("Denver", "CO", "80202"), ("Seattle", "WA", "98101"),
              ("Boston", "MA", "02116"), ("Chicago", "IL", "60614"), ("Portland", "OR", "97205")],
    "en_GB": [("London", "", "SW1A 2AA"), ("Manchester", "", "M1 4BT"), ("Bristol", "", "BS1 5TR"),
              ("Leeds", "", "LS1 4AP"), ("Edinburgh", "", "EH1 1YZ"), ("Cardiff", "", "CF10 1EP")],
    "fr_FR": [("Paris", "", "75011"), ("Lyon", "", "69003"), ("Marseille", "", "13008"),
              ("Toulouse", "", "31000"), ("Nantes", "", "44000"), ("Bastia", "", "20200"),
              ("Strasbourg", "", "67000"), ("Lille", "", "59000")],
    "fr_CH": [("Genève", "", "1204"), ("Lausanne", "", "1003"), ("Fribourg", "", "1700"),
              ("Neuchâtel", "", "2000"), ("Sion", "", "1950"), ("Carouge", "", "1227")],
    "de_CH": [("Zürich", "", "8004"), ("Bern", "", "3011"), ("Basel", "", "4051"),
              ("Luzern", "", "6003"), ("Winterthur", "", "8400")],
    "it_CH": [("Lugano", "", "6900"), ("Bellinzona", "", "6500"), ("Locarno", "", "6600"),
              ("Mendrisio", "", "6850"), ("Chiasso", "", "6830")],
}
STREETS = {
    "en_US": ["Maple Avenue", "Oak Street", "Pine Road", "Elm Drive", "Lakeview Blvd"],
    "en_GB": ["High Street", "Church Lane", "Victoria Road", "Station Road", "Mill Lane"],
    "fr_FR": ["rue de la République", "avenue Jean Jaurès", "boulevard Voltaire", "rue des Lilas",
              "impasse des Tilleuls", "chemin du Moulin", "place de la Mairie"],
    "fr_CH": ["rue du Rhône", "avenue de la Gare", "chemin des Vignes", "route de Chêne",
              "rue de Lausanne"],
    "de_CH": ["Bahnhofstrasse", "Seestrasse", "Dorfstrasse", "Hauptstrasse", "Langstrasse"],
    "it_CH": ["Via Nassa", "Via Cantonale", "Via San Gottardo", "Via Ciseri", "Corso Elvezia"],
}
COMPANIES = ["Acme Corp", "Nestlé", "Capgemini", "Swisscom", "Airbus", "Decathlon", "Logitech",
             "Orange Business", "OVHcloud", "Migros", "Globex Industries", "Initech", "Datadog",
             "Sopra Steria", "La Poste", "BNP Paribas", "Raiffeisen", "Zalando", "Atos", "Mistral AI"]
PLACES = ["Geneva", "Lyon", "Paris", "Zurich", "Marseille", "Lausanne", "London", "Brussels",
          "Montreal", "Bordeaux", "Lugano", "Basel", "Nice", "Toulouse", "Berlin", "Milan"]
FR_DOMAINS = ["gmail.com", "orange.fr", "free.fr", "laposte.net", "yahoo.fr", "outlook.fr",
              "sfr.fr", "wanadoo.fr", "proton.me"]
CH_DOMAINS = ["bluewin.ch", "gmx.ch", "sunrise.ch", "gmail.com", "hispeed.ch", "protonmail.ch"]
EN_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.co.uk", "icloud.com", "aol.com"]
CORP_DOMAINS = ["acme-corp.com", "globex.io", "initech.fr", "dupont-associes.fr", "helvetia-it.ch",
                "cabinet-martin.fr", "northwind.co.uk", "contoso.com", "example-bank.ch"]

HEALTH = {
    "en": {
        "cond": ["type 2 diabetes", "depression", "bipolar disorder", "HIV", "epilepsy",
                 "breast cancer", "multiple sclerosis", "Crohn's disease", "asthma",
                 "generalized anxiety disorder", "hypertension", "ADHD", "schizophrenia",
                 "Parkinson's disease", "lupus", "hepatitis C", "an eating disorder", "PTSD",
                 "a heart attack", "long COVID", "endometriosis", "celiac disease"],
        "treat": ["chemotherapy", "dialysis", "radiotherapy", "physiotherapy", "IVF",
                  "cognitive behavioural therapy", "a hip replacement", "insulin therapy",
                  "a kidney transplant", "rehab for alcohol addiction", "antiretroviral therapy"],
        "med": ["metformin", "sertraline", "lithium", "insulin", "methotrexate", "Ozempic",
                "fluoxetine", "Adderall", "levothyroxine", "Xanax", "Truvada", "warfarin",
                "prednisone", "Ritalin"],
    },
    "fr": {
        "cond": ["diabète de type 2", "dépression", "trouble bipolaire", "VIH", "épilepsie",
                 "cancer du sein", "sclérose en plaques", "maladie de Crohn", "asthme",
                 "hypertension artérielle", "burn-out", "schizophrénie", "maladie de Parkinson",
                 "hépatite C", "anorexie", "endométriose", "insuffisance rénale", "TDAH",
                 "infarctus", "covid long", "trouble anxieux généralisé", "cancer de la prostate"],
        "treat": ["chimiothérapie", "dialyse", "radiothérapie", "kinésithérapie", "FIV",
                  "thérapie cognitivo-comportementale", "une prothèse de hanche",
                  "insulinothérapie", "une greffe de rein", "trithérapie", "cure de désintoxication"],
        "med": ["metformine", "sertraline", "lithium", "insuline", "méthotrexate", "Lévothyrox",
                "Doliprane 1000", "fluoxétine", "Xanax", "Ozempic", "Ritaline", "Deroxat",
                "Kardegic", "Seresta"],
    },
    "de": {
        "cond": ["Diabetes Typ 2", "Depression", "Multiple Sklerose", "Epilepsie", "Brustkrebs",
                 "Burnout", "Morbus Crohn", "HIV"],
        "treat": ["Chemotherapie", "Dialyse", "Physiotherapie", "Psychotherapie"],
        "med": ["Metformin", "Sertralin", "Ritalin", "Insulin", "Lithium"],
    },
    "it": {
        "cond": ["diabete di tipo 2", "depressione", "sclerosi multipla", "epilessia",
                 "tumore al seno", "morbo di Crohn", "HIV"],
        "treat": ["chemioterapia", "dialisi", "fisioterapia", "psicoterapia"],
        "med": ["metformina", "sertralina", "insulina", "litio"],
    },
}
JOBS = {
    "en": ["data engineer", "nurse", "project manager", "sales director", "teacher", "accountant"],
    "fr": ["développeuse", "infirmier", "chef de projet", "comptable", "juriste", "technicien"],
}
SECRET_KINDS = ["openai", "anthropic", "aws_id", "aws_secret", "github", "gitlab", "slack",
                "stripe", "google", "hf", "sendgrid", "jwt", "pem", "password"]


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
            [f"{f}.{la}", f"{f}.{la}", f"{f[0]}.{la}", f"{f}{la}", f"{f}_{la}", f"{la}.{f}",
             f"{f}{self.r.randint(1, 99)}", f"{f[0]}{la}{self.r.randint(70, 99)}"]
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
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]
    return c.r.choice([f"{d.day} {months[d.month - 1]}", d.strftime("%d/%m/%Y"), d.strftime("%d.%m.%Y")])


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
    "email": ("EMAIL_ADDRESS", lambda c, i: c.email(i)),
    "phone": ("PHONE_NUMBER", lambda c, i: c.v.phone(c.country())),
    "phone_fr": ("PHONE_NUMBER", _phone("FR")),
    "phone_ch": ("PHONE_NUMBER", _phone("CH")),
    "phone_uk": ("PHONE_NUMBER", _phone("UK")),
    "phone_us": ("PHONE_NUMBER", _phone("US")),
    "phone_de": ("PHONE_NUMBER", _phone("DE")),
    "phone_it": ("PHONE_NUMBER", _phone("IT")),
    "phone_be": ("PHONE_NUMBER", _phone("BE")),
    "phone_any": ("PHONE_NUMBER", lambda c, i: c.v.phone(c.r.choice(["FR", "CH", "UK", "US", "DE", "IT", "BE"]))),
    "iban": ("IBAN_CODE", _iban_local),
    "iban_fr": ("IBAN_CODE", _iban("FR")),
    "iban_ch": ("IBAN_CODE", _iban("CH")),
    "iban_de": ("IBAN_CODE", _iban("DE")),
    "iban_gb": ("IBAN_CODE", _iban("GB")),
    "iban_be": ("IBAN_CODE", _iban("BE")),
    "iban_it": ("IBAN_CODE", _iban("IT")),
    "iban_any": ("IBAN_CODE", lambda c, i: c.v.iban(c.r.choice(["FR", "CH", "DE", "GB", "BE", "IT", "ES", "LU"]))),
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
    "ipv4": ("IP_ADDRESS", lambda c, i: c.fk.ipv4_public()),
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
    "address1": ("LOCATION", lambda c, i: c.address(one_line=True)),
    "street": ("LOCATION", lambda c, i: c.street()),
    "home": ("LOCATION", lambda c, i: c.r.choice(CITIES[c.locale])),
    "cond": ("HEALTH", _health("cond")),
    "treat": ("HEALTH", _health("treat")),
    "med": ("HEALTH", _health("med")),
    # fillers: no label
    "title": (None, lambda c, i: c.title(i)),
    "company": (None, lambda c, i: c.r.choice(COMPANIES)),
    "city": (None, lambda c, i: c.r.choice(CITIES[c.locale])),
    "date": (None, _date),
    "dob": (None, _dob),
    "amount": (None, _amount),
    "n": (None, lambda c, i: str(c.r.randint(2, 48))),
    "year": (None, lambda c, i: str(c.r.randint(2008, 2024))),
    "ticket": (None, lambda c, i: c.v.digits(5, first_nonzero=True)),
    "bic": (None, lambda c, i: c.r.choice(["BNPAFRPPXXX", "UBSWCHZH80A", "DEUTDEFFXXX", "POFICHBEXXX", "CEPAFRPP751", "BARCGB22"])),
    "exp": (None, lambda c, i: f"{c.r.randint(1, 12):02d}/{c.r.randint(25, 31)}"),
    "cvv": (None, lambda c, i: c.v.digits(3)),
    "job": (None, lambda c, i: c.r.choice(JOBS["fr" if c.lang == "fr" else "en"])),
    "host": (None, lambda c, i: c.r.choice(["db.internal", "10-0-3-7.svc.cluster.local", "prod-db-01", "localhost", "cluster0.mongodb.net"])),
    "user": (None, lambda c, i: c.r.choice(["admin", "app", "root", "deploy", "svc_backend", "postgres"])),
    "hh": (None, lambda c, i: f"{c.r.randint(0, 23):02d}:{c.r.randint(0, 59):02d}:{c.r.randint(0, 59):02d}"),
}
