"""What both ways out share: the target, its key, and how failures are told apart and retried.

Retries are ours (litellm's and the OpenAI SDK's are set to 0) so that they are counted and
bounded: only connection failures, 429 and 5xx answers are retried, with a short exponential
backoff. `timeout` bounds each attempt (and, for streams, the wait for each chunk). Errors name
the target, the status and the kind of failure, never the provider's text: providers quote the
prompt back in their error messages.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import os
import random
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from privacy_guard.errors import MissingApiKeyError, UpstreamError

__all__ = [
    "GRACE",
    "EgressTarget",
    "Endpoint",
    "Failed",
    "Failure",
    "api_key",
    "classify",
    "http_failure",
    "plain_code",
    "upstream_error",
    "with_retries",
]


class EgressTarget(Protocol):
    """What egress needs of a model target; `privacy_guard.catalog.ModelTarget` is one."""

    @property
    def name(self) -> str: ...

    @property
    def litellm_model(self) -> str: ...

    @property
    def api_base(self) -> str | None: ...

    @property
    def api_key_env(self) -> str | None: ...


class Endpoint(StrEnum):
    """The OpenAI endpoints a request can leave for (the value is the path after the base)."""

    CHAT = "/chat/completions"
    COMPLETIONS = "/completions"
    EMBEDDINGS = "/embeddings"
    RESPONSES = "/responses"  # OpenAI's Responses API, relayed natively
    RESPONSES_COMPACT = "/responses/compact"
    RESPONSES_INPUT_TOKENS = "/responses/input_tokens"


# How long past `timeout` our own deadline waits for the HTTP client's to fire first.
GRACE = 1.0


def api_key(target: EgressTarget) -> str | None:
    """The target's key from its variable; None when it declares none (local servers)."""
    if not target.api_key_env:
        return None
    key = os.environ.get(target.api_key_env)
    if not key:
        raise MissingApiKeyError(target.name, target.api_key_env)
    return key


@dataclass(frozen=True, slots=True)
class Failure:
    status: int
    kind: str
    retryable: bool
    code: str | None = None
    retry_after: float | None = None


