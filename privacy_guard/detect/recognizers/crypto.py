"""CRYPTO (wallet addresses) and MAC_ADDRESS.

Bitcoin: presidio-analyzer's CryptoRecognizer (base58check for P2PKH/P2SH `1…`/`3…`, bech32 and
bech32m for `bc1…`), run behind a token-shape prefilter; the address must be a whole token.

Ethereum: `0x` + 40 hex digits. When the letters are mixed case they carry the EIP-55 checksum
(each letter is upper case when the matching nibble of keccak256(lower-case address) is >= 8), which
we check; an all-lower or all-upper address has no checksum and needs a context word (wallet,
ETH, ...), else it could be any 160-bit hash.

MAC_ADDRESS: presidio-analyzer's MacAddressRecognizer (six colon- or dash-separated octets, or
Cisco's three dotted quads), behind a prefilter; Cisco's form written in digits only looks like a
version or a phone number, so it needs a hex letter or a context word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from privacy_guard.detect.presidio_adapter import PresidioWindowRecognizer
from privacy_guard.detect.recognizers.base import Recognizer, Span, has_context

PRIORITY = 31  # above SECRET's high-entropy guesses: a checksummed address is an address

CRYPTO_WORDS = re.compile(
    r"(?i)(?<!\w)(?:wallets?|btc|bitcoin|eth|ether(?:eum)?|crypto\w*|metamask|ledger|"
    r"portefeuille|portafoglio|adresse|address|usdt|usdc|erc-?20|send|pay|envoyer|senden)(?!\w)"
)
MAC_WORDS = re.compile(
    r"(?i)(?<!\w)(?:mac|mac-?adresse|adresse\s+mac|hardware\s+address|physical\s+address|"
    r"ethernet|wi-?fi|wlan|bssid|hwaddr|ether|lladdr|nic)(?!\w)"
)


def _standalone(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (
        end == len(text) or not text[end].isalnum()
    )


def _bitcoin_score(value: str, text: str, start: int, end: int, presidio: float) -> float | None:
    if presidio < 1.0 or not _standalone(text, start, end):
        return None  # Presidio's checksum did not pass, or a piece of a longer token
    return 1.0 if has_context(text, start, end, CRYPTO_WORDS) else 0.95


def _bitcoin() -> object:
    from presidio_analyzer.predefined_recognizers.generic.crypto_recognizer import (
        CryptoRecognizer,
    )

    return CryptoRecognizer()


def _mac() -> object:
    from presidio_analyzer.predefined_recognizers.generic.mac_recognizer import (
        MacAddressRecognizer,
    )

    return MacAddressRecognizer()


def _mac_score(value: str, text: str, start: int, end: int, presidio: float) -> float | None:
    if not _standalone(text, start, end) or text[end : end + 1] in (":", "-"):
        return None  # an IPv6 address or a longer hex run
    named = has_context(text, start, end, MAC_WORDS)
    if "." in value and not named and not re.search(r"[A-Fa-f]", value):
        return None
    return 1.0 if named else 0.9


# ----------------------------------------------------------------------------- Ethereum

_ROUND_CONSTANTS = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip
_ROTATIONS = (
    (0, 36, 3, 41, 18), (1, 44, 10, 45, 2), (62, 6, 43, 15, 61), (28, 55, 25, 21, 56),
    (27, 20, 39, 8, 14),
)  # fmt: skip
_MASK = (1 << 64) - 1


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK if shift else value


def _keccak_f(state: list[list[int]]) -> None:
    for constant in _ROUND_CONSTANTS:
        c = [state[x][0] ^ state[x][1] ^ state[x][2] ^ state[x][3] ^ state[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rotl(c[(x + 1) % 5], 1) for x in range(5)]
        for x in range(5):
            for y in range(5):
                state[x][y] ^= d[x]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rotl(state[x][y], _ROTATIONS[x][y])
        for x in range(5):
            for y in range(5):
                state[x][y] = b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y])
        state[0][0] ^= constant


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (the original padding, not SHA3-256's). hashlib has only
    SHA3; this runs on 40-byte inputs of mixed-case candidates, so pure Python is fast enough."""
    rate = 136
    padded = bytearray(data) + b"\x01" + bytes(-(len(data) + 1) % rate)
    padded[-1] |= 0x80
    state = [[0] * 5 for _ in range(5)]
    for offset in range(0, len(padded), rate):
        block = padded[offset : offset + rate]
        for i in range(rate // 8):
            state[i % 5][i // 5] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _keccak_f(state)
    out = b"".join(state[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


def eip55_valid(address: str) -> bool:
    """True when the mixed-case hex digits of `0x…` match the EIP-55 checksum."""
    body = address[2:]
    digest = keccak256(body.lower().encode("ascii")).hex()
    for char, nibble in zip(body, digest[: len(body)], strict=True):
        if char.isalpha() and char.isupper() != (int(nibble, 16) >= 8):
            return False
    return True


_ETH = re.compile(r"(?<![\w])0[xX][0-9a-fA-F]{40}(?![\w])")


class EthereumRecognizer:
    name = "ethereum"
    entities = ("CRYPTO",)

    def find(self, text: str, language: str) -> Iterator[Span]:
        for m in _ETH.finditer(text):
            body = m.group(0)[2:]
            letters = [c for c in body if c.isalpha()]
            mixed = any(c.isupper() for c in letters) and any(c.islower() for c in letters)
            named = has_context(text, m.start(), m.end(), CRYPTO_WORDS)
            if mixed:
                if eip55_valid(m.group(0)):
                    yield Span("CRYPTO", m.start(), m.end(), 1.0, PRIORITY)
            elif named:
                yield Span("CRYPTO", m.start(), m.end(), 0.8, PRIORITY)


RECOGNIZERS: list[Recognizer] = [
    PresidioWindowRecognizer(
        "presidio:crypto",
        "CRYPTO",
        _bitcoin,
        re.compile(
            r"(?<![\w])(?:(?:bc1|BC1)[a-zA-Z0-9]{25,87}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})(?![\w])"
        ),
        _bitcoin_score,
        priority=PRIORITY,
        window=0,
    ),
    EthereumRecognizer(),
    PresidioWindowRecognizer(
        "presidio:mac_address",
        "MAC_ADDRESS",
        _mac,
        re.compile(
            r"(?<![\w:.\-])(?:[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}"
            r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w:\-]|\.\w)"
        ),
        _mac_score,
        priority=PRIORITY,
        window=0,
    ),
]
