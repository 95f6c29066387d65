"""The built-in recognizers, one module per identifier family."""

from __future__ import annotations

from privacy_guard.detect.recognizers import (
    address,
    ch,
    contact,
    crypto,
    eu,
    financial,
    fr,
    health,
    national,
    person,
    residence,
    secrets,
    table,
    us,
)
from privacy_guard.detect.recognizers.base import Recognizer

_FAMILIES = (
    secrets,
    contact,
    financial,
    fr,
    ch,
    eu,
    national,
    crypto,
    us,
    address,
    residence,
    health,
    person,
    table,
)


def builtin_recognizers() -> list[Recognizer]:
    return [recognizer for family in _FAMILIES for recognizer in family.RECOGNIZERS]
