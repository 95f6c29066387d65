"""What a wire API (OpenAI chat, Anthropic Messages, OpenAI Responses, ...) must provide so that
the one enforcement pipeline can serve it.

The pipeline (`gateway/core.py`) and the HTTP responder (`gateway/responder.py`) know nothing of
any body format: for every format-specific step they ask the route's `WireAdapter`:

    request    segments(route, body)          validate strictly, list every text the model reads
               apply(route, body, repl)       write redacted texts back into a copy of the body
    egress     reply(call) / open_stream(call) to the target, natively or translated
    reply      restore_reply(route, red, r)   placeholders back in a whole reply
               stream_restorer(route, red, m) the same for each streamed event, in order
    HTTP       credential(headers)            the team key (Bearer, or x-api-key, ...)
               forward_headers(headers)       client headers the upstream must see (versions)
               error_body(error, request_id)  the format's error shape
               sse(event) / sse_end()         how one event is framed, how a stream ends

Adapters are stateless singletons; per-request state lives in the `Exchange` and in the
`EventRestorer` an adapter hands out per stream.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from privacy_guard.gateway.auth import bearer_key
from privacy_guard.payloads import Path, RequestSegments, Route, apply_replacements

if TYPE_CHECKING:
    from privacy_guard.catalog import ModelTarget
    from privacy_guard.gateway.core import Exchange, Gateway
    from privacy_guard.gateway.errors import GatewayError
    from privacy_guard.redact import Redactor


@dataclass(frozen=True, slots=True)
class EgressCall:
    """One call to a model target: what leaves, where, and with which retry discipline."""

    route: Route
    target: ModelTarget
    body: Mapping[str, Any]  # the redacted body, in the client's wire format
    timeout: float
    retries: int
    backoff: float
    # Client headers the adapter chose to forward (`anthropic-version`, ...): never the key.
    headers: Mapping[str, str] = field(default_factory=dict)


class EventRestorer(Protocol):
    """Restores one streamed reply event by event (one per stream, never shared).

    `restore` may return several events (text held back from earlier events is released before
    the event that closes its block) or none; `finish` returns what is still held once the
    upstream stream ended.
    """

    def restore(self, event: dict[str, Any]) -> list[dict[str, Any]]: ...

    def finish(self) -> list[dict[str, Any]]: ...


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WireAdapter:
    """Base class: one wire API. Subclasses set `api` and `routes` and override what differs."""

    # The catalog's name for this API (a target's `apis:` lists the ones it speaks natively).
    api: ClassVar[str] = ""
    # The pipeline routes (POST, inspected, sent) this adapter serves.
    routes: ClassVar[tuple[Route, ...]] = ()
    # The routes whose requests may not be streamed.
    unstreamable: ClassVar[frozenset[Route]] = frozenset()
    # Routes answered by `resource()` instead of the pipeline (objects the provider stores:
    # `GET /v1/responses/{id}`, ...). A route value may hold one `{id}` path segment.
    resources: ClassVar[tuple[Route, ...]] = ()

    def methods(self, route: Route) -> tuple[str, ...]:
        """The HTTP methods `route` accepts (405 with `allow` otherwise)."""
        return ("POST",)

    async def resource(
        self, gateway: Gateway, exchange: Exchange, method: str, resource_id: str | None
    ) -> tuple[int, Any]:
        """Answer a `resources` route: (status, JSON body). The caller is authenticated
        (`exchange.caller`); errors are raised as `GatewayError`s, shaped by `error_body`."""
        raise NotImplementedError

    # -- HTTP ------------------------------------------------------------------------------------

    def credential(self, headers: Mapping[str, str]) -> str | None:
        """The team key the client presented (headers lower-cased), None when there is none."""
        return bearer_key(headers.get("authorization"))

    def forward_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Client headers the upstream must see when the request is relayed natively."""
        return {}

    def error_body(self, error: GatewayError, request_id: str) -> dict[str, Any]:
        return error.body(request_id)

    def sse(self, event: dict[str, Any]) -> bytes:
        return b"data: " + json_bytes(event) + b"\n\n"

    def sse_error(self, error: GatewayError, request_id: str) -> bytes:
        """The last event of a stream that failed after its headers were sent."""
        return self.sse(self.error_body(error, request_id))

    def sse_end(self) -> bytes:
        """What ends a successful stream (OpenAI's `[DONE]`; nothing for Anthropic)."""
        return b""

    # -- request ---------------------------------------------------------------------------------

    def segments(self, route: Route, body: Any) -> RequestSegments:
        """Validate `body` strictly; every string the model will read, with its path.

        Raise `PayloadError` (or `BadRequest`) naming the path, never the value; a field the
        adapter does not know is refused (400 naming it), since egress would forward it unread.
        """
        raise NotImplementedError

    def apply(self, route: Route, body: Any, replacements: Mapping[Path, str]) -> dict[str, Any]:
        """A copy of `body` with the string at each segment path replaced."""
        return apply_replacements(body, replacements)

    # -- reply -----------------------------------------------------------------------------------

    def restore_reply(
        self, exchange: Exchange, reply: dict[str, Any], model: str
    ) -> dict[str, Any]:
        """The whole reply with placeholders restored (`exchange.redactor`, None when nothing
        was redacted) and `model` (the catalog name of the target) where the format names one."""
        raise NotImplementedError

    def stream_restorer(self, exchange: Exchange, model: str) -> EventRestorer:
        """A fresh restorer for one streamed reply (see `restore_reply`)."""
        raise NotImplementedError

    # -- provider-stateful conversations (OpenAI Responses' previous_response_id) ----------------

    async def open_session(
        self, gateway: Gateway, exchange: Exchange, body: Any
    ) -> Redactor | None:
        """A redactor preloaded with the placeholders of the conversation this request
        continues (None: a fresh one if anything is redacted). Called after the decision is on
        record and before redaction; raise a `GatewayError` to refuse (e.g. an unknown chain)."""
        return None

    async def close_session(
        self, gateway: Gateway, exchange: Exchange, reply: dict[str, Any] | None
    ) -> None:
        """After the reply was restored (`reply`, or None at the end of a stream): keep what
        later turns need (the placeholder map of the chain, under the new response id)."""
        return None

    # -- egress ----------------------------------------------------------------------------------

    async def reply(self, call: EgressCall) -> dict[str, Any]:
        """The whole reply, in this API's format. Raise `UpstreamError` on failure."""
        raise NotImplementedError

    async def open_stream(self, call: EgressCall) -> AsyncIterator[dict[str, Any]]:
        """Open (and retry) the stream before returning; the events, in this API's format.

        Raise `UpstreamError` here if it cannot be opened, from the iterator mid-way. The
        iterator must have `aclose()`.
        """
        raise NotImplementedError

    def speaks_natively(self, target: ModelTarget) -> bool:
        """Whether `target` takes this API as is (the catalog's `apis:`), else translate."""
        return self.api in getattr(target, "apis", ())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.api}>"
