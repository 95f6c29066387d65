"""`privacy-guard demo`: the gateway at work, on loopback, without any model provider.

Two "models" are served by a built-in **echo model** on 127.0.0.1 that answers with the text it
received, labelled as such: `demo-saas-echo`, declared as a SaaS API (what a prompt sent there
would leave the organisation), and `demo-local-echo`, declared as self-hosted. The gateway runs
with a demo policy in a temporary folder, and four requests show the four outcomes. Because the
model echoes, the walk-through can show both what the model received and what the client got.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from privacy_guard.gateway.background import serve_in_thread

ECHO_LABEL = "[demo echo model] "

DEMO_POLICY = """\
team: default
description: Secrets never leave, project Bluebird stays home, the rest is redacted.
reroute_to: demo-local-echo
deny_list:
  - entity_type: PROJECT_CODENAME
    terms: [Bluebird]
rules:
  - id: secrets-never-leave
    entities: [SECRET]
    destinations: [remote]
    action: block
  - id: internal-stays-home
    entities: [PROJECT_CODENAME]
    destinations: [remote]
    action: reroute
  - id: personal-data-redacted
    entities: ["*"]
    destinations: [remote]
    action: redact
"""


# -- the echo model ------------------------------------------------------------------------------


class EchoModel:
    """An OpenAI-compatible server that answers `[demo echo model] <the prompt it received>`.

    Chat and legacy completions echo the text, streamed or not; embeddings are a small vector
    derived from the text received (the same text, the same vector), as floats or base64 like
    OpenAI's. Every request body is kept in `received`, to show what left the gateway.
    """

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/completions", self.completions, methods=["POST"]),
                Route("/v1/embeddings", self.embeddings, methods=["POST"]),
                Route("/v1/models", self.models, methods=["GET"]),
            ]
        )

    async def chat(self, request: Request) -> Response:
        body = await request.json()
        self.received.append(body)
        text = ECHO_LABEL + _last_user_text(body)
        head = {"id": "demo-" + secrets.token_hex(6), "created": int(time.time())}
        head["model"] = str(body.get("model", "echo"))
        if body.get("stream"):
            return StreamingResponse(_chunks(head, text), media_type="text/event-stream")
        message = {"role": "assistant", "content": text}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        usage = _usage([_last_user_text(body)], [text])
        return JSONResponse(
            {**head, "object": "chat.completion", "choices": [choice], "usage": usage}
        )

    async def completions(self, request: Request) -> Response:
        body = await request.json()
        self.received.append(body)
        prompt = body.get("prompt")
        prompts = prompt if isinstance(prompt, list) else [prompt]
        texts = [ECHO_LABEL + (p if isinstance(p, str) else "") for p in prompts]
        head = {"id": "demo-" + secrets.token_hex(6), "created": int(time.time())}
        head["model"] = str(body.get("model", "echo"))
        head["object"] = "text_completion"
        if body.get("stream"):
            return StreamingResponse(_text_chunks(head, texts), media_type="text/event-stream")
        choices = [
            {"index": i, "text": text, "logprobs": None, "finish_reason": "stop"}
            for i, text in enumerate(texts)
        ]
        return JSONResponse({**head, "choices": choices, "usage": _usage(texts, texts)})

    async def embeddings(self, request: Request) -> Response:
        body = await request.json()
        self.received.append(body)
        given = body.get("input")
        inputs = given if isinstance(given, list) and not _is_tokens(given) else [given]
        base64_wanted = body.get("encoding_format") == "base64"
        data = []
        for index, item in enumerate(inputs):
            vector = _vector(json.dumps(item, ensure_ascii=False))
            packed = struct.pack(f"<{len(vector)}f", *vector)
            embedding: Any = base64.b64encode(packed).decode() if base64_wanted else vector
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        usage = _usage([json.dumps(item) for item in inputs], [])
        model = str(body.get("model", "echo"))
        return JSONResponse({"object": "list", "data": data, "model": model, "usage": usage})

    async def models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "echo", "object": "model"}]})


EMBEDDING_SIZE = 16


def _is_tokens(value: list[Any]) -> bool:
    """One prompt as token ids (`[1, 2, 3]`), not a list of prompts."""
    return bool(value) and all(isinstance(v, int) for v in value)


def _vector(text: str) -> list[float]:
    """A unit-free, deterministic vector in [-1, 1) from the text's SHA-256: same text, same
    vector, so a client can see that two requests sent the same (redacted) text."""
    digest = hashlib.sha256(text.encode()).digest()
    return [round(b / 128 - 1, 6) for b in digest[:EMBEDDING_SIZE]]


def _usage(prompts: list[str], completions: list[str]) -> dict[str, int]:
    """Word counts standing in for tokens: the echo model has no tokenizer."""
    prompt = sum(len(p.split()) for p in prompts)
    completion = sum(len(c.split()) for c in completions)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                return "".join(p.get("text", "") for p in content if isinstance(p, dict))
            return content if isinstance(content, str) else ""
    return ""


async def _chunks(head: dict[str, Any], text: str) -> Any:
    for i in range(0, len(text), 6):
        delta = {"content": text[i : i + 6]}
        choice = {"index": 0, "delta": delta, "finish_reason": None}
        chunk = {**head, "object": "chat.completion.chunk", "choices": [choice]}
        yield f"data: {json.dumps(chunk)}\n\n"
    final = {**head, "object": "chat.completion.chunk"}
    final["choices"] = [{"index": 0, "delta": {}, "finish_reason": "stop"}]
    yield f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n"


async def _text_chunks(head: dict[str, Any], texts: list[str]) -> Any:
    for index, text in enumerate(texts):
        for i in range(0, len(text), 6):
            piece = {"index": index, "text": text[i : i + 6], "logprobs": None}
            piece["finish_reason"] = None
            yield f"data: {json.dumps({**head, 'choices': [piece]})}\n\n"
        done = {"index": index, "text": "", "logprobs": None, "finish_reason": "stop"}
        yield f"data: {json.dumps({**head, 'choices': [done]})}\n\n"
    yield "data: [DONE]\n\n"


# -- the deployment --------------------------------------------------------------------------------


def write_demo_deployment(folder: Path, echo_url: str, key: str) -> Path:
    (folder / "policies").mkdir()
    (folder / "models").mkdir()
    (folder / "policies" / "default.yaml").write_text(DEMO_POLICY, encoding="utf-8")
    (folder / "models" / "demo.yaml").write_text(
        f"""\
