"""OpenAI's Responses API relayed natively, for targets whose catalog entry lists
`openai-responses` in `apis:` (OpenAI itself, or a server that implements the API).

`POST /responses` goes through the OpenAI-compatible relay (`relay.py`: the redacted body as
the client wrote it, the catalog's model name, the target's own key, pooled connections, our
retries and error classification); its stream's events are the upstream's own `data:` objects.
Stored responses are read and deleted here too (`GET`/`DELETE /responses/{id}`, `GET
/responses/{id}/input_items`, `POST /responses/{id}/cancel`), with the same key, pool and error
discipline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from privacy_guard.catalog import DEFAULT_API_BASES, provider_of
from privacy_guard.egress import relay
from privacy_guard.egress.common import EgressTarget, Endpoint, api_key

__all__ = ["open_stream", "reply", "resource"]


async def reply(
    target: EgressTarget,
    body: Mapping[str, Any],
    *,
    endpoint: Endpoint = Endpoint.RESPONSES,
    timeout: float,
    retries: int,
    backoff: float,
) -> dict[str, Any]:
    """The whole answer of `POST /responses` (or of `compact`, `input_tokens` under it)."""
    return await relay.reply(
        target, body, endpoint, timeout=timeout, retries=retries, backoff=backoff
    )


async def open_stream(
    target: EgressTarget, body: Mapping[str, Any], *, timeout: float, retries: int, backoff: float
) -> Any:
    """The events of a streamed `POST /responses`, opened (and retried) before this returns."""
    return await relay.open_stream(
        target, body, Endpoint.RESPONSES, timeout=timeout, retries=retries, backoff=backoff
    )


async def resource(
    target: EgressTarget,
    method: str,
    response_id: str,
    *,
    suffix: str = "",
    query: str = "",
    timeout: float,
    retries: int,
    backoff: float,
) -> dict[str, Any]:
    """`GET` or `DELETE /responses/{id}`, or `/responses/{id}` + `suffix` (`/input_items`,
    `/cancel`): the JSON object."""
    base = target.api_base or DEFAULT_API_BASES.get(provider_of(target.litellm_model))
    if base is None:
        raise ValueError(f"model target {target.name!r} has no api_base to relay to")
    url = f"{base.rstrip('/')}/responses/{quote(response_id, safe='')}"
    url += suffix
    if query:
        url += "?" + query
    headers = {"accept": "application/json"}
    key = api_key(target)
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    request = relay._client().build_request(method, url, headers=headers, timeout=timeout)
    # Only a read is retried: a DELETE or a cancel that timed out may have happened upstream.
    return await relay.whole_reply(
        target,
        request,
        relay._object,
        timeout=timeout,
        retries=retries if method == "GET" else 0,
        backoff=backoff,
    )
