"""What litellm's stream wrapper keeps while a stream goes through (egress/via_litellm.py,
`_keep_only_what_is_read`): only the chunks it reads again, unless a usage chunk is to be sent;
what the stream yields, its repetition guard and its service tier do not change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from privacy_guard.catalog import Access, Egress, ModelTarget
from privacy_guard.egress import via_litellm
from privacy_guard.egress.common import Endpoint
from privacy_guard.errors import UpstreamError
from tests.support.egress import run
from tests.support.upstream import Upstream, running_upstream

PROVIDERS = ("openai", "hosted_vllm")
# Distinct pieces: litellm fails a stream that repeats one chunk a hundred times.
LONG_REPLY = "".join(f"{i:04d}" for i in range(400))


@pytest.fixture(scope="module")
def server() -> Iterator[Upstream]:
    with running_upstream("litellm-stream-cost") as upstream:
        yield upstream


@pytest.fixture
def upstream(server: Upstream) -> Upstream:
    return server.reset()


def _target(upstream: Upstream, provider: str) -> ModelTarget:
    return ModelTarget(
        name=f"stub-{provider}",
        litellm_model=f"{provider}/stub-model",
        access=Access.LOCAL,
        jurisdiction="self-hosted",
        api_base=upstream.base_url,
        egress=Egress.LITELLM,
    )


def _body(**extra: Any) -> dict[str, Any]:
    return {"stream": True, "messages": [{"role": "user", "content": "go"}], **extra}


async def _wrapper_after_reading(target: ModelTarget, body: dict[str, Any]) -> tuple[int, Any]:
    """Open a stream as open_stream does, read it all; (chunks read, litellm's wrapper)."""
    source = await via_litellm._call(target, body, Endpoint.CHAT, True, 10, 0, 0.1)
    via_litellm._keep_only_what_is_read(source)
    read = 0
    async for _ in source:
        read += 1
    return read, source


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_long_stream_leaves_only_a_few_chunks_kept(upstream: Upstream, provider: str) -> None:
    upstream.configure(mode="fixed", reply=LONG_REPLY, chunk_size=4)
    read, wrapper = run(_wrapper_after_reading(_target(upstream, provider), _body()))
    assert read > 400
    assert len(wrapper.chunks) <= 3


@pytest.mark.parametrize("provider", PROVIDERS)
def test_with_a_usage_chunk_to_send_every_chunk_is_kept(upstream: Upstream, provider: str) -> None:
    # litellm rebuilds the reply from all of them for the usage chunk.
    upstream.configure(mode="fixed", reply=LONG_REPLY[:400], chunk_size=4)
    body = _body(stream_options={"include_usage": True})
    read, wrapper = run(_wrapper_after_reading(_target(upstream, provider), body))
    assert type(wrapper.chunks) is list
    assert len(wrapper.chunks) >= read - 2 >= 100


def _chunk(delta: dict[str, Any], finish: str | None = None, **top: Any) -> bytes:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "stub-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **top,  # may replace `choices`
    }
    return f"data: {json.dumps(body)}\n\n".encode()


# A tier on some chunks only (in some paths litellm copies the latest one into its last chunk),
# and a usage block the upstream sends unasked.
TIERED = (
    _chunk({"role": "assistant", "content": ""}, service_tier="default"),
    *(_chunk({"content": f"{i:04d}"}) for i in range(30)),
    _chunk({"content": "more"}, service_tier="flex"),
    *(_chunk({"content": f"{i:04d}"}) for i in range(30, 60)),
    _chunk({}, "stop"),
    _chunk({}, choices=[], usage={"prompt_tokens": 1, "completion_tokens": 61, "total_tokens": 62}),
    b"data: [DONE]\n\n",
)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    ("behaviour", "extra"),
    [
        ({"mode": "fixed", "reply": LONG_REPLY[:800], "chunk_size": 4}, {}),
        ({"mode": "tool_calls", "reply": "", "chunk_size": 3}, {}),
        ({"raw": TIERED}, {}),
        ({"raw": TIERED}, {"stream_options": {"include_usage": True}}),
    ],
)
def test_the_stream_yields_the_same_chunks(
    upstream: Upstream,
    provider: str,
    behaviour: dict[str, Any],
    extra: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upstream.configure(**behaviour)
    tools = [{"type": "function", "function": {"name": "echo", "parameters": {"type": "object"}}}]
    body = _body(tools=tools, **extra) if behaviour.get("mode") == "tool_calls" else _body(**extra)
    target = _target(upstream, provider)

    async def chunks() -> list[dict[str, Any]]:
        stream = await via_litellm.open_stream(
            target, body, Endpoint.CHAT, timeout=10, retries=0, backoff=0.1
        )
        return [
            {key: value for key, value in chunk.items() if key not in ("id", "created")}
            async for chunk in stream
        ]

    kept_few = run(chunks())
    monkeypatch.setattr(via_litellm, "_keep_only_what_is_read", lambda source: None)
    kept_all = run(chunks())
    assert len(kept_few) > 5
    assert kept_few == kept_all
    if "raw" in behaviour:  # the tiers went through (and the usage chunk has the latest)
        tiers = [chunk.get("service_tier") for chunk in kept_few if chunk.get("service_tier")]
        assert tiers[:2] == ["default", "flex"] and set(tiers) == {"default", "flex"}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_stream_repeating_one_chunk_still_fails(upstream: Upstream, provider: str) -> None:
    # litellm's guard against a model stuck in a loop reads the last two chunks kept.
    upstream.configure(mode="fixed", reply="abcd" * 300, chunk_size=4)

    async def read_all() -> int:
        stream = await via_litellm.open_stream(
            _target(upstream, provider), _body(), Endpoint.CHAT, timeout=10, retries=0, backoff=0
        )
        return len([chunk async for chunk in stream])

    with pytest.raises(UpstreamError):
        run(read_all())
