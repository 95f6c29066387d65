"""The Responses API end to end: the real OpenAI SDK's `client.responses` → the gateway under
uvicorn → the recording stub upstream speaking the Responses API natively (`remote-responses`),
or a local chat model the request is translated for (`local-llama`).

Asserted on the wire: every byte the remote stub received is free of the planted (faker) values,
and every event type the client received carries the originals back, none of the placeholders.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from faker import Faker

from privacy_guard.gateway.wire.openai_responses import vault_of
from privacy_guard.redact import PLACEHOLDER_PATTERN
from tests.support.gateway import Stack, running_stack

fake = Faker(["fr_FR"])
Faker.seed(2026)
EMAIL = fake.email()
OTHER_EMAIL = fake.email()
IBAN = fake.iban()
PHONE = "+33 6 " + " ".join(f"{fake.random_int(10, 99)}" for _ in range(4))
# A deny-listed customer reference holding a quote, a backslash and non-ASCII: restored inside
# function-call arguments it must come back JSON-escaped.
CUSTOMER = 'Zoé "Z" Lefèvre\\Nord'
SECRET = "sk-proj-" + fake.pystr(min_chars=40, max_chars=40)
PLANTED = (EMAIL, OTHER_EMAIL, IBAN, PHONE, CUSTOMER)
REMOTE = "remote-responses"
VAULT_KEY = "ab" * 32

# Team `plain` (its own policy): personal data and the customer reference redacted for remote
# models, secrets blocked.
PLAIN_POLICY = f"""
team: plain
reroute_to: local-llama
deny_list:
  - entity_type: CUSTOMER_REF
    terms: [{json.dumps(CUSTOMER)}]
rules:
  - id: secrets-never-leave
    entities: [SECRET]
    destinations: [remote]
    action: block
  - id: personal-data-redacted
    entities: ["*"]
    destinations: [remote]
    action: redact
