"""The middleware in front of an existing app (examples/fastapi_app.py) under uvicorn: the LLM
routes are the gateway's, `privacy_guard.completion()` in the app's handlers is enforced for the
request's team, and every other route — streaming and websockets too — is the app's, untouched."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

import privacy_guard
from examples.fastapi_app import build
from privacy_guard.gateway import PolicyViolation
from privacy_guard.gateway.binding import NotBoundError
from tests.support.gateway import KEYS, Stack, running_stack, serving

NAME = "Jean Dupont"
EMAIL = "jean.dupont@example.fr"
SECRET = "sk-proj-4fJ8kL2mN9pQ7rS1tU3vW5xY6zA0bC2dE4fG6hJ8"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("wrapped"), app=build) as stack:
        yield stack


@pytest.fixture
def stack(served: Stack) -> Stack:
    return served.reset()


def call(stack: Stack, path: str, team: str | None = "eng", **kwargs: Any) -> httpx.Response:
    headers = {"authorization": f"Bearer {KEYS[team]}"} if team else {}
    return httpx.post(f"{stack.served.url}{path}", headers=headers, timeout=30, **kwargs)


# -- the gateway's routes on the wrapped app ---------------------------------------------------


def test_the_openai_routes_are_served_next_to_the_app(stack: Stack) -> None:
    reply = stack.openai().chat.completions.create(
        model="remote-gpt", messages=[{"role": "user", "content": f"Hi, {NAME} here"}]
    )
    assert reply.choices[0].message.content == f"Hi, {NAME} here"
    assert NAME.encode() not in stack.remote.all_bytes()


# -- completion() inside the app's handlers ----------------------------------------------------


@pytest.mark.parametrize("path", ["/summarise", "/summarise-sync"])
def test_completion_in_a_handler_is_enforced_for_the_requests_team(stack: Stack, path: str) -> None:
    response = call(stack, path, json={"text": f"Call {NAME} at {EMAIL}", "model": "remote-gpt"})
    assert response.status_code == 200, response.text
    assert response.json() == {"summary": f"Call {NAME} at {EMAIL}", "model": "remote-gpt"}
    sent = stack.remote.all_bytes()
    assert NAME.encode() not in sent and EMAIL.encode() not in sent
    assert b"<PERSON_1>" in sent
    audit = stack.gateway.audit.decisions[-1]
    assert (audit.team, audit.action) == ("eng", "redact")


def test_streamed_completion_in_a_handler(stack: Stack) -> None:
    stack.remote.configure(chunk_size=3)
    response = call(stack, "/summarise-stream", json={"text": f"Ask {NAME}", "model": "remote-gpt"})
    assert response.text == f"Ask {NAME}"
    assert NAME.encode() not in stack.remote.all_bytes()


def test_completion_reroutes_and_blocks_like_the_gateway(stack: Stack) -> None:
    rerouted = call(stack, "/summarise", json={"text": "Is Bluebird late?", "model": "remote-gpt"})
    assert rerouted.json()["model"] == "local-llama"
    assert stack.remote.requests == []
    blocked = call(stack, "/summarise", json={"text": f"key {SECRET}", "model": "remote-gpt"})
    assert blocked.status_code == 403
    assert blocked.json()["detail"]["code"] == "blocked_by_policy"
    assert SECRET not in blocked.text
    assert stack.remote.requests == []


def test_completion_without_a_team_key_is_refused(stack: Stack) -> None:
    response = call(stack, "/summarise", team=None, json={"text": "hi", "model": "remote-gpt"})
    assert response.status_code == 401
    assert stack.remote.requests == [] and stack.local.requests == []


@pytest.mark.parametrize("remote", ["remote-gpt", "remote-relay"])
def test_completion_outside_a_request_needs_a_binding(stack: Stack, remote: str) -> None:
    with pytest.raises(NotBoundError):
        privacy_guard.completion(model=remote, messages=[{"role": "user", "content": "hi"}])
    with privacy_guard.bind(stack.gateway, "eng"):
        reply = privacy_guard.completion(
            model=remote, messages=[{"role": "user", "content": f"I am {NAME}"}]
        )
        assert reply.choices[0].message.content == f"I am {NAME}"
        chunks = privacy_guard.completion(
            model=remote, messages=[{"role": "user", "content": f"I am {NAME}"}], stream=True
        )
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == (
            f"I am {NAME}"
        )
        with pytest.raises(PolicyViolation):
            privacy_guard.completion(model=remote, messages=[{"role": "user", "content": SECRET}])
    assert NAME.encode() not in stack.remote.all_bytes()


# -- the app's own routes, untouched -----------------------------------------------------------


def test_other_routes_pass_through_untouched(stack: Stack) -> None:
    index = httpx.get(f"{stack.served.url}/", timeout=10)
    assert index.json() == {"app": "notes", "status": "ok"}
    assert not any(h.startswith("x-privacy-guard") for h in index.headers)
    with httpx.stream("GET", f"{stack.served.url}/ticker", timeout=10) as ticker:
        assert ticker.headers["x-app"] == "notes"
        lines = list(ticker.iter_lines())
    assert lines == [f"tick {i}" for i in range(5)]
    # The app's own validation errors are its own.
    invalid = call(stack, "/summarise", json={"nope": 1})
    assert invalid.status_code == 422 and "detail" in invalid.json()


def _raw_app() -> Starlette:
    async def echo(request: Request) -> Response:
        body = await request.body()
        headers = {"x-seen-auth": request.headers.get("authorization", "")}
        return Response(body, status_code=207, headers=headers, media_type="application/x-raw")

    return Starlette(routes=[Route("/echo", echo, methods=["POST"])])


def test_bodies_and_headers_of_other_routes_reach_the_app_as_sent(stack: Stack) -> None:
    from privacy_guard.middleware import PrivacyGuardMiddleware

    wrapped = PrivacyGuardMiddleware(_raw_app(), gateway=stack.gateway)
    payload = bytes(range(256)) * 1000 + f"{NAME} {SECRET}".encode()
    # Without `with`: no lifespan events, so this app does not shut the shared gateway down.
    client = TestClient(wrapped)
    response = client.post("/echo", content=payload, headers={"authorization": "Bearer x"})
    assert response.status_code == 207
    assert response.content == payload  # not inspected, not redacted: not an LLM route
    assert response.headers["x-seen-auth"] == "Bearer x"
    assert response.headers["content-type"] == "application/x-raw"


def test_websockets_pass_through(stack: Stack) -> None:
    # uvicorn here has no websocket library; Starlette's test client speaks ASGI websockets.
    with TestClient(build(stack.gateway)).websocket_connect("/ws") as ws:
        ws.send_text(f"hello {NAME}")
        assert ws.receive_text() == f"echo: hello {NAME}"


def test_a_custom_prefix_and_team_resolver(stack: Stack) -> None:
    from privacy_guard.middleware import PrivacyGuardMiddleware

    async def ask(request: Request) -> Response:
        reply = await privacy_guard.acompletion(
            model="remote-gpt", messages=[{"role": "user", "content": f"I am {NAME}"}]
        )
        return Response(reply.choices[0].message.content)

    inner = Starlette(routes=[Route("/ask", ask, methods=["GET"])])
    wrapped = PrivacyGuardMiddleware(
        inner,
        gateway=stack.gateway,
        prefix="/llm/v1",
        team_resolver=lambda scope: "watch",  # the app knows its users' teams itself
    )
    with serving(wrapped, lifespan="off") as app:
        assert httpx.get(f"{app.url}/ask").text == f"I am {NAME}"  # monitor: sent unchanged
        assert httpx.post(f"{app.url}/v1/chat/completions").status_code == 404  # the app's
        headers = {"authorization": f"Bearer {KEYS['eng']}"}
        response = httpx.get(f"{app.url}/llm/v1/models", headers=headers)
        names = [m["id"] for m in response.json()["data"]]
        assert names == ["remote-gpt", "remote-relay", "remote-responses", "local-llama"]
    assert stack.gateway.audit.decisions[-1].team == "watch"
