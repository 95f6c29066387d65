"""A real OpenAI-compatible stub server on loopback, for tests that go over HTTP.

The gateway's promises are about bytes on the wire (what leaves, what comes back), so the tests
talk to a real server through real sockets rather than to a mocked client: a Starlette app run
by uvicorn in a background thread, on an ephemeral port of 127.0.0.1.

    with running_upstream("openai-stub") as upstream:
        upstream.configure(mode="echo", chunk_size=3)
        ...  # point a model target at upstream.base_url
        assert b"jean.dupont@example.fr" not in upstream.all_bytes()

Behaviour is set per test with `configure(...)` (see `Behaviour`) and read by the app on every
request, so one server can serve a whole module. Every request is recorded: method, path,
headers and the raw body bytes, in arrival order (`upstream.requests`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.responses_stub import ResponsesStub

ReplyMode = Literal["echo", "fixed", "tool_calls", "history"]  # history: Responses chains


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How the stub answers. Every field can be changed per test with `Upstream.configure`."""

    # echo: the text of the last user message (chat) or the prompt (completions), verbatim, so a
    # test sees whether placeholders went out and whether they are restored on the way back.
    # fixed: `reply`. tool_calls: one call of the first declared tool (or `tool_name`) whose
    # arguments are `{"text": <the echoed text>}`, plus `reply` as content when not empty.
    mode: ReplyMode = "echo"
    reply: str = "Hello from the stub."
    tool_name: str = "echo"
    # Fail with this HTTP status (an OpenAI-style error body) ...
    fail_status: int | None = None
    # ... for the first `fail_times` requests only (None: every request), to test retries.
    fail_times: int | None = None
    retry_after: float | None = None  # adds a Retry-After header to failures
    # Quote the last user message in the error message, as real providers sometimes do.
    error_quotes_prompt: bool = False
    # Seconds to wait before answering (before the first byte of a stream).
    delay: float = 0.0
    # Seconds to wait between two stream chunks.
    chunk_delay: float = 0.0
    # Stream text is cut every `chunk_size` characters, so placeholders end up split across
    # chunks; tool-call arguments are cut the same way.
    chunk_size: int = 4
    # Send a usage block (non-stream; and in streams when stream_options.include_usage).
    usage: bool = True
    embedding_dimensions: int = 8
    models: tuple[str, ...] = ("stub-model",)
    # Keep every request for the test to read (off for benchmarks: tens of thousands of kept
    # requests make the stub's own garbage collections ever longer).
    record: bool = True
    # Answer chat requests with these bytes verbatim instead (each piece one write, with
    # `raw_status` and `raw_content_type`), to see how unusual or malformed replies are handled.
    raw: tuple[bytes, ...] | None = None
    raw_status: int = 200
    raw_content_type: str = "text/event-stream"
    raw_headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]  # lower-cased names, in the order received
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    def json(self) -> Any:
        return json.loads(self.body)

    def raw(self) -> bytes:
        """Everything the request carried: request line, headers and body."""
        line = f"{self.method} {self.path}{'?' + self.query if self.query else ''}\n"
        head = "".join(f"{key}: {value}\n" for key, value in self.headers)
        return (line + head + "\n").encode() + self.body


