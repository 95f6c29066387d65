"""Streams of litellm's `openai/` models through the cheaper SDK client (egress/sdk_chunks.py):
chunks built by pydantic instead of the SDK's `construct_type` are the same objects, down to
fields-set and extras; streams are read without a task per chunk; a stream yields the same."""

from __future__ import annotations

import asyncio
import copy
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import openai
import pydantic
import pytest
from openai._models import construct_type
from openai.types import Completion
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from privacy_guard.egress import via_litellm
from privacy_guard.egress.common import Endpoint
from privacy_guard.egress.sdk_chunks import FastChunks, fast_chunks_client
from tests.support.upstream import Upstream, running_upstream

_HEAD = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m"}


def _choice(delta: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "finish_reason": None, **fields}


CHAT_CHUNKS: list[dict[str, Any]] = [
    {**_HEAD, "choices": [_choice({"role": "assistant", "content": ""}, logprobs=None)]},
    {**_HEAD, "choices": [_choice({"content": "Hello"})], "system_fingerprint": "fp_1"},
    {
        **_HEAD,
        "choices": [
            _choice(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "lookup", "arguments": ""},
                        }
                    ]
                }
            )
        ],
    },
    {**_HEAD, "choices": [_choice({"tool_calls": [{"index": 0, "function": {"arguments": "{"}}]})]},
    # Keys the SDK does not declare, at every level (vLLM's reasoning_content, ...).
    {
        **_HEAD,
        "choices": [_choice({"reasoning_content": "hm", "content": None}, stop_reason=None)],
        "provider_field": {"nested": [1, None]},
    },
    {
        **_HEAD,
        "choices": [
            _choice(
                {"content": "a"},
                logprobs={
                    "content": [{"token": "a", "logprob": -0.5, "bytes": [97], "top_logprobs": []}]
                },
            )
        ],
    },
    {**_HEAD, "choices": [_choice({}, finish_reason="stop")], "service_tier": "default"},
    {
        **_HEAD,
        "choices": [],
        "usage": {
            "prompt_tokens": 3,
            "completion_tokens": 5,
            "total_tokens": 8,
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
    },
    {**_HEAD, "choices": [_choice({"content": "x", "refusal": None, "function_call": None})]},
]
# What strict validation refuses, so the SDK's own lenient build makes them, as before.
LENIENT_CHAT_CHUNKS: list[dict[str, Any]] = [
    {**_HEAD, "choices": [_choice({"content": "x"}, finish_reason="eos")]},  # not in the Literal
    {**_HEAD, "created": "12", "choices": [_choice({"content": "x"})]},  # a string for an int
    {**_HEAD, "created": 1.0, "choices": [_choice({"content": "x"})]},
    {**_HEAD, "choices": [_choice({"content": 7})]},
    {**_HEAD, "choices": "none"},
]
TEXT_CHUNKS: list[dict[str, Any]] = [
    {
        "id": "cmpl-1",
        "object": "text_completion",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "text": "Hel", "finish_reason": None, "logprobs": None}],
    },
    {
        "id": "cmpl-1",
        "object": "text_completion",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "text": "", "finish_reason": "length", "logprobs": None}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    },
]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    # A client object only: nothing is sent, the parsing method is called directly.
    fast = fast_chunks_client(openai.AsyncOpenAI)(api_key="unused", base_url="http://127.0.0.1:9")
    yield fast


def _anatomy(value: Any) -> Any:
    """Everything that tells two builds apart: class, fields-set, extras, private state, values."""
    if isinstance(value, pydantic.BaseModel):
        return (
            type(value),
            sorted(value.model_fields_set),
            _anatomy(value.__pydantic_extra__),
            value.__pydantic_private__,
            {name: _anatomy(item) for name, item in value.__dict__.items()},
        )
    if isinstance(value, dict):
        return {key: _anatomy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_anatomy(item) for item in value]
    return (type(value), value)


def _builds(client: Any, cast_to: type, data: dict[str, Any]) -> tuple[Any, Any]:
    sdk = construct_type(type_=cast_to, value=copy.deepcopy(data))
    fast = client._process_response_data(data=copy.deepcopy(data), cast_to=cast_to, response=None)
    return sdk, fast


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the lenient builds' dumps
@pytest.mark.parametrize(
    ("cast_to", "data"),
    [(ChatCompletionChunk, d) for d in CHAT_CHUNKS + LENIENT_CHAT_CHUNKS]
    + [(Completion, d) for d in TEXT_CHUNKS],
)
def test_the_fast_build_is_the_sdks_build(client: Any, cast_to: type, data: Any) -> None:
    sdk, fast = _builds(client, cast_to, data)
    assert _anatomy(fast) == _anatomy(sdk)
    assert fast.model_dump() == sdk.model_dump()
    assert fast.model_dump(exclude_unset=True) == sdk.model_dump(exclude_unset=True)
    assert fast.model_dump_json() == sdk.model_dump_json()


