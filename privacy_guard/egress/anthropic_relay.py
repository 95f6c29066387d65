"""The Anthropic Messages relay, for targets that speak Anthropic's API (catalog
`apis: [anthropic-messages]`): a Messages request leaves as the client wrote it — redacted —
with the catalog's model name, the target's own key as `x-api-key`, and the client's
`anthropic-version` / `anthropic-beta` headers.

Shares the OpenAI relay's pooled client, and `common.py`'s retries, timeouts and error
classification; an error names the target and the status, never the provider's text.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from privacy_guard.catalog import ANTHROPIC_API_BASE, upstream_model_of
from privacy_guard.egress.common import (
    EgressTarget,
    Failed,
    Failure,
    api_key,
    plain_code,
    with_retries,
)
from privacy_guard.egress.relay import _Chunks, _client, _send, whole_reply
from privacy_guard.egress.relay import json_object as _object

__all__ = ["DEFAULT_VERSION", "open_stream", "reply"]

# What the gateway sends when the client named no version (the SDKs always do).
DEFAULT_VERSION = "2023-06-01"


def _request(
    target: EgressTarget,
    body: Mapping[str, Any],
    path: str,
    headers: Mapping[str, str],
    *,
    stream: bool,
    timeout: float,
) -> httpx.Request:
    base = target.api_base or ANTHROPIC_API_BASE
    payload = {key: value for key, value in body.items() if key not in ("model", "stream")}
    payload["model"] = upstream_model_of(target.litellm_model)
    if stream:
        payload["stream"] = True
    sent = {
        "content-type": "application/json",
        "accept": "text/event-stream" if stream else "application/json",
        "anthropic-version": headers.get("anthropic-version") or DEFAULT_VERSION,
    }
    if headers.get("anthropic-beta"):
        sent["anthropic-beta"] = headers["anthropic-beta"]
    key = api_key(target)
    if key is not None:
        sent["x-api-key"] = key
    content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _client().build_request(
        "POST", base.rstrip("/") + path, content=content, headers=sent, timeout=timeout
    )


async def reply(
    target: EgressTarget,
    body: Mapping[str, Any],
    path: str,
    headers: Mapping[str, str],
    *,
    timeout: float,
    retries: int,
    backoff: float,
) -> dict[str, Any]:
    """POST `<api_base><path>` (`/messages`, `/messages/count_tokens`); the JSON reply."""
    request = _request(target, body, path, headers, stream=False, timeout=timeout)
    return await whole_reply(
        target, request, _object, timeout=timeout, retries=retries, backoff=backoff
    )


async def open_stream(
    target: EgressTarget,
    body: Mapping[str, Any],
    headers: Mapping[str, str],
    *,
    timeout: float,
    retries: int,
    backoff: float,
) -> _Events:
    """The events of a Messages stream opened (and retried) before this returns."""
    request = _request(target, body, "/messages", headers, stream=True, timeout=timeout)
    response = await with_retries(
        target, lambda: _send(request), timeout=timeout, retries=retries, backoff=backoff
    )
    return _Events(target, response, timeout)


async def _whole(response: httpx.Response) -> AsyncIterator[str]:
    """A server that answered a stream request with a whole `Message`: its events."""
    message = _object(await response.aread())
    content = message.get("content") if isinstance(message.get("content"), list) else []
    start = {**message, "content": [], "stop_reason": None}
    yield json.dumps({"type": "message_start", "message": start})
    for index, block in enumerate(content):
        yield json.dumps({"type": "content_block_start", "index": index, "content_block": block})
        yield json.dumps({"type": "content_block_stop", "index": index})
    delta = {"stop_reason": message.get("stop_reason"), "stop_sequence": None}
    yield json.dumps({"type": "message_delta", "delta": delta, "usage": message.get("usage", {})})
    yield json.dumps({"type": "message_stop"})


class _Events(_Chunks):
    """The events of one open Messages stream (Anthropic's SSE: each `data:` is a JSON object
    with its `type`); everything else as the OpenAI relay's streams."""

    @staticmethod
    def _whole(response: httpx.Response) -> AsyncIterator[str]:
        return _whole(response)

    def _parse(self, data: str) -> dict[str, Any]:
        event = _object(data)
        if event.get("type") == "error":
            # Anthropic's way to fail once the stream has started (overloaded, ...).
            error = event.get("error")
            code = plain_code(error.get("type")) if isinstance(error, dict) else None
            raise Failed(Failure(502, "http", retryable=False, code=code))
        return event
