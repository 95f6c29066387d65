"""Valid national identifiers built from their specifications' check-digit rules.

Each function takes the payload (the part a person or registry chooses) and appends what the
specification computes, so tests hold numbers that are valid by the spec, not copied ones.
"""

from __future__ import annotations

import hashlib

from stdnum import luhn, verhoeff


def nhs(nine: str) -> str:
    """NHS number: weights 10..2, check = 11 - sum mod 11 (11 -> 0; 10 means unusable)."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 10:
        raise ValueError("no NHS number with this payload")
    return nine + str(0 if check == 11 else check)


def luhn_digit(payload: str) -> str:
    """The Luhn (mod 10) check digit of `payload`."""
    total = 0
    for i, char in enumerate(reversed(payload)):
        d = int(char) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str(-total % 10)


def it_vat(ten: str) -> str:
    """Partita IVA: 7-digit company number, 3-digit province office, Luhn check digit."""
    return ten + luhn_digit(ten)


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def es_dni(eight: str) -> str:
    return eight + _DNI_LETTERS[int(eight) % 23]


def es_nie(prefix: str, seven: str) -> str:
    return prefix + seven + _DNI_LETTERS[int(str("XYZ".index(prefix)) + seven) % 23]


def pesel(ten: str) -> str:
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    total = sum(int(d) * w for d, w in zip(ten, weights, strict=True))
    return ten + str(-total % 10)


_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def fi_hetu(ddmmyy: str, sign: str, serial: str) -> str:
    return f"{ddmmyy}{sign}{serial}{_HETU_CHECK[int(ddmmyy + serial) % 31]}"


def se_personnummer(yymmdd: str, serial: str, sign: str = "-") -> str:
    return f"{yymmdd}{sign}{serial}{luhn_digit(yymmdd + serial)}"


def de_idnr(ten: str) -> str:
    """Steuer-ID: ISO 7064 MOD 11,10 over the first ten digits."""
    product = 10
    for char in ten:
        total = (int(char) + product) % 10 or 10
        product = (2 * total) % 11
    return ten + str((11 - product) % 10)


def de_svnr(area: str, ddmmyy: str, initial: str, serial: str) -> str:
    """Rentenversicherungsnummer: the initial becomes its two-digit alphabet position; weights
    2,1,2,5,7,1,2,1,2,1,2,1; the check digit is the sum of the products' digit sums mod 10."""
    digits = area + ddmmyy + f"{ord(initial) - 64:02d}" + serial
    weights = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)
    total = sum(sum(divmod(int(d) * w, 10)) for d, w in zip(digits, weights, strict=True))
    return f"{area}{ddmmyy}{initial}{serial}{total % 10}"


def icao_check(payload: str) -> str:
    """ICAO 9303 check digit: weights 7, 3, 1; A=10 ... Z=35."""
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in payload]
    return str(sum(v * (7, 3, 1)[i % 3] for i, v in enumerate(values)) % 10)


def at_svnr(serial: str, ddmmyy: str) -> str:
    """Austrian Versicherungsnummer: serial (3), check digit, birth date DDMMYY."""
    digits = serial + "0" + ddmmyy
    weights = (3, 7, 9, 0, 5, 8, 4, 2, 1, 6)
    check = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    if check == 10:
        raise ValueError("no SVNr with this payload")
    return f"{serial}{check}{ddmmyy}"


def be_nn(yymmdd: str, serial: str, born_2000s: bool = False) -> str:
    base = yymmdd + serial
    check = 97 - int(("2" if born_2000s else "") + base) % 97
    return f"{base}{check:02d}"


def nl_bsn(eight: str) -> str:
    """BSN "elfproef": sum of digit x (9..2) minus the last digit is divisible by 11."""
    total = sum(int(d) * w for d, w in zip(eight, range(9, 1, -1), strict=True))
    check = total % 11
    if check == 10:
        raise ValueError("no BSN with this payload")
    return eight + str(check)


def lu_matricule(yyyymmdd: str, serial: str) -> str:
    payload = yyyymmdd + serial
    return payload + luhn.calc_check_digit(payload) + verhoeff.calc_check_digit(payload)


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(version: int, payload: bytes) -> str:
    """A Bitcoin base58check address: version byte, payload, 4 bytes of double SHA-256."""
    raw = bytes([version]) + payload
    raw += hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
    number = int.from_bytes(raw, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk


def segwit_v0(program: bytes, hrp: str = "bc") -> str:
    """A BIP-173 bech32 address for a version-0 witness program."""
    acc, bits, data = 0, 0, [0]
    for byte in program:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    poly = _polymod(expanded + data + [0] * 6) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data + checksum)
