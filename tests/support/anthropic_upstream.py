"""A real stub of Anthropic's Messages API on loopback, recording every request.

    with running_anthropic_upstream("claude") as claude:
        claude.configure(mode="tool_calls", chunk_size=3)
        ...  # a catalog entry with `api_base: {claude.base_url}`, `apis: [anthropic-messages]`
        assert b"jean.dupont@example.fr" not in claude.all_bytes()

It speaks the wire format natively (as api.anthropic.com does): `POST /v1/messages` answers a
`Message` or, with `stream: true`, the server-sent events `message_start`, `ping`,
`content_block_start` / `content_block_delta` / `content_block_stop` per block (a thinking block
with `thinking_delta` and `signature_delta`, text in `text_delta`s, tool input in
`input_json_delta`s, all cut every `chunk_size` characters so placeholders end up split across
events), `message_delta` and `message_stop`. `POST /v1/messages/count_tokens` counts whitespace
tokens. Failures answer Anthropic's error body. The behaviour (`Behaviour` of the OpenAI stub:
mode echo / fixed / tool_calls, reply, tool_name, fail_status, chunk_size, delay, chunk_delay,
raw) is shared with `tests/support/upstream.py`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.upstream import (
    _ANY_METHOD,
    Behaviour,
    Upstream,
    _pieces,
    _pieces_of,
    record,
    running_upstream,
)

# Signed thinking the stub sends first: a client must get it back unchanged.
THINKING = "Let me think about <PERSON_1> carefully."
SIGNATURE = "EqQBCkYIARgCIkBzdHViLXNpZ25hdHVyZQ=="


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content or []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text" and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif block.get("type") == "tool_result":
            parts.append(_text_of(block.get("content")))
    return "".join(parts)


def last_user_text(body: dict[str, Any]) -> str:
    """The text of the last user turn (its text blocks and tool results), what echo answers."""
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            return _text_of(message.get("content"))
    return ""


def _blocks(body: dict[str, Any], behaviour: Behaviour) -> list[dict[str, Any]]:
    text = last_user_text(body)
    blocks: list[dict[str, Any]] = [
        {"type": "thinking", "thinking": THINKING, "signature": SIGNATURE}
    ]
    if behaviour.mode == "echo":
        blocks.append({"type": "text", "text": text})
    elif behaviour.mode == "fixed":
        blocks.append({"type": "text", "text": behaviour.reply})
    else:
        if behaviour.reply:
            blocks.append({"type": "text", "text": behaviour.reply})
        name = behaviour.tool_name
        for tool in body.get("tools") or []:
            if isinstance(tool, dict) and isinstance(tool.get("name"), str):
                name = tool["name"]
                break
        blocks.append(
            {
                "type": "tool_use",
                "id": "toolu_" + uuid.uuid4().hex[:20],
                "name": name,
                "input": {"text": text, "note": "for " + text},
            }
        )
    return blocks


def _error(status: int, behaviour: Behaviour, body: dict[str, Any]) -> JSONResponse:
    kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(status, "api_error")
    message = f"stub failing with {status} on purpose"
    if behaviour.error_quotes_prompt:
        message += f"; your message was: {last_user_text(body)}"
    return JSONResponse(
        {"type": "error", "error": {"type": kind, "message": message}}, status_code=status
    )


def _sse(event: dict[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()


class _AnthropicApp:
    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self.app = Starlette(
            routes=[
                Route("/v1/messages", self.messages, methods=["POST"]),
                Route("/v1/messages/count_tokens", self.count_tokens, methods=["POST"]),
                Route("/{path:path}", self.unknown, methods=_ANY_METHOD),
            ]
        )

    async def _begin(self, request: Request) -> tuple[Behaviour, dict[str, Any], Response | None]:
        behaviour, raw = await record(self.upstream, request)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            error = {"type": "invalid_request_error", "message": "bad JSON"}
            return behaviour, {}, JSONResponse({"type": "error", "error": error}, 400)
        if self.upstream._should_fail(behaviour):
            assert behaviour.fail_status is not None
            return behaviour, body, _error(behaviour.fail_status, behaviour, body)
        return behaviour, body, None

    async def messages(self, request: Request) -> Response:
        behaviour, body, early = await self._begin(request)
        if early is not None:
            return early
        if behaviour.raw is not None:
            return StreamingResponse(
                _pieces_of(behaviour.raw),
                status_code=behaviour.raw_status,
                media_type=behaviour.raw_content_type,
                headers=dict(behaviour.raw_headers),
            )
        blocks = _blocks(body, behaviour)
        stop = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
        usage = {"input_tokens": len(last_user_text(body).split()), "output_tokens": 7}
        message = {
            "id": "msg_" + uuid.uuid4().hex[:24],
            "type": "message",
            "role": "assistant",
            "model": str(body.get("model")),
            "content": blocks,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": usage,
        }
        if body.get("stream"):
            return StreamingResponse(
                self._events(behaviour, message), media_type="text/event-stream"
            )
        return JSONResponse(message)

    async def _events(self, behaviour: Behaviour, message: dict[str, Any]) -> AsyncIterator[bytes]:
        size = behaviour.chunk_size
        start = {**message, "content": [], "stop_reason": None}
        yield _sse({"type": "message_start", "message": start})
        yield _sse({"type": "ping"})
        for index, block in enumerate(message["content"]):
            kind = block["type"]
            if kind == "thinking":
                opened = {"type": "thinking", "thinking": "", "signature": ""}
                deltas = [
                    {"type": "thinking_delta", "thinking": p} for p in _pieces(THINKING, size)
                ]
                deltas.append({"type": "signature_delta", "signature": block["signature"]})
            elif kind == "text":
                opened = {"type": "text", "text": ""}
                deltas = [{"type": "text_delta", "text": p} for p in _pieces(block["text"], size)]
            else:
                opened = {**block, "input": {}}
                arguments = json.dumps(block["input"])
                deltas = [
                    {"type": "input_json_delta", "partial_json": p}
                    for p in _pieces(arguments, size)
                ]
            yield _sse({"type": "content_block_start", "index": index, "content_block": opened})
            for delta in deltas:
                await self.upstream._pause(behaviour.chunk_delay)
                yield _sse({"type": "content_block_delta", "index": index, "delta": delta})
            yield _sse({"type": "content_block_stop", "index": index})
        yield _sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                "usage": {"output_tokens": message["usage"]["output_tokens"]},
            }
        )
        yield _sse({"type": "message_stop"})

    async def count_tokens(self, request: Request) -> Response:
        _, body, early = await self._begin(request)
        if early is not None:
            return early
        words = len(json.dumps(body.get("messages")).split())
        return JSONResponse({"input_tokens": words})

    async def unknown(self, request: Request) -> Response:
        await self._begin(request)
        error = {"type": "not_found_error", "message": f"no route {request.url.path}"}
        return JSONResponse({"type": "error", "error": error}, status_code=404)


@contextmanager
def running_anthropic_upstream(name: str = "claude", **behaviour: Any) -> Iterator[Upstream]:
    """An Anthropic-native stub on 127.0.0.1 for the block (`upstream.base_url` ends in /v1)."""
    with running_upstream(name, lambda up: _AnthropicApp(up).app, **behaviour) as upstream:
        yield upstream
