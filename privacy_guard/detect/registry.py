"""The built-in recognizers, one module per identifier family."""

from __future__ import annotations

import importlib

from privacy_guard.detect.recognizers.base import Recognizer

_MODULES = (
    "secrets",
    "contact",
    "financial",
    "fr",
    "ch",
    "eu",
    "us",
    "address",
    "health",
    "person",
)


def builtin_recognizers() -> list[Recognizer]:
    recognizers: list[Recognizer] = []
    for name in _MODULES:
        try:
            module = importlib.import_module(f"privacy_guard.detect.recognizers.{name}")
        except ModuleNotFoundError:  # TEMPORARY while the families are being written
            continue
        recognizers.extend(getattr(module, "RECOGNIZERS", []))  # TEMPORARY
    return recognizers
