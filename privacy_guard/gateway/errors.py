"""The gateway's errors, each with the HTTP status and OpenAI-style body the client gets.

Every message is written by us and names what is wrong (a JSON path, an entity type, a rule, a
model name), never a value from the request: error bodies end up in client logs.
"""

from __future__ import annotations

from typing import Any

from privacy_guard.errors import PayloadError, PrivacyGuardError, UpstreamError


class GatewayError(PrivacyGuardError):
    """A request the gateway answers with an error. `code` is stable; tests and clients use it."""

    status: int = 500
    type: str = "server_error"

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        if status is not None:
            self.status = status
        self.param = param
        self.headers = headers or {}

    def body(self, request_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.type,
            "param": self.param,
            "code": self.code,
            "request_id": request_id,
        }
        return {"error": error}


class BadRequest(GatewayError):
    """400 (or 404, 405, 413): the request itself is wrong; nothing was inspected or sent."""

    status = 400
    type = "invalid_request_error"

    @classmethod
    def from_payload(cls, error: PayloadError) -> BadRequest:
        if error.status == 404:
            return NotFound(str(error), code="unknown_route")
        return cls(f"invalid request body: {error}", code="invalid_body", param=error.param or None)


class NotFound(BadRequest):
    status = 404
    type = "not_found_error"


class Unauthenticated(GatewayError):
    status = 401
    type = "authentication_error"


class PolicyViolation(GatewayError):
    """403: the team's policy blocks the request. Names entity types and rules, never values."""

    status = 403
    type = "privacy_policy_violation"


class FailedClosed(GatewayError):
    """Detection, policy evaluation or the audit log failed: nothing was sent upstream."""

    status = 503


class UpstreamFailed(GatewayError):
    """The model target failed; the status is the upstream's own (502/504 when unreachable)."""

    type = "upstream_error"

    @classmethod
    def from_upstream(cls, error: UpstreamError) -> UpstreamFailed:
        # The provider's own code, when it is a plain identifier, is in the message.
        return cls(str(error), code="upstream_" + _identifier(error.kind), status=error.status)


def _identifier(kind: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "_" for ch in kind)
    return out.strip("_") or "error"


__all__ = [
    "BadRequest",
    "FailedClosed",
    "GatewayError",
    "NotFound",
    "PolicyViolation",
    "Unauthenticated",
    "UpstreamFailed",
]
