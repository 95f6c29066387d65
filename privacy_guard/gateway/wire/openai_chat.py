"""OpenAI's chat completions, legacy completions and embeddings: the gateway's first wire API.

Request inspection is `payloads.extract_request_segments` plus the allow-list and extra text
fields of `gateway/params.py`; restoration is `redact.ChunkRestorer`; egress is `egress.chat`
& co., which pick the relay or litellm per target (`egress:` in the catalog) — every target
accepts this API, litellm translating it for the ones that speak another.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from privacy_guard import egress
from privacy_guard.gateway.errors import BadRequest
from privacy_guard.gateway.params import check_fields, extra_segments
from privacy_guard.gateway.wire.base import EgressCall, WireAdapter
from privacy_guard.payloads import RequestSegments, Route, extract_request_segments
from privacy_guard.redact import ChunkRestorer, restore_response

if TYPE_CHECKING:
    from privacy_guard.gateway.core import Exchange

OPENAI_CHAT = "openai-chat"

_REPLY = {
    Route.CHAT: egress.chat,
    Route.COMPLETIONS: egress.text_completion,
    Route.EMBEDDINGS: egress.embeddings,
}
_STREAM = {Route.CHAT: egress.chat_stream, Route.COMPLETIONS: egress.text_completion_stream}


class OpenAIChat(WireAdapter):
    api = OPENAI_CHAT
    routes = (Route.CHAT, Route.COMPLETIONS, Route.EMBEDDINGS)
    unstreamable = frozenset({Route.EMBEDDINGS})

    def sse_end(self) -> bytes:
        return b"data: [DONE]\n\n"

    def segments(self, route: Route, body: Any) -> RequestSegments:
        found = extract_request_segments(route, body)
        check_fields(route, body)
        extra = tuple(extra_segments(body))
        if not extra:
            return found
        for segment in extra:
            if _has_surrogate(segment.text):
                raise BadRequest("invalid Unicode: unpaired surrogate", code="invalid_body")
        return RequestSegments(
            found.route, found.model, found.stream, found.segments + extra, found.non_text_parts
        )

    def restore_reply(
        self, exchange: Exchange, reply: dict[str, Any], model: str
    ) -> dict[str, Any]:
        if exchange.redactor is not None:
            reply = restore_response(exchange.redactor, exchange.route, reply)
        reply["model"] = model
        return reply

    def stream_restorer(self, exchange: Exchange, model: str) -> _Chunks:
        redactor = exchange.redactor
        return _Chunks(ChunkRestorer(redactor, exchange.route) if redactor else None, model)

    async def reply(self, call: EgressCall) -> dict[str, Any]:
        return await _REPLY[call.route](
            call.target, call.body, timeout=call.timeout, retries=call.retries, backoff=call.backoff
        )

    async def open_stream(self, call: EgressCall) -> AsyncIterator[dict[str, Any]]:
        return await _STREAM[call.route](
            call.target, call.body, timeout=call.timeout, retries=call.retries, backoff=call.backoff
        )

    def speaks_natively(self, target: Any) -> bool:
        return True  # litellm translates for targets that speak another API


class _Chunks:
    """ChunkRestorer as an EventRestorer; every chunk carries the catalog name as its model."""

    __slots__ = ("_model", "_restorer")

    def __init__(self, restorer: ChunkRestorer | None, model: str) -> None:
        self._restorer = restorer
        self._model = model

    def restore(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        out = self._restorer.restore_chunk(event) if self._restorer else event
        if isinstance(out, dict):
            out["model"] = self._model
        return [out]

    def finish(self) -> list[dict[str, Any]]:
        tail = self._restorer.finish() if self._restorer else None
        if tail is None:
            return []
        tail["model"] = self._model
        return [tail]


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None
