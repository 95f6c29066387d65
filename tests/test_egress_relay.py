"""The OpenAI-compatible relay's own cases: what it sends, and how it reads streams and replies
that are unusual or broken, from a real server on loopback. What it shares with the litellm way
out (statuses, retries, timeouts, keys, early close) is tested over every way in test_egress.py.
"""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from faker import Faker

from privacy_guard import egress
from privacy_guard.catalog import Access, Egress, ModelTarget
from privacy_guard.egress import relay
from privacy_guard.errors import UpstreamError
from tests.support.egress import run
from tests.support.upstream import Upstream, running_upstream

NAME = Faker("fr_FR").name()


@pytest.fixture(scope="module")
def server() -> Iterator[Upstream]:
    with running_upstream("relay") as upstream:
        yield upstream


@pytest.fixture
def upstream(server: Upstream) -> Upstream:
    return server.reset()


def target(
    upstream: Upstream, model: str = "openai/stub-model", api_key_env: str | None = None
) -> ModelTarget:
    return ModelTarget(
        name="relayed",
        litellm_model=model,
        access=Access.LOCAL,
        jurisdiction="self-hosted",
        api_base=upstream.base_url,
        api_key_env=api_key_env,
        egress=Egress.OPENAI_COMPATIBLE,
    )


def body() -> dict[str, Any]:
    return {"model": "client-said", "messages": [{"role": "user", "content": "Hi <PERSON_1>"}]}


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return {"id": "c1", "object": "chat.completion.chunk", "choices": [choice]}


def sse(value: Any) -> bytes:
    return f"data: {json.dumps(value)}\n\n".encode()


async def collect(stream: Any) -> list[dict[str, Any]]:
    return [item async for item in stream]


def streamed(upstream: Upstream, *pieces: bytes) -> list[dict[str, Any]]:
    upstream.configure(raw=pieces)

    async def go() -> list[dict[str, Any]]:
        return await collect(await egress.chat_stream(target(upstream), body(), timeout=5))

    return run(go())


# -- what goes out -------------------------------------------------------------------------------


def test_the_request_is_the_clients_with_the_catalogs_model(upstream: Upstream) -> None:
    sent_body = {**body(), "temperature": 0.1, "user": "u-7", "top_k": 40, "stream": False}
    run(egress.chat(target(upstream, "openai/org/model-x"), sent_body, timeout=5))

    (request,) = upstream.requests
    assert request.path == "/v1/chat/completions"
    sent = request.json()
    assert sent["model"] == "org/model-x"  # the provider prefix only is taken off
    assert {k: sent[k] for k in ("messages", "temperature", "user", "top_k")} == {
        k: sent_body[k] for k in ("messages", "temperature", "user", "top_k")
    }
    assert "stream" not in sent
    assert request.header("authorization") is None  # no key variable: no key at all
    assert (request.header("user-agent") or "").startswith("privacy-guard/")
    assert request.header("content-type") == "application/json"


def test_the_key_is_sent_only_from_the_targets_variable(
    upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PG_RELAY_KEY", "sk-relay-123")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-must-stay-home")
    run(egress.chat(target(upstream, api_key_env="PG_RELAY_KEY"), body(), timeout=5))

    assert upstream.requests[-1].header("authorization") == "Bearer sk-relay-123"
    assert b"must-stay-home" not in upstream.all_bytes()


def test_an_openai_model_without_api_base_goes_to_openai() -> None:
    openai_target = ModelTarget(
        name="gpt",
        litellm_model="openai/gpt-4o",
        access=Access.SAAS_API,
        jurisdiction="US",
        egress=Egress.OPENAI_COMPATIBLE,
    )

    async def build() -> str:
        request = relay._request(
            openai_target, body(), egress.Endpoint.CHAT, stream=True, timeout=5
        )
        return str(request.url)

    assert run(build()) == "https://api.openai.com/v1/chat/completions"  # built, never sent


# -- streams -------------------------------------------------------------------------------------


