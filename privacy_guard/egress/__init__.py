"""Egress: the one place where a request leaves for a model target.

Two ways out, chosen per target by the catalog's `egress` field:

- `litellm` (the default, `via_litellm.py`): litellm translates the OpenAI-shaped request into
  the provider's API (Anthropic, Hugging Face, Ollama, ...) and the reply back;
- `openai-compatible` (`relay.py`): for targets whose API is OpenAI's own, the request is relayed
  as written, without a translation that would be an identity.

Both take the redacted OpenAI-shaped body and give back OpenAI-shaped dicts; both raise
`UpstreamError` (or `MissingApiKeyError`, before anything is sent) with the status the gateway
should answer, and share the retry and timeout discipline of `common.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from types import ModuleType
from typing import Any

from privacy_guard.catalog import Egress
from privacy_guard.egress import relay, via_litellm
from privacy_guard.egress.common import EgressTarget, Endpoint
from privacy_guard.egress.via_litellm import litellm_object, load

__all__ = [
    "EgressTarget",
    "Endpoint",
    "chat",
    "chat_stream",
    "close",
    "embeddings",
    "litellm_object",
    "load",
    "text_completion",
    "text_completion_stream",
]


def _way(target: EgressTarget) -> ModuleType:
    return relay if getattr(target, "egress", None) == Egress.OPENAI_COMPATIBLE else via_litellm


async def chat(
    target: EgressTarget,
    body: Mapping[str, Any],
    *,
    timeout: float,
    retries: int = 0,
    backoff: float = 0.25,
) -> dict[str, Any]:
    """POST /v1/chat/completions to `target`; the OpenAI-shaped reply (its `model` is whatever
    the upstream said: the gateway sets the catalog name)."""
    reply: dict[str, Any] = await _way(target).reply(
        target, body, Endpoint.CHAT, timeout=timeout, retries=retries, backoff=backoff
    )
    return reply


async def chat_stream(
    target: EgressTarget,
    body: Mapping[str, Any],
    *,
    timeout: float,
    retries: int = 0,
    backoff: float = 0.25,
) -> AsyncIterator[dict[str, Any]]:
    """Open a streamed chat completion; the chunks, as OpenAI-shaped dicts.

    The request is made (and retried) before this returns, so an upstream that refuses raises
    UpstreamError here, while the gateway can still answer with an error status. A failure
    later, mid-stream, raises from the iterator. Close the iterator (`aclose()`) when the client
    goes away, to release the upstream connection.
    """
    chunks: AsyncIterator[dict[str, Any]] = await _way(target).open_stream(
        target, body, Endpoint.CHAT, timeout=timeout, retries=retries, backoff=backoff
    )
    return chunks


async def text_completion(
    target: EgressTarget,
    body: Mapping[str, Any],
    *,
    timeout: float,
    retries: int = 0,
    backoff: float = 0.25,
) -> dict[str, Any]:
    """POST /v1/completions to `target`; the OpenAI-shaped reply."""
    reply: dict[str, Any] = await _way(target).reply(
        target, body, Endpoint.COMPLETIONS, timeout=timeout, retries=retries, backoff=backoff
    )
    return reply


async def text_completion_stream(
    target: EgressTarget,
    body: Mapping[str, Any],
    *,
    timeout: float,
    retries: int = 0,
    backoff: float = 0.25,
) -> AsyncIterator[dict[str, Any]]:
    """Open a streamed text completion (see `chat_stream`)."""
    chunks: AsyncIterator[dict[str, Any]] = await _way(target).open_stream(
        target, body, Endpoint.COMPLETIONS, timeout=timeout, retries=retries, backoff=backoff
    )
    return chunks


async def embeddings(
    target: EgressTarget,
    body: Mapping[str, Any],
    *,
    timeout: float,
    retries: int = 0,
    backoff: float = 0.25,
) -> dict[str, Any]:
    """POST /v1/embeddings to `target`; the OpenAI-shaped reply."""
    reply: dict[str, Any] = await _way(target).reply(
        target, body, Endpoint.EMBEDDINGS, timeout=timeout, retries=retries, backoff=backoff
    )
    return reply


async def close() -> None:
    """Close the HTTP connections both ways keep open (at shutdown, on the serving loop)."""
    try:
        await relay.close()
    finally:
        await via_litellm.close()
