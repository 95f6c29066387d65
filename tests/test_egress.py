"""Egress to a real OpenAI-compatible server on loopback, every way out.

Two litellm code paths are exercised: `openai/...` (through the OpenAI SDK) and
`hosted_vllm/...` (litellm's own HTTP handler), which differ in retries and error shapes; and the
OpenAI-compatible relay (`egress: openai-compatible`), which must behave like them. The relay's
own cases (its stream parsing, its headers) are in test_egress_relay.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from privacy_guard import egress
from privacy_guard.catalog import Access, Egress, ModelTarget
from privacy_guard.egress import via_litellm
from privacy_guard.errors import MissingApiKeyError, PrivacyGuardError, UpstreamError
from privacy_guard.shipped import SHIPPED_MODELS
from tests.support.egress import run
from tests.support.upstream import Upstream, closed_port, running_upstream

# "relay": an `openai/` target relayed without litellm (`egress: openai-compatible`).
PROVIDERS = ("openai", "hosted_vllm", "relay")
PROMPT = "Hello, I am <PERSON_1>, write to <EMAIL_ADDRESS_1> please."
SECRET = "Jean Dupont, IBAN FR7630006000011234567890189"


@pytest.fixture(scope="module")
def server() -> Iterator[Upstream]:
    with running_upstream("egress") as upstream:
        yield upstream


@pytest.fixture
def upstream(server: Upstream) -> Upstream:
    return server.reset()


def target(
    upstream: Upstream | None,
    provider: str = "openai",
    *,
    model: str = "stub-model",
    api_key_env: str | None = None,
    api_base: str | None = None,
) -> ModelTarget:
    relayed = provider == "relay"
    return ModelTarget(
        name=f"stub-{provider}",
        litellm_model=f"{'openai' if relayed else provider}/{model}",
        access=Access.LOCAL,
        jurisdiction="self-hosted",
        api_base=api_base or (upstream.base_url if upstream else None),
        api_key_env=api_key_env,
        egress=Egress.OPENAI_COMPATIBLE if relayed else Egress.LITELLM,
    )


def chat_body(text: str = PROMPT) -> dict[str, Any]:
    return {"model": "whatever-the-client-said", "messages": [{"role": "user", "content": text}]}


def with_body(**extra: Any) -> dict[str, Any]:
    return {**chat_body(), **extra}


async def collect(stream: Any) -> list[dict[str, Any]]:
    return [chunk async for chunk in stream]


# -- happy paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_chat_returns_an_openai_shaped_reply(upstream: Upstream, provider: str) -> None:
    reply = run(egress.chat(target(upstream, provider), chat_body(), timeout=5))

    assert reply["object"] == "chat.completion"
    assert reply["choices"][0]["message"] == {"role": "assistant", "content": PROMPT}
    assert reply["choices"][0]["finish_reason"] == "stop"
    assert reply["usage"]["total_tokens"] > 0
    assert "provider_specific_fields" not in reply["choices"][0]
    (request,) = upstream.requests
    assert request.path == "/v1/chat/completions"
    sent = request.json()
    # The catalog decides the model, with the provider prefix taken off by litellm.
    assert sent["model"] == "stub-model"
    assert sent["messages"] == chat_body()["messages"]
    assert "stream" not in sent or sent["stream"] is False


@pytest.mark.parametrize("provider", PROVIDERS)
def test_chat_stream_passes_chunks_through_as_split_by_the_upstream(
    upstream: Upstream, provider: str
) -> None:
    upstream.configure(chunk_size=3)

    async def go() -> list[dict[str, Any]]:
        stream = await egress.chat_stream(target(upstream, provider), chat_body(), timeout=5)
        return await collect(stream)

    chunks = run(go())

    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    pieces = [c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]]
    assert "".join(pieces) == PROMPT
    # Placeholders arrive cut in pieces: the restorer downstream must cope with that.
    assert "<PERSON_1>" not in pieces
    assert len([p for p in pieces if p]) == -(-len(PROMPT) // 3)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert upstream.requests[0].json()["stream"] is True


def test_a_stream_is_rebuilt_at_its_end_only_for_the_usage_a_client_asked_for(
    upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    # litellm rebuilds the whole reply from its chunks when a stream ends (~13 ms for 1 KB):
    # wasted on every stream but one whose client asked for the usage chunk.
    litellm = via_litellm._load()
    builds: list[int] = []
    original = litellm.stream_chunk_builder

    def counting(*args: Any, **kwargs: Any) -> Any:
        builds.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(litellm, "stream_chunk_builder", counting)

    async def go(body: dict[str, Any]) -> list[dict[str, Any]]:
        return await collect(await egress.chat_stream(target(upstream), body, timeout=5))

    plain = run(go(chat_body()))
    assert builds == []
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in plain) == PROMPT

    usage = run(go(with_body(stream_options={"include_usage": True})))
    assert builds  # built (litellm may do it more than once)
    assert usage[-1]["usage"]["total_tokens"] > 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_text_completion_and_its_stream(upstream: Upstream, provider: str) -> None:
    body = {"model": "x", "prompt": "Complete: <EMAIL_ADDRESS_1>", "max_tokens": 7}
    reply = run(egress.text_completion(target(upstream, provider), body, timeout=5))
    assert reply["object"] == "text_completion"
    assert reply["choices"][0]["text"] == body["prompt"]
    assert upstream.requests[-1].path == "/v1/completions"
    assert upstream.requests[-1].json()["max_tokens"] == 7

    async def go() -> list[dict[str, Any]]:
        stream = await egress.text_completion_stream(target(upstream, provider), body, timeout=5)
        return await collect(stream)

    chunks = run(go())
    assert "".join(c["choices"][0]["text"] for c in chunks) == body["prompt"]
    assert len(chunks) > 2
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_embeddings(upstream: Upstream, provider: str) -> None:
    body = {"model": "x", "input": ["alpha <PERSON_1>", "beta", "alpha <PERSON_1>"]}
    reply = run(egress.embeddings(target(upstream, provider), body, timeout=5))

    vectors = [item["embedding"] for item in reply["data"]]
    assert [item["index"] for item in reply["data"]] == [0, 1, 2]
    assert all(len(vector) == 8 for vector in vectors)
    assert vectors[0] == vectors[2] != vectors[1]
    assert upstream.requests[-1].path == "/v1/embeddings"
    assert upstream.requests[-1].json()["input"] == body["input"]


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup_customer",
            "description": "Find a customer",
            "parameters": {"type": "object", "properties": {"text": {"type": "string"}}},
        },
    }
]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_tool_calls_pass_through_both_ways(upstream: Upstream, provider: str) -> None:
    upstream.configure(mode="tool_calls", reply="", chunk_size=5)
    body = with_body(tools=TOOLS, tool_choice="auto")
    reply = run(egress.chat(target(upstream, provider), body, timeout=5))

    sent = upstream.requests[-1].json()
    assert sent["tools"] == TOOLS
    assert sent["tool_choice"] == "auto"
    message = reply["choices"][0]["message"]
    assert message["content"] is None  # OpenAI's null content next to tool calls is kept
    (call,) = message["tool_calls"]
    assert call["function"]["name"] == "lookup_customer"
    assert json.loads(call["function"]["arguments"]) == {"text": PROMPT}
    assert reply["choices"][0]["finish_reason"] == "tool_calls"

    async def go() -> list[dict[str, Any]]:
        stream = await egress.chat_stream(target(upstream, provider), body, timeout=5)
        return await collect(stream)

    chunks = run(go())
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    arguments = "".join(
        call["function"].get("arguments") or ""
        for delta in deltas
        for call in delta.get("tool_calls") or []
    )
    assert json.loads(arguments) == {"text": PROMPT}
    assert sum(1 for d in deltas if d.get("tool_calls")) > 3  # arguments came in pieces


@pytest.mark.parametrize("provider", ("openai", "relay"))
def test_openai_parameters_reach_the_upstream_unchanged(upstream: Upstream, provider: str) -> None:
    params = {
        "temperature": 0.2,
        "top_p": 0.9,
        "max_tokens": 33,
        "n": 2,
        "stop": ["\n\n"],
        "seed": 7,
        "response_format": {"type": "json_object"},
        "presence_penalty": 0.1,
        "frequency_penalty": 0.3,
        "logit_bias": {"50256": -100},
    }
    reply = run(egress.chat(target(upstream, provider), with_body(**params), timeout=5))

    sent = upstream.requests[-1].json()
    assert {key: sent.get(key) for key in params} == params
    assert len(reply["choices"]) == 2


def test_user_reaches_openai_models_only(upstream: Upstream) -> None:
    # litellm forwards `user` to models of OpenAI's own catalog and silently drops it for any
    # other OpenAI-compatible server (some reject it). Either way it is personal-ish data that
    # the payload layer must have looked at before egress.
    run(egress.chat(target(upstream, model="gpt-4o-mini"), with_body(user="u-42"), timeout=5))
    run(egress.chat(target(upstream, model="local-model"), with_body(user="u-42"), timeout=5))

    first, second = upstream.bodies()
    assert first["user"] == "u-42"
    assert "user" not in second


def test_unknown_body_fields_go_to_the_upstream_as_json_never_to_litellm(
    upstream: Upstream,
) -> None:
    # litellm takes these as keywords: from a client they would redirect the call, swap the
    # key, fake the answer or register callbacks. Here they are just JSON for the upstream.
    hostile = {
        "api_base": f"http://127.0.0.1:{closed_port()}/v1",
        "base_url": f"http://127.0.0.1:{closed_port()}/v1",
        "api_key": "sk-client-chosen",
        "mock_response": "faked by the client",
        "custom_llm_provider": "anthropic",
        "success_callback": ["langfuse"],
        "metadata": {"ticket": "T-1"},
        "top_k": 40,  # a vLLM/Ollama sampling parameter
    }
    upstream.configure(mode="fixed", reply="real answer")
    reply = run(egress.chat(target(upstream), with_body(**hostile), timeout=5))

    assert reply["choices"][0]["message"]["content"] == "real answer"
    (request,) = upstream.requests
    assert request.header("authorization") == "Bearer privacy-guard-no-key"
    sent = request.json()
    assert sent["top_k"] == 40
    assert sent["metadata"] == {"ticket": "T-1"}
    assert sent["model"] == "stub-model"


@pytest.mark.parametrize("provider", ("openai", "relay"))
def test_model_and_stream_in_the_body_are_ignored(upstream: Upstream, provider: str) -> None:
    body = with_body(model="gpt-4o", stream=True)
    reply = run(egress.chat(target(upstream, provider), body, timeout=5))

    assert reply["object"] == "chat.completion"
    sent = upstream.requests[-1].json()
    assert sent["model"] == "stub-model"
    assert not sent.get("stream")


# -- credentials ---------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ("openai", "relay"))
def test_api_key_comes_from_the_targets_variable(
    upstream: Upstream, provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PG_TEST_STUB_KEY", "sk-stub-123")
    run(
        egress.chat(
            target(upstream, provider, api_key_env="PG_TEST_STUB_KEY"), chat_body(), timeout=5
        )
    )

    assert upstream.requests[-1].header("authorization") == "Bearer sk-stub-123"


@pytest.mark.parametrize("provider", ("openai", "relay"))
def test_a_missing_key_variable_is_a_typed_error_and_nothing_is_sent(
    upstream: Upstream, provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PG_TEST_ABSENT_KEY", raising=False)
    with pytest.raises(MissingApiKeyError) as caught:
        run(
            egress.chat(
                target(upstream, provider, api_key_env="PG_TEST_ABSENT_KEY"), chat_body(), timeout=5
            )
        )

    assert caught.value.variable == "PG_TEST_ABSENT_KEY"
    assert "PG_TEST_ABSENT_KEY" in str(caught.value)
    assert caught.value.status == 503
    assert isinstance(caught.value, UpstreamError | PrivacyGuardError)
    assert upstream.requests == []


def test_a_target_without_key_variable_never_gets_a_providers_key(
    upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    # litellm falls back to OPENAI_API_KEY when no key is given: that would hand the OpenAI key
    # to whatever local server the target points at.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real-openai-key-must-stay-home")
    monkeypatch.setenv("HOSTED_VLLM_API_KEY", "sk-real-vllm-key-must-stay-home")
    for provider in PROVIDERS:
        run(egress.chat(target(upstream, provider), chat_body(), timeout=5))

    assert len(upstream.requests) == len(PROVIDERS)
    assert b"must-stay-home" not in upstream.all_bytes()


# -- failures ------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("status", [400, 401, 404, 429, 500, 503])
def test_upstream_errors_keep_their_status(upstream: Upstream, provider: str, status: int) -> None:
    upstream.configure(fail_status=status)
    with pytest.raises(UpstreamError) as caught:
        run(egress.chat(target(upstream, provider), chat_body(), timeout=5, retries=0))

    assert caught.value.status == status
    assert caught.value.target == f"stub-{provider}"
    assert len(upstream.requests) == 1  # retries=0 means one request, for every provider


@pytest.mark.parametrize("provider", PROVIDERS)
def test_errors_never_carry_the_prompt(
    upstream: Upstream, provider: str, capfd: pytest.CaptureFixture[str]
) -> None:
    upstream.configure(fail_status=500, error_quotes_prompt=True)
    with pytest.raises(UpstreamError) as caught:
        run(egress.chat(target(upstream, provider), chat_body(SECRET), timeout=5))

    error = caught.value
    assert error.__cause__ is None
    assert error.__suppress_context__
    shown = f"{error} {error!r} {error.args}"
    assert "Dupont" not in shown and "FR76" not in shown
    printed = capfd.readouterr()
    assert "Dupont" not in printed.out + printed.err


@pytest.mark.parametrize("provider", PROVIDERS)
def test_retries_on_5xx_then_success(upstream: Upstream, provider: str) -> None:
    upstream.configure(fail_status=503, fail_times=2)
    reply = run(
        egress.chat(target(upstream, provider), chat_body(), timeout=5, retries=2, backoff=0)
    )

    assert reply["choices"][0]["message"]["content"] == PROMPT
    assert len(upstream.requests) == 3


@pytest.mark.parametrize("provider", ("openai", "relay"))
def test_retries_on_429_honour_a_short_retry_after(upstream: Upstream, provider: str) -> None:
    upstream.configure(fail_status=429, fail_times=1, retry_after=0.2)
    started = time.monotonic()
    run(egress.chat(target(upstream, provider), chat_body(), timeout=5, retries=1, backoff=0.05))

    assert len(upstream.requests) == 2
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize("provider", PROVIDERS)
def test_retries_are_bounded(upstream: Upstream, provider: str) -> None:
    upstream.configure(fail_status=500)
    with pytest.raises(UpstreamError) as caught:
        run(egress.chat(target(upstream, provider), chat_body(), timeout=5, retries=2, backoff=0))

    assert caught.value.status == 500
    assert caught.value.attempts == 3
    assert len(upstream.requests) == 3


@pytest.mark.parametrize("provider", ("openai", "relay"))
@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_client_errors_are_not_retried(upstream: Upstream, provider: str, status: int) -> None:
    upstream.configure(fail_status=status)
    with pytest.raises(UpstreamError):
        run(egress.chat(target(upstream, provider), chat_body(), timeout=5, retries=3, backoff=0))

    assert len(upstream.requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_refused_connection_is_502_and_retried(provider: str) -> None:
    nowhere = target(None, provider, api_base=f"http://127.0.0.1:{closed_port()}/v1")
    with pytest.raises(UpstreamError) as caught:
        run(egress.chat(nowhere, chat_body(), timeout=5, retries=1, backoff=0))

    assert caught.value.status == 502
    assert caught.value.kind == "connection"
    assert caught.value.attempts == 2


@pytest.mark.parametrize("provider", PROVIDERS)
def test_timeout_is_504_and_not_retried(upstream: Upstream, provider: str) -> None:
    upstream.configure(delay=3)
    started = time.monotonic()
    with pytest.raises(UpstreamError) as caught:
        run(egress.chat(target(upstream, provider), chat_body(), timeout=0.3, retries=2))

    assert caught.value.status == 504
    assert caught.value.kind == "timeout"
    assert time.monotonic() - started < 2.5
    assert len(upstream.requests) == 1


@pytest.mark.parametrize("provider", ("openai", "relay"))
def test_a_stream_that_cannot_open_fails_before_the_first_chunk(
    upstream: Upstream, provider: str
) -> None:
    upstream.configure(fail_status=503)
    with pytest.raises(UpstreamError) as caught:
        run(egress.chat_stream(target(upstream, provider), chat_body(), timeout=5))

    assert caught.value.status == 503


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_stream_that_stalls_fails_with_504(upstream: Upstream, provider: str) -> None:
    upstream.configure(chunk_size=5, chunk_delay=2)

    async def go() -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        stream = await egress.chat_stream(target(upstream, provider), chat_body(), timeout=0.3)
        async for chunk in stream:
            got.append(chunk)
        return got

    started = time.monotonic()
    with pytest.raises(UpstreamError) as caught:
        run(go())
    assert caught.value.status == 504
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("provider", ("openai", "relay"))
def test_streams_can_be_closed_early(upstream: Upstream, provider: str) -> None:
    upstream.configure(chunk_size=1)

    async def go() -> dict[str, Any]:
        stream = await egress.chat_stream(target(upstream, provider), chat_body(), timeout=5)
        first = await stream.__anext__()
        await stream.aclose()  # type: ignore[attr-defined]
        return first

    assert run(go())["object"] == "chat.completion.chunk"


# -- isolation -----------------------------------------------------------------------------------


def test_egress_is_the_only_module_that_imports_litellm() -> None:
    package = Path(egress.__file__).parent.parent
    importers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "litellm" in path.read_text(encoding="utf-8")
        and any(
            line.lstrip().startswith(("import litellm", "from litellm"))
            or 'import_module("litellm' in line
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )
    assert importers == ["egress/via_litellm.py"]


_OFFLINE_SCRIPT = textwrap.dedent(
    """
    import ipaddress, json, os, sys, threading

    attempts = []

    def loopback(host):
        if host in ("localhost", "", None):
            return True
        if isinstance(host, bytes):
            host = host.decode()
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def guard(event, args):
        # Audit events fire for every socket Python opens, whichever library opens it.
        if event == "socket.connect":
            address = args[1]
            if isinstance(address, tuple) and not loopback(address[0]):
                attempts.append([event, str(address[0])])
                raise OSError("network disabled by test: " + str(address[0]))
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
            if not loopback(args[0]):
                attempts.append([event, str(args[0])])
                raise OSError("DNS disabled by test: " + str(args[0]))

    sys.addaudithook(guard)

    import asyncio
    from types import SimpleNamespace

    from privacy_guard import egress
    from privacy_guard.errors import UpstreamError

    base, root, catalog = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

    def target(model, api_base=base):
        return SimpleNamespace(name=model, litellm_model=model, api_base=api_base, api_key_env=None)

    # "llama-3" in a name makes litellm pick a Hugging Face tokenizer to count tokens.
    llama = target("hosted_vllm/meta-llama/Meta-Llama-3.1-8B-Instruct")
    chat = {"messages": [{"role": "user", "content": "Hello <PERSON_1>, how are you?"}]}
    image = {"messages": [{"role": "user", "content": [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": "http://images.example.com/cat.png"}},
    ]}]}

    async def outcome(call):
        try:
            await call
            return "ok"
        except UpstreamError as error:
            return error.status

    async def main():
        results = {}
        reply = await egress.chat(llama, chat, timeout=10)
        results["chat"] = reply["choices"][0]["message"]["content"]
        stream = await egress.chat_stream(
            target("openai/meta-llama-3-70b"), {**chat, "stream_options": {"include_usage": True}},
            timeout=10)
        results["stream"] = "".join(
            [c["choices"][0]["delta"].get("content") or "" async for c in stream if c["choices"]])
        done = await egress.text_completion(llama, {"prompt": "Say hi"}, timeout=10)
        results["completion"] = done["choices"][0]["text"]
        vectors = await egress.embeddings(llama, {"input": ["a", "b"]}, timeout=10)
        results["embeddings"] = len(vectors["data"])
        # For Anthropic, litellm downloads image URLs to inline them.
        results["image"] = await outcome(
            egress.chat(target("anthropic/claude-sonnet-4-20250514"), image, timeout=10))
        # Every provider of the shipped catalog, pointed at the stub: whatever the answer,
        # litellm's own code for that provider must not reach anywhere else.
        results["catalog"] = {
            model: await outcome(egress.chat(
                target(model, root if model.startswith("ollama") else base), chat, timeout=10))
            for model in catalog
        }
        await egress.close()
        return results

    results = asyncio.run(main())
    print(json.dumps({
        "attempts": attempts,
        "results": results,
        "dotenv_loaded": "PG_DOTENV_PROBE" in os.environ,
        "threads": sorted(t.name for t in threading.enumerate()),
    }))
    """
)


def _shipped_models() -> list[str]:
    folder = SHIPPED_MODELS
    return sorted(
        {
            entry["litellm_model"]
            for path in folder.glob("*.yaml")
            for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]
        }
    )


def test_litellm_makes_no_connection_of_its_own(tmp_path: Path) -> None:
    # A fresh interpreter that imports egress (and so litellm) with every non-loopback connect
    # and DNS lookup refused and recorded, then calls the stub the way the gateway would: on
    # model names that make litellm reach for tokenizers or model metadata, with a prompt that
    # holds an image URL, and once per provider of the shipped catalog.
    (tmp_path / ".env").write_text("PG_DOTENV_PROBE=loaded\n", encoding="utf-8")
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LITELLM_", "HF_", "MAX_IMAGE")) and "API_KEY" not in key
    }
    catalog = _shipped_models()
    assert any(model.startswith("huggingface/") for model in catalog)
    with running_upstream("offline", usage=False) as upstream:
        arguments = [upstream.base_url, upstream.url, json.dumps(catalog)]
        done = subprocess.run(
            [sys.executable, "-c", _OFFLINE_SCRIPT, *arguments],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
            env=environment,
        )
        paths = [request.path for request in upstream.requests]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])

    assert report["attempts"] == []
    results = report["results"]
    assert results["chat"] == results["stream"] == "Hello <PERSON_1>, how are you?"
    assert results["completion"] == "Say hi"
    assert results["embeddings"] == 2
    assert results["image"] == 400  # refused before anything was sent, not downloaded
    assert set(results["catalog"]) == set(catalog)
    assert all(r == "ok" or isinstance(r, int) for r in results["catalog"].values())
    assert results["catalog"]["openai/gpt-4o"] == "ok"
    assert not report["dotenv_loaded"]
    assert not any("litellm" in name for name in report["threads"]), report["threads"]
    assert paths[:4] == [
        "/v1/chat/completions",
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/embeddings",
    ]
