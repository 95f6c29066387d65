"""privacy-guard: a privacy gateway and data-loss-prevention filter for LLM traffic."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from privacy_guard.errors import (
    ConfigError,
    DetectionError,
    InvalidTextError,
    PrivacyGuardError,
)

if TYPE_CHECKING:
    from privacy_guard.detect import DenyRule, Detector, DetectorConfig, Finding

__all__ = [
    "ConfigError",
    "DenyRule",
    "DetectionError",
    "Detector",
    "DetectorConfig",
    "Finding",
    "InvalidTextError",
    "PrivacyGuardError",
]
__version__ = "0.1.0"

_DETECT_EXPORTS = {"DenyRule", "Detector", "DetectorConfig", "Finding"}


def __getattr__(name: str) -> Any:
    # Imported on first use so that `import privacy_guard.errors` (or a recognizer module)
    # does not pull in the detection engine.
    if name in _DETECT_EXPORTS:
        from privacy_guard import detect

        return getattr(detect, name)
    raise AttributeError(f"module 'privacy_guard' has no attribute {name!r}")
