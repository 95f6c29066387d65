"""One exception hierarchy for the whole package.

Messages never carry the text being scanned: they name what is wrong and where (a line number,
a field), so they are safe to log.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


class PrivacyGuardError(Exception):
    """Base class of every error privacy-guard raises on purpose."""


class DetectionError(PrivacyGuardError):
    """Detection could not run to completion; callers must fail closed."""


class InvalidTextError(DetectionError, TypeError):
    """The value handed to the detector is not text it can scan."""


class PayloadError(PrivacyGuardError, ValueError):
    """A request body is not a valid OpenAI-style payload; the gateway answers `status` (400).

    The message names the JSON path and what was expected there, never the value found: request
    bodies carry the very data this project protects.
    """

    def __init__(self, path: Sequence[str | int], problem: str, *, status: int = 400) -> None:
        self.path: tuple[str | int, ...] = tuple(path)
        self.problem = problem
        self.status = status
        super().__init__(f"{format_json_path(self.path)}: {problem}")

    @property
    def param(self) -> str:
        """The offending path, for the `param` field of an OpenAI-style error body."""
        return format_json_path(self.path)


class RedactionError(PrivacyGuardError):
    """Redaction could not be done safely (a misuse of the Redactor); callers must fail closed."""


def format_json_path(path: Sequence[str | int]) -> str:
    """`$.messages[2].content[1].text`. Keys that are not plain identifiers — a schema's property
    names are free text and might be personal — are shown as `[…]`, not spelled out."""
    out = ["$"]
    for key in path:
        if isinstance(key, int):
            out.append(f"[{key}]")
        elif _PLAIN_KEY.fullmatch(key):
            out.append(f".{key}")
        else:
            out.append("[…]")
    return "".join(out)


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}", re.ASCII)


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


class UpstreamError(PrivacyGuardError):
    """A call to a model target failed; nothing usable came back.

    `status` is what the gateway should answer: the upstream's own HTTP status when it answered
    with an error, 502 when it could not be reached (or answered with something unusable), 504
    when it did not answer in time. The message names the target, the status and the kind of
    failure, never the provider's error text: providers quote the prompt back in their errors.
    """

    def __init__(
        self,
        target: str,
        status: int,
        kind: str,
        *,
        code: str | None = None,
        retryable: bool = False,
        attempts: int = 1,
        message: str | None = None,
    ) -> None:
        self.target = target
        self.status = status
        self.kind = kind  # e.g. "timeout", "connection", "http", "RateLimitError"
        self.code = code  # the provider's error code when it is a plain identifier
        self.retryable = retryable
        self.attempts = attempts
        detail = f" ({code})" if code else ""
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(
            message or f"model target {target!r} failed{tries}: {kind}, status {status}{detail}"
        )


class MissingApiKeyError(UpstreamError):
    """The target's API key variable is not set: the gateway answers 503 and sends nothing."""

    def __init__(self, target: str, variable: str) -> None:
        self.variable = variable
        super().__init__(
            target,
            503,
            "missing API key",
            message=f"model target {target!r} needs an API key in the environment variable "
            f"{variable}, which is not set",
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


class AuditError(PrivacyGuardError):
    """The audit log failed: an event could not be recorded durably (the request must fail
    closed), or a log, key, checkpoint or proof could not be read. Messages name the field, file
    or index concerned, never a value from a request."""


class AuditEventError(AuditError, ValueError):
    """An event handed to the audit log has a field that is not what the log may store (free
    text where an identifier belongs, an unknown action…); nothing was written."""


class AuditStoreError(AuditError):
    """The audit store could not be opened, read or written (disk, lock, schema, or a state that
    does not match its records)."""


class AuditKeyError(AuditError):
    """A signing, HMAC or public key file is missing, malformed or readable by others."""


class AuditFormatError(AuditError, ValueError):
    """A signed note, checkpoint, public key line or proof file is malformed."""


class ProofError(AuditError):
    """An inclusion or consistency proof, or the checkpoint it rests on, does not verify.

    `code` is one of the reason codes of `privacy-guard audit verify` (`bad-signature`,
    `unknown-key`, `modified`, `fork`, `malformed`)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(f"{code}: {message}")
