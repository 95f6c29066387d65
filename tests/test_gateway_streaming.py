"""Long fast streams and clients that hang up, over real HTTP (issue 12).

The gateway runs under uvicorn on loopback in front of the recording stub; both ways out are
covered: litellm (`remote-gpt`) and the OpenAI-compatible relay (`remote-relay`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.gateway import Stack, running_stack

WAYS = ("remote-gpt", "remote-relay")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("streaming")) as running:
        yield running


def _reply(chunks: int) -> str:
    # Distinct pieces: litellm fails a stream that repeats one chunk a hundred times.
    return "".join(f"{i:04d}" for i in range(chunks))


def _stream_body(model: str) -> dict[str, object]:
    return {"model": model, "stream": True, "messages": [{"role": "user", "content": "go"}]}


@pytest.mark.parametrize("model", WAYS)
def test_a_client_that_hangs_up_stops_the_upstream_stream(stack: Stack, model: str) -> None:
    # A paced stub: 2,000 chunks, one every 5 ms, so the whole reply would take 10 s.
    stack.remote.configure(mode="fixed", reply=_reply(2000), chunk_size=4, chunk_delay=0.005)
    before = stack.remote.chunks_sent
    try:
        with (
            httpx.Client(timeout=30) as client,
            client.stream(
                "POST",
                f"{stack.base_url}/chat/completions",
                json=_stream_body(model),
                headers=stack.headers(),
            ) as response,
        ):
            assert response.status_code == 200
            lines = response.iter_lines()
            read = 0
            while read < 5:
                if next(lines).startswith("data: {"):
                    read += 1
        # The connection is closed here, with most of the reply unread.
        time.sleep(0.5)
        stopped_at = stack.remote.chunks_sent
        time.sleep(0.5)
        assert stack.remote.chunks_sent == stopped_at, "the upstream stream kept going"
        assert stopped_at - before < 200, "the upstream stream ran on after the hang-up"
    finally:
        stack.remote.reset()


@pytest.mark.parametrize("model", WAYS)
def test_a_fast_stream_does_not_hold_the_event_loop(stack: Stack, model: str) -> None:
    """While a 3,000-chunk stream from an upstream at full speed goes through, a small request
    on the same worker is answered before the stream ends."""
    stack.remote.configure(mode="fixed", reply=_reply(3000), chunk_size=4)
    streamed: dict[str, float] = {}
    started = threading.Event()

    def read_stream() -> None:
        with (
            httpx.Client(timeout=60) as client,
            client.stream(
                "POST",
                f"{stack.base_url}/chat/completions",
                json=_stream_body(model),
                headers=stack.headers(),
            ) as response,
        ):
            for line in response.iter_lines():
                if line.startswith("data: {") and not started.is_set():
                    started.set()
            streamed["ended"] = time.perf_counter()

    reader = threading.Thread(target=read_stream)
    try:
        reader.start()
        assert started.wait(30)
        # A small request to the other stub (the local model), so only the gateway is shared.
        small = {"model": "local-llama", "messages": [{"role": "user", "content": "hello"}]}
        reply = httpx.post(
            f"{stack.base_url}/chat/completions", json=small, headers=stack.headers(), timeout=30
        )
        answered = time.perf_counter()
        assert reply.status_code == 200
        reader.join(60)
        assert "ended" in streamed
        assert answered < streamed["ended"], "the small request waited for the stream to end"
    finally:
        reader.join(60)
        stack.remote.reset()