def test_stream_events_in_every_spelling_the_protocol_allows(upstream: Upstream) -> None:
    whole = json.dumps(chunk({}, "stop"))
    cut = whole.index(", ") + 1  # one event in two `data:` lines, joined by a newline
    chunks = streamed(
        upstream,
        b": keep-alive comment\n\n",
        b"event: message\r\n"
        + sse(chunk({"role": "assistant", "content": "Hel"})).replace(b"\n", b"\r\n"),
        b"data:" + json.dumps(chunk({"content": "lo"})).encode() + b"\n\n",  # no space
        sse(chunk({"content": " wor"}))[:25],  # an event cut across two writes
        sse(chunk({"content": " wor"}))[25:],
        b"data: " + whole[:cut].encode() + b"\ndata: " + whole[cut:].encode() + b"\n\n",
        b"data: [DONE]\n\n",
    )

    assert [c["choices"][0]["delta"].get("content") for c in chunks] == ["Hel", "lo", " wor", None]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_a_stream_without_done_ends_with_the_connection(upstream: Upstream) -> None:
    chunks = streamed(upstream, sse(chunk({"content": "a"})), sse(chunk({}, "stop")))
    assert len(chunks) == 2


@pytest.mark.parametrize(
    "broken",
    [
        b"data: {not json, " + NAME.encode() + b"\n\n",
        b"data: [1, 2]\n\n",
        b'data: {"choices": "' + NAME.encode() + b'"}\n\n',
    ],
)
def test_a_broken_chunk_fails_the_stream_with_502_and_no_text(
    upstream: Upstream, broken: bytes
) -> None:
    upstream.configure(raw=(sse(chunk({"content": "fine"})), broken, sse(chunk({"content": "x"}))))
    got: list[dict[str, Any]] = []

    async def go() -> None:
        async for item in await egress.chat_stream(target(upstream), body(), timeout=5):
            got.append(item)

    with pytest.raises(UpstreamError) as caught:
        run(go())
    assert len(got) == 1
    assert (caught.value.status, caught.value.kind) == (502, "invalid_response")
    assert NAME not in f"{caught.value} {caught.value!r}"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_an_error_event_mid_stream_keeps_its_code_not_its_message(upstream: Upstream) -> None:
    error = {"error": {"code": "server_error", "message": f"failed on: {NAME}"}}
    upstream.configure(raw=(sse(chunk({"content": "par"})), sse(error)))

    async def go() -> None:
        async for _ in await egress.chat_stream(target(upstream), body(), timeout=5):
            pass

    with pytest.raises(UpstreamError) as caught:
        run(go())
    assert (caught.value.status, caught.value.code) == (502, "server_error")
    assert NAME not in str(caught.value)


# -- replies -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [b"not json at all", b"[1, 2, 3]", b'{"choices": "none"}', b'{"data": 7}', b""]
)
def test_a_reply_that_is_not_an_openai_object_is_502_and_not_retried(
    upstream: Upstream, raw: bytes
) -> None:
    upstream.configure(raw=(raw,), raw_content_type="application/json")
    with pytest.raises(UpstreamError) as caught:
        run(egress.chat(target(upstream), body(), timeout=5, retries=2, backoff=0))

    assert (caught.value.status, caught.value.kind) == (502, "invalid_response")
    assert len(upstream.requests) == 1


def test_an_error_body_is_read_for_its_code_only(upstream: Upstream) -> None:
    error = {"error": {"code": "context_length_exceeded", "message": f"too long: {NAME}"}}
    upstream.configure(
        raw=(json.dumps(error).encode(),), raw_status=400, raw_content_type="application/json"
    )
    with pytest.raises(UpstreamError) as caught:
        run(egress.chat(target(upstream), body(), timeout=5))

    assert (caught.value.status, caught.value.code) == (400, "context_length_exceeded")
    assert NAME not in str(caught.value)


def test_a_redirect_is_not_followed(upstream: Upstream) -> None:
    with running_upstream("elsewhere") as elsewhere:
        upstream.configure(
            raw=(b"",),
            raw_status=307,
            raw_content_type="text/plain",
            raw_headers=(("location", f"{elsewhere.base_url}/chat/completions"),),
        )
        with pytest.raises(UpstreamError) as caught:
            run(egress.chat(target(upstream), body(), timeout=5))

        assert caught.value.status == 502  # a redirect is no answer
        assert elsewhere.requests == []


