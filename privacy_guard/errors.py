"""One exception hierarchy for the whole package.

Messages never carry the text being scanned: they name what is wrong and where (a line number,
a field), so they are safe to log.
"""

from __future__ import annotations


class PrivacyGuardError(Exception):
    """Base class of every error privacy-guard raises on purpose."""


class DetectionError(PrivacyGuardError):
    """Detection could not run to completion; callers must fail closed."""


class InvalidTextError(DetectionError, TypeError):
    """The value handed to the detector is not text it can scan."""


class ConfigError(PrivacyGuardError):
    """A configuration, policy or catalog file is invalid."""
