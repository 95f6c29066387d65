"""One exception hierarchy for the whole package.

Messages never carry the text being scanned: they name what is wrong and where (a line number,
a field), so they are safe to log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class PrivacyGuardError(Exception):
    """Base class of every error privacy-guard raises on purpose."""


class DetectionError(PrivacyGuardError):
    """Detection could not run to completion; callers must fail closed."""


class InvalidTextError(DetectionError, TypeError):
    """The value handed to the detector is not text it can scan."""


class ConfigError(PrivacyGuardError):
    """A configuration, policy or catalog file is invalid."""


class ConfigFileError(ConfigError):
    """One or more problems located in configuration files, each with file, line and column."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues) or "invalid configuration")


class CatalogError(ConfigFileError):
    """The model catalog is invalid: a missing field, an unknown access class, a duplicate."""


class PolicyError(ConfigFileError):
    """A team policy is invalid: schema, `extends`, catalog references or an unsafe pattern."""


class PolicyTestError(ConfigFileError):
    """A policy test-case file is malformed (the cases themselves failing is not an error)."""


class UnknownModelError(PrivacyGuardError, LookupError):
    """The requested model is not in the catalog (the gateway answers 404)."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        shown = ", ".join(sorted(known)[:12]) + (", …" if len(known) > 12 else "")
        super().__init__(f"unknown model {name!r}; the catalog has: {shown}")


class UnknownTeamError(PrivacyGuardError, LookupError):
    """The team has neither a policy file nor an entry in the deployment config."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        super().__init__(
            f"unknown team {name!r}; known teams: {', '.join(sorted(known)) or '(none)'} — add "
            f"policies/{name}.yaml or list the team under `teams:` in the config"
        )


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in one file. `line` and `column` are 1-based; 0 when the file as a whole."""

    file: str
    line: int
    column: int
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        located = f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{located}\n  hint: {self.hint}" if self.hint else located