"""


def _before(config: Path) -> None:
    (config.parent / "policies" / "plain.yaml").write_text(PLAIN_POLICY.lstrip(), encoding="utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("responses")
    monkey = pytest.MonkeyPatch()
    monkey.setenv("PG_TEST_VAULT_KEY", VAULT_KEY)
    try:
        with running_stack(
            folder,
            before=_before,
            extra_config="vault: {key_env: PG_TEST_VAULT_KEY, ttl: 600}\n",
        ) as stack:
            yield stack
    finally:
        monkey.undo()


@pytest.fixture
def stack(served: Stack) -> Stack:
    return served.reset()


def leaked(stack: Stack, values: tuple[str, ...] = PLANTED) -> list[str]:
    sent = stack.remote.all_bytes()
    found = []
    for value in values:
        forms = {value, value.replace(" ", ""), json.dumps(value)[1:-1]}
        if any(form.encode() in sent for form in forms):
            found.append(value)
    return found


def prompt() -> str:
    return f"Customer {CUSTOMER} writes from {EMAIL} ({PHONE}); refund to {IBAN}."


def placeholders_in(value: Any) -> list[str]:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return PLACEHOLDER_PATTERN.findall(text)


# -- plain, streamed, function calls ---------------------------------------------------------


def test_a_plain_request_is_redacted_upstream_and_restored_for_the_client(stack: Stack) -> None:
    client = stack.openai("plain")
    raw = client.responses.with_raw_response.create(
        model=REMOTE, input=prompt(), instructions=f"Answer {EMAIL} politely."
    )
    response = raw.parse()
    assert response.output_text == prompt()
    assert response.model == REMOTE
    assert response.instructions == f"Answer {EMAIL} politely."  # echoed, restored
    assert raw.headers["x-privacy-guard-decision"] == "redact"
    assert leaked(stack) == []
    sent = stack.remote.bodies("/v1/responses")[0]
    # One value, one placeholder across instructions and input.
    assert sent["instructions"] == "Answer <EMAIL_ADDRESS_1> politely."
    assert "<EMAIL_ADDRESS_1>" in sent["input"] and "<CUSTOMER_REF_1>" in sent["input"]
    assert sent["model"] == "stub-model"
    record = stack.gateway.audit.decisions[-1]
    assert record.api == "openai-responses" and record.action == "redact"


def test_a_stream_restores_every_event_type_with_placeholders_split(stack: Stack) -> None:
    stack.remote.configure(chunk_size=3)
    client = stack.openai("plain")
    events = list(client.responses.create(model=REMOTE, input=prompt(), stream=True))
    kinds = [event.type for event in events]
    for kind in (
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ):
        assert kind in kinds
    for event in events:
        assert placeholders_in(event.model_dump()) == [], event.type
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == prompt()
    done = next(e for e in events if e.type == "response.output_text.done")
    assert done.text == prompt()
    completed = events[-1]
    assert completed.type == "response.completed"
    assert completed.response.output_text == prompt() and completed.response.model == REMOTE
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert leaked(stack) == []
    # What the stub echoed held placeholders, cut every 3 characters: split across deltas.
    sent = stack.remote.bodies("/v1/responses")[0]["input"]
    assert "<EMAIL_ADDRESS_1>" in sent and "<CUSTOMER_REF_1>" in sent


def test_the_sdk_stream_helper_and_a_function_call(stack: Stack) -> None:
    stack.remote.configure(mode="tool_calls", reply="", chunk_size=4)
    client = stack.openai("plain")
    tools = [
        {
            "type": "function",
            "name": "file_ticket",
            "description": f"Files a ticket for {EMAIL}",
            "parameters": {"type": "object", "properties": {"text": {"type": "string"}}},
        }
    ]
    with client.responses.stream(model=REMOTE, input=prompt(), tools=tools) as stream:
        events = list(stream)
        final = stream.get_final_response()
    arguments = "".join(
        e.delta for e in events if e.type == "response.function_call_arguments.delta"
    )
    assert json.loads(arguments) == {"text": prompt()}  # originals, JSON-escaped in the deltas
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert json.loads(done.arguments) == {"text": prompt()}
    call = final.output[0]
    assert call.type == "function_call" and json.loads(call.arguments) == {"text": prompt()}
    assert all(placeholders_in(e.model_dump()) == [] for e in events)
    assert leaked(stack) == []

    # The tool's result goes back with the call: both inspected, both redacted.
    stack.remote.reset()
    stack.remote.configure(mode="fixed", reply="Ticket filed.")
    follow = client.responses.create(
        model=REMOTE,
        input=[
            {"role": "user", "content": prompt()},
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            },
            {
                "type": "function_call_output",
                "call_id": call.call_id,
                "output": f"ticket for {OTHER_EMAIL}, IBAN {IBAN}",
            },
        ],
        tools=tools,
    )
    assert follow.output_text == "Ticket filed."
    assert leaked(stack) == []
    sent = stack.remote.bodies("/v1/responses")[0]
    assert json.loads(sent["input"][1]["arguments"])["text"].count("<EMAIL_ADDRESS_1>") == 1
    assert "<EMAIL_ADDRESS_2>" in sent["input"][2]["output"]


def test_a_secret_is_blocked_and_nothing_leaves(stack: Stack) -> None:
    client = stack.openai("plain")
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.responses.create(
            model=REMOTE,
            input=[
                {"role": "user", "content": "deploy please"},
                {"type": "function_call_output", "call_id": "c1", "output": f"KEY={SECRET}"},
            ],
        )
    error = caught.value.body
    assert error["type"] == "privacy_policy_violation" and SECRET not in json.dumps(error)
    assert stack.remote.requests == []
    assert stack.gateway.audit.decisions[-1].api == "openai-responses"


def test_an_mcp_server_token_is_inspected_not_forwarded(stack: Stack) -> None:
    client = stack.openai("plain")
    with pytest.raises(openai.PermissionDeniedError):
        client.responses.create(
            model=REMOTE,
            input="look up the customer",
            tools=[
                {
                    "type": "mcp",
                    "server_label": "crm",
                    "server_url": "https://mcp.example.com/sse",
                    # Not shaped like any known key: a credential by where it stands.
                    "headers": {"X-Crm-Session": "opaque-session-value-0001"},
                }
            ],
        )
    with pytest.raises(openai.PermissionDeniedError):
        client.responses.create(
            model=REMOTE,
            input="look up the customer",
            tools=[
                {
                    "type": "mcp",
                    "server_label": "crm",
                    "server_url": "https://mcp.example.com/sse",
                    "authorization": SECRET,
                    "require_approval": "never",
                }
            ],
        )
    assert SECRET.encode() not in stack.remote.all_bytes()
    assert b"opaque-session-value" not in stack.remote.all_bytes()


def test_monitor_mode_forwards_and_says_so(stack: Stack) -> None:
    raw = stack.openai("watch").responses.with_raw_response.create(
        model="remote-responses", input=f"mail {EMAIL}"
    )
    assert raw.headers["x-privacy-guard-decision"].startswith("allow;monitor=")


# -- reroute to a local chat model (translated) ---------------------------------------------------


def test_a_rerouted_request_is_translated_to_the_local_chat_model(stack: Stack) -> None:
    client = stack.openai("eng")
    text = f"Project Bluebird ships to {EMAIL}"
    raw = client.responses.with_raw_response.create(
        model=REMOTE, input=text, instructions="Be brief."
    )
    response = raw.parse()
    assert raw.headers["x-privacy-guard-decision"] == "reroute;model=local-llama"
    assert response.output_text == text and response.model == "local-llama"
    assert stack.remote.requests == []
    chat = stack.local.bodies("/v1/chat/completions")[0]
    assert chat["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": text},
    ]
    events = list(client.responses.create(model=REMOTE, input=text, stream=True))
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == text
    assert events[-1].type == "response.completed"
    assert events[-1].response.output_text == text


def test_a_chain_cannot_be_rerouted_to_a_model_that_keeps_no_state(stack: Stack) -> None:
    client = stack.openai("eng")
    first = client.responses.create(model=REMOTE, input="hello")
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=REMOTE, input="and Bluebird?", previous_response_id=first.id)
    assert caught.value.body["code"] == "unsupported_for_target"
    assert caught.value.body["param"] == "$.previous_response_id"
    assert stack.local.requests == []


# -- chains and the vault ----------------------------------------------------------------------


def test_a_three_turn_chain_keeps_one_placeholder_per_value_and_restores_them_all(
    stack: Stack,
) -> None:
    stack.remote.configure(mode="history", chunk_size=5)
    client = stack.openai("plain")
    first = client.responses.create(model=REMOTE, input=f"I am {EMAIL}.")
    second = client.responses.create(
        model=REMOTE, input=f"Also {OTHER_EMAIL}, not {EMAIL}.", previous_response_id=first.id
    )
    third_events = list(
        client.responses.create(
            model=REMOTE, input="Repeat everything.", previous_response_id=second.id, stream=True
        )
    )
    history = f"I am {EMAIL}.\nAlso {OTHER_EMAIL}, not {EMAIL}.\nRepeat everything."
    assert first.output_text == f"I am {EMAIL}."
    assert second.output_text == f"I am {EMAIL}.\nAlso {OTHER_EMAIL}, not {EMAIL}."
    streamed = "".join(e.delta for e in third_events if e.type == "response.output_text.delta")
    assert streamed == history  # placeholders of turns 1 and 2, restored in turn 3's stream
    assert all(placeholders_in(e.model_dump()) == [] for e in third_events)
    sent = [body["input"] for body in stack.remote.bodies("/v1/responses")]
    assert sent[:3] == [
        "I am <EMAIL_ADDRESS_1>.",
        "Also <EMAIL_ADDRESS_2>, not <EMAIL_ADDRESS_1>.",
        "Repeat everything.",
    ]
    assert leaked(stack) == []
    # A streamed turn is kept too: the chain goes on from its id (seen in the events).
    fourth = client.responses.create(
        model=REMOTE, input=f"Last: {IBAN}", previous_response_id=third_events[-1].response.id
    )
    assert fourth.output_text == history + f"\nLast: {IBAN}"
    assert stack.remote.bodies("/v1/responses")[-1]["input"] == "Last: <IBAN_CODE_1>"
    # Reading a stored response back restores it with the chain's map.
    assert client.responses.retrieve(second.id).output_text == second.output_text
    items = client.responses.input_items.list(second.id)
    assert [item.content for item in items.data] == [f"Also {OTHER_EMAIL}, not {EMAIL}."]


def test_the_vault_file_holds_no_planted_value(stack: Stack) -> None:
    client = stack.openai("plain")
    response = client.responses.create(model=REMOTE, input=prompt())
    vault_file = stack.config.parent / "audit" / "vault.db"
    assert vault_file.exists()
    raw = b"".join(
        p.read_bytes() for p in vault_file.parent.iterdir() if p.name.startswith("vault.db")
    )
    for value in (*PLANTED, response.id, "<EMAIL_ADDRESS_1>"):
        assert value.encode() not in raw
    rows = sqlite3.connect(vault_file).execute("SELECT count(*) FROM vault_entries").fetchone()
    assert rows[0] >= 1


def test_an_unknown_expired_or_deleted_chain_is_a_clear_error(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = stack.openai("plain")
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=REMOTE, input="x", previous_response_id="resp_nope")
    body = caught.value.body
    assert body["code"] == "previous_response_not_found"
    assert body["param"] == "$.previous_response_id"
    assert stack.remote.requests == []

    deleted = client.responses.create(model=REMOTE, input=f"hi {EMAIL}")
    client.responses.delete(deleted.id)
    assert [r.method for r in stack.remote.requests][-1] == "DELETE"
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model=REMOTE, input="x", previous_response_id=deleted.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(deleted.id)

    # Another team cannot continue (or read) a chain.
    mine = client.responses.create(model=REMOTE, input=f"hi {EMAIL}")
    with pytest.raises(openai.NotFoundError):
        stack.openai("eng").responses.retrieve(mine.id)

    # A one-second time to live for what is saved now (the deployment's is 600 s).
    monkeypatch.setattr(vault_of(stack.gateway), "ttl", 1.0)
    expiring = client.responses.create(model=REMOTE, input=f"hi {EMAIL}")
    time.sleep(1.2)
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=REMOTE, input="x", previous_response_id=expiring.id)
    assert caught.value.body["code"] == "previous_response_not_found"


# -- bad input per route ----------------------------------------------------------------------


def test_bad_input_on_every_route(stack: Stack) -> None:
    url = stack.base_url + "/responses"
    headers = stack.headers("plain")
    cases = [
        ("POST", url, {"model": REMOTE, "input": "x", "notes": EMAIL}, 400, "$.notes"),
        ("POST", url, {"model": REMOTE, "input": [{"type": "nope"}]}, 400, "$.input[0].type"),
        ("POST", url, {"model": "no-such-model", "input": "x"}, 404, "$.model"),
        ("GET", url + "/resp_unknown", None, 404, None),
        ("DELETE", url + "/resp_unknown", None, 404, None),
        ("GET", url + "/resp_unknown/input_items", None, 404, None),
        ("PUT", url + "/resp_unknown", None, 405, None),
        ("GET", url, None, 405, None),
    ]
    for method, where, body, status, param in cases:
        response = httpx.request(method, where, json=body, headers=headers, timeout=10)
        assert response.status_code == status, (method, where)
        error = response.json()["error"]
        assert error["request_id"].startswith("pg-")
        if param is not None:
            assert error["param"] == param
        assert EMAIL not in response.text
    unauthenticated = httpx.post(url, json={"model": REMOTE, "input": "x"}, timeout=10)
    assert unauthenticated.status_code == 401
    assert stack.remote.requests == []


# -- the in-process helpers -------------------------------------------------------------------


def test_responses_create_under_a_team_binding(stack: Stack) -> None:
    import asyncio

    import privacy_guard
    from privacy_guard.gateway import PolicyViolation

    with privacy_guard.bind(stack.gateway, "plain"):
        response = privacy_guard.responses_create(model=REMOTE, input=prompt())
        assert response["output"][0]["content"][0]["text"] == prompt()
        assert response["model"] == REMOTE
        events = list(privacy_guard.responses_create(model=REMOTE, input=prompt(), stream=True))
        deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
        assert "".join(deltas) == prompt()
        chained = privacy_guard.responses_create(
            model=REMOTE, input="again", previous_response_id=response["id"]
        )
        assert chained["object"] == "response"
        with pytest.raises(PolicyViolation):
            privacy_guard.responses_create(model=REMOTE, input=f"token {SECRET}")

        async def ask() -> dict[str, Any]:
            reply: dict[str, Any] = await privacy_guard.aresponses_create(
                model=REMOTE, input=prompt()
            )
            return reply

        assert asyncio.run(ask())["output"][0]["content"][0]["text"] == prompt()
    assert leaked(stack) == []
    assert all(d.api == "openai-responses" for d in stack.gateway.audit.decisions[-5:])


# -- failing closed, and failing upstream ---------------------------------------------------------


class _BrokenDetector:
    fingerprint = "broken"

    def scan_many(self, texts: list[str], languages: Any = None) -> Any:
        raise RuntimeError("detector bug")


def test_a_detection_failure_fails_closed(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        stack.gateway.store, "detector", lambda team, snapshot=None: _BrokenDetector()
    )
    client = stack.openai("plain")
    with pytest.raises(openai.APIStatusError) as caught:
        client.responses.create(model=REMOTE, input=prompt())
    assert caught.value.status_code == 503
    assert caught.value.body["code"] == "detection_failed"
    with pytest.raises(openai.APIStatusError):
        list(client.responses.create(model=REMOTE, input=prompt(), stream=True))
    assert stack.remote.requests == []
    assert stack.gateway.audit.decisions[-1].api == "openai-responses"


def test_an_upstream_failure_is_the_upstreams_status_without_its_text(stack: Stack) -> None:
    stack.remote.configure(fail_status=500, error_quotes_prompt=True)
    client = stack.openai("plain")
    with pytest.raises(openai.InternalServerError) as caught:
        client.responses.create(model=REMOTE, input=prompt())
    assert caught.value.body["code"].startswith("upstream_")
    assert EMAIL not in json.dumps(caught.value.body)
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model=REMOTE, input=prompt(), stream=True)


# -- reasoning items, images, the async client ----------------------------------------------------


def test_reasoning_items_pass_back_unchanged_and_their_summaries_are_redacted(
    stack: Stack,
) -> None:
    sealed = "gAAAAAB" + fake.pystr(min_chars=60, max_chars=60) + "=="
    client = stack.openai("plain")
    client.responses.create(
        model=REMOTE,
        include=["reasoning.encrypted_content"],
        store=False,
        input=[
            {"role": "user", "content": f"Who is {EMAIL}?"},
            {
                "type": "reasoning",
                "id": "rs_1",
                "summary": [{"type": "summary_text", "text": f"Looking up {EMAIL}"}],
                "encrypted_content": sealed,
            },
            {"role": "user", "content": "Go on."},
        ],
    )
    sent = stack.remote.bodies("/v1/responses")[0]["input"]
    assert sent[1]["encrypted_content"] == sealed
    assert sent[1]["summary"][0]["text"] == "Looking up <EMAIL_ADDRESS_1>"
    assert leaked(stack) == []


def test_an_image_for_a_remote_model_is_judged_by_policy(stack: Stack) -> None:
    image = {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo="}
    message = {"role": "user", "content": [{"type": "input_text", "text": "what is it?"}, image]}
    with pytest.raises(openai.PermissionDeniedError) as caught:
        stack.openai("plain").responses.create(model=REMOTE, input=[message])
    assert "IMAGE" in caught.value.body["message"]
    assert stack.remote.requests == []
    allowed = stack.openai("pics").responses.create(model=REMOTE, input=[message])
    assert allowed.output_text == "what is it?"


def test_the_async_client(stack: Stack) -> None:
    import asyncio

    async def run() -> tuple[str, str]:
        client = stack.async_openai("plain")
        whole = await client.responses.create(model=REMOTE, input=prompt())
        streamed = await client.responses.create(model=REMOTE, input=prompt(), stream=True)
        text = "".join([e.delta async for e in streamed if e.type == "response.output_text.delta"])
        await client.close()
        return whole.output_text, text

    assert asyncio.run(run()) == (prompt(), prompt())
    assert leaked(stack) == []


def test_a_vault_that_cannot_open_fails_closed(tmp_path: Path) -> None:
    config = "vault: {key_env: PG_TEST_VAULT_KEY_NOT_SET, ttl: 60}\n"
    with running_stack(tmp_path, before=_before, extra_config=config) as stack:
        client = stack.openai("plain")
        with pytest.raises(openai.APIStatusError) as caught:
            client.responses.create(model=REMOTE, input="hi", previous_response_id="resp_x")
        assert caught.value.status_code == 503
        assert caught.value.body["code"] == "vault_unavailable"
        assert "PG_TEST_VAULT_KEY_NOT_SET" in caught.value.body["message"]
        assert stack.remote.requests == []


# -- compaction and token counts ----------------------------------------------------------------


def test_compaction_and_token_counts_are_inspected_and_restored(stack: Stack) -> None:
    client = stack.openai("plain")
    history = [
        {"role": "user", "content": f"My mail is {EMAIL}."},
        {"role": "user", "content": f"And my IBAN {IBAN}."},
    ]
    compacted = client.responses.compact(model=REMOTE, input=history)
    assert compacted.object == "response.compaction"
    sealed = compacted.output[0]
    # The provider's sealed item passes back as it came: what it sealed was redacted.
    assert (
        sealed.encrypted_content
        == "sealed:My mail is <EMAIL_ADDRESS_1>.|And my IBAN <IBAN_CODE_1>."
    )
    assert compacted.output[1].content[0].text == f"And my IBAN {IBAN}."  # restored
    counted = client.responses.input_tokens.count(model=REMOTE, input=history)
    assert counted.input_tokens == 8
    assert leaked(stack) == []
    assert [r.path for r in stack.remote.requests] == [
        "/v1/responses/compact",
        "/v1/responses/input_tokens",
    ]
    with pytest.raises(openai.BadRequestError) as caught:
        client.post(
            "/responses/compact",
            body={"model": REMOTE, "input": "x", "stream": True},
            cast_to=object,
        )
    assert caught.value.body["param"] == "$.stream"  # compaction takes no `stream`
    # Nothing of it for a chat-only target: the provider's own operations.
    with pytest.raises(openai.BadRequestError) as caught:
        stack.openai("eng").responses.compact(model="local-llama", input="hello")
    assert caught.value.body["code"] == "unsupported_for_target"


def test_the_middleware_serves_the_responses_routes_in_front_of_an_app(stack: Stack) -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from privacy_guard.middleware import PrivacyGuardMiddleware
    from tests.support.gateway import KEYS, serving

    async def hello(request: Any) -> PlainTextResponse:
        return PlainTextResponse("app")

    app = PrivacyGuardMiddleware(Starlette(routes=[Route("/hello", hello)]), gateway=stack.gateway)
    with serving(app, lifespan="off") as running:
        client = openai.OpenAI(base_url=f"{running.url}/v1", api_key=KEYS["plain"], max_retries=0)
        response = client.responses.create(model=REMOTE, input=prompt())
        assert response.output_text == prompt()
        assert client.responses.retrieve(response.id).output_text == prompt()
        assert httpx.get(f"{running.url}/hello", timeout=10).text == "app"
    assert leaked(stack) == []


def test_queries_of_stored_responses_pass_on_only_known_identifier_parameters(
    stack: Stack,
) -> None:
    client = stack.openai("plain")
    response = client.responses.create(model=REMOTE, input=f"hi {EMAIL}")
    items = client.responses.input_items.list(response.id, limit=5, order="asc")
    assert [item.content for item in items.data] == [f"hi {EMAIL}"]
    assert stack.remote.requests[-1].query == "limit=5&order=asc"
    url = f"{stack.base_url}/responses/{response.id}"
    for query, code in (
        ("?stream=true", "unsupported_parameter"),
        (f"/input_items?after={EMAIL}", "invalid_query"),
        ("/input_items?notes=x", "unsupported_parameter"),
    ):
        answer = httpx.get(url + query, headers=stack.headers("plain"), timeout=10)
        assert answer.status_code == 400, query
        assert answer.json()["error"]["code"] == code
        assert EMAIL not in answer.text
    assert [r.path for r in stack.remote.requests][-1].endswith("/input_items")


def test_a_rerouted_function_call_comes_back_as_responses_items_and_events(stack: Stack) -> None:
    stack.local.configure(mode="tool_calls", reply="", chunk_size=3)
    client = stack.openai("eng")
    text = 'Bluebird "release" notes \\ for Zoé'
    tools = [{"type": "function", "name": "file_ticket", "parameters": {"type": "object"}}]
    whole = client.responses.create(model=REMOTE, input=text, tools=tools)
    call = whole.output[0]
    assert call.type == "function_call" and call.name == "file_ticket"
    assert json.loads(call.arguments) == {"text": text}
    events = list(client.responses.create(model=REMOTE, input=text, tools=tools, stream=True))
    arguments = "".join(
        e.delta for e in events if e.type == "response.function_call_arguments.delta"
    )
    assert json.loads(arguments) == {"text": text}
    assert events[-1].type == "response.completed"
    final = events[-1].response.output[0]
    assert final.type == "function_call" and json.loads(final.arguments) == {"text": text}
    sent = stack.local.bodies("/v1/chat/completions")[0]
    assert sent["tools"] == [
        {"type": "function", "function": {"name": "file_ticket", "parameters": {"type": "object"}}}
    ]
    assert stack.remote.requests == []


def test_cancelling_a_stored_response_restores_what_it_returns(stack: Stack) -> None:
    client = stack.openai("plain")
    response = client.responses.create(model=REMOTE, input=f"later, {EMAIL}", background=True)
    cancelled = client.responses.cancel(response.id)
    assert cancelled.status == "cancelled" and cancelled.output_text == f"later, {EMAIL}"
    assert stack.remote.requests[-1].path == f"/v1/responses/{response.id}/cancel"
    with pytest.raises(openai.NotFoundError):
        client.responses.cancel("resp_unknown")
    assert leaked(stack) == []


def test_a_stream_the_client_abandons_can_still_be_continued(stack: Stack) -> None:
    stack.remote.configure(mode="history", chunk_size=2, chunk_delay=0.05)
    client = stack.openai("plain")
    stream = client.responses.create(model=REMOTE, input=f"I am {EMAIL}.", stream=True)
    response_id = None
    for event in stream:
        if event.type == "response.created":
            response_id = event.response.id
        if event.type == "response.output_text.delta":
            break  # the user pressed Ctrl-C
    stream.close()
    assert response_id is not None
    stack.remote.configure(mode="history", chunk_size=4, chunk_delay=0.0)
    time.sleep(1.5)  # the stub finishes the abandoned response on its side
    follow = client.responses.create(
        model=REMOTE, input="And then?", previous_response_id=response_id
    )
    assert follow.output_text == f"I am {EMAIL}.\nAnd then?"
    assert leaked(stack) == []
