"""privacy-guard: a privacy gateway and data-loss-prevention filter for LLM traffic."""

from privacy_guard.detect import Detector, DetectorConfig, Finding
from privacy_guard.errors import (
    ConfigError,
    DetectionError,
    InvalidTextError,
    PrivacyGuardError,
)

__all__ = [
    "ConfigError",
    "DetectionError",
    "Detector",
    "DetectorConfig",
    "Finding",
    "InvalidTextError",
    "PrivacyGuardError",
]
__version__ = "0.1.0"
