"""OpenAI's Responses API (`/v1/responses`): Codex CLI, the OpenAI Agents SDK, `client.responses`.

Request inspection is `responses.request` (every string the model reads, strict against the
SDK's own types); restoration is `responses.reply` (whole objects, and every stream event with
placeholders split across deltas restored as they complete). The way out: natively to targets
whose catalog entry lists `openai-responses` in `apis:` (`egress/responses_relay.py`), else
translated to chat completions (`responses.translate`; e.g. a local model a policy reroutes to).

Provider-stateful chains (`previous_response_id`, `conversation`): the provider keeps the
redacted history, so a later reply may hold placeholders issued turns ago. After every stored
response the chain's placeholder map goes into the vault (`privacy_guard.vault`: encrypted, with
a time to live) under the response id, with the target that keeps it; a request that continues
a chain starts from that map (one value keeps its placeholder across turns), and `GET`/`DELETE
/v1/responses/{id}` and `.../input_items` use it too (to restore what the provider echoes, and to
find the target). A `previous_response_id` the vault does not know (never made through this
gateway, expired, deleted, or another team's) is a 400 `previous_response_not_found`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread

from privacy_guard import egress
from privacy_guard.audit.stores import password_from
from privacy_guard.catalog import WireApi
from privacy_guard.egress import responses_relay
from privacy_guard.egress.common import Endpoint
from privacy_guard.errors import (
    ConfigError,
    PayloadError,
    RedactionError,
    UnknownModelError,
    UpstreamError,
)
from privacy_guard.gateway.errors import BadRequest, FailedClosed, NotFound, UpstreamFailed
from privacy_guard.gateway.logs import describe
from privacy_guard.gateway.wire.base import EgressCall, WireAdapter, json_bytes
from privacy_guard.payloads import RequestSegments, Route
from privacy_guard.redact import Redactor
from privacy_guard.responses.reply import ResponsesEventRestorer, restore_response, restore_value
from privacy_guard.responses.request import extract_responses_segments
from privacy_guard.responses.translate import (
    ChatStreamTranslator,
    UntranslatableError,
    from_chat,
    to_chat,
)
from privacy_guard.vault import UnknownChainError, Vault, VaultError, open_vault

if TYPE_CHECKING:
    from privacy_guard.catalog import ModelTarget
    from privacy_guard.gateway.core import Exchange, Gateway

log = logging.getLogger("privacy_guard.gateway")

OPENAI_RESPONSES = WireApi.OPENAI_RESPONSES.value

_vaults: weakref.WeakKeyDictionary[Any, Vault] = weakref.WeakKeyDictionary()


def vault_of(gateway: Gateway) -> Vault:
    """The gateway's vault, opened on first use from its deployment's `vault:` settings."""
    vault = _vaults.get(gateway)
    if vault is None:
        deployment = getattr(gateway, "deployment", None)
        settings = getattr(deployment, "vault", None)
        beside = deployment.audit.path.parent if deployment is not None else None
        url = deployment.audit.url if deployment is not None else None
        password = password_from(deployment.audit) if url is not None else None
        vault = _vaults.setdefault(
            gateway, open_vault(settings, beside=beside, url=url, password=password)
        )
    return vault


def _usable_vault(gateway: Gateway) -> Vault:
    """`vault_of`, or FailedClosed when the deployment's vault cannot be opened (its key is
    missing, its store unreachable): a chain must not go on without its map."""
    try:
        return vault_of(gateway)
    except ConfigError as error:  # names a variable or a file, never a value
        message = f"the vault of stateful conversations cannot be opened ({error})"
    except Exception as error:
        log.error("the vault cannot be opened", extra={"error": describe(error)})
        message = "the vault of stateful conversations cannot be opened"
    raise FailedClosed(f"{message}; nothing was sent", code="vault_unavailable")


async def _in_vault(vault: Vault, work: Callable[[], Any]) -> Any:
    # SQLite (or any store behind I/O) runs in a thread, never on the event loop.
    if vault.persistent:
        return await anyio.to_thread.run_sync(work)
    return work()


class _Session:
    """What the hooks of one request share: the chain it continues and where its map goes."""

    __slots__ = ("chain", "conversation", "early_save", "response_id", "save", "store")

    def __init__(self, chain: str | None, conversation: str | None, store: bool) -> None:
        self.chain = chain
        self.conversation = conversation
        self.store = store
        self.response_id: str | None = None
        # Saves the map once the response id is known (set by open_session), and the task that
        # does it early in a stream, so that a stream the client abandons is still continued.
        self.save: Callable[[], Coroutine[Any, Any, None]] | None = None
        self.early_save: asyncio.Task[None] | None = None


class OpenAIResponses(WireAdapter):
    api = OPENAI_RESPONSES
    routes = (Route.RESPONSES, Route.RESPONSES_COMPACT, Route.RESPONSES_INPUT_TOKENS)
    unstreamable = frozenset({Route.RESPONSES_COMPACT, Route.RESPONSES_INPUT_TOKENS})
    resources = (Route.RESPONSE, Route.RESPONSE_INPUT_ITEMS, Route.RESPONSE_CANCEL)

    def methods(self, route: Route) -> tuple[str, ...]:
        if route is Route.RESPONSE:
            return ("GET", "DELETE")
        if route is Route.RESPONSE_INPUT_ITEMS:
            return ("GET",)
        return ("POST",)  # create, compact, input_tokens, and cancel

    def sse(self, event: dict[str, Any]) -> bytes:
        # OpenAI names each event on an `event:` line too; some clients dispatch on it.
        kind = event.get("type")
        head = b"event: " + kind.encode("utf-8") + b"\n" if isinstance(kind, str) else b""
        return head + b"data: " + json_bytes(event) + b"\n\n"

    # -- request ---------------------------------------------------------------------------------

    def segments(self, route: Route, body: Any) -> RequestSegments:
        found = extract_responses_segments(body, endpoint=_ENDPOINTS[route][0])
        return RequestSegments(
            route, found.model, found.stream, found.segments, found.non_text_parts
        )

    # -- chains ----------------------------------------------------------------------------------

    async def open_session(
        self, gateway: Gateway, exchange: Exchange, body: Any
    ) -> Redactor | None:
        target = exchange.target
        if target is not None and not self.speaks_natively(target):
            _translated(body, target, exchange.route)  # refused now, before anything leaves
        previous = body.get("previous_response_id") or None
        conversation = body.get("conversation") or None
        if isinstance(conversation, dict):
            conversation = conversation.get("id") or None
        session = _Session(previous or conversation, conversation, body.get("store") is not False)
        exchange.session = session
        session.save = lambda: self.close_session(gateway, exchange, None)
        if session.chain is None:
            return None
        vault = _usable_vault(gateway)
        team = exchange.team or ""
        try:
            entry = await _in_vault(vault, lambda: vault.load(team, session.chain))
            return Redactor.from_state(entry["redactor"])
        except UnknownChainError as error:
            if previous is None:
                # A conversation this gateway has not seen yet (they are created at the
                # provider): it starts here, with no placeholders.
                return None
            raise BadRequest(
                str(error), code="previous_response_not_found", param="$.previous_response_id"
            ) from None
        except (VaultError, RedactionError, KeyError, TypeError) as error:
            raise FailedClosed(
                "the conversation's placeholder map could not be read; nothing was sent",
                code="vault_unavailable",
            ) from error
        except OSError:
            raise FailedClosed(
                "the vault could not be read; nothing was sent", code="vault_unavailable"
            ) from None

    async def close_session(
        self, gateway: Gateway, exchange: Exchange, reply: dict[str, Any] | None
    ) -> None:
        session = exchange.session
        target = exchange.target
        if exchange.route is not Route.RESPONSES:
            return  # a compaction or a token count is no turn of a chain
        if not isinstance(session, _Session) or target is None:
            return
        session.save = None  # it refers back to the exchange: no cycle past this point
        if not self.speaks_natively(target):
            return  # a translated reply is stored nowhere: nothing can continue it
        if reply is not None and isinstance(reply.get("id"), str):
            session.response_id = reply["id"]
        names = []
        if session.store and session.response_id:
            names.append(session.response_id)
        if session.conversation:
            names.append(session.conversation)
        if not names:
            return
        redactor = exchange.redactor
        entry = {
            "target": target.name,
            "redactor": (redactor or Redactor()).export_state(),
        }
        team = exchange.team or ""

        def save() -> None:
            for name in names:
                vault.save(team, name, entry)

        try:
            vault = _usable_vault(gateway)
            await _in_vault(vault, save)
        except Exception as error:  # the reply is already out; later turns will say unknown
            log.error("vault save failed", extra={"error": describe(error)})

    # -- reply -----------------------------------------------------------------------------------

    def restore_reply(
        self, exchange: Exchange, reply: dict[str, Any], model: str
    ) -> dict[str, Any]:
        if exchange.route is not Route.RESPONSES:  # no model field in these replies
            restored_value: dict[str, Any] = restore_value(exchange.redactor, reply)
            return restored_value
        restored: dict[str, Any] = restore_response(exchange.redactor, reply, model)
        return restored

    def stream_restorer(self, exchange: Exchange, model: str) -> _Events:
        return _Events(ResponsesEventRestorer(exchange.redactor, model), exchange.session)

    # -- egress ----------------------------------------------------------------------------------

    async def reply(self, call: EgressCall) -> dict[str, Any]:
        kwargs = _kwargs(call)
        if self.speaks_natively(call.target):
            return await responses_relay.reply(
                call.target, call.body, endpoint=_ENDPOINTS[call.route][1], **kwargs
            )
        chat = _translated(call.body, call.target, call.route)
        answer = await egress.chat(call.target, chat, **kwargs)
        return from_chat(answer, call.body, call.target.name)

    async def open_stream(self, call: EgressCall) -> AsyncIterator[dict[str, Any]]:
        kwargs = _kwargs(call)
        if self.speaks_natively(call.target):
            events: AsyncIterator[dict[str, Any]] = await responses_relay.open_stream(
                call.target, call.body, **kwargs
            )
            return events
        chat = _translated(call.body, call.target)
        chunks = await egress.chat_stream(call.target, chat, **kwargs)
        return _TranslatedEvents(chunks, ChatStreamTranslator(call.body, call.target.name))

    # -- stored responses ------------------------------------------------------------------------

    async def resource(
        self, gateway: Gateway, exchange: Exchange, method: str, resource_id: str | None
    ) -> tuple[int, Any]:
        if not resource_id:
            raise NotFound("no response id in the path", code="response_not_found")
        query = _passed_query(exchange.route, method, exchange.query)
        vault = _usable_vault(gateway)
        team = exchange.team or ""
        try:
            entry = await _in_vault(vault, lambda: vault.load(team, resource_id))
            redactor = Redactor.from_state(entry["redactor"])
            target = gateway.store.snapshot.model(entry["target"])
        except (UnknownChainError, UnknownModelError):
            raise NotFound(
                "no response with this id is known to the gateway for this team (never made "
                "through it, expired from its vault, or deleted)",
                code="response_not_found",
            ) from None
        except (VaultError, RedactionError, KeyError, TypeError, OSError):
            raise FailedClosed(
                "the response's placeholder map could not be read", code="vault_unavailable"
            ) from None
        settings = gateway.settings
        try:
            found = await responses_relay.resource(
                target,
                method,
                resource_id,
                suffix=_SUFFIX.get(exchange.route, ""),
                query=query,
                timeout=settings.upstream_timeout,
                retries=settings.upstream_retries,
                backoff=settings.upstream_backoff,
            )
        except UpstreamError as error:
            raise UpstreamFailed.from_upstream(error) from None
        if method == "DELETE":
            await _in_vault(vault, lambda: vault.delete(team, resource_id))
            return 200, found
        if exchange.route in (Route.RESPONSE, Route.RESPONSE_CANCEL):
            return 200, restore_response(redactor, found, target.name)
        return 200, restore_value(redactor, found)


def _kwargs(call: EgressCall) -> dict[str, Any]:
    return {"timeout": call.timeout, "retries": call.retries, "backoff": call.backoff}


# The query parameters each stored-response route passes on (their values: identifiers).
_QUERY = {
    (Route.RESPONSE, "GET"): frozenset({"include", "include[]", "include_obfuscation"}),
    (Route.RESPONSE, "DELETE"): frozenset(),
    (Route.RESPONSE_CANCEL, "POST"): frozenset(),
    (Route.RESPONSE_INPUT_ITEMS, "GET"): frozenset(
        {"after", "before", "limit", "order", "include", "include[]"}
    ),
}
# Where a stored-response route leads below `/responses/{id}` upstream.
_SUFFIX = {Route.RESPONSE_INPUT_ITEMS: "/input_items", Route.RESPONSE_CANCEL: "/cancel"}
_QUERY_VALUE = re.compile(r"[A-Za-z0-9_.:/+=-]{0,512}", re.ASCII)


def _passed_query(route: Route, method: str, query: str) -> str:
    """The query string to relay: known parameters with identifier-like values only (an
    unknown one could carry text out unread; `stream` resumption is not served)."""
    if not query:
        return ""
    known = _QUERY.get((route, method), frozenset())
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise BadRequest("malformed query string", code="invalid_query") from None
    for name, value in pairs:
        if name not in known:
            raise BadRequest(
                f"unsupported query parameter {name!r}"
                if _QUERY_VALUE.fullmatch(name)
                else "unsupported query parameter",
                code="unsupported_parameter",
            )
        if not _QUERY_VALUE.fullmatch(value):
            raise BadRequest(
                f"query parameter {name!r}: expected an identifier-like value",
                code="invalid_query",
            )
    return urlencode(pairs)


# Pipeline route -> (its fields in `responses.request`, where it leaves for a native target).
_ENDPOINTS = {
    Route.RESPONSES: ("create", Endpoint.RESPONSES),
    Route.RESPONSES_COMPACT: ("compact", Endpoint.RESPONSES_COMPACT),
    Route.RESPONSES_INPUT_TOKENS: ("input_tokens", Endpoint.RESPONSES_INPUT_TOKENS),
}


def _translated(body: Any, target: ModelTarget, route: Route = Route.RESPONSES) -> dict[str, Any]:
    if route is not Route.RESPONSES:
        # Compaction and token counts are the provider's own; a chat model has neither.
        raise BadRequest(
            f"invalid request for this target: {route.value} needs a target that speaks the "
            f"Responses API; {target.name!r} is reached through chat completions",
            code="unsupported_for_target",
        )
    try:
        return to_chat(body, target.name)
    except UntranslatableError as error:
        raise BadRequest(
            f"invalid request for this target: {error}",
            code="unsupported_for_target",
            param=error.param,
        ) from None
    except PayloadError as error:  # pragma: no cover - validated before
        raise BadRequest.from_payload(error) from None


class _Events:
    """The event restorer, noting the response id for the vault as the events go by."""

    __slots__ = ("_restorer", "_session")

    def __init__(self, restorer: ResponsesEventRestorer, session: Any) -> None:
        self._restorer = restorer
        self._session = session if isinstance(session, _Session) else None

    def restore(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        session = self._session
        if session is not None and session.response_id is None:
            response = event.get("response")
            if isinstance(response, dict) and isinstance(response.get("id"), str):
                session.response_id = response["id"]
                if session.save is not None:
                    # The map is complete before the reply starts: keep it now, beside the
                    # stream (the provider keeps the response even if the client hangs up);
                    # the end of the stream saves it again.
                    try:
                        loop = asyncio.get_running_loop()
                    except RuntimeError:  # not asyncio (trio): the end of the stream saves it
                        loop = None
                    if loop is not None:
                        session.early_save = loop.create_task(session.save())
        return self._restorer.restore(event)

    def finish(self) -> list[dict[str, Any]]:
        return self._restorer.finish()


class _TranslatedEvents:
    """A chat stream, as Responses events (several per chunk, and the closing ones at the end)."""

    def __init__(self, chunks: AsyncIterator[dict[str, Any]], translator: ChatStreamTranslator):
        self._chunks = chunks
        self._translator = translator
        self._pending: list[dict[str, Any]] = []
        self._done = False

    def __aiter__(self) -> _TranslatedEvents:
        return self

    async def __anext__(self) -> dict[str, Any]:
        while not self._pending:
            if self._done:
                raise StopAsyncIteration
            try:
                chunk = await anext(self._chunks)
            except StopAsyncIteration:
                self._done = True
                self._pending = self._translator.finish()
                continue
            self._pending = self._translator.feed(chunk)
        return self._pending.pop(0)

    async def aclose(self) -> None:
        await self._chunks.aclose()  # type: ignore[attr-defined]


__all__ = ["OPENAI_RESPONSES", "OpenAIResponses", "vault_of"]
