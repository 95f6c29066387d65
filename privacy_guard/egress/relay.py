"""The OpenAI-compatible relay, for targets whose API is OpenAI's own (catalog
`egress: openai-compatible`: OpenAI, vLLM, llama.cpp's server, LM Studio, ...).

The redacted request goes out as the client wrote it, with the catalog's model name in `model`,
over one pooled HTTP client per event loop; replies and stream chunks come back as the upstream's
own JSON, checked to be objects. litellm is not involved: for such a target its translation is an
identity that costs, on a 2-core machine, about 5 ms before the first streamed token and 0.2 ms of
CPU per chunk (`bench/gateway_bench.py` measures both ways side by side).

What does not change with the way out: the key comes only from the target's own variable (and
without one no Authorization header is sent at all, so no provider's key can reach a local
server); retries, backoff, timeouts and error statuses are `common.py`'s; an error names the
target and the status, never the provider's text.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import httpx

from privacy_guard.catalog import DEFAULT_API_BASES, provider_of, upstream_model_of
from privacy_guard.egress.common import (
    GRACE,
    EgressTarget,
    Endpoint,
    Failed,
    Failure,
    api_key,
    classify,
    http_failure,
    plain_code,
    upstream_error,
    with_retries,
)

__all__ = ["close", "open_stream", "reply"]

# Read of an error body, for its code only: a misbehaving upstream cannot make us buffer more.
_ERROR_BODY_LIMIT = 64 * 1024
_INVALID = Failure(502, "invalid_response", retryable=False)

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
    weakref.WeakKeyDictionary()
)


def _client() -> httpx.AsyncClient:
    """This event loop's client: its pooled connections belong to the loop that opened them."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None or client.is_closed:
        from privacy_guard import __version__

        client = httpx.AsyncClient(
            headers={"user-agent": f"privacy-guard/{__version__}"},
            limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100),
            follow_redirects=False,  # a redirect could lead the prompt somewhere unlisted
        )
        _clients[loop] = client
    return client


async def close() -> None:
    """Close this event loop's pooled connections (at shutdown, on the serving loop)."""
    client = _clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()


# -- requests ------------------------------------------------------------------------------------


def _request(
    target: EgressTarget,
    body: Mapping[str, Any],
    endpoint: Endpoint,
    *,
    stream: bool,
    timeout: float,
) -> httpx.Request:
    base = target.api_base or DEFAULT_API_BASES.get(provider_of(target.litellm_model))
    if base is None:  # the catalog refuses such an entry; a hand-made target may not
        raise ValueError(f"model target {target.name!r} has no api_base to relay to")
    payload = {key: value for key, value in body.items() if key not in ("model", "stream")}
    payload["model"] = upstream_model_of(target.litellm_model)
    if stream:
        payload["stream"] = True
    headers = {
        "content-type": "application/json",
        "accept": "text/event-stream" if stream else "application/json",
    }
    key = api_key(target)
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _client().build_request(
        "POST", base.rstrip("/") + endpoint.value, content=content, headers=headers, timeout=timeout
    )


async def _send(request: httpx.Request) -> httpx.Response:
    """The upstream's answer, its body not yet read; an error status raises Failed."""
    response = await _client().send(request, stream=True)
    if not 200 <= response.status_code < 300:
        try:
            failure = await _failure_of(response)
        finally:
            await response.aclose()
        raise Failed(failure)
    return response


async def _failure_of(response: httpx.Response) -> Failure:
    retry_after: float | None
    try:
        raw = response.headers.get("retry-after")
        retry_after = float(raw) if raw is not None else None
    except ValueError:
        retry_after = None
    code: str | None = None
    body = bytearray()
    try:
        async for piece in response.aiter_bytes():
            body += piece
            if len(body) > _ERROR_BODY_LIMIT:
                break
        error = json.loads(bytes(body)).get("error")
        if isinstance(error, dict):
            code = plain_code(error.get("code")) or plain_code(error.get("type"))
    except Exception:  # unreadable, cut short, not JSON, not an object: no code then
        code = None
    return http_failure(response.status_code, code, retry_after)


def json_object(raw: str | bytes) -> dict[str, Any]:
    """A reply or event body that must be one JSON object (else 502 `invalid_response`)."""
    try:
        value = json.loads(raw)
    except ValueError:
        raise Failed(_INVALID) from None
    if not isinstance(value, dict):
        raise Failed(_INVALID)
    return value


def _object(raw: str | bytes) -> dict[str, Any]:
    value = json_object(raw)
    if not all(isinstance(value.get(key, []), list) for key in ("choices", "data")):
        raise Failed(_INVALID)
    return value


