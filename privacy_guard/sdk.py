"""`completion()` and `acompletion()`: litellm's functions, enforced by privacy-guard.

For apps that call litellm in their own handlers. Behind `PrivacyGuardMiddleware`, importing
`acompletion` from `privacy_guard` instead of from `litellm` puts every call under the policy
of the request's team: the same detection, decision, audit record, redaction, rerouting and
restoration as the gateway's HTTP routes. The result is
litellm's own `ModelResponse` (or, with `stream=True`, an iterator of its chunks), placeholders
restored, `model` the catalog name of the model that served it. A block raises
`privacy_guard.gateway.PolicyViolation`; other refusals raise the other `GatewayError`s, each
with the `status` and `code` the HTTP routes would answer.

`responses_create()` / `aresponses_create()` do the same for OpenAI's Responses API (the
gateway's `/v1/responses` path, in process): they take `responses.create`'s arguments and give
back the response object (or its stream events) as plain dicts, as the HTTP route answers.

The catalog decides where a call goes: `model` is a catalog name, and litellm's routing
arguments (`api_base`, `api_key`, `custom_llm_provider`, ...) are refused, like any parameter
the gateway does not inspect. `timeout` and retries come from the gateway's settings.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, TypeVar

from privacy_guard import egress
from privacy_guard.gateway.binding import Binding, current
from privacy_guard.gateway.core import Exchange, new_request_id
from privacy_guard.gateway.errors import GatewayError
from privacy_guard.payloads import Route

T = TypeVar("T")

# litellm call options that are not request content; the gateway's own settings apply instead.
_IGNORED = frozenset({"timeout", "num_retries", "max_retries", "drop_params"})


async def acompletion(
    model: str, messages: list[Any] | None = None, *, stream: bool | None = None, **kwargs: Any
) -> Any:
    """litellm.acompletion, enforced: a `ModelResponse`, or an async iterator of chunks."""
    return await _acompletion(current(), model, messages or [], bool(stream), kwargs)


def completion(
    model: str, messages: list[Any] | None = None, *, stream: bool | None = None, **kwargs: Any
) -> Any:
    """litellm.completion, enforced: a `ModelResponse`, or an iterator of chunks.

    Runs on a private event loop thread, so it works from synchronous handlers (FastAPI runs
    those in a worker thread) and from plain scripts inside `privacy_guard.bind(...)`.
    """
    binding = current()  # read here: the context of the caller's thread
    result = _runner.run(_acompletion(binding, model, messages or [], bool(stream), kwargs))
    if stream:
        return _SyncStream(result)
    return result


async def _acompletion(
    binding: Binding, model: str, messages: list[Any], stream: bool, kwargs: dict[str, Any]
) -> Any:
    body = _body(model, messages, stream, kwargs)
    return await _enforced(
        binding,
        Route.CHAT,
        body,
        reply=lambda reply: egress.litellm_object(reply, "chat"),
        chunk=lambda chunk: egress.litellm_object(chunk, "chunk"),
    )


async def aresponses_create(
    model: str, input: Any = None, *, stream: bool | None = None, **kwargs: Any
) -> Any:
    """OpenAI's `responses.create`, enforced (the gateway's `/v1/responses` path, in process):
    the response object as a dict, or with `stream=True` an async iterator of event dicts —
    exactly what `POST /v1/responses` answers, placeholders restored. A `previous_response_id`
    chain continues from the vault, as over HTTP."""
    return await _aresponses(current(), model, input, bool(stream), kwargs)


def responses_create(
    model: str, input: Any = None, *, stream: bool | None = None, **kwargs: Any
) -> Any:
    """`aresponses_create` for synchronous code (an iterator of event dicts when streamed)."""
    binding = current()  # read here: the context of the caller's thread
    result = _runner.run(_aresponses(binding, model, input, bool(stream), kwargs))
    if stream:
        return _SyncStream(result)
    return result


async def _aresponses(
    binding: Binding, model: str, input: Any, stream: bool, kwargs: dict[str, Any]
) -> Any:
    body = _plain_body({"model": model, "input": input}, stream, kwargs)
    if input is None:
        del body["input"]
    return await _enforced(binding, Route.RESPONSES, body, reply=_same, chunk=_same)


async def amessages_create(
    model: str,
    messages: list[Any] | None = None,
    *,
    max_tokens: int | None = None,
    stream: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Anthropic's `messages.create`, enforced (the gateway's `/v1/messages` path, in process):
    the `Message` as a dict, or with `stream=True` an async iterator of event dicts — exactly
    what `POST /v1/messages` answers, placeholders restored. `anthropic_version` /
    `anthropic_beta` keywords travel as the headers a native upstream gets."""
    return await _amessages(current(), model, messages, max_tokens, bool(stream), kwargs)


