"""Which top-level request fields may leave, and the text some of them carry.

`payloads.extract_request_segments` inspects the fields that hold prompt text (messages, tools,
prompt, input, user, metadata, stop, ...). Anything else in a body is forwarded by egress, so a
field nobody inspects would carry text out unread: `"notes": "Jean Dupont, FR76…"`. Hence an
allow-list per route. A field is either inspected text (payloads, or `TEXT_FIELDS` here), or a
number, boolean or identifier-like setting whose type is checked; an unknown field is a 400
naming it, as OpenAI answers too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from privacy_guard.gateway.errors import BadRequest
from privacy_guard.payloads import Route, Segment, SegmentKind, format_path

# Plain settings: enum values, function names, voices, formats. Nothing that reads as prose.
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:/-]{1,128}", re.ASCII)

Check = Callable[[tuple[str | int, ...], Any], None]


def _fail(path: tuple[str | int, ...], expected: str) -> BadRequest:
    return BadRequest(
        f"{format_path(path)}: expected {expected}", code="invalid_body", param=format_path(path)
    )


def _number(path: tuple[str | int, ...], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, "a number")


def _integer(path: tuple[str | int, ...], value: Any) -> None:
    if type(value) is not int:
        raise _fail(path, "an integer")


def _boolean(path: tuple[str | int, ...], value: Any) -> None:
    if not isinstance(value, bool):
        raise _fail(path, "a boolean")


def _bool_or_int(path: tuple[str | int, ...], value: Any) -> None:
    if not isinstance(value, bool | int):
        raise _fail(path, "a boolean or an integer")


def _settings(path: tuple[str | int, ...], value: Any) -> None:
    """Any JSON whose strings are all identifier-like (`"auto"`, `{"name": "get_weather"}`)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [(path, value)]
    while stack:
        here, node = stack.pop()
        if isinstance(node, str):
            if not _IDENTIFIER.fullmatch(node):
                raise _fail(here, "an identifier-like setting (letters, digits, _.:/-)")
        elif isinstance(node, dict):
            for key, child in node.items():
                if not _IDENTIFIER.fullmatch(key):
                    raise _fail(here, "an object with identifier-like keys")
                stack.append(((*here, key), child))
        elif isinstance(node, list):
            stack.extend(((*here, i), child) for i, child in enumerate(node))


def _logit_bias(path: tuple[str | int, ...], value: Any) -> None:
    if not isinstance(value, dict):
        raise _fail(path, "an object of token ids to numbers")
    for key, bias in value.items():
        if not key.isdigit() or isinstance(bias, bool) or not isinstance(bias, int | float):
            raise _fail(path, "an object of token ids to numbers")


def _inspected(path: tuple[str | int, ...], value: Any) -> None:
    """Checked (and its text extracted) elsewhere."""


_COMMON: Mapping[str, Check] = {
    "model": _inspected,
    "stream": _inspected,
    "user": _inspected,
    "metadata": _inspected,
}
# Text-bearing fields payloads does not read: their strings are scanned like the prompt.
TEXT_FIELDS = ("safety_identifier", "prompt_cache_key", "web_search_options")

_SAMPLING: Mapping[str, Check] = {
    "frequency_penalty": _number,
    "presence_penalty": _number,
    "temperature": _number,
    "top_p": _number,
    "max_tokens": _integer,
    "seed": _integer,
    "n": _inspected,
    "stop": _inspected,
    "logit_bias": _logit_bias,
    "stream_options": _settings,
}

ALLOWED: Mapping[Route, Mapping[str, Check]] = {
    Route.CHAT: {
        **_COMMON,
        **_SAMPLING,
        "messages": _inspected,
        "tools": _inspected,
        "functions": _inspected,
        "response_format": _inspected,
        "prediction": _inspected,
        "safety_identifier": _inspected,
        "prompt_cache_key": _inspected,
        "web_search_options": _inspected,
        "audio": _settings,
        "function_call": _settings,
        "tool_choice": _settings,
        "modalities": _settings,
        "reasoning_effort": _settings,
        "service_tier": _settings,
        "verbosity": _settings,
        "logprobs": _boolean,
        "top_logprobs": _integer,
        "max_completion_tokens": _integer,
        "parallel_tool_calls": _boolean,
        "store": _boolean,
    },
    Route.COMPLETIONS: {
        **_COMMON,
        **_SAMPLING,
        "prompt": _inspected,
        "suffix": _inspected,
        "best_of": _integer,
        "echo": _boolean,
        "logprobs": _bool_or_int,
    },
    Route.EMBEDDINGS: {
        **_COMMON,
        "input": _inspected,
        "dimensions": _integer,
        "encoding_format": _settings,
    },
}


def check_fields(route: Route, body: Mapping[str, Any]) -> None:
    """BadRequest for a field that may not leave, or a setting of the wrong type."""
    allowed = ALLOWED.get(route, {})
    for key, value in body.items():
        check = allowed.get(key)
        if check is None:
            param = format_path((key,))
            raise BadRequest(
                f"unsupported parameter {param}: the gateway forwards only the OpenAI "
                "parameters it knows, so that no text leaves uninspected",
                code="unsupported_parameter",
                param=param,
            )
        if value is not None:
            check((key,), value)


def extra_segments(body: Mapping[str, Any]) -> Iterator[Segment]:
    """The strings of `TEXT_FIELDS`, as segments to scan and redact like any other."""
    for field in TEXT_FIELDS:
        value = body.get(field)
        if value is None:
            continue
        stack: list[tuple[tuple[str | int, ...], Any]] = [((field,), value)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, str):
                if node:
                    yield Segment(path, node, SegmentKind.OTHER)
            elif isinstance(node, dict):
                stack.extend(((*path, k), v) for k, v in reversed(list(node.items())))
            elif isinstance(node, list):
                stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(node))))
