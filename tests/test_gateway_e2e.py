"""The gateway end to end: the real OpenAI SDK → the gateway under uvicorn → litellm or the
OpenAI-compatible relay → two recording stub upstreams on loopback ("remote", a SaaS API;
"local", self-hosted). Tests marked `EVERY_WAY` run once per way out to the remote stub.

What is asserted is bytes on the wire: what the remote stub received, and what the client got.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from tests.support.gateway import Stack, running_stack

NAME = "Jean Dupont"
EMAIL = "jean.dupont@example.fr"
PHONE = "+33 6 12 34 56 78"
IBAN = "FR76 3000 6000 0112 3456 7890 189"
NIR = "2 95 10 99 126 111 93"
AVS = "756.9217.0769.85"
CARD = "4111 1111 1111 1111"
SECRET = "sk-proj-4fJ8kL2mN9pQ7rS1tU3vW5xY6zA0bC2dE4fG6hJ8"
VALUES = (NAME, EMAIL, PHONE, IBAN, NIR, AVS, CARD)
PROMPT = (
    f"Hello, I am {NAME} ({EMAIL}, {PHONE}). My IBAN is {IBAN}, my NIR {NIR}, "
    f"AVS {AVS}, card {CARD}. Please write a short reply."
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("gateway")) as stack:
        yield stack


@pytest.fixture
def stack(served: Stack) -> Stack:
    return served.reset()


# The remote stub through litellm, and relayed without it (`egress: openai-compatible`).
EVERY_WAY = pytest.mark.parametrize("remote", ["remote-gpt", "remote-relay"])


def leaked(stack: Stack, values: tuple[str, ...] = VALUES) -> list[str]:
    """The values (or their compact, digits-only forms) found in what the remote stub got."""
    sent = stack.remote.all_bytes()
    found = []
    for value in values:
        forms = {value, value.replace(" ", ""), value.replace(".", "")}
        if any(form.encode() in sent for form in forms):
            found.append(value)
    return found


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


# -- redaction and restoration ---------------------------------------------------------------


@EVERY_WAY
def test_redacted_for_the_remote_model_and_restored_for_the_client(
    stack: Stack, remote: str
) -> None:
    raw = stack.openai().chat.completions.with_raw_response.create(
        model=remote, messages=user(PROMPT)
    )
    reply = raw.parse()

    assert reply.choices[0].message.content == PROMPT  # the echo, with originals put back
    assert reply.model == remote
    assert raw.headers["x-privacy-guard-decision"] == "redact"
    assert raw.headers["x-privacy-guard-request-id"].startswith("pg-")
    assert leaked(stack) == []
    (sent,) = stack.remote.bodies()
    # litellm sends a dummy key to targets without one; the relay sends none.
    relayed = stack.remote.requests[0].header("authorization") is None
    assert relayed == (remote == "remote-relay")
    text = sent["messages"][0]["content"]
    for placeholder in ("<PERSON_1>", "<EMAIL_ADDRESS_1>", "<IBAN_CODE_1>", "<FR_NIR_1>"):
        assert placeholder in text
    assert stack.local.requests == []


@EVERY_WAY
def test_streamed_reply_is_restored_across_chunk_borders(stack: Stack, remote: str) -> None:
    stack.remote.configure(chunk_size=3)  # every placeholder is cut into pieces
    chunks = list(
        stack.openai().chat.completions.create(
            model=remote,
            messages=user(PROMPT),
            stream=True,
            stream_options={"include_usage": True},
        )
    )

    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == PROMPT
    assert all(c.model == remote for c in chunks)
    assert chunks[-1].usage is not None
    assert leaked(stack) == []
    # Forwarded as it came, not buffered: many content chunks reached the client.
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) > 20


@EVERY_WAY
def test_async_client_and_async_stream(stack: Stack, remote: str) -> None:
    stack.remote.configure(chunk_size=5)

    async def go() -> tuple[str, str]:
        client = stack.async_openai()
        reply = await client.chat.completions.create(model=remote, messages=user(PROMPT))
        stream = await client.chat.completions.create(
            model=remote, messages=user(PROMPT), stream=True
        )
        streamed = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
        await client.close()
        return reply.choices[0].message.content or "", streamed

    full, streamed = asyncio.run(go())
    assert full == streamed == PROMPT
    assert leaked(stack) == []


def test_one_value_one_placeholder_across_turns_and_tools(stack: Stack) -> None:
    stack.remote.configure(mode="tool_calls", reply="")
    tools = [
        {
            "type": "function",
            "function": {
                "name": "send_mail",
                "description": f"Sends a mail on behalf of {NAME}",
                "parameters": {"type": "object", "properties": {"text": {"type": "string"}}},
            },
        }
    ]
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "send_mail", "arguments": json.dumps({"to": EMAIL})},
    }
    messages = [
        {"role": "system", "content": f"You assist {NAME}."},
        {"role": "user", "content": f"Write to {EMAIL}"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": f"sent to {EMAIL}"},
        {"role": "user", "content": [{"type": "text", "text": f"Thanks. Now tell {NAME}."}]},
    ]
    reply = stack.openai().chat.completions.create(
        model="remote-gpt", messages=messages, tools=tools
    )

    (sent,) = stack.remote.bodies()
    dumped = json.dumps(sent)
    assert leaked(stack, (NAME, EMAIL)) == []
    assert dumped.count("<PERSON_1>") == 3 and "<PERSON_2>" not in dumped
    assert dumped.count("<EMAIL_ADDRESS_1>") == 3 and "<EMAIL_ADDRESS_2>" not in dumped
    # The tool call's arguments come back restored, and still valid JSON.
    (tool_call,) = reply.choices[0].message.tool_calls
    assert json.loads(tool_call.function.arguments) == {"text": f"Thanks. Now tell {NAME}."}


@EVERY_WAY
def test_streamed_tool_call_arguments_are_restored(stack: Stack, remote: str) -> None:
    stack.remote.configure(mode="tool_calls", reply="", chunk_size=2)
    tools = [{"type": "function", "function": {"name": "note", "parameters": {"type": "object"}}}]
    chunks = list(
        stack.openai().chat.completions.create(
            model=remote, messages=user(f"Note: call {NAME}"), tools=tools, stream=True
        )
    )
    arguments = "".join(
        call.function.arguments or ""
        for c in chunks
        if c.choices
        for call in c.choices[0].delta.tool_calls or []
        if call.function
    )
    assert json.loads(arguments) == {"text": f"Note: call {NAME}"}
    assert leaked(stack, (NAME,)) == []


@EVERY_WAY
def test_n_choices_are_each_restored(stack: Stack, remote: str) -> None:
    reply = stack.openai().chat.completions.create(
        model=remote, messages=user(f"Hi, {NAME} here"), n=3
    )
    assert [c.message.content for c in reply.choices] == [f"Hi, {NAME} here"] * 3


@EVERY_WAY
def test_legacy_completions_string_and_list(stack: Stack, remote: str) -> None:
    client = stack.openai()
    reply = client.completions.create(model=remote, prompt=f"Dear {NAME},")
    assert reply.choices[0].text == f"Dear {NAME},"
    stack.remote.configure(chunk_size=2)
    streamed = client.completions.create(
        model=remote, prompt=[f"Mail {EMAIL}", " today"], stream=True
    )
    assert "".join(c.choices[0].text for c in streamed) == f"Mail {EMAIL} today"
    assert leaked(stack, (NAME, EMAIL)) == []


@EVERY_WAY
def test_embeddings_input_is_redacted(stack: Stack, remote: str) -> None:
    reply = stack.openai().embeddings.create(
        model=remote, input=[f"{NAME} lives at home", "nothing personal"]
    )
    assert len(reply.data) == 2 and reply.model == remote
    (sent,) = stack.remote.bodies()
    assert sent["input"] == ["<PERSON_1> lives at home", "nothing personal"]


# -- reroute, block, allow ---------------------------------------------------------------------


def test_reroute_reaches_only_the_local_model(stack: Stack) -> None:
    raw = stack.openai().chat.completions.with_raw_response.create(
        model="remote-gpt", messages=user(f"When does Bluebird ship? Ask {NAME}.")
    )
    reply = raw.parse()
    assert raw.headers["x-privacy-guard-decision"] == "reroute;model=local-llama"
    assert reply.model == "local-llama"
    assert reply.choices[0].message.content == f"When does Bluebird ship? Ask {NAME}."
    assert stack.remote.requests == []
    assert len(stack.local.requests) == 1


def test_block_reaches_no_upstream_and_names_types_not_values(stack: Stack) -> None:
    with pytest.raises(openai.PermissionDeniedError) as caught:
        stack.openai().chat.completions.create(
            model="remote-gpt", messages=user(f"{NAME} here, my key is {SECRET}")
        )
    response = caught.value.response
    error = response.json()["error"]
    assert response.status_code == 403
    assert response.headers["x-privacy-guard-decision"] == "block"
    assert error["type"] == "privacy_policy_violation"
    assert error["code"] == "blocked_by_policy"
    assert "SECRET" in error["message"] and "default.secrets-never-leave" in error["message"]
    assert error["request_id"] == response.headers["x-privacy-guard-request-id"]
    assert SECRET not in response.text and NAME not in response.text
    assert stack.remote.requests == [] and stack.local.requests == []


def test_a_model_outside_allowed_models_is_blocked(stack: Stack) -> None:
    with pytest.raises(openai.PermissionDeniedError) as caught:
        stack.openai("eng").chat.completions.create(model="gpt-4o", messages=user("Hi"))
    assert caught.value.response.json()["error"]["code"] == "model_not_allowed"


def test_a_prompt_without_personal_data_is_allowed_unchanged(stack: Stack) -> None:
    raw = stack.openai().chat.completions.with_raw_response.create(
        model="remote-gpt", messages=user("Sort a list of integers in Python.")
    )
    assert raw.headers["x-privacy-guard-decision"] == "allow"
    (sent,) = stack.remote.bodies()
    assert sent["messages"] == user("Sort a list of integers in Python.")


def test_monitor_mode_forwards_unchanged_and_says_what_enforce_would_do(stack: Stack) -> None:
    raw = stack.openai("watch").chat.completions.with_raw_response.create(
        model="remote-gpt", messages=user(f"Hi, {NAME} here")
    )
    assert raw.headers["x-privacy-guard-decision"] == "allow;monitor=redact"
    (sent,) = stack.remote.bodies()
    assert sent["messages"] == user(f"Hi, {NAME} here")
    audit = stack.gateway.audit.decisions[-1]
    assert (audit.mode, audit.action, audit.effective_action) == ("monitor", "redact", "allow")


IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}


def test_images_are_blocked_for_remote_models_unless_the_policy_allows_them(stack: Stack) -> None:
    content = [{"type": "text", "text": "What is this?"}, IMAGE]
    with pytest.raises(openai.PermissionDeniedError) as caught:
        stack.openai("eng").chat.completions.create(
            model="remote-gpt", messages=[{"role": "user", "content": content}]
        )
    assert "IMAGE" in caught.value.response.json()["error"]["message"]
    assert stack.remote.requests == []

    reply = stack.openai("pics").chat.completions.create(
        model="remote-gpt", messages=[{"role": "user", "content": content}]
    )
    assert reply.choices[0].message.content == "What is this?"
    assert stack.remote.bodies()[0]["messages"][0]["content"][1] == IMAGE
    # A local model may see it under the default policy.
    stack.openai("eng").chat.completions.create(
        model="local-llama", messages=[{"role": "user", "content": content}]
    )
    assert len(stack.local.requests) == 1


# -- the audit log -----------------------------------------------------------------------------


def test_every_decision_is_recorded_before_egress_with_its_outcome(stack: Stack) -> None:
    audit = stack.gateway.audit
    before = len(audit.decisions)
    raw = stack.openai().chat.completions.with_raw_response.create(
        model="remote-gpt", messages=user(f"Hi, {NAME} here")
    )
    request_id = raw.headers["x-privacy-guard-request-id"]
    decision = audit.decisions[before]
    assert decision.request_id == request_id
    assert (decision.team, decision.action, decision.routed_model) == (
        "eng",
        "redact",
        "remote-gpt",
    )
    assert decision.entity_counts == {"PERSON": 1}
    assert decision.policy_id == "eng" and decision.policy_hash.startswith("sha256:")
    # The outcome is appended once the reply is sent: on a busy machine, a moment after the
    # client has read it.
    deadline = time.monotonic() + 5
    while not any(o.request_id == request_id for o in audit.outcomes):
        assert time.monotonic() < deadline, "no outcome recorded"
        time.sleep(0.01)
    outcome = next(o for o in audit.outcomes if o.request_id == request_id)
    assert outcome.upstream_status == 200 and outcome.latency_ms > 0


# -- models, health, metrics -------------------------------------------------------------------


def test_models_lists_what_the_team_may_use(stack: Stack) -> None:
    names = [m.id for m in stack.openai("eng").models.list()]
    assert names == ["remote-gpt", "remote-relay", "remote-responses", "local-llama"]
    everything = [m.id for m in stack.openai("plain").models.list()]
    assert {"remote-gpt", "local-llama", "gpt-4o"} <= set(everything)
    assert stack.openai("eng").models.retrieve("local-llama").id == "local-llama"
    with pytest.raises(openai.NotFoundError):
        stack.openai("eng").models.retrieve("gpt-4o")


def test_healthz_and_metrics_carry_no_personal_data(stack: Stack) -> None:
    stack.openai().chat.completions.create(model="remote-gpt", messages=user(PROMPT))
    health = httpx.get(f"{stack.served.url}/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    metrics = httpx.get(f"{stack.served.url}/metrics")
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = metrics.text
    assert 'privacy_guard_requests_total{team="eng",route="/v1/chat/completions",' in text
    assert 'privacy_guard_findings_total{entity_type="IBAN_CODE"}' in text
    assert "privacy_guard_detection_seconds_bucket" in text
    assert 'privacy_guard_upstream_seconds_count{target="remote-gpt"}' in text
    for value in (*VALUES, SECRET, "Bluebird"):
        assert value not in text
