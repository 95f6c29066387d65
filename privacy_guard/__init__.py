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
    from privacy_guard.gateway.binding import bind
    from privacy_guard.middleware import PrivacyGuardMiddleware
    from privacy_guard.sdk import (
        acompletion,
        amessages_create,
        aresponses_create,
        completion,
        messages_create,
        responses_create,
    )

__all__ = [
    "ConfigError",
    "DenyRule",
    "DetectionError",
    "Detector",
    "DetectorConfig",
    "Finding",
    "InvalidTextError",
    "PrivacyGuardError",
    "PrivacyGuardMiddleware",
    "acompletion",
    "amessages_create",
    "aresponses_create",
    "bind",
    "completion",
    "messages_create",
    "responses_create",
]
__version__ = "0.1.0"

# Imported on first use so that `import privacy_guard.errors` (or a recognizer module) does
# not pull in the detection engine, and `import privacy_guard` not Starlette or litellm.
_LAZY_EXPORTS = {
    "DenyRule": "privacy_guard.detect",
    "Detector": "privacy_guard.detect",
    "DetectorConfig": "privacy_guard.detect",
    "Finding": "privacy_guard.detect",
    "PrivacyGuardMiddleware": "privacy_guard.middleware",
    "acompletion": "privacy_guard.sdk",
    "completion": "privacy_guard.sdk",
    "responses_create": "privacy_guard.sdk",
    "aresponses_create": "privacy_guard.sdk",
    "messages_create": "privacy_guard.sdk",
    "amessages_create": "privacy_guard.sdk",
    "bind": "privacy_guard.gateway.binding",
}


def __getattr__(name: str) -> Any:
    module = _LAZY_EXPORTS.get(name)
    if module is not None:
        import importlib

        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module 'privacy_guard' has no attribute {name!r}")
