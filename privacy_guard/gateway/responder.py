"""One LLM request over ASGI: its state from the first byte read to the last byte sent.

A new `Responder` per request (as Starlette's GZip and CORS middlewares do), so no state is ever
shared between requests. Every answer — success, error, block — carries
`x-privacy-guard-request-id` and `x-privacy-guard-decision`; errors have the body shape of the
route's wire API (`gateway/wire/`): OpenAI's by default, Anthropic's on `/v1/messages`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.lowlevel

from privacy_guard.gateway.body import ClientGone, parse_json, read_body
from privacy_guard.gateway.core import Exchange, Gateway, new_request_id
from privacy_guard.gateway.errors import BadRequest, GatewayError, UpstreamFailed
from privacy_guard.gateway.logs import describe
from privacy_guard.gateway.types import Receive, Scope, Send
from privacy_guard.payloads import Route

log = logging.getLogger("privacy_guard.gateway")

REQUEST_ID_HEADER = "x-privacy-guard-request-id"
DECISION_HEADER = "x-privacy-guard-decision"
CLIENT_CLOSED = 499  # nginx's code for "the client went away first"; logs and metrics only
# The longest a stream keeps the event loop to itself between two turns given back (seconds).
# Every request arriving meanwhile waits up to a turn at each of its steps on the event loop,
# and so does a hang-up (see _PASSES): at 0.5 ms, the request right after a client hung up on
# a fast stream took ~1-2 ms longer (bench/gateway_bench.py); a turn given back costs ~5 us.
_TURN = 0.00025
# While other requests are in progress, a stream pauses this long at each turn: it then gets at
# most a third of the worker, the rest goes to them (their detection needs the CPU and the GIL).
_PAUSE = 2 * _TURN
# Alone on the worker, a turn given back is this many passes of the event loop: a client's
# hang-up reaches the stream's watcher in three (the transport's callback, then the disconnect
# event, then the watcher, which stops the stream), and so does a new request's first step;
# with one pass, the stream ran a turn between each, for a stream that was no longer wanted.
_PASSES = 3


class _Load:
    """Requests in progress in this process, and how many of them are pumping a stream: while
    any other request is in progress, a stream's turns are pauses, not mere yields."""

    active = 0
    streaming = 0


