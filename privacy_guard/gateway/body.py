"""Reading a request body off the ASGI channel, within a size limit, and parsing it as JSON.

The limit is checked against `content-length` before anything is read, and again while reading
(a chunked body has no length), so an oversized body is refused without being held in memory.
"""

from __future__ import annotations

import json
from typing import Any

import anyio

from privacy_guard.gateway.errors import BadRequest
from privacy_guard.gateway.types import Receive


class BodyTooLarge(BadRequest):
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"request body larger than {limit} bytes (server.max_body_bytes)",
            code="request_too_large",
        )


class BodyTimeout(BadRequest):
    status = 408

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"request body not received within {seconds:g} s (server.body_timeout)",
            code="request_timeout",
        )


class ClientGone(Exception):
    """The client disconnected before its body was read: there is nobody to answer."""


async def read_body(
    receive: Receive, headers: dict[str, str], limit: int, timeout: float = 30.0
) -> bytes:
    try:
        with anyio.fail_after(timeout):
            return await _read_body(receive, headers, limit)
    except TimeoutError:
        raise BodyTimeout(timeout) from None


async def _read_body(receive: Receive, headers: dict[str, str], limit: int) -> bytes:
    declared = headers.get("content-length")
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            raise BadRequest("invalid content-length header", code="invalid_header") from None
        if length > limit:
            raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def parse_json(raw: bytes) -> Any:
    """The JSON document in `raw`; BadRequest naming the problem (never the content)."""
    if not raw.strip():
        raise BadRequest("empty request body; expected a JSON object", code="invalid_json")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(
            f"request body is not valid UTF-8 (byte {error.start})", code="invalid_utf8"
        ) from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise BadRequest(
            f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}",
            code="invalid_json",
        ) from None
    except RecursionError:
        raise BadRequest("JSON nested too deeply", code="invalid_json") from None
    except _NotJson as error:
        raise BadRequest(f"malformed JSON: {error}", code="invalid_json") from None
    except ValueError:
        # Integers of more than 4300 digits.
        raise BadRequest("JSON holds a number out of range", code="invalid_json") from None


class _NotJson(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON number")
