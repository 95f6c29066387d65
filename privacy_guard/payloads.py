"""Text segments in and out of OpenAI-style request and response bodies.

Request side: `extract_request_segments` validates a body strictly and lists every string the
provider would see as text (messages, names, tool-call arguments, tool schemas, prompts, inputs),
each with its JSON path; `apply_replacements` writes the redacted texts into a copy of the body.
Parts that cannot be inspected (images, audio, files, token-id arrays) are listed, not read: the
policy decides whether they may go.

Response side: `response_texts` lists the reply strings that may carry placeholders (full
responses and streaming chunks), `map_response_texts` rewrites them in a copy.

Fields this module does not know are not inspected: egress must forward only the parameters it
knows, so that text hidden in an unknown field never leaves. Nothing here imports a web
framework or litellm.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from privacy_guard.errors import PayloadError, format_json_path

PathKey = str | int
Path = tuple[PathKey, ...]
StreamKey = tuple[int, str] | tuple[int, str, int]

MAX_DEPTH = 32
MAX_SEGMENTS = 10_000

format_path = format_json_path


class Route(StrEnum):
    CHAT = "/v1/chat/completions"
    COMPLETIONS = "/v1/completions"
    EMBEDDINGS = "/v1/embeddings"
    MODELS = "/v1/models"
    # Anthropic's Messages API (privacy_guard.messages).
    MESSAGES = "/v1/messages"
    MESSAGES_COUNT_TOKENS = "/v1/messages/count_tokens"
    # OpenAI's Responses API (privacy_guard.responses): create; read or delete a stored
    # response; the input items of a stored response.
    RESPONSES = "/v1/responses"
    RESPONSE = "/v1/responses/{id}"
    RESPONSE_INPUT_ITEMS = "/v1/responses/{id}/input_items"
    RESPONSE_CANCEL = "/v1/responses/{id}/cancel"  # POST, no body: a background response
    # ... and two more POSTs that send text: compaction (Codex's remote compaction) and the
    # input token count. Exact paths, so they win over `/v1/responses/{id}`.
    RESPONSES_COMPACT = "/v1/responses/compact"
    RESPONSES_INPUT_TOKENS = "/v1/responses/input_tokens"


class SegmentKind(StrEnum):
    """Where a text segment comes from; the policy may treat kinds differently."""

    SYSTEM = "system"  # also `developer` messages, their newer name
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"  # tool results, and legacy `function` results
    TOOL_CALL_ARGUMENTS = "tool_call_arguments"  # a JSON document held in a string
    TOOL_DEFINITION = "tool_definition"  # tool/function schemas and `response_format` schemas
    PROMPT = "prompt"  # legacy completions: `prompt` and `suffix`
    INPUT = "input"  # embeddings
    OTHER = "other"  # `user` (end-user id), `metadata` values, `stop`, `prediction`
    # A credential by definition (an MCP server's authorization token): always a SECRET finding,
    # whatever the detectors say of it.
    CREDENTIAL = "credential"


@dataclass(frozen=True, slots=True)
class Segment:
    """One string of the body that the provider sees, and where it is."""

    path: Path
    text: str
    kind: SegmentKind

    @property
    def is_json(self) -> bool:
        """The text is a JSON document: a value restored into it must be JSON-escaped."""
        return self.kind is SegmentKind.TOOL_CALL_ARGUMENTS

    def __repr__(self) -> str:
        # The text is personal data until proven otherwise: keep it out of logs and tracebacks.
        return f"Segment(path={self.path!r}, kind={self.kind.value}, length={len(self.text)})"


@dataclass(frozen=True, slots=True)
class NonTextPart:
    """Content that cannot be inspected: `image_url`, `input_audio`, `file` or `token_ids`."""

    path: Path
    type: str


@dataclass(frozen=True, slots=True)
class RequestSegments:
    route: Route
    model: str | None
    stream: bool
    segments: tuple[Segment, ...]
    non_text_parts: tuple[NonTextPart, ...]

    @property
    def non_text_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for part in self.non_text_parts:
            counts[part.type] = counts.get(part.type, 0) + 1
        return counts


@dataclass(frozen=True, slots=True)
class ReplyText:
    """One string of a reply that may carry placeholders.

    `stream_key` names the stream the string belongs to when the reply is streamed: (choice
    index, field) or (choice index, "tool_calls", tool-call index) — from the `index` fields, not
    list positions, since a chunk may list only some choices or tool calls.
    """

    path: Path
    text: str
    stream_key: StreamKey
    is_json: bool

    def __repr__(self) -> str:
        shown = f"path={self.path!r}, stream_key={self.stream_key!r}, length={len(self.text)}"
        return f"ReplyText({shown})"


def parse_route(route: str | Route) -> Route:
    if isinstance(route, Route):
        return route
    try:
        return Route(route.rstrip("/") if route != "/" else route)
    except ValueError:
        raise PayloadError((), "unsupported route", status=404) from None


# --------------------------------------------------------------------------- request side

_ROLE_KIND = {
    "system": SegmentKind.SYSTEM,
    "developer": SegmentKind.SYSTEM,
    "user": SegmentKind.USER,
    "assistant": SegmentKind.ASSISTANT,
    "tool": SegmentKind.TOOL,
    "function": SegmentKind.TOOL,
}
_TEXT_PARTS = {"text": "text", "refusal": "refusal"}  # part type -> key holding its text
_NON_TEXT_PARTS = frozenset({"image_url", "input_audio", "file"})
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def extract_request_segments(
    route: str | Route,
    body: Any,
    *,
    max_segments: int = MAX_SEGMENTS,
    max_depth: int = MAX_DEPTH,
) -> RequestSegments:
    """Validate `body` for `route` and list its text segments, in body order.

    Raises PayloadError (status 400; 404 for an unknown route) naming the path and the expected
    type, never the value.
    """
    route = parse_route(route)
    if route is Route.MODELS:
        # A GET: no body, or an empty one; whatever is there is not sent anywhere.
        return RequestSegments(route, None, False, (), ())
    if route not in (Route.CHAT, Route.COMPLETIONS, Route.EMBEDDINGS):
        # Other wire APIs have their own adapters (privacy_guard.responses, ...).
        raise PayloadError((), "unsupported route", status=404)
    _require(body, dict, (), "an object")
    _check_depth(body, max_depth)
    out = _Collector(max_segments)

    model = body.get("model")
    if model is None:
        raise PayloadError(("model",), "required; expected a non-empty string")
    if not isinstance(model, str) or not model:
        raise PayloadError(("model",), f"expected a non-empty string, got {_type(model)}")
    _check_unicode(("model",), model)
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise PayloadError(("stream",), f"expected a boolean, got {_type(stream)}")
    n = body.get("n")
    if n is not None and (type(n) is not int or n < 1):
        raise PayloadError(("n",), f"expected a positive integer, got {_type(n)}")

    if route is Route.CHAT:
        _chat(body, out)
    elif route is Route.COMPLETIONS:
        _completions(body, out)
    else:
        _embeddings(body, out)
    _common(body, out)
    return RequestSegments(route, model, bool(stream), tuple(out.segments), tuple(out.non_text))


class _Collector:
    def __init__(self, max_segments: int) -> None:
        self.max_segments = max_segments
        self.segments: list[Segment] = []
        self.non_text: list[NonTextPart] = []

    def text(self, path: Path, value: str, kind: SegmentKind) -> None:
        if not value:
            return  # nothing to inspect, nothing to replace
        _check_unicode(path, value)
        if len(self.segments) >= self.max_segments:
            raise PayloadError(path, f"too many text segments (more than {self.max_segments})")
        self.segments.append(Segment(path, value, kind))

    def opaque(self, path: Path, kind: str) -> None:
        self.non_text.append(NonTextPart(path, kind))


def _chat(body: Mapping[str, Any], out: _Collector) -> None:
    messages = body.get("messages")
    if messages is None:
        raise PayloadError(("messages",), "required; expected an array of message objects")
    _require(messages, list, ("messages",), "an array of message objects")
    if not messages:
        raise PayloadError(("messages",), "expected at least one message")
    for i, message in enumerate(messages):
        _message(("messages", i), message, out)
    for key in ("tools", "functions"):
        tools = body.get(key)
        if tools is None:
            continue
        _require(tools, list, (key,), "an array of objects")
        for i, tool in enumerate(tools):
            _require(tool, dict, (key, i), "an object")
            _schema_texts((key, i), tool, out)
    response_format = body.get("response_format")
    if response_format is not None:
        _require(response_format, dict, ("response_format",), "an object")
        _schema_texts(("response_format",), response_format, out)
    prediction = body.get("prediction")
    if prediction is not None:
        _require(prediction, dict, ("prediction",), "an object")
        content = prediction.get("content")
        if content is not None:
            _content(("prediction", "content"), content, SegmentKind.OTHER, out, text_only=True)


def _message(path: Path, message: Any, out: _Collector) -> None:
    _require(message, dict, path, "a message object")
    role = message.get("role")
    if not isinstance(role, str) or role not in _ROLE_KIND:
        raise PayloadError(
            (*path, "role"), f"expected one of {', '.join(_ROLE_KIND)}, got {_type(role)}"
        )
    kind = _ROLE_KIND[role]
    content = message.get("content")
    if content is None:
        # Only an assistant turn (that called tools) or a legacy function result may be empty.
        if role not in ("assistant", "function"):
            raise PayloadError((*path, "content"), "required; expected a string or an array")
    else:
        _content((*path, "content"), content, kind, out, text_only=False)
    name = message.get("name")
    if name is not None:
        _require(name, str, (*path, "name"), "a string")
        out.text((*path, "name"), name, kind)
    if role != "assistant":
        return
    refusal = message.get("refusal")
    if refusal is not None:
        _require(refusal, str, (*path, "refusal"), "a string")
        out.text((*path, "refusal"), refusal, kind)
    tool_calls = message.get("tool_calls")
    if tool_calls is not None:
        _require(tool_calls, list, (*path, "tool_calls"), "an array of tool calls")
        for j, call in enumerate(tool_calls):
            call_path = (*path, "tool_calls", j)
            _require(call, dict, call_path, "a tool call object")
            function = call.get("function")
            if function is not None:
                _arguments((*call_path, "function"), function, out)
    function_call = message.get("function_call")
    if function_call is not None:
        _arguments((*path, "function_call"), function_call, out)


def _arguments(path: Path, function: Any, out: _Collector) -> None:
    _require(function, dict, path, "an object")
    arguments = function.get("arguments")
    if arguments is not None:
        _require(arguments, str, (*path, "arguments"), "a string (JSON text)")
        out.text((*path, "arguments"), arguments, SegmentKind.TOOL_CALL_ARGUMENTS)


def _content(
    path: Path, content: Any, kind: SegmentKind, out: _Collector, *, text_only: bool
) -> None:
    if isinstance(content, str):
        out.text(path, content, kind)
        return
    if not isinstance(content, list):
        raise PayloadError(path, f"expected a string or an array of parts, got {_type(content)}")
    for k, part in enumerate(content):
        part_path = (*path, k)
        _require(part, dict, part_path, "a content part object")
        part_type = part.get("type")
        if not isinstance(part_type, str):
            raise PayloadError((*part_path, "type"), f"expected a string, got {_type(part_type)}")
        if part_type in _TEXT_PARTS:
            key = _TEXT_PARTS[part_type]
            value = part.get(key)
            _require(value, str, (*part_path, key), "a string")
            out.text((*part_path, key), value, kind)
        elif part_type in _NON_TEXT_PARTS and not text_only:
            out.opaque(part_path, part_type)
            if part_type == "file":
                # The file itself is opaque, but its name is text that leaves with it.
                file = part.get("file")
                _require(file, dict, (*part_path, "file"), "an object")
                filename = file.get("filename")
                if filename is not None:
                    _require(filename, str, (*part_path, "file", "filename"), "a string")
                    out.text((*part_path, "file", "filename"), filename, kind)
        else:
            # Fail closed: a part type we do not know may carry text we would not inspect.
            allowed = ["text", "refusal"] + ([] if text_only else sorted(_NON_TEXT_PARTS))
            raise PayloadError((*part_path, "type"), f"expected one of {', '.join(allowed)}")


def _schema_texts(path: Path, node: Any, out: _Collector) -> None:
    """The prose of a tool definition or JSON schema: descriptions, titles, enum values…

    Names (of functions, of properties) are left alone: they are identifiers the provider
    validates and the reply refers back to, so replacing them would break the tool call. Every
    string inside `enum`, `const`, `default` and `examples` is data the model reads, however deep.
    """
    # Iterative, in body order (so placeholder numbers follow the text): (path, value, mode).
    stack: list[tuple[Path, Any, int]] = [(path, node, _SCHEMA)]
    while stack:
        here, value, mode = stack.pop()
        if isinstance(value, str):
            if mode == _DATA:
                out.text(here, value, SegmentKind.TOOL_DEFINITION)
            continue
        if isinstance(value, dict):
            children = [
                ((*here, key), child, _mode(mode, key, child)) for key, child in value.items()
            ]
        elif isinstance(value, list):
            children = [((*here, k), child, mode) for k, child in enumerate(value)]
        else:
            continue
        stack.extend(reversed(children))


_SCHEMA, _NAMES, _DATA = 0, 1, 2
_SCHEMA_PROSE = frozenset({"description", "title"})
_SCHEMA_DATA = frozenset({"enum", "const", "default", "examples", "example"})
# Keywords whose object maps *names* to sub-schemas: a property called "default" is a schema.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})


def _mode(parent: int, key: str, child: Any) -> int:
    if parent == _DATA:
        return _DATA
    if parent == _NAMES:
        return _SCHEMA
    if key in _SCHEMA_DATA or (key in _SCHEMA_PROSE and isinstance(child, str)):
        return _DATA
    return _NAMES if key in _SCHEMA_MAPS and isinstance(child, dict) else _SCHEMA


def _completions(body: Mapping[str, Any], out: _Collector) -> None:
    prompt = body.get("prompt")
    if prompt is None:
        raise PayloadError(("prompt",), "required; expected a string or an array of strings")
    _texts_or_tokens(("prompt",), prompt, SegmentKind.PROMPT, out)
    suffix = body.get("suffix")
    if suffix is not None:
        _require(suffix, str, ("suffix",), "a string")
        out.text(("suffix",), suffix, SegmentKind.PROMPT)


def _embeddings(body: Mapping[str, Any], out: _Collector) -> None:
    value = body.get("input")
    if value is None:
        raise PayloadError(("input",), "required; expected a string or an array of strings")
    _texts_or_tokens(("input",), value, SegmentKind.INPUT, out)


def _texts_or_tokens(path: Path, value: Any, kind: SegmentKind, out: _Collector) -> None:
    """A string, an array of strings, an array of token ids, or an array of such arrays."""
    expected = "a string, an array of strings, or an array of token ids"
    if isinstance(value, str):
        out.text(path, value, kind)
        return
    if not isinstance(value, list):
        raise PayloadError(path, f"expected {expected}, got {_type(value)}")
    if value and all(_is_token(t) for t in value):
        out.opaque(path, "token_ids")  # token ids cannot be inspected without the tokenizer
        return
    for k, item in enumerate(value):
        if isinstance(item, str):
            out.text((*path, k), item, kind)
        elif isinstance(item, list) and item and all(_is_token(t) for t in item):
            out.opaque((*path, k), "token_ids")
        else:
            raise PayloadError(
                (*path, k), f"expected a string or an array of token ids, got {_type(item)}"
            )


def _is_token(value: Any) -> bool:
    return type(value) is int and value >= 0


def _common(body: Mapping[str, Any], out: _Collector) -> None:
    """Free-text request fields outside the conversation that still reach the provider."""
    user = body.get("user")
    if user is not None:
        _require(user, str, ("user",), "a string")
        out.text(("user",), user, SegmentKind.OTHER)  # an end-user id: often an e-mail address
    metadata = body.get("metadata")
    if metadata is not None:
        _require(metadata, dict, ("metadata",), "an object")
        for key, value in metadata.items():
            _require(value, str, ("metadata", key), "a string")
            out.text(("metadata", key), value, SegmentKind.OTHER)
    stop = body.get("stop")
    if stop is not None:
        if isinstance(stop, str):
            out.text(("stop",), stop, SegmentKind.OTHER)
        else:
            _require(stop, list, ("stop",), "a string or an array of strings")
            for k, value in enumerate(stop):
                _require(value, str, ("stop", k), "a string")
                out.text(("stop", k), value, SegmentKind.OTHER)


def _check_depth(body: Any, max_depth: int) -> None:
    # Iterative: a hostile body must not be able to exhaust the stack of the checker itself.
    stack: list[tuple[Path, Any, int]] = [((), body, 1)]
    while stack:
        path, node, depth = stack.pop()
        if depth > max_depth:
            raise PayloadError(path, f"nested deeper than {max_depth} levels")
        if isinstance(node, dict):
            stack.extend(((*path, k), v, depth + 1) for k, v in node.items() if _container(v))
        elif isinstance(node, list):
            stack.extend(((*path, k), v, depth + 1) for k, v in enumerate(node) if _container(v))


def _container(value: Any) -> bool:
    return isinstance(value, dict | list)


def _check_unicode(path: Path, value: str) -> None:
    # JSON may escape lone surrogates (`"\ud800"`); they cannot be re-encoded as UTF-8 for the
    # provider, so reject them here with a clear 400 rather than fail later.
    if _SURROGATE.search(value):
        raise PayloadError(path, "invalid Unicode: unpaired surrogate")


def _require(value: Any, kind: type, path: Path, expected: str) -> None:
    if not isinstance(value, kind):
        raise PayloadError(path, f"expected {expected}, got {_type(value)}")


def _type(value: Any) -> str:
    """The JSON type of a value, for error messages (which never show the value)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def apply_replacements(body: Mapping[str, Any], replacements: Mapping[Path, str]) -> dict:
    """A deep copy of `body` with the string at each path replaced; `body` is left untouched.

    A path that does not lead to a string is a programming error (KeyError), not bad input.
    """
    copy = _copy_json(body)
    for path, text in replacements.items():
        _set(copy, path, text)
    return copy


