"""Wire APIs: one adapter per API format the gateway speaks to its clients.

`adapter_for(route)` is how the pipeline, the responder and the middleware find the format code
for a request. A new API is: its routes in `payloads.Route` (a path may hold one `{id}`
segment), a `WireAdapter` subclass (base.py says what each method does; openai_chat.py,
anthropic_messages.py and openai_responses.py are the three there are) listed in `ADAPTERS`,
and its name in `catalog.WireApi` for the catalog's `apis:`. The middleware and the standalone
app serve every adapter's routes; nothing else needs to know the API exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from privacy_guard.gateway.wire.anthropic_messages import AnthropicMessages
from privacy_guard.gateway.wire.base import EgressCall, EventRestorer, WireAdapter, json_bytes
from privacy_guard.gateway.wire.openai_chat import OPENAI_CHAT, OpenAIChat
from privacy_guard.gateway.wire.openai_responses import OpenAIResponses
from privacy_guard.payloads import Route

ADAPTERS: tuple[WireAdapter, ...] = (
    OpenAIChat(),
    AnthropicMessages(),
    OpenAIResponses(),
)

_BY_ROUTE: Mapping[Route, WireAdapter] = MappingProxyType(
    {route: adapter for adapter in ADAPTERS for route in (*adapter.routes, *adapter.resources)}
)
# The API names a catalog entry may list under `apis:`.
API_NAMES: frozenset[str] = frozenset(adapter.api for adapter in ADAPTERS)

# /v1/models is answered by the responder itself, in OpenAI's shape.
_MODELS = OpenAIChat()


def adapter_for(route: Route) -> WireAdapter:
    """The adapter serving `route` (the OpenAI one for /v1/models)."""
    return _BY_ROUTE.get(route, _MODELS)


def all_routes() -> tuple[Route, ...]:
    """Every route some adapter serves, plus /v1/models."""
    return (*_BY_ROUTE, Route.MODELS)


__all__ = [
    "ADAPTERS",
    "API_NAMES",
    "OPENAI_CHAT",
    "EgressCall",
    "EventRestorer",
    "WireAdapter",
    "adapter_for",
    "all_routes",
    "json_bytes",
]