class Failed(Exception):
    """A failure its raiser has already classified (the relay reads statuses itself)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.kind)
        self.failure = failure


def _types(module: str, *names: str) -> tuple[type[BaseException], ...]:
    try:
        found = importlib.import_module(module)
    except ImportError:
        return ()
    return tuple(getattr(found, name) for name in names if hasattr(found, name))


@functools.cache
def _exception_types() -> tuple[tuple[type[BaseException], ...], ...]:
    """(timeouts, connection failures, HTTP status errors, openai status errors)."""
    timeouts = (
        TimeoutError,  # also asyncio's, aiohttp's ServerTimeoutError and socket.timeout
        *_types("httpx", "TimeoutException"),
        *_types("httpx2", "TimeoutException"),  # the OpenAI SDK's HTTP client
        *_types("openai", "APITimeoutError"),  # litellm.Timeout is one
    )
    connection = (
        ConnectionError,  # refused, reset, aborted
        socket.gaierror,  # the target's name does not resolve
        *_types("httpx", "NetworkError", "RemoteProtocolError", "ProxyError"),
        *_types("httpx2", "NetworkError", "RemoteProtocolError", "ProxyError"),
        *_types("aiohttp", "ClientConnectionError"),
        *_types("openai", "APIConnectionError"),
    )
    status = (*_types("httpx", "HTTPStatusError"), *_types("httpx2", "HTTPStatusError"))
    openai_status = _types("openai", "APIStatusError")
    return timeouts, connection, status, openai_status


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(seen) < 32 and all(current is not s for s in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


def plain_code(value: object) -> str | None:
    # Only identifier-like codes: a provider's free-text message can quote the prompt.
    return value if isinstance(value, str) and _CODE.fullmatch(value) else None


def _response_details(response: Any) -> tuple[str | None, float | None]:
    code: str | None = None
    retry_after: float | None = None
    try:
        raw = response.headers.get("retry-after")
        retry_after = float(raw) if raw is not None else None
    except (AttributeError, TypeError, ValueError):
        retry_after = None
    try:
        payload = response.json()
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, dict):
            code = plain_code(error.get("code")) or plain_code(error.get("type"))
    except Exception:  # an unread stream, not JSON, ...: no code then
        code = None
    return code, retry_after


def classify(error: BaseException) -> Failure:
    """What went wrong, from the whole exception chain: litellm reports a refused connection as
    an InternalServerError with status 500, so its own class and status are not enough."""
    if isinstance(error, Failed):
        return error.failure
    timeouts, connection, status_errors, openai_status = _exception_types()
    chain = _chain(error)
    if any(isinstance(e, timeouts) for e in chain):
        return Failure(504, "timeout", retryable=False)
    for e in chain:
        if isinstance(e, status_errors):
            response = e.response  # type: ignore[attr-defined]
            code, retry_after = _response_details(response)
            return http_failure(int(response.status_code), code, retry_after)
        # The OpenAI SDK's own status errors carry the upstream's status; litellm subclasses
        # them with statuses of its own making, so only the SDK's classes count here.
        if isinstance(e, openai_status) and not _from_litellm(e):
            code, retry_after = _response_details(getattr(e, "response", None))
            code = code or plain_code(getattr(e, "code", None))
            return http_failure(int(e.status_code), code, retry_after)  # type: ignore[attr-defined]
    # litellm.APIConnectionError subclasses the SDK's but is litellm's catch-all for any
    # exception (a bug parsing a reply, say): a connection failure shows deeper in the chain.
    if any(isinstance(e, connection) and not _from_litellm(e) for e in chain):
        return Failure(502, "connection", retryable=True)
    # A litellm error with no upstream answer behind it: its own validation (400 for an
    # unsupported parameter, ...), or APIConnectionError, its catch-all for anything else.
    status = getattr(error, "status_code", None)
    kind = type(error).__name__
    if isinstance(status, int) and 400 <= status < 500:
        return Failure(status, kind, retryable=status == 429)
    return Failure(502, kind, retryable=False)


def _from_litellm(error: BaseException) -> bool:
    return type(error).__module__.split(".")[0] == "litellm"


def http_failure(status: int, code: str | None, retry_after: float | None) -> Failure:
    retryable = status == 429 or status >= 500
    if not 400 <= status < 600:
        status = 502  # an "error" that is not one: the answer is unusable
    return Failure(status, "http", retryable=retryable, code=code, retry_after=retry_after)


def upstream_error(target: EgressTarget, failure: Failure, attempts: int) -> UpstreamError:
    return UpstreamError(
        target.name,
        failure.status,
        failure.kind,
        code=failure.code,
        retryable=failure.retryable,
        attempts=attempts,
    )


# -- calls ---------------------------------------------------------------------------------------


def _delay(attempt: int, backoff: float, retry_after: float | None) -> float:
    ceiling = backoff * 8
    delay = min(ceiling, backoff * 2**attempt) * random.uniform(0.5, 1.0)
    if retry_after is not None:
        delay = max(delay, min(retry_after, ceiling))
    return delay


async def with_retries(
    target: EgressTarget,
    attempt_once: Callable[[], Any],
    *,
    timeout: float,
    retries: int,
    backoff: float,
) -> Any:
    """Run `attempt_once` (a coroutine factory) until it succeeds or may not be retried."""
    attempts = 0
    while True:
        attempts += 1
        try:
            async with asyncio.timeout(timeout + GRACE):
                return await attempt_once()
        except Exception as error:
            failure = classify(error)
        if not failure.retryable or attempts > retries:
            # `from None`: the chain holds providers' messages, which may quote the prompt.
            raise upstream_error(target, failure, attempts) from None
        await asyncio.sleep(_delay(attempts - 1, backoff, failure.retry_after))