class MethodNotAllowed(BadRequest):
    status = 405


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Responder:
    def __init__(self, gateway: Gateway, route: Route, scope: Scope, model_id: str | None) -> None:
        self.gateway = gateway
        self.route = route
        self.scope = scope
        self.model_id = model_id  # GET /v1/models/{model_id}, or a resource route's `{id}`
        self.headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope.get("headers", [])
        }
        self.exchange = Exchange(new_request_id(), route)
        self.adapter = self.exchange.adapter
        self.started = False  # response start sent
        self.ending = False  # the last body message is being sent

    async def __call__(self, receive: Receive, send: Send) -> None:
        status = 500
        _Load.active += 1
        try:
            status = await self._handle(receive, send)
        except ClientGone:
            status = CLIENT_CLOSED
        except GatewayError as error:
            status = error.status
            self.exchange.error_code = self.exchange.error_code or error.code
            await self._error(send, error)
        except Exception as error:
            # A bug. The client gets a plain 500 with a code, the log the type and location.
            log.error("unexpected error", extra={"error": describe(error)})
            status = 500
            self.exchange.error_code = "internal_error"
            await self._error(
                send, GatewayError("internal error; nothing was sent", code="internal_error")
            )
        finally:
            _Load.active -= 1
            with anyio.CancelScope(shield=True):
                await self.gateway.finish(self.exchange, status)

    async def _handle(self, receive: Receive, send: Send) -> int:
        method = self.scope.get("method", "GET")
        adapter = self.adapter
        allowed = ("GET",) if self.route is Route.MODELS else adapter.methods(self.route)
        if method not in allowed:
            raise MethodNotAllowed(
                f"method {method} not allowed here; use {' or '.join(allowed)}",
                code="method_not_allowed",
                headers={"allow": ", ".join(allowed)},
            )
        client = self.scope.get("client")
        caller = self.gateway.keys.authenticate_key(
            adapter.credential(self.headers), client[0] if client else None
        )
        self.exchange.caller = caller
        if self.route is Route.MODELS:
            if self.model_id is None:
                listing = self.gateway.models(caller)
            else:
                listing = self.gateway.model(caller, self.model_id)
            await self._send_json(send, 200, listing, decision="allow")
            return 200
        if self.route in adapter.resources:
            self.exchange.query = self.scope.get("query_string", b"").decode("latin-1")
            status, answer = await adapter.resource(
                self.gateway, self.exchange, method, self.model_id
            )
            await self._send_json(send, status, answer)
            return status
        settings = self.gateway.settings
        raw = await read_body(
            receive, self.headers, settings.max_body_bytes, settings.body_timeout
        )
        body = parse_json(raw)
        self.exchange.forward_headers = adapter.forward_headers(self.headers)
        await self.gateway.prepare(self.exchange, body)
        if self.exchange.stream:
            return await self._stream(receive, send)
        reply = await self.gateway.complete(self.exchange)
        await self._send_json(send, 200, reply)
        return 200

    # -- streaming -------------------------------------------------------------------------------

    async def _stream(self, receive: Receive, send: Send) -> int:
        chunks = await self.gateway.stream(self.exchange)  # refused upstream: a normal error
        disconnected = False
        status = 200
        try:
            await self._start(send, 200, "text/event-stream", extra={"cache-control": "no-cache"})
            async with anyio.create_task_group() as group:

                async def watch() -> None:
                    nonlocal disconnected
                    while True:
                        message = await receive()
                        if message["type"] == "http.disconnect":
                            # uvicorn also reports a disconnect once the response is complete.
                            disconnected = not self.ending
                            group.cancel_scope.cancel()
                            return

                group.start_soon(watch)
                try:
                    status = await self._pump(chunks, send)
                finally:
                    group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await chunks.aclose()  # type: ignore[attr-defined]
        return CLIENT_CLOSED if disconnected else status

    async def _pump(self, chunks: AsyncIterator[dict[str, Any]], send: Send) -> int:
        """Forward the chunks; the status to record (the upstream's, if it failed mid-way)."""
        sse = self.adapter.sse
        clock = time.perf_counter
        now = clock()
        turn_ends = now + _TURN
        _Load.streaming += 1
        try:
            async for chunk in chunks:
                await send({"type": "http.response.body", "body": sse(chunk), "more_body": True})
                last, now = now, clock()
                # The turn ends before the next chunk would take it past its end: chunks through
                # litellm cost up to ~0.5 ms each here, so "after the chunk that crosses the end"
                # made turns up to twice as long, and other requests (and a hang-up) wait a turn.
                if now + (now - last) >= turn_ends:
                    # A fast upstream's chunks arrive already buffered, so every await above
                    # returns at once: without a turn given back, the event loop would serve no
                    # other request, and not see this client hang up, until the stream ends.
                    # While other requests are in progress, the turn is a pause: a yield alone
                    # leaves them half the CPU at best (the GIL, the loop) for their detection.
                    if _Load.active > _Load.streaming:
                        await anyio.sleep(_PAUSE)
                    else:
                        for _ in range(_PASSES):
                            await anyio.lowlevel.checkpoint()
                    now = clock()
                    turn_ends = now + _TURN
        except UpstreamFailed as error:
            # Headers are gone already: the error travels as an event, as the API's own servers
            # send it (the OpenAI SDK raises it as an APIError, Anthropic's as its error type).
            self.exchange.error_code = error.code
            self.ending = True
            await send(
                {
                    "type": "http.response.body",
                    "body": self.adapter.sse_error(error, self.exchange.request_id),
                    "more_body": False,
                }
            )
            return error.status
        finally:
            _Load.streaming -= 1
        self.ending = True
        end = self.adapter.sse_end()
        await send({"type": "http.response.body", "body": end, "more_body": False})
        return 200

    # -- sending ---------------------------------------------------------------------------------

    def _base_headers(self, decision: str | None) -> list[tuple[bytes, bytes]]:
        headers = [
            (REQUEST_ID_HEADER.encode(), self.exchange.request_id.encode()),
            (DECISION_HEADER.encode(), (decision or self.exchange.decision_header).encode()),
        ]
        timings = []
        if self.exchange.detect_seconds is not None:
            timings.append(f"detect;dur={self.exchange.detect_seconds * 1000:.2f}")
        if self.exchange.upstream_seconds is not None and not self.exchange.stream:
            timings.append(f"upstream;dur={self.exchange.upstream_seconds * 1000:.2f}")
        if timings:  # what the gateway added, for the client's own measurements
            headers.append((b"server-timing", ", ".join(timings).encode()))
        return headers

    async def _start(
        self,
        send: Send,
        status: int,
        content_type: str,
        *,
        length: int | None = None,
        decision: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        headers = [(b"content-type", content_type.encode()), *self._base_headers(decision)]
        if length is not None:
            headers.append((b"content-length", str(length).encode()))
        for key, value in (extra or {}).items():
            headers.append((key.encode("latin-1"), value.encode("latin-1")))
        self.started = True
        await send({"type": "http.response.start", "status": status, "headers": headers})

    async def _send_json(
        self,
        send: Send,
        status: int,
        value: Any,
        *,
        decision: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        body = _json_bytes(value)
        await self._start(
            send, status, "application/json", length=len(body), decision=decision, extra=extra
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _error(self, send: Send, error: GatewayError) -> None:
        if self.started:
            return  # mid-stream: handled in _pump; nothing more can be said over HTTP
        body = self.adapter.error_body(error, self.exchange.request_id)
        await self._send_json(send, error.status, body, extra=error.headers)
