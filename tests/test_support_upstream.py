"""The stub upstream itself: it must look like an OpenAI server to the real OpenAI SDK."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import openai
import pytest

from tests.support.upstream import Upstream, closed_port, running_upstream


@pytest.fixture(scope="module")
def server() -> Iterator[Upstream]:
    with running_upstream("stub-self-test") as upstream:
        yield upstream


@pytest.fixture
def upstream(server: Upstream) -> Upstream:
    return server.reset()


def client(upstream: Upstream) -> openai.OpenAI:
    return openai.OpenAI(base_url=upstream.base_url, api_key="sk-test", max_retries=0)


def test_the_openai_sdk_streams_from_the_stub(upstream: Upstream) -> None:
    upstream.configure(chunk_size=2)
    parts = [{"type": "text", "text": "Hi <PERSON_1>"}, {"type": "text", "text": ", bye"}]
    stream = client(upstream).chat.completions.create(
        model="stub-model",
        messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": parts}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)

    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hi <PERSON_1>, bye"
    assert chunks[-1].usage is not None and chunks[-1].choices == []
    assert upstream.requests[0].header("authorization") == "Bearer sk-test"


def test_models_embeddings_and_completions(upstream: Upstream) -> None:
    upstream.configure(models=["a", "b"], mode="fixed", reply="fixed text")
    sdk = client(upstream)

    assert [m.id for m in sdk.models.list()] == ["a", "b"]
    assert sdk.completions.create(model="a", prompt="p").choices[0].text == "fixed text"
    vectors = sdk.embeddings.create(model="a", input=["x", "y"], encoding_format="float").data
    assert [len(v.embedding) for v in vectors] == [8, 8]
    paths = [r.path for r in upstream.requests]
    assert paths == ["/v1/models", "/v1/completions", "/v1/embeddings"]


def test_failures_and_recording_of_everything(upstream: Upstream) -> None:
    upstream.configure(fail_status=429, fail_times=1, retry_after=3)
    with pytest.raises(openai.RateLimitError):
        client(upstream).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "first"}]
        )
    reply = client(upstream).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "second"}]
    )
    assert reply.choices[0].message.content == "second"

    unknown = httpx.post(f"{upstream.url}/v1/assistants", content=b'{"input": "third"}')
    assert unknown.status_code == 404
    assert [r.path for r in upstream.requests][-1] == "/v1/assistants"
    everything = upstream.all_bytes()
    assert all(word in everything for word in (b"first", b"second", b"third"))
    assert json.loads(upstream.requests[0].body)["messages"][0]["content"] == "first"


def test_configure_rejects_unknown_behaviour(upstream: Upstream) -> None:
    with pytest.raises(TypeError, match="no_such_knob"):
        upstream.configure(no_such_knob=1)


def test_closed_port_refuses() -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{closed_port()}/v1/models")