def _read_request(rfile: Any) -> str:
    """Read one HTTP request off a raw connection; its request line."""
    line = rfile.readline().decode("latin-1").strip()
    length = 0
    while (header := rfile.readline().strip()) != b"":
        name, _, value = header.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    rfile.read(length)
    return str(line)


class _Proxy(socketserver.StreamRequestHandler):
    """Answers any one request with a chat completion, keeping its request line: a forward proxy
    receives the whole target URL there."""

    lines: ClassVar[list[str]] = []

    def handle(self) -> None:
        self.lines.append(_read_request(self.rfile))
        reply = json.dumps({"object": "chat.completion", "choices": []}).encode()
        head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(reply)}"
        self.wfile.write(head.encode() + b"\r\nconnection: close\r\n\r\n" + reply)


class _Dropper(socketserver.StreamRequestHandler):
    """Starts a stream, sends one event, and closes the connection in the middle of it."""

    def handle(self) -> None:
        _read_request(self.rfile)
        head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
        self.wfile.write(head + b"transfer-encoding: chunked\r\n\r\n")
        event = sse(chunk({"content": "par"}))
        self.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")


def test_a_connection_lost_mid_stream_fails_it_with_502() -> None:
    got: list[dict[str, Any]] = []
    with socketserver.TCPServer(("127.0.0.1", 0), _Dropper) as dropper:
        threading.Thread(target=dropper.handle_request, daemon=True).start()
        dropping = ModelTarget(
            name="dropping",
            litellm_model="openai/stub-model",
            access=Access.LOCAL,
            jurisdiction="self-hosted",
            api_base=f"http://127.0.0.1:{dropper.server_address[1]}/v1",
            egress=Egress.OPENAI_COMPATIBLE,
        )

        async def go() -> None:
            async for item in await egress.chat_stream(dropping, body(), timeout=5):
                got.append(item)

        with pytest.raises(UpstreamError) as caught:
            run(go())

    assert [c["choices"][0]["delta"]["content"] for c in got] == ["par"]
    assert (caught.value.status, caught.value.kind) == (502, "connection")


def test_the_proxy_variables_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    # As litellm does: a deployment that reaches providers through a proxy sets HTTPS_PROXY.
    # The target's host does not resolve; the session's socket guard fails any connection to it.
    with socketserver.TCPServer(("127.0.0.1", 0), _Proxy) as proxy:
        threading.Thread(target=proxy.handle_request, daemon=True).start()
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        far = ModelTarget(
            name="far",
            litellm_model="openai/stub-model",
            access=Access.SAAS_API,
            jurisdiction="US",
            api_base="http://models.example.invalid/v1",
            egress=Egress.OPENAI_COMPATIBLE,
        )
        reply = run(egress.chat(far, body(), timeout=5))

    assert reply["object"] == "chat.completion"
    assert _Proxy.lines == ["POST http://models.example.invalid/v1/chat/completions HTTP/1.1"]


def test_a_whole_reply_to_a_stream_request_becomes_one_chunk(upstream: Upstream) -> None:
    # Some servers ignore `stream` and answer with the whole reply as JSON.
    call = {"id": "t1", "type": "function", "function": {"name": "note", "arguments": "{}"}}
    message = {"role": "assistant", "content": "Hi <PERSON_1>", "tool_calls": [call]}
    whole = {
        "id": "w1",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }
    upstream.configure(raw=(json.dumps(whole).encode(),), raw_content_type="application/json")

    async def go() -> list[dict[str, Any]]:
        return await collect(await egress.chat_stream(target(upstream), body(), timeout=5))

    (only,) = run(go())
    assert only["object"] == "chat.completion.chunk"
    (choice,) = only["choices"]
    assert choice["delta"]["content"] == "Hi <PERSON_1>"
    assert choice["delta"]["tool_calls"] == [{**call, "index": 0}]
    assert choice["finish_reason"] == "stop"
    assert only["usage"]["total_tokens"] == 5
