"""Bad input, failing closed, and upstream failures: a clear OpenAI-style error every time,
never a traceback or a hang, and nothing sent upstream when the gateway cannot be sure."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import openai
import pytest

from privacy_guard.errors import AuditError, DetectionError
from privacy_guard.gateway.logs import JsonFormatter
from tests.support.gateway import KEYS, Stack, running_stack

NAME = "Jean Dupont"
EMAIL = "jean.dupont@example.fr"
IBAN = "FR76 3000 6000 0112 3456 7890 189"
PROMPT = f"Hello, I am {NAME}, write to {EMAIL}; my IBAN is {IBAN}."
ONE = b'{"role": "user", "content": "a"}'


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("gateway-errors")) as stack:
        yield stack


@pytest.fixture
def stack(served: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    return served.reset()


# The remote stub through litellm, and relayed without it (`egress: openai-compatible`).
EVERY_WAY = pytest.mark.parametrize("remote", ["remote-gpt", "remote-relay"])


def post(
    stack: Stack,
    content: bytes | str,
    *,
    path: str = "/v1/chat/completions",
    team: str | None = "eng",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {"content-type": "application/json", **(headers or {})}
    if team:
        sent["authorization"] = f"Bearer {KEYS[team]}"
    data = content.encode() if isinstance(content, str) else content
    return httpx.post(f"{stack.served.url}{path}", content=data, headers=sent, timeout=30)


def chat(text: str = PROMPT, model: str = "remote-gpt", **extra: Any) -> str:
    return json.dumps({"model": model, "messages": [{"role": "user", "content": text}], **extra})


def error_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-privacy-guard-request-id"].startswith("pg-")
    assert "x-privacy-guard-decision" in response.headers
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code", "request_id"}
    assert "Traceback" not in response.text
    return error


def nothing_sent(stack: Stack) -> bool:
    return stack.remote.requests == [] and stack.local.requests == []


# -- authentication ----------------------------------------------------------------------------


def test_missing_key_is_401(stack: Stack) -> None:
    response = post(stack, chat(), team=None)
    assert response.status_code == 401
    assert error_of(response)["code"] == "missing_api_key"
    assert nothing_sent(stack)


def test_wrong_key_is_401(stack: Stack) -> None:
    response = post(stack, chat(), team=None, headers={"authorization": "Bearer sk-nope"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_api_key"
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=stack.base_url, api_key="sk-nope", max_retries=0).models.list()


# -- bad input ---------------------------------------------------------------------------------


def test_body_over_the_limit_is_413(stack: Stack) -> None:
    big = chat("x" * (5 * 1024 * 1024))
    response = post(stack, big)
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"


def test_chunked_body_over_the_limit_is_413(stack: Stack) -> None:
    def pieces() -> Iterator[bytes]:
        yield b'{"model": "remote-gpt", "messages": [{"role": "user", "content": "'
        for _ in range(80):
            yield b"y" * 65536
        yield b'"}]}'

    response = httpx.post(
        f"{stack.served.url}/v1/chat/completions",
        content=pieces(),
        headers={"authorization": f"Bearer {KEYS['eng']}"},
        timeout=30,
    )
    assert response.status_code == 413
    assert nothing_sent(stack)


@pytest.mark.parametrize(
    ("content", "code", "says"),
    [
        (b'{"model": "remote-gpt", "messages": [', "invalid_json", "malformed JSON"),
        (b"", "invalid_json", "empty"),
        (
            b'{"model": "remote-gpt", "messages": [{"role": "user", "content": "caf\xe9"}]}',
            "invalid_utf8",
            "UTF-8",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "invalid_json", "nested"),
        (b'{"model": "remote-gpt", "temperature": NaN, "messages": []}', "invalid_json", "NaN"),
        (b'["not", "an", "object"]', "invalid_body", "expected an object"),
        (b'{"model": 3, "messages": []}', "invalid_body", "$.model"),
        (b'{"model": "remote-gpt", "messages": "hi"}', "invalid_body", "$.messages"),
        (
            b'{"model": "remote-gpt", "messages": [{"role": "user", "content": 3}]}',
            "invalid_body",
            "$.messages[0].content",
        ),
        (
            b'{"model": "remote-gpt", "messages": [{"role": "user", "content": "\\ud800"}]}',
            "invalid_body",
            "surrogate",
        ),
        (
            b'{"model": "remote-gpt", "stream": "yes", "messages": [' + ONE + b"]}",
            "invalid_body",
            "$.stream",
        ),
        (
            b'{"model": "remote-gpt", "temperature": "hot", "messages": [' + ONE + b"]}",
            "invalid_body",
            "$.temperature",
        ),
    ],
)
def test_malformed_bodies_are_400_naming_the_problem(
    stack: Stack, content: bytes, code: str, says: str
) -> None:
    response = post(stack, content)
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == code and says in error["message"]
    assert nothing_sent(stack)


def test_deeply_nested_but_valid_json_is_400(stack: Stack) -> None:
    nested: Any = "x"
    for _ in range(60):
        nested = {"a": nested}
    response = post(stack, chat(metadata=nested))
    assert response.status_code == 400
    assert "nested deeper" in error_of(response)["message"]


def test_an_unknown_field_is_refused_not_forwarded_uninspected(stack: Stack) -> None:
    response = post(stack, chat("Hi", notes=f"{NAME} {IBAN}"))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "unsupported_parameter" and error["param"] == "$.notes"
    assert NAME not in response.text
    assert nothing_sent(stack)


def test_text_in_known_free_text_fields_is_redacted(stack: Stack) -> None:
    response = post(stack, chat("Hi", safety_identifier=EMAIL, user=EMAIL))
    assert response.status_code == 200
    (sent,) = stack.remote.bodies()
    assert EMAIL.encode() not in stack.remote.all_bytes()
    assert sent.get("safety_identifier", "<EMAIL_ADDRESS_1>") == "<EMAIL_ADDRESS_1>"


def test_unknown_model_is_404(stack: Stack) -> None:
    response = post(stack, chat(model="gpt-9-ultra"))
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "model_not_found" and "gpt-9-ultra" in error["message"]
    with pytest.raises(openai.NotFoundError):
        stack.openai().chat.completions.create(
            model="gpt-9-ultra", messages=[{"role": "user", "content": "hi"}]
        )


def test_wrong_method_is_405(stack: Stack) -> None:
    response = httpx.get(
        f"{stack.served.url}/v1/chat/completions", headers=stack.headers(), timeout=10
    )
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert error_of(response)["code"] == "method_not_allowed"


def test_unknown_routes_of_the_standalone_gateway_are_404(stack: Stack) -> None:
    response = httpx.get(f"{stack.served.url}/v1/nothing-here", timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_route"


# -- failing closed ----------------------------------------------------------------------------


class _BrokenDetector:
    fingerprint = "broken"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    def scan_many(self, texts: list[str], languages: Any = None) -> Any:
        if self.delay:
            time.sleep(self.delay)
            return [[] for _ in texts]
        raise DetectionError("detection failed: RuntimeError at engine.py:1")


class _BrokenAudit:
    def append_decision(self, event: Any) -> int:
        raise AuditError("disk full")

    def append_outcome(self, event: Any) -> int:
        raise AuditError("disk full")


def test_a_detection_error_fails_closed(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        stack.gateway.store, "detector", lambda team, snapshot=None: _BrokenDetector()
    )
    response = post(stack, chat())
    assert response.status_code == 503
    assert error_of(response)["code"] == "detection_failed"
    assert response.headers["x-privacy-guard-decision"] == "error"
    assert nothing_sent(stack)
    recorded = stack.gateway.audit.decisions[-1]
    assert (recorded.action, recorded.error_code) == ("error", "detection_failed")


def test_a_detection_timeout_fails_closed(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        stack.gateway.store, "detector", lambda team, snapshot=None: _BrokenDetector(delay=1.5)
    )
    monkeypatch.setattr(
        stack.gateway, "settings", replace(stack.gateway.settings, detection_timeout=0.2)
    )
    started = time.monotonic()
    response = post(stack, chat())
    assert time.monotonic() - started < 1.4  # answered at the timeout, not when detection ended
    assert response.status_code == 503
    assert error_of(response)["code"] == "detection_timeout"
    assert nothing_sent(stack)


def test_an_audit_failure_fails_closed(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stack.gateway, "audit", _BrokenAudit())
    response = post(stack, chat())
    assert response.status_code == 503
    assert error_of(response)["code"] == "audit_unavailable"
    assert nothing_sent(stack)
    # Also for a prompt with nothing to redact: every egress decision is on record first.
    assert post(stack, chat("Sort a list")).status_code == 503
    assert nothing_sent(stack)


def test_a_broken_policy_fails_closed(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = stack.gateway.store.snapshot

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("a bug in evaluation")

    monkeypatch.setattr(type(snapshot), "decide", broken)
    response = post(stack, chat())
    assert response.status_code == 500
    assert error_of(response)["code"] == "policy_error"
    assert nothing_sent(stack)


# -- upstream failures -------------------------------------------------------------------------


@EVERY_WAY
@pytest.mark.parametrize("status", [400, 429, 500, 503])
def test_upstream_errors_keep_their_status(stack: Stack, status: int, remote: str) -> None:
    stack.remote.configure(fail_status=status, error_quotes_prompt=True)
    response = post(stack, chat(model=remote))
    assert response.status_code == status
    error = error_of(response)
    assert error["type"] == "upstream_error" and error["code"] == "upstream_http"
    # The provider quoted the (redacted) prompt in its error: none of it comes back.
    assert "PERSON" not in response.text and NAME not in response.text


def test_refused_connection_is_502(stack: Stack) -> None:
    response = post(stack, chat(model="dead-gpt"), team="plain")
    assert response.status_code == 502
    assert error_of(response)["code"] == "upstream_connection"


@EVERY_WAY
def test_upstream_timeout_is_504(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, remote: str
) -> None:
    monkeypatch.setattr(
        stack.gateway, "settings", replace(stack.gateway.settings, upstream_timeout=0.3)
    )
    stack.remote.configure(delay=3)
    started = time.monotonic()
    response = post(stack, chat(model=remote))
    assert response.status_code == 504 and time.monotonic() - started < 2.5
    assert error_of(response)["code"] == "upstream_timeout"


@EVERY_WAY
def test_retries_are_configurable(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, remote: str
) -> None:
    monkeypatch.setattr(
        stack.gateway,
        "settings",
        replace(stack.gateway.settings, upstream_retries=2, upstream_backoff=0.01),
    )
    stack.remote.configure(fail_status=503, fail_times=2)
    assert post(stack, chat(model=remote)).status_code == 200
    assert len(stack.remote.requests) == 3


@EVERY_WAY
def test_a_stream_that_fails_to_open_is_an_http_error(stack: Stack, remote: str) -> None:
    stack.remote.configure(fail_status=500)
    with pytest.raises(openai.InternalServerError):
        list(
            stack.openai().chat.completions.create(
                model=remote, messages=[{"role": "user", "content": "hi"}], stream=True
            )
        )


@EVERY_WAY
def test_a_stream_that_stalls_ends_with_an_error_event(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, remote: str
) -> None:
    monkeypatch.setattr(
        stack.gateway, "settings", replace(stack.gateway.settings, upstream_timeout=0.3)
    )
    stack.remote.configure(chunk_delay=2)
    stream = stack.openai().chat.completions.create(
        model=remote, messages=[{"role": "user", "content": "hello there"}], stream=True
    )
    with pytest.raises(openai.APIError) as caught:
        list(stream)
    assert "504" in str(caught.value) or "timeout" in str(caught.value)


# -- logs --------------------------------------------------------------------------------------


def test_logs_are_json_and_carry_no_prompt_text(
    stack: Stack, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    client = stack.openai()
    client.chat.completions.create(
        model="remote-gpt", messages=[{"role": "user", "content": PROMPT}]
    )
    with pytest.raises(openai.PermissionDeniedError):
        client.chat.completions.create(
            model="remote-gpt",
            messages=[
                {
                    "role": "user",
                    "content": f"{PROMPT} sk-proj-4fJ8kL2mN9pQ7rS1tU3vW5xY6zA0bC2dE4fG6hJ8",
                }
            ],
        )
    stack.remote.configure(fail_status=500, error_quotes_prompt=True)
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(
            model="remote-gpt", messages=[{"role": "user", "content": PROMPT}]
        )
    monkeypatch.setattr(
        stack.gateway.store, "detector", lambda team, snapshot=None: _BrokenDetector()
    )
    post(stack, chat())
    # Each request's log line is written once its reply is sent: on a busy machine, a moment
    # after the client has read it.
    deadline = time.monotonic() + 5
    while sum(r.getMessage() == "request" for r in caplog.records) < 4:
        assert time.monotonic() < deadline, "request log lines missing"
        time.sleep(0.01)

    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    requests = [json.loads(line) for line in lines if '"message": "request"' in line]
    assert len(requests) >= 4
    redacted = [r for r in requests if r["decision"] == "redact" and r["status"] == 200]
    assert redacted and redacted[0]["team"] == "eng"
    assert redacted[0]["findings"] == {"PERSON": 1, "EMAIL_ADDRESS": 1, "IBAN_CODE": 1}
    assert {r["error_code"] for r in requests} >= {"blocked_by_policy", "detection_failed"}
    everything = "\n".join(lines)
    for value in (NAME, EMAIL, IBAN, IBAN.replace(" ", ""), "4fJ8kL2mN9pQ7rS1", "<PERSON_1>"):
        assert value not in everything


@EVERY_WAY
def test_a_client_leaving_mid_stream_stops_the_stream(stack: Stack, remote: str) -> None:
    stack.remote.configure(chunk_delay=0.05, chunk_size=2)
    body = json.loads(
        chat("Sort this list of numbers please, slowly and carefully " * 4, model=remote)
    )
    with httpx.stream(
        "POST",
        f"{stack.served.url}/v1/chat/completions",
        json={**body, "stream": True},
        headers=stack.headers(),
        timeout=30,
    ) as response:
        lines = response.iter_lines()
        assert next(lines).startswith("data: ")
    # The gateway notices, stops relaying and records it (499) well before the stub would have
    # finished (about 110 chunks, 5.5 s).
    requests = stack.gateway.metrics.requests
    labels = ("eng", "/v1/chat/completions", "allow", remote, "499")
    deadline = time.monotonic() + 3
    while requests.value(*labels) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert requests.value(*labels) >= 1


def test_a_client_that_stalls_mid_body_gets_408_not_a_hang(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    import socket
    from urllib.parse import urlsplit

    folder = tmp_path_factory.mktemp("gateway-slow-client")
    with running_stack(folder, settings={"body_timeout": 1.0}) as slow:
        address = urlsplit(slow.served.url)
        head = (
            "POST /v1/chat/completions HTTP/1.1\r\n"
            f"Host: {address.hostname}\r\n"
            f"Authorization: Bearer {KEYS['eng']}\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 1000\r\n\r\n"
        )
        with socket.create_connection((address.hostname, address.port), timeout=20) as client:
            client.sendall(head.encode() + b'{"model": "remote-gpt", "mess')
            started = time.monotonic()
            answer = _read_response(client)
            waited = time.monotonic() - started
        assert answer.startswith("HTTP/1.1 408")
        assert "request_timeout" in answer
        assert waited < 15  # the server answered; the client did not have to give up
        assert not slow.remote.requests and not slow.local.requests


def _read_response(client: Any) -> str:
    """One whole HTTP/1.1 response off a raw socket: the head, then content-length bytes."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            break
        body += chunk
    return (head + b"\r\n\r\n" + body).decode("latin-1")
