"""Anthropic's Messages API end to end: the real `anthropic` SDK → the gateway under uvicorn →
an Anthropic-native recording stub (relayed as is), or a local / remote OpenAI-compatible stub
(translated) — see tests/support/messages.py for the deployment.

Planted values are faker data; what is asserted is bytes on the wire (everything a remote stub
received) and what the client got, event by event.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import pytest
from faker import Faker

from tests.support.anthropic_upstream import SIGNATURE, THINKING
from tests.support.gateway import KEYS
from tests.support.messages import CUSTOMER_CODE, MessagesStack, running_messages_stack

fake = Faker("fr_FR")
Faker.seed(20261204)
NAME = "Jean Dupont"
EMAIL = fake.email()
PHONE = "+33 6 12 34 56 78"
IBAN = fake.iban()
SECRET = "sk-proj-4fJ8kL2mN9pQ7rS1tU3vW5xY6zA0bC2dE4fG6hJ8"
PLANTED = (NAME, EMAIL, PHONE, IBAN, SECRET)
PROMPT = f"Hello, I am {NAME} ({EMAIL}, {PHONE}). My IBAN is {IBAN}. Please answer briefly."
MODEL = "claude-stub"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MessagesStack]:
    with running_messages_stack(tmp_path_factory.mktemp("messages")) as stack:
        yield stack


@pytest.fixture
def ms(served: MessagesStack) -> MessagesStack:
    served.reset()
    served.claude.configure(chunk_size=3)
    served.remote.configure(chunk_size=3)
    return served


def leaked(ms: MessagesStack, values: tuple[str, ...] = PLANTED) -> list[str]:
    sent = ms.all_remote_bytes()
    found = []
    for value in values:
        escaped = json.dumps(value)[1:-1]
        forms = {value, value.replace(" ", ""), escaped, json.dumps(value, ensure_ascii=True)[1:-1]}
        if any(form.encode() in sent for form in forms):
            found.append(value)
    return found


def user(text: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def raw_events(ms: MessagesStack, body: dict[str, Any], **headers: str) -> list[tuple[str, Any]]:
    """(event name, data) of a streamed answer, read off the wire."""
    sent = {"x-api-key": KEYS["plain"], "anthropic-version": "2023-06-01", **headers}
    events: list[tuple[str, Any]] = []
    with httpx.stream(
        "POST", ms.url + "/v1/messages", json={**body, "stream": True}, headers=sent, timeout=60
    ) as response:
        assert response.status_code == 200, response.read()
        name = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name or "", json.loads(line[6:])))
    return events


# -- non-streamed, native ------------------------------------------------------------------------


def test_redacted_for_the_remote_model_and_restored_for_the_client(ms: MessagesStack) -> None:
    raw = ms.client().messages.with_raw_response.create(
        model=MODEL, max_tokens=200, messages=user(PROMPT), system=f"Assist {NAME} politely."
    )
    message = raw.parse()

    text = [block for block in message.content if block.type == "text"]
    assert text[0].text == PROMPT
    assert message.model == MODEL
    assert raw.headers["x-privacy-guard-decision"] == "redact"
    assert raw.headers["x-privacy-guard-request-id"].startswith("pg-")
    assert leaked(ms) == []
    sent = ms.claude.bodies("/v1/messages")[0]
    assert sent["model"] == "claude-stub-1"  # the catalog's upstream name
    # One value, one placeholder, across system and messages.
    assert sent["system"] == "Assist <PERSON_1> politely."
    assert sent["messages"][0]["content"].startswith("Hello, I am <PERSON_1> (<EMAIL_ADDRESS_1>")
    # The upstream got the target's own key, never the team's.
    request = ms.claude.requests[0]
    assert request.header("x-api-key") == "sk-ant-stub-upstream-key"
    assert KEYS["plain"].encode() not in ms.claude.all_bytes()


def test_thinking_blocks_pass_unchanged(ms: MessagesStack) -> None:
    message = ms.client().messages.create(model=MODEL, max_tokens=50, messages=user(PROMPT))
    thinking = message.content[0]
    # The placeholder look-alike in signed thinking stays as the provider wrote it.
    assert (thinking.type, thinking.thinking, thinking.signature) == (
        "thinking",
        THINKING,
        SIGNATURE,
    )
    # Sent back in the next turn, it leaves unchanged too.
    history = [
        *user(PROMPT),
        {"role": "assistant", "content": [thinking.model_dump(exclude_none=True)]},
        *user("go on"),
    ]
    ms.client().messages.create(model=MODEL, max_tokens=50, messages=history)
    sent = ms.claude.bodies("/v1/messages")[-1]["messages"][1]["content"][0]
    assert sent == {"type": "thinking", "thinking": THINKING, "signature": SIGNATURE}


def test_async_client(ms: MessagesStack) -> None:
    async def main() -> Any:
        async with ms.async_client() as client:
            return await client.messages.create(model=MODEL, max_tokens=50, messages=user(PROMPT))

    message = asyncio.run(main())
    assert message.content[-1].text == PROMPT
    assert leaked(ms) == []


def test_headers_forwarded_and_keys_accepted_both_ways(ms: MessagesStack) -> None:
    response = _post(ms, "/v1/messages", BASE, **{"anthropic-beta": "fake-beta-2026-01-01"})
    assert response.status_code == 200, response.text
    request = ms.claude.requests[-1]
    assert request.header("anthropic-version") == "2023-06-01"
    assert request.header("anthropic-beta") == "fake-beta-2026-01-01"
    # Claude Code with ANTHROPIC_AUTH_TOKEN sends the key as a bearer token.
    bearer = anthropic.Anthropic(
        base_url=ms.url, auth_token=KEYS["plain"], api_key=None, max_retries=0
    )
    assert bearer.messages.create(model=MODEL, max_tokens=20, messages=user("hi")).content


# -- streamed, native ----------------------------------------------------------------------------


def test_stream_restores_placeholders_split_across_events(ms: MessagesStack) -> None:
    with ms.client().messages.stream(model=MODEL, max_tokens=200, messages=user(PROMPT)) as stream:
        texts = [
            event.delta.text
            for event in stream
            if event.type == "content_block_delta" and event.delta.type == "text_delta"
        ]
        final = stream.get_final_message()
    assert "".join(texts) == PROMPT
    assert final.content[-1].text == PROMPT
    assert final.content[0].thinking == THINKING and final.content[0].signature == SIGNATURE
    assert final.model == MODEL
    assert leaked(ms) == []
    # The stub really cut placeholders: some delta ended inside one.
    assert ms.claude.bodies()[0]["stream"] is True


def test_every_event_type_reaches_the_client_restored(ms: MessagesStack) -> None:
    ms.claude.configure(mode="tool_calls", reply=f"Calling for {NAME}.", chunk_size=2)
    events = raw_events(
        ms, {"model": MODEL, "max_tokens": 200, "messages": user(PROMPT), "tools": [_tool()]}
    )
    names = [name for name, _ in events]
    assert set(names) >= {
        "message_start",
        "ping",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    }
    assert all(data["type"] == name for name, data in events)
    deltas = [data["delta"] for _, data in events if data["type"] == "content_block_delta"]
    assert {d["type"] for d in deltas} == {
        "thinking_delta",
        "signature_delta",
        "text_delta",
        "input_json_delta",
    }
    assert events[0][1]["message"]["model"] == MODEL
    text = "".join(d["text"] for d in deltas if d["type"] == "text_delta")
    assert text == f"Calling for {NAME}."
    arguments = json.loads(
        "".join(d["partial_json"] for d in deltas if d["type"] == "input_json_delta")
    )
    assert arguments == {"text": PROMPT, "note": "for " + PROMPT}
    thinking = "".join(d["thinking"] for d in deltas if d["type"] == "thinking_delta")
    assert thinking == THINKING
    # A delta held back is released before its block's stop, never after.
    for position, (_, data) in enumerate(events):
        if data["type"] == "content_block_stop":
            later = [e for _, e in events[position:] if e.get("index") == data["index"]]
            assert all(e["type"] != "content_block_delta" for e in later)
    restored = [
        data
        for _, data in events
        if data["type"] != "content_block_delta" or data["delta"]["type"] != "thinking_delta"
    ]
    assert "<PERSON_1>" not in json.dumps(restored)
    assert leaked(ms) == []


def test_tool_input_restored_json_escaped(ms: MessagesStack) -> None:
    """Quotes, backslashes and non-ASCII in an original inside `input_json_delta`."""
    ms.claude.configure(mode="tool_calls", reply="", chunk_size=3)
    prompt = f"Open the file of customer {CUSTOMER_CODE} now."
    body = {"model": MODEL, "max_tokens": 200, "messages": user(prompt), "tools": [_tool()]}
    events = raw_events(ms, body)
    partial = "".join(
        data["delta"]["partial_json"]
        for _, data in events
        if data["type"] == "content_block_delta" and data["delta"]["type"] == "input_json_delta"
    )
    assert json.loads(partial) == {"text": prompt, "note": "for " + prompt}
    assert leaked(ms, (CUSTOMER_CODE,)) == []
    assert "<CUSTOMER_CODE_1>" in ms.claude.bodies()[0]["messages"][0]["content"]
    # And the same through the SDK, not streamed: `input` is an object there.
    message = ms.client().messages.create(**body)
    assert message.content[-1].input == {"text": prompt, "note": "for " + prompt}


# -- tool-use round trip ---------------------------------------------------------------------------


def _tool() -> dict[str, Any]:
    return {
        "name": "read_file",
        "description": "Read a file of the project and return its content.",
        "input_schema": {
            "type": "object",
            "properties": {"text": {"type": "string", "description": "what to read"}},
            "required": ["text"],
        },
    }


@pytest.mark.parametrize("streamed", [False, True])
def test_tool_use_round_trip_with_personal_data_and_a_secret(
    ms: MessagesStack, streamed: bool
) -> None:
    client = ms.client()
    ms.claude.configure(mode="tool_calls", reply="")
    first = client.messages.create(
        model=MODEL, max_tokens=200, tools=[_tool()], messages=user(f"Read {NAME}'s .env file")
    )
    call = first.content[-1]
    assert call.type == "tool_use" and call.input["text"] == f"Read {NAME}'s .env file"

    file = f"OPENAI_API_KEY={SECRET}\nOWNER_EMAIL={EMAIL}\nOWNER_IBAN={IBAN}\n"
    ms.claude.configure(mode="echo")
    history = [
        *user(f"Read {NAME}'s .env file"),
        {"role": "assistant", "content": [call.model_dump(exclude_none=True)]},
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": call.id,
                    "content": [{"type": "text", "text": file}],
                },
                {"type": "text", "text": f"Summarise it for {NAME}."},
            ],
        },
    ]
    if streamed:
        with client.messages.stream(
            model=MODEL, max_tokens=200, tools=[_tool()], messages=history
        ) as stream:
            reply = stream.get_final_message()
    else:
        reply = client.messages.create(
            model=MODEL, max_tokens=200, tools=[_tool()], messages=history
        )
    assert reply.content[-1].text == file + f"Summarise it for {NAME}."
    assert leaked(ms) == []
    sent = ms.claude.bodies("/v1/messages")[-1]["messages"]
    # The earlier tool call's input left redacted too, with the same placeholder as the text.
    assert sent[1]["content"][0]["input"]["text"].startswith("Read <PERSON_1>")
    assert "<SECRET_1>" in sent[2]["content"][0]["content"][0]["text"]


def test_mcp_server_tokens_never_leave(ms: MessagesStack) -> None:
    token = "mcp-tok-" + fake.pystr(min_chars=24, max_chars=24)
    server = {
        "type": "url",
        "url": "https://mcp.example.com/sse",
        "name": "crm",
        "authorization_token": token,
    }
    raw = httpx.post(
        ms.url + "/v1/messages",
        json={"model": MODEL, "max_tokens": 20, "messages": user("hi"), "mcp_servers": [server]},
        headers={"x-api-key": KEYS["plain"], "anthropic-version": "2023-06-01"},
        timeout=60,
    )
    assert raw.status_code == 200, raw.text
    assert token.encode() not in ms.all_remote_bytes()
    sent = ms.claude.bodies()[0]["mcp_servers"][0]
    assert sent["authorization_token"] == "<SECRET_1>"


# -- count_tokens --------------------------------------------------------------------------------


def test_count_tokens_native_is_redacted(ms: MessagesStack) -> None:
    counted = ms.client().messages.count_tokens(model=MODEL, messages=user(PROMPT))
    assert counted.input_tokens > 0
    assert ms.claude.requests[0].path == "/v1/messages/count_tokens"
    assert leaked(ms) == []


def test_count_tokens_translated_sends_nothing(ms: MessagesStack) -> None:
    counted = ms.client().messages.count_tokens(model="claude-via-chat", messages=user(PROMPT))
    assert counted.input_tokens > 0
    assert ms.remote.requests == []


# -- reroute, translation, block, monitor ---------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
def test_reroute_to_a_local_chat_model_is_translated(ms: MessagesStack, streamed: bool) -> None:
    prompt = f"Bluebird launch plan for {NAME}."
    client = ms.client()
    if streamed:
        with client.messages.with_streaming_response.create(
            model=MODEL, max_tokens=100, messages=user(prompt), stream=True
        ) as response:
            decision = response.headers["x-privacy-guard-decision"]
            lines = [line for line in response.iter_lines() if line.startswith("data: ")]
        events = [json.loads(line[6:]) for line in lines]
        text = "".join(
            e["delta"]["text"]
            for e in events
            if e["type"] == "content_block_delta" and e["delta"]["type"] == "text_delta"
        )
        assert events[0]["type"] == "message_start" and events[-1]["type"] == "message_stop"
        assert events[0]["message"]["model"] == "local-llama"
    else:
        raw = client.messages.with_raw_response.create(
            model=MODEL, max_tokens=100, messages=user(prompt)
        )
        decision = raw.headers["x-privacy-guard-decision"]
        message = raw.parse()
        text = message.content[0].text
        assert message.model == "local-llama" and message.stop_reason == "end_turn"
    assert decision == "reroute;model=local-llama"
    assert text == prompt
    assert ms.all_remote_bytes() == b""
    sent = ms.local.bodies("/v1/chat/completions")[0]
    assert sent["messages"] == [{"role": "user", "content": prompt}]
    assert sent["max_tokens"] == 100


@pytest.mark.parametrize("streamed", [False, True])
def test_translated_to_a_remote_chat_model_is_redacted(ms: MessagesStack, streamed: bool) -> None:
    ms.remote.configure(mode="tool_calls", reply="Reading.", chunk_size=3)
    body = {
        "model": "claude-via-chat",
        "max_tokens": 100,
        "messages": user(PROMPT),
        "tools": [_tool()],
    }
    if streamed:
        events = [data for _, data in raw_events(ms, body)]
        partial = "".join(
            e["delta"].get("partial_json", "") for e in events if e["type"] == "content_block_delta"
        )
        assert json.loads(partial) == {"text": PROMPT}
        assert events[-2]["delta"]["stop_reason"] == "tool_use"
    else:
        message = ms.client().messages.create(**body)
        assert message.content[0].text == "Reading."
        assert message.content[1].input == {"text": PROMPT}
        assert message.stop_reason == "tool_use"
    assert leaked(ms) == []
    sent = ms.remote.bodies("/v1/chat/completions")[0]
    assert sent["tools"][0]["function"]["name"] == "read_file"


def test_block_answers_403_in_anthropic_shape(ms: MessagesStack) -> None:
    card = fake.credit_card_number(card_type="visa16")
    with pytest.raises(anthropic.PermissionDeniedError) as raised:
        ms.client().messages.create(
            model=MODEL, max_tokens=20, messages=user(f"Charge card {card} please")
        )
    body = raised.value.body
    assert body["type"] == "error"
    assert body["error"]["type"] == "permission_error"
    assert body["error"]["code"] == "blocked_by_policy"
    assert "CREDIT_CARD" in body["error"]["message"] and card not in json.dumps(body)
    assert body["request_id"] == raised.value.response.headers["x-privacy-guard-request-id"]
    assert ms.all_remote_bytes() == b""


def test_monitor_mode_forwards_unchanged(ms: MessagesStack) -> None:
    raw = ms.client("watch").messages.with_raw_response.create(
        model="claude-stub", max_tokens=20, messages=user(PROMPT)
    )
    assert raw.headers["x-privacy-guard-decision"] == "allow;monitor=redact"
    assert EMAIL.encode() in ms.claude.all_bytes()
    assert raw.parse().content[-1].text == PROMPT


class _BrokenDetector:
    fingerprint = "broken"

    def scan_many(self, texts: list[str], languages: Any = None) -> Any:
        from privacy_guard.errors import DetectionError

        raise DetectionError("detection failed: RuntimeError at engine.py:1")


def test_detection_failure_fails_closed(ms: MessagesStack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        ms.stack.gateway.store, "detector", lambda team, snapshot=None: _BrokenDetector()
    )
    with pytest.raises(anthropic.InternalServerError) as raised:
        ms.client().messages.create(model=MODEL, max_tokens=20, messages=user(PROMPT))
    assert raised.value.status_code == 503
    assert raised.value.body["error"] == {
        "type": "api_error",
        "message": "personal-data detection failed; nothing was sent",
        "code": "detection_failed",
    }
    assert ms.all_remote_bytes() == b""


def test_an_error_event_mid_stream_reaches_the_client_in_anthropic_shape(
    ms: MessagesStack,
) -> None:
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "x",
            "content": [],
            "usage": {},
        },
    }
    error = {"type": "error", "error": {"type": "overloaded_error", "message": f"{NAME} said"}}
    ms.claude.configure(
        raw=(
            f"event: message_start\ndata: {json.dumps(start)}\n\n".encode(),
            f"event: error\ndata: {json.dumps(error)}\n\n".encode(),
        )
    )
    events = raw_events(ms, {"model": MODEL, "max_tokens": 20, "messages": user(PROMPT)})
    assert [name for name, _ in events] == ["message_start", "error"]
    last = events[-1][1]
    assert last["type"] == "error" and last["error"]["type"] == "api_error"
    assert last["error"]["code"] == "upstream_http" and NAME not in json.dumps(last)
    with (
        pytest.raises(anthropic.APIStatusError),
        ms.client().messages.stream(model=MODEL, max_tokens=20, messages=user(PROMPT)) as stream,
    ):
        for _ in stream:
            pass


def test_upstream_failures_keep_the_sdk_exceptions(ms: MessagesStack) -> None:
    ms.claude.configure(fail_status=529, error_quotes_prompt=True)
    with pytest.raises(anthropic.APIStatusError) as raised:
        ms.client().messages.create(model=MODEL, max_tokens=20, messages=user(PROMPT))
    assert raised.value.status_code == 529
    assert raised.value.body["error"]["type"] == "overloaded_error"
    assert NAME not in json.dumps(raised.value.body)  # the provider's text is not passed on


def test_audit_record_names_the_api(ms: MessagesStack) -> None:
    ms.client().messages.create(model=MODEL, max_tokens=20, messages=user(PROMPT))
    decision = ms.stack.gateway.audit.decisions[-1]
    assert decision.api == "anthropic-messages"
    assert decision.effective_action == "redact"


# -- bad input ------------------------------------------------------------------------------------


def _post(ms: MessagesStack, path: str, body: Any, **headers: str) -> httpx.Response:
    sent = {"x-api-key": KEYS["plain"], "anthropic-version": "2023-06-01", **headers}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(ms.url + path, content=content, headers=sent, timeout=60)


BASE = {"model": MODEL, "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}


@pytest.mark.parametrize(
    ("path", "body", "status", "param"),
    [
        ("/v1/messages", {**BASE, "notes": "Jean Dupont"}, 400, "$.notes"),
        ("/v1/messages", {k: v for k, v in BASE.items() if k != "max_tokens"}, 400, "$.max_tokens"),
        ("/v1/messages", {**BASE, "messages": []}, 400, "$.messages"),
        (
            "/v1/messages",
            {
                **BASE,
                "messages": [{"role": "user", "content": [{"type": "secret_block", "text": "x"}]}],
            },
            400,
            "$.messages[0].content[0].type",
        ),
        (
            "/v1/messages",
            {
                **BASE,
                "messages": [
                    {"role": "user", "content": [{"type": "text", "text": "x", "extra": "y"}]}
                ],
            },
            400,
            "$.messages[0].content[0].extra",
        ),
        ("/v1/messages", {**BASE, "model": "no-such-model"}, 404, "$.model"),
        ("/v1/messages", {**BASE, "stream": "yes"}, 400, "$.stream"),
        ("/v1/messages", b'{"model": ', 400, None),
        ("/v1/messages", b"\xff\xfe", 400, None),
        ("/v1/messages/count_tokens", {**BASE}, 400, "$.max_tokens"),
        (
            "/v1/messages/count_tokens",
            {"model": MODEL, "messages": BASE["messages"], "stream": True},
            400,
            "$.stream",
        ),
    ],
)
def test_bad_input_is_a_clear_anthropic_error(
    ms: MessagesStack, path: str, body: Any, status: int, param: str | None
) -> None:
    response = _post(ms, path, body)
    assert response.status_code == status, response.text
    error = response.json()
    assert error["type"] == "error"
    expected = "not_found_error" if status == 404 else "invalid_request_error"
    assert error["error"]["type"] == expected
    assert error["request_id"] == response.headers["x-privacy-guard-request-id"]
    if param is not None:
        assert error["error"]["param"] == param
    assert "Jean Dupont" not in response.text
    assert ms.all_remote_bytes() == b""


def test_authentication_errors(ms: MessagesStack) -> None:
    for headers in ({"x-api-key": "sk-wrong"}, {"x-api-key": ""}):
        response = httpx.post(ms.url + "/v1/messages", json=BASE, headers=headers, timeout=60)
        # Loopback clients without a key are served only when no teams are configured.
        assert response.status_code == 401
        assert response.json()["error"]["type"] == "authentication_error"
    with pytest.raises(anthropic.AuthenticationError):
        anthropic.Anthropic(base_url=ms.url, api_key="sk-wrong", max_retries=0).messages.create(
            **BASE
        )
    response = httpx.get(ms.url + "/v1/messages", headers={"x-api-key": KEYS["plain"]})
    assert response.status_code == 405 and response.json()["type"] == "error"


# -- the in-process helpers and the middleware ---------------------------------------------------


def test_messages_create_under_a_team_binding(ms: MessagesStack) -> None:
    import privacy_guard
    from privacy_guard.gateway import PolicyViolation

    with privacy_guard.bind(ms.stack.gateway, "plain"):
        message = privacy_guard.messages_create(
            model=MODEL, max_tokens=50, messages=user(PROMPT), anthropic_beta="fake-beta-1"
        )
        assert message["content"][-1]["text"] == PROMPT and message["model"] == MODEL
        assert ms.claude.requests[-1].header("anthropic-beta") == "fake-beta-1"
        events = list(
            privacy_guard.messages_create(
                model=MODEL, max_tokens=50, messages=user(PROMPT), stream=True
            )
        )
        text = "".join(
            e["delta"]["text"]
            for e in events
            if e["type"] == "content_block_delta" and e["delta"]["type"] == "text_delta"
        )
        assert text == PROMPT
        with pytest.raises(PolicyViolation):
            privacy_guard.messages_create(
                model=MODEL, max_tokens=5, messages=user("card 4111 1111 1111 1111")
            )

        async def ask() -> Any:
            return await privacy_guard.amessages_create(
                model=MODEL, max_tokens=50, messages=user(PROMPT)
            )

        assert asyncio.run(ask())["content"][-1]["text"] == PROMPT
    assert leaked(ms) == []
    assert all(d.api == "anthropic-messages" for d in ms.stack.gateway.audit.decisions[-4:])


def test_middleware_serves_messages_in_front_of_an_app(tmp_path: Any) -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from privacy_guard.middleware import PrivacyGuardMiddleware

    async def hello(request: Any) -> PlainTextResponse:
        return PlainTextResponse("app")

    inner = Starlette(routes=[Route("/hello", hello)])
    with running_messages_stack(
        tmp_path, app=lambda gateway: PrivacyGuardMiddleware(inner, gateway=gateway)
    ) as stack:
        message = stack.client().messages.create(model=MODEL, max_tokens=50, messages=user(PROMPT))
        assert message.content[-1].text == PROMPT
        assert leaked(stack) == []
        assert httpx.get(stack.url + "/hello").text == "app"


def test_beta_client_as_claude_code_uses_it(ms: MessagesStack) -> None:
    """`client.beta.messages` posts to /v1/messages?beta=true with `anthropic-beta` headers and
    beta fields (mcp_servers, context_management), as Claude Code does."""
    token = "mcp-" + fake.pystr(min_chars=20, max_chars=20)
    message = ms.client().beta.messages.create(
        model=MODEL,
        max_tokens=64,
        betas=["mcp-client-2025-04-04", "context-management-2025-06-27"],
        system=[{"type": "text", "text": f"Help {NAME}.", "cache_control": {"type": "ephemeral"}}],
        messages=user(PROMPT),
        mcp_servers=[
            {
                "type": "url",
                "url": "https://mcp.example.com/sse",
                "name": "crm",
                "authorization_token": token,
            }
        ],
        context_management={"edits": [{"type": "clear_tool_uses_20250919"}]},
        metadata={"user_id": "user_" + "a" * 64},
    )
    assert message.content[-1].text == PROMPT
    request = ms.claude.requests[-1]
    assert request.query == "" and request.path == "/v1/messages"
    assert request.header("anthropic-beta") == "mcp-client-2025-04-04,context-management-2025-06-27"
    assert leaked(ms, (*PLANTED, token)) == []
    sent = request.json()
    assert sent["system"][0]["text"] == "Help <PERSON_1>."
    assert sent["context_management"] == {"edits": [{"type": "clear_tool_uses_20250919"}]}


def test_images_and_binary_documents_are_judged_by_policy(ms: MessagesStack) -> None:
    image = {
        "type": "image",
        "source": {
            "type": "base64",
            "media_type": "image/png",
            "data": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
            "awAAAABJRU5ErkJggg==",
        },
    }
    pdf = {"type": "document", "source": {"type": "url", "url": "https://files.example/a.pdf"}}
    for block, entity in ((image, "IMAGE"), (pdf, "FILE")):
        content = [block, {"type": "text", "text": "What is this?"}]
        # Team plain redacts everything for remote models; what cannot be read cannot be
        # redacted, so it is blocked.
        with pytest.raises(anthropic.PermissionDeniedError) as raised:
            ms.client().messages.create(model=MODEL, max_tokens=20, messages=user(content))
        assert entity in raised.value.body["error"]["message"]
        # A local model may see it (translated: the image as a data URL).
        message = ms.client().messages.create(
            model="local-llama", max_tokens=20, messages=user(content)
        )
        assert message.content[0].text == "What is this?"
    assert ms.all_remote_bytes() == b""
    sent = ms.local.bodies("/v1/chat/completions")[0]["messages"][0]["content"]
    assert sent[0]["image_url"]["url"].startswith("data:image/png;base64,")