def test_valid_chunks_take_the_fast_way(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # The comparison above would pass if everything went to the SDK: check it does not.
    calls: list[object] = []
    monkeypatch.setattr(
        openai.AsyncOpenAI,
        "_process_response_data",
        lambda self, **kw: calls.append(kw["data"]) or construct_type(
            type_=kw["cast_to"], value=kw["data"]
        ),
    )
    for data in CHAT_CHUNKS:
        assert isinstance(
            client._process_response_data(data=data, cast_to=ChatCompletionChunk, response=None),
            ChatCompletionChunk,
        )
    assert calls == []
    for data in LENIENT_CHAT_CHUNKS:
        client._process_response_data(data=data, cast_to=ChatCompletionChunk, response=None)
    assert calls == LENIENT_CHAT_CHUNKS
    # Other types (a whole reply here) are the SDK's business.
    reply = {"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": []}
    client._process_response_data(data=reply, cast_to=ChatCompletion, response=None)
    assert calls[-1] == reply


def test_only_litellms_openai_handlers_get_the_fast_client() -> None:
    via_litellm.load()

    for name in ("litellm.llms.openai.openai", "litellm.llms.openai.workload_identity"):
        handler = importlib.import_module(name)
        assert issubclass(handler.AsyncOpenAI, FastChunks)
        assert issubclass(handler.AsyncOpenAI, openai.AsyncOpenAI)
    assert not issubclass(openai.AsyncOpenAI, FastChunks)


@dataclass(frozen=True)
class _Target:
    name: str
    litellm_model: str
    api_base: str
    api_key_env: str | None = None


async def _chunks(target: _Target, body: dict[str, Any], endpoint: Endpoint) -> list[Any]:
    stream = await via_litellm.open_stream(
        target, body, endpoint, timeout=30, retries=0, backoff=0.1
    )
    return [
        {key: value for key, value in chunk.items() if key not in ("id", "created")}
        async for chunk in stream
    ]


@pytest.mark.parametrize(
    ("endpoint", "mode"),
    [(Endpoint.CHAT, "echo"), (Endpoint.CHAT, "tool_calls"), (Endpoint.COMPLETIONS, "echo")],
)
def test_what_a_stream_yields_is_unchanged(endpoint: Endpoint, mode: str) -> None:
    """The same stream through litellm, chunks built the fast way and the SDK's way."""
    via_litellm.load()
    chat = importlib.import_module("litellm.llms.openai.openai").AsyncOpenAI
    text = importlib.import_module("litellm.llms.openai.workload_identity").AsyncOpenAI

    tools = [{"type": "function", "function": {"name": "echo", "parameters": {"type": "object"}}}]
    prompt = "Jean Dupont, rue de la Paix"
    body: dict[str, Any] = {"stream": True, "stream_options": {"include_usage": True}}
    if endpoint is Endpoint.CHAT:
        body["messages"] = [{"role": "user", "content": prompt}]
        if mode == "tool_calls":
            body["tools"] = tools
    else:
        body["prompt"] = prompt
    upstream: Upstream
    with running_upstream("sdk-chunks", mode=mode, reply="") as upstream:
        target = _Target("t", "openai/stub-model", upstream.base_url)
        fast = asyncio.run(_chunks(target, body, endpoint))
        handlers = {handler: handler._fast_types for handler in (chat, text)}
        try:
            for handler in handlers:
                handler._fast_types = ()
                handler._direct_streams = False
            slow = asyncio.run(_chunks(target, body, endpoint))
        finally:
            for handler, types in handlers.items():
                handler._fast_types = types
                handler._direct_streams = True
    assert len(fast) > 3
    assert fast == slow


async def _tasks_while_reading(target: _Target, body: dict[str, Any]) -> tuple[int, int]:
    """(chunks, tasks created on the loop while they were read)."""
    loop = asyncio.get_running_loop()
    created: list[object] = []

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **options: Any) -> asyncio.Task[Any]:
        created.append(coro)
        return asyncio.Task(coro, loop=loop, **options)

    stream = await via_litellm.open_stream(
        target, body, Endpoint.CHAT, timeout=30, retries=0, backoff=0.1
    )
    loop.set_task_factory(factory)
    try:
        chunks = 0
        async for _ in stream:
            chunks += 1
        await asyncio.sleep(0.05)  # tasks the loop schedules for abandoned generators
    finally:
        loop.set_task_factory(None)
    return chunks, len(created)


def test_a_stream_is_read_without_a_task_per_chunk() -> None:
    via_litellm.load()
    reply = "".join(f"{i:04d}" for i in range(300))  # distinct pieces (litellm's repeat check)
    body = {"stream": True, "messages": [{"role": "user", "content": "go"}]}
    with running_upstream("sdk-direct", mode="fixed", reply=reply, chunk_size=4) as upstream:
        target = _Target("t", "openai/stub-model", upstream.base_url)
        chunks, tasks = asyncio.run(_tasks_while_reading(target, body))
    assert chunks > 300
    assert tasks < 10, f"{tasks} tasks for {chunks} chunks"