@dataclass
class Upstream:
    """A running stub: where it listens, what it received, how it answers."""

    name: str
    host: str
    port: int
    behaviour: Behaviour = field(default_factory=Behaviour)
    requests: list[RecordedRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _failures: int = field(default=0, repr=False)
    _stopping: bool = field(default=False, repr=False)
    # Chat stream content chunks produced so far (every stream): shows when a stream stopped.
    chunks_sent: int = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What an OpenAI SDK or a catalog `api_base` points at."""
        return f"{self.url}/v1"

    def configure(self, **changes: Any) -> Upstream:
        """Change how the stub answers from the next request on (and reset the failure count)."""
        known = {f.name for f in fields(Behaviour)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise TypeError(f"unknown upstream behaviour: {', '.join(unknown)}")
        if "models" in changes:
            changes["models"] = tuple(changes["models"])
        with self._lock:
            self.behaviour = replace(self.behaviour, **changes)
            self._failures = 0
        return self

    def reset(self) -> Upstream:
        """Default behaviour, no recorded requests."""
        with self._lock:
            self.behaviour = Behaviour()
            self.requests.clear()
            self._failures = 0
        return self

    def all_bytes(self) -> bytes:
        """Every byte every request carried (request lines, headers, bodies), concatenated."""
        with self._lock:
            return b"".join(request.raw() for request in self.requests)

    def bodies(self, path: str | None = None) -> list[Any]:
        """The JSON bodies received, optionally only those sent to `path`."""
        with self._lock:
            chosen = [r for r in self.requests if path is None or r.path == path]
        return [r.json() for r in chosen if r.body]

    # -- used by the app -------------------------------------------------------------------------

    def _record(self, request: RecordedRequest) -> Behaviour:
        with self._lock:
            if self.behaviour.record:
                self.requests.append(request)
            return self.behaviour

    async def _pause(self, seconds: float) -> None:
        # In short steps, so that stopping the server cuts a pending delay short instead of
        # leaving uvicorn to cancel the task (and log an error) after its graceful timeout.
        deadline = time.monotonic() + seconds
        while not self._stopping and (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(left, 0.05))

    def _should_fail(self, behaviour: Behaviour) -> bool:
        if behaviour.fail_status is None:
            return False
        with self._lock:
            if behaviour.fail_times is not None and self._failures >= behaviour.fail_times:
                return False
            self._failures += 1
            return True


# -- the app -------------------------------------------------------------------------------------


def _message_text(content: Any) -> str:
    """The text of a chat message's `content`: a string, or a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "")
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            return _message_text(message.get("content"))
    return ""


def _prompt_text(body: dict[str, Any]) -> str:
    prompt = body.get("prompt")
    if isinstance(prompt, list):
        return "".join(p for p in prompt if isinstance(p, str))
    return prompt if isinstance(prompt, str) else ""


def _pieces(text: str, size: int) -> list[str]:
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _usage(prompt: str, completion: str) -> dict[str, int]:
    # Whitespace tokens: deterministic, and good enough for a stub.
    prompt_tokens, completion_tokens = len(prompt.split()), len(completion.split())
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _error(status: int, behaviour: Behaviour, body: dict[str, Any]) -> JSONResponse:
    headers = {}
    if behaviour.retry_after is not None:
        headers["retry-after"] = str(behaviour.retry_after)
    kind = "rate_limit_exceeded" if status == 429 else "upstream_stub_error"
    message = f"stub upstream failing with {status} on purpose"
    if behaviour.error_quotes_prompt:
        message += f"; your message was: {_last_user_text(body) or _prompt_text(body)}"
    reply = {
        "error": {
            "message": message,
            "type": kind,
            "code": kind,
            "param": None,
        }
    }
    return JSONResponse(reply, status_code=status, headers=headers)


def _tool_calls(body: dict[str, Any], behaviour: Behaviour, text: str) -> list[dict[str, Any]]:
    name = behaviour.tool_name
    for tool in body.get("tools") or []:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            name = function["name"]
            break
    return [
        {
            "id": "call_" + hashlib.sha256(text.encode()).hexdigest()[:12],
            "type": "function",
            "function": {"name": name, "arguments": json.dumps({"text": text})},
        }
    ]


def _chat_reply(body: dict[str, Any], behaviour: Behaviour) -> tuple[str | None, list[Any]]:
    """(content, tool_calls) of the reply, per the behaviour's mode."""
    text = _last_user_text(body)
    if behaviour.mode == "echo":
        return text, []
    if behaviour.mode == "fixed":
        return behaviour.reply, []
    return (behaviour.reply or None), _tool_calls(body, behaviour, text)


async def _pieces_of(raw: Sequence[bytes]) -> AsyncIterator[bytes]:
    for piece in raw:
        yield piece


def _sse(payload: Any) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return f"data: {data}\n\n".encode()


async def record(upstream: Upstream, request: Request) -> tuple[Behaviour, bytes]:
    """Keep the request (every byte, for `all_bytes`), wait the behaviour's delay; the behaviour
    and the raw body. For every wire format's stub app."""
    raw = await request.body()
    recorded = RecordedRequest(
        method=request.method,
        path=request.url.path,
        query=request.url.query,
        headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw),
        body=raw,
    )
    behaviour = upstream._record(recorded)
    await upstream._pause(behaviour.delay)
    return behaviour, raw


