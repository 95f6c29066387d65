"""Contact details: EMAIL_ADDRESS (email.py), PHONE_NUMBER (phone.py) and IP_ADDRESS (here).

IP_ADDRESS: IPv4 (also defanged: `10[.]0[.]0[.]1`, `10 . 0 . 0 . 1`) and IPv6 (full,
`::`-compressed, embedded IPv4, `%zone`), validated with `ipaddress`. Private and loopback
addresses are still reported. Not reported: dotted runs longer than four parts (`1.2.3.4.5`,
OIDs), IPv4 led by a version or section word (`version 10.0.0.1`, `section 1.2.3.4`), `::`
alone, `std::vector`, times (`12:30:45`), MAC addresses, and colon-words like `a::b`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from privacy_guard.detect.recognizers import email, phone
from privacy_guard.detect.recognizers._word_index import scan_at
from privacy_guard.detect.recognizers.base import Recognizer, Span, context_before

ENTITY = "IP_ADDRESS"
PRIORITY = 15

_V4_DOT = r"(?:\.|\[\.\]|\(\.\)|\[dot\]|\(dot\)| \. )"
_IPV4 = re.compile(
    rf"(?<![\w.\-])(?<!\d\[\.\])(?P<ip>\d{{1,3}}(?:{_V4_DOT}\d{{1,3}}){{3}})"
    r"(?P<cidr>/(?:3[0-2]|[12]?\d)(?![\w.]))?"
    r"(?![\w\-]|/\d|\.\d|\[\.\]\d|\(\.\)\d| \. \d)"
)
_IPV6 = re.compile(
    r"(?<![\w:.%\-])"
    r"(?P<ip>(?:[0-9A-Fa-f]{0,4}:){2,8}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?)"
    r"(?P<zone>%[\w.\-]{1,16})?"
    r"(?P<cidr>/(?:12[0-8]|1[01]\d|[1-9]?\d)(?![\w.]))?"
    r"(?![\w]|/\d|\.\w|:(?!\d{1,5}(?![\w:])))"  # ":8080" after a zone or prefix is a port
)
_VERSIONISH = re.compile(
    r"(?i)\b(?:v|vers?|versions?|release[sd]?|build|firmware|fw|rev|revision|patch|update|"
    r"section|sections|chapter|chapitre|article|clause|paragraph|§|step|oid|snmp|mib)\b[\s:.#]*\Z"
)
_DEFANGED_DOT = re.compile(r"\[\.\]|\(\.\)|\[dot\]|\(dot\)| \. ")

# Where `_IPV4` can start: a digit after no word character, "." or "-" (its look-behind), with
# a dot of some spelling after at most three digits. The scan skips to such characters in C.
_IPV4_START = re.compile(r"[^\w.\-](?=\d{1,3}(?:\.|\[|\(| \. ))")
_IPV4_AT_TEXT_START = re.compile(r"\d{1,3}(?:\.|\[|\(| \. )")
# `_IPV6` opens with at most four hex digits and a colon, then at most four more and a colon:
# each such pair of colons (`_COLON_PAIR`, non-overlapping) gives one place to try, the start of
# the hex digits before its first colon. A colon left out (the second of a pair) has a colon
# and at most four hex digits before it, where the look-behind forbids a start.
_COLON_PAIR = re.compile(r":[0-9A-Fa-f]{0,4}:")
_HEX = frozenset("0123456789abcdefABCDEF")


def _ipv4_starts(text: str) -> list[int]:
    starts = [m.start() + 1 for m in _IPV4_START.finditer(text)]
    if _IPV4_AT_TEXT_START.match(text):
        starts.insert(0, 0)
    return starts


def _ipv6_starts(text: str) -> list[int]:
    starts = []
    for pair in _COLON_PAIR.finditer(text):
        start = pair.start()
        while start > pair.start() - 5 and start and text[start - 1] in _HEX:
            start -= 1
        starts.append(start)
    return starts


class IpRecognizer:
    name = "ip_address"
    entities = (ENTITY,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        v6 = [
            span
            for m in scan_at(_IPV6, text, _ipv6_starts(text))
            if (span := self._ipv6_span(m)) is not None
        ]
        for start, end in v6:
            yield Span(ENTITY, start, end, 0.9, PRIORITY)
        for m in scan_at(_IPV4, text, _ipv4_starts(text)):
            if any(a <= m.start() < b for a, b in v6):
                continue  # the IPv4 tail of ::ffff:192.0.2.128
            value = _DEFANGED_DOT.sub(".", m["ip"])
            try:
                ipaddress.IPv4Address(value)
            except ValueError:
                continue
            if context_before(text, m.start(), _VERSIONISH, 24):
                continue
            yield Span(ENTITY, m.start(), m.end(), 0.9, PRIORITY)

    def _ipv6_span(self, m: re.Match[str]) -> tuple[int, int] | None:
        """The address's span, with its zone and prefix length; an address followed by a colon
        ("fe80::1: no route", "2001:db8::7:" in a log line) is read without that colon."""
        value = m["ip"]
        if self._is_ipv6(value):
            return m.span()
        bare = m["zone"] is None and m["cidr"] is None
        if bare and value.endswith(":") and not value.endswith("::") and self._is_ipv6(value[:-1]):
            return m.start(), m.end("ip") - 1
        return None

    @staticmethod
    def _is_ipv6(value: str) -> bool:
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            return False
        groups = [g for g in re.split(r"::?", value) if g]
        if not groups:
            return False  # "::"
        if "::" not in value and all(len(g) == 2 for g in groups):
            return False  # 00:1a:2b:3c:4d:5e:6f:70 is a MAC / EUI-64 written in octets
        if len(groups) >= 3 or value == "::1" or "." in value:
            return True
        # Two groups or fewer around "::": "fe80::1" yes, "a::b" / "Foo::bar" no.
        return any(c.isdigit() for c in value) and max(len(g) for g in groups) >= 3


RECOGNIZERS: list[Recognizer] = [
    *email.RECOGNIZERS,
    *phone.RECOGNIZERS,
    IpRecognizer(),
]