def _set(body: Any, path: Path, text: str) -> None:
    if not path:
        raise KeyError("empty path")
    node = body
    for key in path[:-1]:
        node = _child(node, key, path)
    last = path[-1]
    if not isinstance(_child(node, last, path), str):
        raise KeyError(f"{format_path(path)} is not a string")
    node[last] = text


def _child(node: Any, key: PathKey, path: Path) -> Any:
    if isinstance(node, dict) and isinstance(key, str) and key in node:
        return node[key]
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    raise KeyError(f"{format_path(path)} does not exist in the body")


def _copy_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value  # str, int, float, bool, None: immutable


# -------------------------------------------------------------------------- response side

# Fields of `choices[i].message` (full reply) and `choices[i].delta` (stream chunk) that the model
# writes; any of them may repeat a placeholder.
_REPLY_FIELDS = ("content", "refusal", "reasoning_content")


def response_texts(route: str | Route, body: Any) -> tuple[ReplyText, ...]:
    """Reply strings that may hold placeholders, for a full response or a streaming chunk.

    Lenient on purpose: this reads the provider's output, not client input; anything not shaped
    as expected is skipped (it holds no text to restore).
    """
    route = parse_route(route)
    if route not in (Route.CHAT, Route.COMPLETIONS) or not isinstance(body, dict):
        return ()
    choices = body.get("choices")
    if not isinstance(choices, list):
        return ()
    return tuple(_reply_texts(route, choices))


