"""Anthropic's Messages API as a wire adapter: `POST /v1/messages` (streamed or not) and
`POST /v1/messages/count_tokens`.

- The team key comes as `x-api-key` (the Anthropic SDK, Claude Code with ANTHROPIC_API_KEY) or
  `Authorization: Bearer` (Claude Code with ANTHROPIC_AUTH_TOKEN).
- `anthropic-version` and `anthropic-beta` are forwarded to targets that speak the API.
- Errors have Anthropic's shape, `{"type": "error", "error": {"type", "message"}, "request_id"}`,
  with the error types the SDK knows for each status (our stable `code` added), so the SDK
  raises its usual exceptions; mid-stream, an `event: error`.
- Egress: natively (`egress/anthropic_relay.py`) to targets whose catalog entry lists
  `anthropic-messages` in `apis:`, else translated to OpenAI chat (`messages/translate.py`) and
  sent through `egress.chat` / `egress.chat_stream` (relay or litellm, per target).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from privacy_guard import egress
from privacy_guard.catalog import WireApi
from privacy_guard.egress import anthropic_relay
from privacy_guard.gateway.wire.base import EgressCall, WireAdapter, json_bytes
from privacy_guard.messages.reply import MessageEvents, restore_message
from privacy_guard.messages.request import extract_messages_segments
from privacy_guard.messages.translate import (
    chat_request,
    estimate_tokens,
    message_events,
    message_reply,
)
from privacy_guard.payloads import RequestSegments, Route

if TYPE_CHECKING:
    from privacy_guard.gateway.core import Exchange
    from privacy_guard.gateway.errors import GatewayError

_FORWARDED = ("anthropic-version", "anthropic-beta")

# Anthropic's error type per HTTP status (what its API answers, and what the SDK expects).
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    408: "timeout_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def anthropic_error_type(status: int) -> str:
    if status in _ERROR_TYPES:
        return _ERROR_TYPES[status]
    return "invalid_request_error" if status < 500 else "api_error"


class AnthropicMessages(WireAdapter):
    api = WireApi.ANTHROPIC_MESSAGES.value
    routes = (Route.MESSAGES, Route.MESSAGES_COUNT_TOKENS)
    unstreamable = frozenset({Route.MESSAGES_COUNT_TOKENS})

    # -- HTTP ------------------------------------------------------------------------------------

    def credential(self, headers: Mapping[str, str]) -> str | None:
        key = headers.get("x-api-key", "").strip()
        return key or super().credential(headers)

    def forward_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {name: headers[name] for name in _FORWARDED if headers.get(name)}

    def error_body(self, error: GatewayError, request_id: str) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "type": anthropic_error_type(error.status),
            "message": error.message,
            "code": error.code,  # ours, stable: tests and clients may branch on it
        }
        if error.param:
            detail["param"] = error.param
        return {"type": "error", "error": detail, "request_id": request_id}

    def sse(self, event: dict[str, Any]) -> bytes:
        kind = event.get("type") if isinstance(event, dict) else None
        name = kind.encode("ascii", "replace") if isinstance(kind, str) else b"message"
        return b"event: " + name + b"\ndata: " + json_bytes(event) + b"\n\n"

    # -- request and reply -----------------------------------------------------------------------

    def segments(self, route: Route, body: Any) -> RequestSegments:
        return extract_messages_segments(route, body)

    def restore_reply(
        self, exchange: Exchange, reply: dict[str, Any], model: str
    ) -> dict[str, Any]:
        if exchange.route is Route.MESSAGES_COUNT_TOKENS:
            return reply
        restored: dict[str, Any] = restore_message(exchange.redactor, reply, model)
        return restored

    def stream_restorer(self, exchange: Exchange, model: str) -> MessageEvents:
        return MessageEvents(exchange.redactor, model)

    # -- egress ----------------------------------------------------------------------------------

    async def reply(self, call: EgressCall) -> dict[str, Any]:
        options = {"timeout": call.timeout, "retries": call.retries, "backoff": call.backoff}
        counting = call.route is Route.MESSAGES_COUNT_TOKENS
        if self.speaks_natively(call.target):
            path = "/messages/count_tokens" if counting else "/messages"
            return await anthropic_relay.reply(
                call.target, call.body, path, call.headers, **options
            )
        if counting:
            # Nothing leaves: a chat server has no counting endpoint.
            return estimate_tokens(call.body)
        chat = await egress.chat(call.target, chat_request(call.body), **options)
        return message_reply(chat, call.target.name)

    async def open_stream(self, call: EgressCall) -> AsyncIterator[dict[str, Any]]:
        options = {"timeout": call.timeout, "retries": call.retries, "backoff": call.backoff}
        if self.speaks_natively(call.target):
            return await anthropic_relay.open_stream(
                call.target, call.body, call.headers, **options
            )
        chunks = await egress.chat_stream(call.target, chat_request(call.body), **options)
        return _Translated(message_events(chunks, call.target.name), chunks)


class _Translated:
    """Translated events whose `aclose()` also closes the chat stream under them, even if no
    event was ever read."""

    def __init__(self, events: AsyncIterator[dict[str, Any]], chunks: Any) -> None:
        self._events = events
        self._chunks = chunks

    def __aiter__(self) -> _Translated:
        return self

    async def __anext__(self) -> dict[str, Any]:
        return await self._events.__anext__()

    async def aclose(self) -> None:
        await self._events.aclose()  # type: ignore[attr-defined]
        await self._chunks.aclose()
