"""The gateway: the enforcement pipeline behind the middleware, the standalone app and
`privacy_guard.completion()`. See `privacy_guard.middleware` for the way in."""

from privacy_guard.gateway.core import Exchange, Gateway, GatewaySettings
from privacy_guard.gateway.errors import (
    BadRequest,
    FailedClosed,
    GatewayError,
    NotFound,
    PolicyViolation,
    Unauthenticated,
    UpstreamFailed,
)

__all__ = [
    "BadRequest",
    "Exchange",
    "FailedClosed",
    "Gateway",
    "GatewayError",
    "GatewaySettings",
    "NotFound",
    "PolicyViolation",
    "Unauthenticated",
    "UpstreamFailed",
]