def _reply_texts(route: Route, choices: list[Any]) -> Iterator[ReplyText]:
    for i, choice in enumerate(choices):
        if not isinstance(choice, dict):
            continue
        index = _index(choice, i)
        if route is Route.COMPLETIONS:
            text = choice.get("text")
            if isinstance(text, str) and text:
                yield ReplyText(("choices", i, "text"), text, (index, "text"), False)
            continue
        for holder in ("message", "delta"):
            message = choice.get(holder)
            if isinstance(message, dict):
                yield from _message_texts(("choices", i, holder), message, index)


def _message_texts(path: Path, message: Mapping[str, Any], index: int) -> Iterator[ReplyText]:
    for field in _REPLY_FIELDS:
        value = message.get(field)
        if isinstance(value, str) and value:
            yield ReplyText((*path, field), value, (index, field), False)
        elif field == "content" and isinstance(value, list):
            # Some providers answer in parts. The client reads them one after the other, so they
            # are one stream: a placeholder may even straddle two parts.
            for k, part in enumerate(value):
                text = part.get("text") if isinstance(part, dict) else None
                if isinstance(text, str) and text:
                    yield ReplyText((*path, field, k, "text"), text, (index, field), False)
    calls = message.get("tool_calls")
    if isinstance(calls, list):
        for j, call in enumerate(calls):
            function = call.get("function") if isinstance(call, dict) else None
            arguments = function.get("arguments") if isinstance(function, dict) else None
            if isinstance(arguments, str) and arguments:
                key = (index, "tool_calls", _index(call, j))
                yield ReplyText(
                    (*path, "tool_calls", j, "function", "arguments"), arguments, key, True
                )
    function_call = message.get("function_call")
    if isinstance(function_call, dict):
        arguments = function_call.get("arguments")
        if isinstance(arguments, str) and arguments:
            yield ReplyText(
                (*path, "function_call", "arguments"), arguments, (index, "function_call"), True
            )


def _index(item: Mapping[str, Any], position: int) -> int:
    index = item.get("index")
    return index if type(index) is int else position


def response_text_paths(route: str | Route, body: Any) -> tuple[Path, ...]:
    return tuple(t.path for t in response_texts(route, body))


def map_response_texts(route: str | Route, body: Any, fn: Callable[[ReplyText], str]) -> Any:
    """A copy of `body` with every reply text replaced by `fn(reply_text)`."""
    texts = response_texts(route, body)
    if not texts:
        return _copy_json(body)
    return apply_replacements(body, {t.path: fn(t) for t in texts})


__all__ = [
    "MAX_DEPTH",
    "MAX_SEGMENTS",
    "NonTextPart",
    "Path",
    "PayloadError",
    "ReplyText",
    "RequestSegments",
    "Route",
    "Segment",
    "SegmentKind",
    "StreamKey",
    "apply_replacements",
    "extract_request_segments",
    "format_path",
    "map_response_texts",
    "parse_route",
    "response_text_paths",
    "response_texts",
]