async def reply(
    target: EgressTarget,
    body: Mapping[str, Any],
    endpoint: Endpoint,
    *,
    timeout: float,
    retries: int,
    backoff: float,
) -> dict[str, Any]:
    """The whole reply: the upstream's JSON object."""
    request = _request(target, body, endpoint, stream=False, timeout=timeout)
    return await whole_reply(
        target, request, _object, timeout=timeout, retries=retries, backoff=backoff
    )


async def whole_reply(
    target: EgressTarget,
    request: httpx.Request,
    parse: Callable[[bytes], dict[str, Any]],
    *,
    timeout: float,
    retries: int,
    backoff: float,
) -> dict[str, Any]:
    """Send `request` (retried as configured) and `parse` the whole answer; the wire format's
    relays (OpenAI's here, Anthropic's) differ only in the request and the parse."""

    async def attempt() -> dict[str, Any]:
        response = await _send(request)
        try:
            raw = await response.aread()
        finally:
            await response.aclose()
        return parse(raw)

    reply: dict[str, Any] = await with_retries(
        target, attempt, timeout=timeout, retries=retries, backoff=backoff
    )
    return reply


async def open_stream(
    target: EgressTarget,
    body: Mapping[str, Any],
    endpoint: Endpoint,
    *,
    timeout: float,
    retries: int,
    backoff: float,
) -> _Chunks:
    """The chunks of a stream opened (and retried) before this returns."""
    request = _request(target, body, endpoint, stream=True, timeout=timeout)
    response = await with_retries(
        target, lambda: _send(request), timeout=timeout, retries=retries, backoff=backoff
    )
    return _Chunks(target, response, timeout)


# -- streams -------------------------------------------------------------------------------------


async def _sse_data(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The `data` of each server-sent event (several `data:` lines joined by newlines); comments,
    `event:`, `id:` and `retry:` lines are not part of OpenAI's protocol and are skipped."""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
                data = []
            continue
        field, _, value = line.partition(":")
        if field == "data":
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        yield "\n".join(data)


async def _whole(response: httpx.Response) -> AsyncIterator[str]:
    """A server that ignores `stream` and answers with the whole reply (some do): the reply as
    one chunk, in the shape a stream has."""
    reply = _object(await response.aread())
    choices = []
    for choice in reply.get("choices", []):
        if not isinstance(choice, dict) or not isinstance(choice.get("message", {}), dict):
            raise Failed(_INVALID)
        shaped = {key: value for key, value in choice.items() if key != "message"}
        if "message" in choice:
            delta = dict(choice["message"])
            calls = delta.get("tool_calls")
            if isinstance(calls, list):  # streamed tool calls carry their position
                delta["tool_calls"] = [
                    {**call, "index": index} if isinstance(call, dict) else call
                    for index, call in enumerate(calls)
                ]
            shaped["delta"] = delta
        choices.append(shaped)
    chunk = {**reply, "choices": choices}
    if chunk.get("object") == "chat.completion":
        chunk["object"] = "chat.completion.chunk"
    yield json.dumps(chunk)


class _Chunks:
    """The chunks of one open stream. Failures mid-stream raise UpstreamError (never retried:
    part of the answer may already be on its way to the client); `aclose()` releases the
    connection whether or not a chunk was ever read.

    Another wire format's stream (Anthropic's events) is a subclass with its own `_parse` (one
    `data:` payload to an event) and `_whole` (a whole reply given to a stream request)."""

    def __init__(self, target: EgressTarget, response: httpx.Response, timeout: float) -> None:
        self._target = target
        self._response = response
        self._timeout = timeout
        streamed = response.headers.get("content-type", "").startswith("text/event-stream")
        self._events = _sse_data(response.aiter_lines()) if streamed else self._whole(response)
        self._closed = False

    @staticmethod
    def _whole(response: httpx.Response) -> AsyncIterator[str]:
        return _whole(response)

    def _parse(self, data: str) -> dict[str, Any]:
        """One chunk; StopAsyncIteration at the end marker, Failed for an error event."""
        if data == "[DONE]":
            raise StopAsyncIteration
        chunk = _object(data)
        error = chunk.get("error")
        if error is not None and "choices" not in chunk:
            # OpenAI's way to fail once the stream has started: an event with an error.
            code = plain_code(error.get("code")) if isinstance(error, dict) else None
            raise Failed(Failure(502, "http", retryable=False, code=code))
        return chunk

    def __aiter__(self) -> _Chunks:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self._closed:
            raise StopAsyncIteration
        try:
            async with asyncio.timeout(self._timeout + GRACE):
                data = await anext(self._events)
            return self._parse(data)
        except StopAsyncIteration:
            await self.aclose()
            raise
        except Exception as error:
            await self.aclose()
            raise upstream_error(self._target, classify(error), 1) from None

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._events.aclose()  # type: ignore[attr-defined]
            await self._response.aclose()
        except Exception:  # best effort: the connection is dropped either way
            return
