"""The separator evaders and humans put between digit groups, as a never-empty regex.

`base.DIGIT_SEP` may match the empty string, which makes `group (sep group)*` ambiguous (and
super-linear when a match fails). `SEP` always consumes something, so a run of groups has
exactly one way to match. It accepts, between two groups: spaces (up to three), one of `. - /`
with or without spaces around it (`06 - 12`, `21 / 2382`), no-break spaces, and a line break.
"""

from __future__ import annotations

import re

_SPACE = r"[ \t\u00a0\u202f]"
SEP = (
    rf"(?:{_SPACE}{{1,3}}(?:[.\-/](?:\r?\n)?{_SPACE}{{0,3}}|\r?\n{_SPACE}{{0,3}})?"
    rf"|[.\-/](?:\r?\n)?{_SPACE}{{0,3}}"
    rf"|\r?\n{_SPACE}{{0,3}})"
)

# The start of an IBAN right before a position ("FR76 ", "GB72 LOYD ", "FR76 - 0764 - "): the
# digits that follow belong to it, not to a phone or a card.
# The groups are atomic and each takes four characters when it can: the plain form matched the
# same strings but, where it failed, tried every split of every run into groups at every offset.
IBAN_HEAD_BEFORE = re.compile(
    r"(?:^|[^A-Za-z0-9])[A-Za-z]{2}\d{2}"
    r"(?>(?:[ \t]{0,3}[.\-/]?[ \t]{0,3}[A-Za-z0-9]{1,4}+){0,8})[ \t]{0,3}[.\-/]?[ \t]{0,3}\Z"
)
# Where such a head can start: two letters and two digits after no letter or digit. Searched
# first, it tells where (whether) the head's regex can match at all.
_IBAN_HEAD_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}")


def iban_head_before(text: str, position: int, reach: int = 40) -> bool:
    """Whether the start of an IBAN ends right before `position`, within `reach` characters
    (`IBAN_HEAD_BEFORE` searched in that stretch, only from where a head can start)."""
    low = max(0, position - reach)
    head = _IBAN_HEAD_START.search(text, low, position)
    if head is None:
        return False
    return IBAN_HEAD_BEFORE.search(text, max(low, head.start() - 1), position) is not None