class _App:
    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self.responses_api = ResponsesStub(upstream)
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/completions", self.completions, methods=["POST"]),
                Route("/v1/embeddings", self.embeddings, methods=["POST"]),
                Route("/v1/models", self.models, methods=["GET"]),
                Route("/v1/responses", self.responses, methods=["POST"]),
                Route("/v1/responses/compact", self.response_extra, methods=["POST"]),
                Route("/v1/responses/input_tokens", self.response_extra, methods=["POST"]),
                Route("/v1/responses/{id}", self.response, methods=["GET", "DELETE"]),
                Route("/v1/responses/{id}/input_items", self.response_items, methods=["GET"]),
                Route("/v1/responses/{id}/cancel", self.response_cancel, methods=["POST"]),
                # Anything else is recorded too (all_bytes must be all), then refused.
                Route("/{path:path}", self.unknown, methods=_ANY_METHOD),
            ]
        )

    async def _begin(self, request: Request) -> tuple[Behaviour, dict[str, Any], Response | None]:
        """Record the request; the behaviour, the JSON body, and an early response if any."""
        behaviour, raw = await record(self.upstream, request)
        body: Any = {}
        # GET, DELETE and a Responses cancel carry no body.
        if request.method not in ("GET", "DELETE") and not request.url.path.endswith("/cancel"):
            try:
                body = json.loads(raw)
            except ValueError:
                return behaviour, {}, JSONResponse({"error": {"message": "bad JSON"}}, 400)
            if not isinstance(body, dict):
                return behaviour, {}, JSONResponse({"error": {"message": "not an object"}}, 400)
        if self.upstream._should_fail(behaviour):
            assert behaviour.fail_status is not None
            return behaviour, body, _error(behaviour.fail_status, behaviour, body)
        return behaviour, body, None

    async def chat(self, request: Request) -> Response:
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
        content, tool_calls = _chat_reply(body, behaviour)
        model = str(body.get("model", behaviour.models[0]))
        ident = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        n = body.get("n") if isinstance(body.get("n"), int) and body["n"] > 0 else 1
        finish = "tool_calls" if tool_calls else "stop"
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            usage = _usage(_last_user_text(body), (content or "") * n)
            head = {"id": ident, "object": "chat.completion.chunk", "created": created}
            head["model"] = model
            chunks = self._chat_chunks(
                behaviour,
                head,
                n,
                content,
                tool_calls,
                finish,
                usage if include_usage and behaviour.usage else None,
            )
            return StreamingResponse(chunks, media_type="text/event-stream")
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if tool_calls:
            message["tool_calls"] = tool_calls
        reply: dict[str, Any] = {
            "id": ident,
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [
                {"index": i, "message": message, "finish_reason": finish, "logprobs": None}
                for i in range(n)
            ],
        }
        if behaviour.usage:
            reply["usage"] = _usage(_last_user_text(body), content or "")
        return JSONResponse(reply)

    async def _chat_chunks(
        self,
        behaviour: Behaviour,
        head: dict[str, Any],
        n: int,
        content: str | None,
        tool_calls: Sequence[dict[str, Any]],
        finish: str,
        usage: dict[str, int] | None,
    ) -> AsyncIterator[bytes]:
        def chunk(index: int, delta: dict[str, Any], reason: str | None = None) -> bytes:
            choice = {"index": index, "delta": delta, "finish_reason": reason}
            return _sse({**head, "choices": [choice]})

        for index in range(n):
            yield chunk(index, {"role": "assistant", "content": ""})
            for piece in _pieces(content, behaviour.chunk_size) if content else []:
                await self.upstream._pause(behaviour.chunk_delay)
                self.upstream.chunks_sent += 1
                yield chunk(index, {"content": piece})
            for position, call in enumerate(tool_calls):
                head = {"index": position, "id": call["id"], "type": "function"}
                head["function"] = {"name": call["function"]["name"], "arguments": ""}
                yield chunk(index, {"tool_calls": [head]})
                for piece in _pieces(call["function"]["arguments"], behaviour.chunk_size):
                    await self.upstream._pause(behaviour.chunk_delay)
                    arguments = {"index": position, "function": {"arguments": piece}}
                    yield chunk(index, {"tool_calls": [arguments]})
            yield chunk(index, {}, finish)
        if usage is not None:
            yield _sse({**head, "choices": [], "usage": usage})
        yield _sse("[DONE]")

    async def completions(self, request: Request) -> Response:
        behaviour, body, early = await self._begin(request)
        if early is not None:
            return early
        prompt = _prompt_text(body)
        text = prompt if behaviour.mode == "echo" else behaviour.reply
        model = str(body.get("model", behaviour.models[0]))
        ident = f"cmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        if body.get("stream"):
            return StreamingResponse(
                self._completion_chunks(behaviour, ident, created, model, text),
                media_type="text/event-stream",
            )
        reply: dict[str, Any] = {
            "id": ident,
            "object": "text_completion",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}],
        }
        if behaviour.usage:
            reply["usage"] = _usage(prompt, text)
        return JSONResponse(reply)

    async def _completion_chunks(
        self, behaviour: Behaviour, ident: str, created: int, model: str, text: str
    ) -> AsyncIterator[bytes]:
        pieces = _pieces(text, behaviour.chunk_size)
        for position, piece in enumerate(pieces):
            await self.upstream._pause(behaviour.chunk_delay)
            last = position == len(pieces) - 1
            yield _sse(
                {
                    "id": ident,
                    "object": "text_completion",
                    "created": created,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "text": piece,
                            "finish_reason": "stop" if last else None,
                            "logprobs": None,
                        }
                    ],
                }
            )
        yield _sse("[DONE]")

    async def embeddings(self, request: Request) -> Response:
        behaviour, body, early = await self._begin(request)
        if early is not None:
            return early
        given = body.get("input")
        inputs = given if isinstance(given, list) else [given]
        data = [
            {"object": "embedding", "index": i, "embedding": _vector(item, behaviour)}
            for i, item in enumerate(inputs)
        ]
        words = sum(len(item.split()) for item in inputs if isinstance(item, str))
        return JSONResponse(
            {
                "object": "list",
                "data": data,
                "model": str(body.get("model", behaviour.models[0])),
                "usage": {"prompt_tokens": words, "total_tokens": words},
            }
        )

    # OpenAI's Responses API: tests/support/responses_stub.py.

    async def responses(self, request: Request) -> Response:
        behaviour, body, early = await self._begin(request)
        if early is not None:
            return early
        if behaviour.raw is not None:
            return StreamingResponse(
                _pieces_of(behaviour.raw),
                status_code=behaviour.raw_status,
                media_type=behaviour.raw_content_type,
            )
        return await self.responses_api.create(behaviour, body)

    async def response(self, request: Request) -> Response:
        _, _, early = await self._begin(request)
        if early is not None:
            return early
        if request.method == "DELETE":
            return await self.responses_api.delete(request)
        return await self.responses_api.get(request)

    async def response_extra(self, request: Request) -> Response:
        _, body, early = await self._begin(request)
        if early is not None:
            return early
        if request.url.path.endswith("/compact"):
            return await self.responses_api.compact(body)
        return await self.responses_api.input_tokens_count(body)

    async def response_cancel(self, request: Request) -> Response:
        _, _, early = await self._begin(request)
        return early or await self.responses_api.cancel(request)

    async def response_items(self, request: Request) -> Response:
        _, _, early = await self._begin(request)
        return early or await self.responses_api.input_items(request)

    async def unknown(self, request: Request) -> Response:
        await self._begin(request)
        error = {"message": f"no route {request.url.path}", "type": "not_found", "code": None}
        return JSONResponse({"error": error}, status_code=404)

    async def models(self, request: Request) -> Response:
        behaviour, _, early = await self._begin(request)
        if early is not None:
            return early
        return JSONResponse(
            {
                "object": "list",
                "data": [
                    {"id": name, "object": "model", "created": 0, "owned_by": "stub"}
                    for name in behaviour.models
                ],
            }
        )


_ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _vector(item: Any, behaviour: Behaviour) -> list[float]:
    """A deterministic unit-free vector derived from the input, so equal inputs embed equally."""
    digest = hashlib.sha256(json.dumps(item).encode()).digest()
    size = behaviour.embedding_dimensions
    return [round(digest[i % len(digest)] / 255.0, 6) for i in range(size)]


# -- running it ----------------------------------------------------------------------------------


@contextmanager
def running_upstream(
    name: str = "stub", app_factory: Callable[[Upstream], Any] | None = None, **behaviour: Any
) -> Iterator[Upstream]:
    """Serve a stub on 127.0.0.1 (ephemeral port) for the duration of the block; by default
    the OpenAI-compatible app, else `app_factory(upstream)` (another provider's wire format)."""
    # IPPROTO_TCP and TCP_NODELAY (inherited by accepted sockets): otherwise asyncio leaves
    # Nagle's algorithm on, and each keep-alive response waits 40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()[:2]
    upstream = Upstream(name=name, host=host, port=port)
    if behaviour:
        upstream.configure(**behaviour)
    config = uvicorn.Config(
        app_factory(upstream) if app_factory is not None else _App(upstream).app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        # A test may stop the server while a delayed reply is still pending.
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"upstream-{name}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"stub upstream {name!r} did not start")
        time.sleep(0.01)
    try:
        yield upstream
    finally:
        upstream._stopping = True
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def closed_port() -> int:
    """A loopback port with nothing listening on it (connecting is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