def messages_create(
    model: str,
    messages: list[Any] | None = None,
    *,
    max_tokens: int | None = None,
    stream: bool | None = None,
    **kwargs: Any,
) -> Any:
    """`amessages_create` for synchronous code (an iterator of event dicts when streamed)."""
    binding = current()  # read here: the context of the caller's thread
    result = _runner.run(_amessages(binding, model, messages, max_tokens, bool(stream), kwargs))
    if stream:
        return _SyncStream(result)
    return result


async def _amessages(
    binding: Binding,
    model: str,
    messages: list[Any] | None,
    max_tokens: int | None,
    stream: bool,
    kwargs: dict[str, Any],
) -> Any:
    headers = {
        name: str(value)
        for name in ("anthropic_version", "anthropic_beta")
        if (value := kwargs.pop(name, None)) is not None
    }
    body = _plain_body({"model": model, "messages": messages or []}, stream, kwargs)
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    forwarded = {name.replace("_", "-"): value for name, value in headers.items()}
    return await _enforced(
        binding, Route.MESSAGES, body, reply=_same, chunk=_same, headers=forwarded
    )


def _same(value: Any) -> Any:
    return value


async def _enforced(
    binding: Binding,
    route: Route,
    body: dict[str, Any],
    *,
    reply: Callable[[Any], Any],
    chunk: Callable[[Any], Any],
    headers: dict[str, str] | None = None,
) -> Any:
    """One request of the route's wire API through the gateway's pipeline, for this binding."""
    gateway = binding.gateway
    caller = binding.resolve()
    exchange = Exchange(new_request_id(), route, caller=caller)
    if headers:
        exchange.forward_headers = headers
    await gateway.startup()
    status = 500
    try:
        await gateway.prepare(exchange, body)
        if exchange.stream:
            chunks = await gateway.stream(exchange)
            status = 0  # the stream's own wrapper finishes the exchange
            return _chunks(gateway, exchange, chunks, chunk)
        answer = await gateway.complete(exchange)
        status = 200
        return reply(answer)
    except GatewayError as error:
        status = error.status
        exchange.error_code = exchange.error_code or error.code
        raise
    finally:
        if status:
            await gateway.finish(exchange, status)


async def _chunks(
    gateway: Any, exchange: Exchange, chunks: AsyncIterator[Any], wrap: Callable[[Any], Any]
) -> AsyncIterator[Any]:
    status = 200
    try:
        async for chunk in chunks:
            yield wrap(chunk)
    except GatewayError as error:
        status = error.status
        exchange.error_code = error.code
        raise
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]
        await gateway.finish(exchange, status)


def _body(model: str, messages: list[Any], stream: bool, kwargs: dict[str, Any]) -> dict[str, Any]:
    return _plain_body({"model": model, "messages": messages}, stream, kwargs)


def _plain_body(body: dict[str, Any], stream: bool, kwargs: dict[str, Any]) -> dict[str, Any]:
    extra = kwargs.pop("extra_body", None) or {}
    for key, value in {**kwargs, **extra}.items():
        if key not in _IGNORED and value is not None:
            body[key] = value
    if stream:
        body["stream"] = True
    # Plain JSON, as it would travel over HTTP: litellm `Message` objects, pydantic models.
    return json.loads(json.dumps(body, default=_plain))


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(exclude_none=True)
    if hasattr(value, "__dict__"):
        return {k: v for k, v in vars(value).items() if not k.startswith("_")}
    raise TypeError(f"{type(value).__name__} cannot be sent as JSON")


class _LoopThread:
    """One event loop on a daemon thread, for the synchronous API."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="privacy-guard-sync", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        loop = self._ensure()
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("completion() called from its own loop; use acompletion()")
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()


_runner = _LoopThread()


class _SyncStream:
    """A synchronous iterator over an async chunk stream running on the private loop."""

    def __init__(self, chunks: AsyncIterator[Any]) -> None:
        self._chunks = chunks
        self._done = False

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        if self._done:
            raise StopIteration
        try:
            return _runner.run(_next(self._chunks))
        except StopAsyncIteration:
            self._done = True
            raise StopIteration from None

    def close(self) -> None:
        if not self._done:
            self._done = True
            _runner.run(self._chunks.aclose())  # type: ignore[attr-defined]

    def __enter__(self) -> _SyncStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _next(chunks: AsyncIterator[Any]) -> Any:
    return await chunks.__anext__()


__all__ = [
    "acompletion",
    "amessages_create",
    "aresponses_create",
    "completion",
    "messages_create",
    "responses_create",
]