models:
  - name: demo-saas-echo        # declared as a SaaS API: prompts sent here leave the organisation
    litellm_model: openai/echo
    api_base: {echo_url}/v1
    access: saas-api
    jurisdiction: demo
  - name: demo-local-echo       # declared as self-hosted
    litellm_model: openai/echo
    api_base: {echo_url}/v1
    access: local
    jurisdiction: self-hosted
""",
        encoding="utf-8",
    )
    config = folder / "privacy-guard.yaml"
    digest = hashlib.sha256(key.encode()).hexdigest()
    config.write_text(
        f"policies: policies/\nmodels: models/\nteams:\n  - {{name: demo, key_sha256: {digest}}}\n",
        encoding="utf-8",
    )
    return config


@dataclass
class DemoStack:
    base_url: str
    key: str
    echo: EchoModel
    config: Path


@contextmanager
def running_demo(port: int = 0) -> Iterator[DemoStack]:
    """The echo model and the gateway, both on loopback, with the demo deployment."""
    from privacy_guard.app import create_app
    from privacy_guard.config import load_config
    from privacy_guard.gateway.audit_sink import UnpersistedAuditSink
    from privacy_guard.gateway.core import Gateway

    echo = EchoModel()
    key = "pg-demo-" + secrets.token_urlsafe(16)
    with (
        tempfile.TemporaryDirectory(prefix="privacy-guard-demo-") as tmp,
        serve_in_thread(echo.app, lifespan="off") as echo_server,
    ):
        config = write_demo_deployment(Path(tmp), echo_server.url, key)
        gateway = Gateway.from_config(load_config(config), audit=UnpersistedAuditSink())
        with serve_in_thread(create_app(gateway=gateway), port=port) as served:
            yield DemoStack(f"{served.url}/v1", key, echo, config)


# -- trying it by hand ----------------------------------------------------------------------------

# One request per API the gateway speaks. The echo model itself serves OpenAI's chat,
# completions and embeddings; Responses and Anthropic Messages requests reach it translated to
# chat by the gateway, as they would reach any model that only speaks chat.
TRY_IT = (
    ("chat/completions", {"messages": [{"role": "user", "content": "I am Jean Dupont"}]}),
    ("completions", {"prompt": "Write to jean.dupont@example.fr"}),
    ("embeddings", {"input": "Jean Dupont lives in Lyon"}),
    ("responses", {"input": "Remind Jean Dupont about Friday"}),
    (
        "messages",
        {"max_tokens": 200, "messages": [{"role": "user", "content": "Call Jean Dupont"}]},
    ),
)


def try_it_lines(stack: DemoStack, model: str = "demo-saas-echo") -> list[str]:
    """A curl command per API, each one line, ready to paste."""
    lines = []
    for path, body in TRY_IT:
        if path == "messages":  # as Anthropic's clients send it
            auth = f'-H "x-api-key: {stack.key}" -H "anthropic-version: 2023-06-01"'
        else:
            auth = f'-H "Authorization: Bearer {stack.key}"'
        lines.append(
            f"curl -s {stack.base_url}/{path} {auth} -H \"Content-Type: application/json\" "
            f"-d '{json.dumps({'model': model, **body})}'"
        )
    return lines


# -- the walk-through ------------------------------------------------------------------------------

STEPS = (
    ("allowed", "demo-saas-echo", "Write a haiku about the sea in autumn."),
    (
        "redacted",
        "demo-saas-echo",
        "Draft a reply to Jean Dupont (jean.dupont@example.fr, +33 6 12 34 56 78) confirming "
        "the refund to IBAN FR76 3000 6000 0112 3456 7890 189.",
    ),
    ("rerouted", "demo-saas-echo", "Summarise the open risks of project Bluebird for Olivia."),
    (
        "blocked",
        "demo-saas-echo",
        "Why does this fail? export OPENAI_API_KEY="
        "sk-proj-4fJ8kL2mN9pQ7rS1tU3vW5xY6zA0bC2dE4fG6hJ8",
    ),
)


@dataclass
class StepResult:
    name: str
    status: int
    decision: str
    model_saw: str | None
    client_got: str


def walk_through(stack: DemoStack, say: Callable[[str], None]) -> list[StepResult]:
    results = []
    headers = {"authorization": f"Bearer {stack.key}"}
    with httpx.Client(base_url=stack.base_url, headers=headers, timeout=120) as client:
        for number, (name, model, prompt) in enumerate(STEPS, 1):
            before = len(stack.echo.received)
            body = {"model": model, "messages": [{"role": "user", "content": prompt}]}
            response = client.post("/chat/completions", json=body)
            decision = response.headers.get("x-privacy-guard-decision", "?")
            saw = None
            if len(stack.echo.received) > before:
                saw = _last_user_text(stack.echo.received[-1])
            if response.status_code == 200:
                reply = response.json()
                got = f"[{reply['model']}] {reply['choices'][0]['message']['content']}"
            else:
                got = f"HTTP {response.status_code}: {response.json()['error']['message']}"
            say(f"\n{number}. {name.upper()}  (asked for {model})")
            say(f"   prompt      : {prompt}")
            say(f"   decision    : x-privacy-guard-decision: {decision}")
            say(f"   model saw   : {saw if saw is not None else '(nothing: no request was sent)'}")
            say(f"   client got  : {got}")
            results.append(StepResult(name, response.status_code, decision, saw, got))
    return results
