"""`privacy-guard demo --keep-running`: the offline playground, as a real process, with the real
OpenAI SDK as client, over every endpoint its echo models serve."""

from __future__ import annotations

import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import openai
import pytest
from faker import Faker

from privacy_guard.demo import TRY_IT

ECHO = "[demo echo model] "


@dataclass
class Playground:
    base_url: str
    key: str
    curl_lines: list[str]


def _environment() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if key != "PRIVACY_GUARD_CONFIG" and "API_KEY" not in key
    }


@pytest.fixture(scope="module")
def playground() -> Iterator[Playground]:
    process = subprocess.Popen(
        [sys.executable, "-m", "privacy_guard", "demo", "--keep-running"],
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    output = process.stdout
    assert output is not None

    def read() -> None:  # a thread, so that waiting for a line can time out
        for line in output:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        base_url = key = None
        curls: list[str] = []
        deadline = time.monotonic() + 240
        while len(curls) < len(TRY_IT):
            assert process.poll() is None, process.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the playground did not print its curl lines"
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            found = re.match(r"Gateway: (\S+)\s+key: (\S+)", line)
            if found:
                base_url, key = found.groups()
            if line.startswith("curl "):
                curls.append(line.strip())
        assert base_url and key
        yield Playground(base_url, key, curls)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def client(playground: Playground) -> openai.OpenAI:
    return openai.OpenAI(base_url=playground.base_url, api_key=playground.key, max_retries=0)


def test_chat_is_redacted_on_the_way_out_and_restored_in_the_reply(
    client: openai.OpenAI,
) -> None:
    email = Faker().email()
    raw = client.chat.completions.with_raw_response.create(
        model="demo-saas-echo", messages=[{"role": "user", "content": f"Write to {email}"}]
    )
    assert raw.headers["x-privacy-guard-decision"] == "redact"
    assert raw.parse().choices[0].message.content == f"{ECHO}Write to {email}"


def test_legacy_completions_work_plain_and_streamed(client: openai.OpenAI) -> None:
    email = Faker().email()
    raw = client.completions.with_raw_response.create(
        model="demo-saas-echo", prompt=f"Write to {email}"
    )
    assert raw.headers["x-privacy-guard-decision"] == "redact"
    assert raw.parse().choices[0].text == f"{ECHO}Write to {email}"

    stream = client.completions.create(
        model="demo-saas-echo", prompt=f"Remind {email}", stream=True
    )
    assert "".join(chunk.choices[0].text for chunk in stream if chunk.choices) == (
        f"{ECHO}Remind {email}"
    )


def test_embeddings_are_computed_on_the_redacted_text(client: openai.OpenAI) -> None:
    fake = Faker()
    first, second = fake.unique.email(), fake.unique.email()
    # The SDK asks for base64 unless told otherwise; both encodings must work.
    one = client.embeddings.create(model="demo-saas-echo", input=f"Write to {first}")
    two = client.embeddings.create(
        model="demo-saas-echo", input=f"Write to {second}", encoding_format="float"
    )
    other = client.embeddings.create(model="demo-saas-echo", input="Write a haiku")
    assert len(one.data[0].embedding) == 16
    # Two different addresses reach the model as the same placeholder, so the same vector.
    assert one.data[0].embedding == pytest.approx(two.data[0].embedding, abs=1e-6)
    assert one.data[0].embedding != pytest.approx(other.data[0].embedding, abs=1e-6)

    batch = client.embeddings.create(model="demo-saas-echo", input=["a cat", "a dog"])
    assert [item.index for item in batch.data] == [0, 1]


def test_the_printed_curl_lines_work(playground: Playground) -> None:
    """Each printed line is run as written (parsed as a shell would, sent with httpx)."""
    paths = []
    for line in playground.curl_lines:
        words = shlex.split(line)
        url = next(w for w in words if w.startswith("http://127.0.0.1:"))
        headers = dict(
            words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H"
        )
        data = words[words.index("-d") + 1]
        reply = httpx.post(url, headers=headers, content=data, timeout=60)
        assert reply.status_code == 200, reply.text
        assert reply.headers["x-privacy-guard-decision"] == "redact"
        paths.append(url.rsplit("/v1/", 1)[1])
    assert paths == ["chat/completions", "completions", "embeddings", "responses", "messages"]


def test_responses_and_anthropic_messages_reach_the_echo_model_translated(
    playground: Playground, client: openai.OpenAI
) -> None:
    import anthropic

    email = Faker().email()
    raw = client.responses.with_raw_response.create(
        model="demo-saas-echo", input=f"Write to {email}"
    )
    assert raw.headers["x-privacy-guard-decision"] == "redact"
    assert raw.parse().output_text == f"{ECHO}Write to {email}"

    claude = anthropic.Anthropic(
        base_url=playground.base_url.removesuffix("/v1"), api_key=playground.key, max_retries=0
    )
    message = claude.messages.create(
        model="demo-saas-echo",
        max_tokens=200,
        messages=[{"role": "user", "content": f"Write to {email}"}],
    )
    assert message.content[0].text == f"{ECHO}Write to {email}"
