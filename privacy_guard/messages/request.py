"""The text segments of an Anthropic Messages request (`POST /v1/messages`, `/count_tokens`).

Every string the model will read is a segment, with its JSON path, in body order (so placeholder
numbers follow the conversation): `system` (a string or text blocks); every content block of
every turn — `text` (and its citations), `tool_use` / `server_tool_use` / `mcp_tool_use` inputs
(every string leaf), `tool_result` / `mcp_tool_result` content (a string or blocks), `document`
blocks with a text or content source (and titles, context), `search_result` blocks, server tool
results, compaction summaries, tool additions and MCP tool listings; `tools` (names,
descriptions, input schemas); `mcp_servers` (URLs, names, and `authorization_token`, which is a
credential: besides detection it always counts as a SECRET finding); `output_config` schemas;
`metadata.user_id`; `stop_sequences`.

What is not read:
- identifiers the provider matches (`id`, `tool_use_id`, `type`, `file_id`, ...): they must be
  identifier-like (letters, digits, `_.:/+=-`), else the request is refused, so no prose hides
  in them;
- `thinking` / `redacted_thinking` blocks and the `signature` / `encrypted_content` of a block:
  the provider's own output, produced from the (already redacted) conversation and signed, so
  passed back unchanged — altered, it would not verify upstream;
- images and binary documents (base64, URL or file sources): listed as non-text parts (chat's
  `image_url` and `file`) for the policy to judge; a URL is also read as text.

Strictness: every top-level field and every block's fields are checked against the tables
below, built from the `anthropic` SDK's type definitions (tests/test_messages_request.py
compares them with the installed SDK, beta types included); anything else is a 400 naming its
path. Inside known fields, strings the tables do not single out are read as text, so a nested
field added later is inspected rather than forwarded unread.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from privacy_guard.errors import PayloadError
from privacy_guard.payloads import (
    MAX_DEPTH,
    MAX_SEGMENTS,
    Path,
    RequestSegments,
    Route,
    SegmentKind,
    _check_depth,
    _check_unicode,
    _Collector,
    _require,
    _type,
)

# Identifiers the provider matches or validates: never prose, never rewritten.
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:/+=-]{0,512}", re.ASCII)

# --------------------------------------------------------------------------- field tables

# Top-level fields, from `anthropic.types.message_create_params` and its beta twin (plus the
# sampling parameters older SDKs and Claude Code still send). Value: how each is read.
#   text: a string read as text;  texts: every string leaf read as text;  ident: identifier(s);
#   number / integer / boolean: checked;  inspected: read by its own code below.
TOP_FIELDS: Mapping[str, str] = {
    "model": "inspected",
    "messages": "inspected",
    "system": "inspected",
    "tools": "inspected",
    "mcp_servers": "inspected",
    "stream": "inspected",
    "max_tokens": "integer",
    "temperature": "number",
    "top_p": "number",
    "top_k": "integer",
    "stop_sequences": "texts",
    "metadata": "texts",
    "tool_choice": "texts",
    "thinking": "texts",
    "output_config": "texts",
    "cache_control": "ident",
    "container": "texts",
    "context_management": "texts",
    "compaction": "texts",
    "diagnostics": "texts",
    "billing_policy": "texts",
    "fallbacks": "texts",
    "fallback_credit_token": "credential",
    "thread": "texts",
    "service_tier": "ident",
    "speed": "ident",
    "inference_geo": "ident",
    "user_profile_id": "ident",
    "workspace_id": "ident",
}
# count_tokens takes the conversation, not the generation settings.
COUNT_TOKENS_FIELDS = frozenset(
    "model messages system tools mcp_servers thinking tool_choice output_config cache_control "
    "context_management compaction billing_policy speed user_profile_id workspace_id".split()
)

# Block type -> its fields, from `anthropic.types.beta.beta_content_block_param` (and the
# non-beta union, a subset). `cache_control` is allowed on every block.
BLOCK_FIELDS: Mapping[str, frozenset[str]] = {
    name: frozenset(fields.split()) | {"type", "cache_control"}
    for name, fields in {
        "text": "text citations",
        "image": "source transformations",
        "document": "source title context citations",
        "search_result": "source title content citations",
        "thinking": "thinking signature",
        "redacted_thinking": "data",
        "tool_use": "id name input caller toolset_name",
        "tool_result": "tool_use_id content is_error toolset_name",
        "server_tool_use": "id name input caller",
        "web_search_tool_result": "tool_use_id content caller",
        "web_fetch_tool_result": "tool_use_id content caller",
        "advisor_tool_result": "tool_use_id content",
        "code_execution_tool_result": "tool_use_id content",
        "bash_code_execution_tool_result": "tool_use_id content",
        "text_editor_code_execution_tool_result": "tool_use_id content",
        "tool_search_tool_result": "tool_use_id content",
        "mcp_tool_use": "id name server_name input",
        "mcp_tool_result": "tool_use_id content is_error",
        "container_upload": "file_id",
        "compaction": "content encrypted_content signature tool_changes",
        "tool_addition": "tool",
        "tool_removal": "tool",
        "mcp_tool_listing": "mcp_server_name tools",
        "fallback": "from to trigger",
        # Only inside tool_result content (beta tool search).
        "tool_reference": "tool_name",
        "browser_state": "tabs state_changes",
    }.items()
}
# Blocks passed back unchanged, unread (see the module docstring).
_UNREAD_BLOCKS = frozenset({"thinking", "redacted_thinking"})
# Keys never read nor rewritten anywhere: the provider's own signed or encrypted output.
_OPAQUE_KEYS = frozenset({"signature", "encrypted_content", "encrypted_index"})
# Keys whose string values are identifiers, anywhere inside a block or a tool.
_ID_KEYS = frozenset(
    "id tool_use_id type file_id caller_id media_type cache_control ttl toolset_name".split()
)
_ROLE_KIND = {
    "user": SegmentKind.USER,
    "assistant": SegmentKind.ASSISTANT,
    "system": SegmentKind.SYSTEM,
}
_MESSAGE_FIELDS = {
    "user": frozenset({"role", "content"}),
    "assistant": frozenset({"role", "content"}),
    "system": frozenset({"role", "content", "clear_at", "output_config"}),
}
_MCP_SERVER_FIELDS = frozenset({"type", "url", "name", "authorization_token", "tool_configuration"})


def extract_messages_segments(
    route: Route,
    body: Any,
    *,
    max_segments: int = MAX_SEGMENTS,
    max_depth: int = MAX_DEPTH,
) -> RequestSegments:
    """Validate a Messages (or count_tokens) body; its text segments in body order.

    Raises PayloadError (400) naming the path and what was expected, never the value.
    """
    _require(body, dict, (), "an object")
    _check_depth(body, max_depth)
    counting = route is Route.MESSAGES_COUNT_TOKENS
    for key in body:
        known = key in COUNT_TOKENS_FIELDS if counting else key in TOP_FIELDS
        if not known:
            raise PayloadError(
                (key,),
                "unsupported parameter: the gateway forwards only the Anthropic Messages "
                "parameters it knows, so that no text leaves uninspected",
            )
    out = _Collector(max_segments)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise PayloadError(("model",), f"required; expected a non-empty string, got {_type(model)}")
    _check_unicode(("model",), model)
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise PayloadError(("stream",), f"expected a boolean, got {_type(stream)}")
    if not counting:
        max_tokens = body.get("max_tokens")
        if type(max_tokens) is not int or max_tokens < 0:
            raise PayloadError(
                ("max_tokens",), f"required; expected an integer >= 0, got {_type(max_tokens)}"
            )

    system = body.get("system")
    if system is not None:
        _blocks_or_text(("system",), system, SegmentKind.SYSTEM, out)
    messages = body.get("messages")
    _require(messages, list, ("messages",), "an array of message objects")
    if not messages:
        raise PayloadError(("messages",), "expected at least one message")
    for i, message in enumerate(messages):
        _message(("messages", i), message, out)
    tools = body.get("tools")
    if tools is not None:
        _require(tools, list, ("tools",), "an array of tool definitions")
        for i, tool in enumerate(tools):
            _require(tool, dict, ("tools", i), "a tool definition object")
            _leaves(("tools", i), tool, SegmentKind.TOOL_DEFINITION, out)
    servers = body.get("mcp_servers")
    if servers is not None:
        _mcp_servers(servers, out)
    for key, how in TOP_FIELDS.items():
        value = body.get(key)
        if value is None or how == "inspected":
            continue
        _top_field(key, how, value, out)
    return RequestSegments(route, model, bool(stream), tuple(out.segments), tuple(out.non_text))


def _top_field(key: str, how: str, value: Any, out: _Collector) -> None:
    path: Path = (key,)
    if how == "integer":
        if type(value) is not int:
            raise PayloadError(path, f"expected an integer, got {_type(value)}")
    elif how == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PayloadError(path, f"expected a number, got {_type(value)}")
    elif how == "ident":
        _identifiers(path, value)
    elif how == "credential":
        _leaves(path, value, SegmentKind.CREDENTIAL, out)
    else:
        _leaves(path, value, SegmentKind.OTHER, out)


def _message(path: Path, message: Any, out: _Collector) -> None:
    _require(message, dict, path, "a message object")
    role = message.get("role")
    if not isinstance(role, str) or role not in _ROLE_KIND:
        raise PayloadError(
            (*path, "role"), f"expected one of {', '.join(_ROLE_KIND)}, got {_type(role)}"
        )
    for key in message:
        if key not in _MESSAGE_FIELDS[role]:
            raise PayloadError((*path, key), f"unsupported field in a {role} message")
    content = message.get("content")
    if content is None:
        raise PayloadError((*path, "content"), "required; expected a string or an array")
    _blocks_or_text((*path, "content"), content, _ROLE_KIND[role], out)
    for key in ("clear_at", "output_config"):
        if message.get(key) is not None:
            _leaves((*path, key), message[key], SegmentKind.OTHER, out)


def _blocks_or_text(path: Path, content: Any, kind: SegmentKind, out: _Collector) -> None:
    if isinstance(content, str):
        out.text(path, content, kind)
        return
    if not isinstance(content, list):
        raise PayloadError(path, f"expected a string or an array of blocks, got {_type(content)}")
    for k, block in enumerate(content):
        _block((*path, k), block, kind, out)


def _block(path: Path, block: Any, kind: SegmentKind, out: _Collector) -> None:
    _require(block, dict, path, "a content block object")
    block_type = block.get("type")
    fields = BLOCK_FIELDS.get(block_type) if isinstance(block_type, str) else None
    if fields is None:
        # Fail closed: a block type we do not know may carry text we would not inspect.
        raise PayloadError((*path, "type"), "unsupported content block type")
    for key in block:
        if key not in fields:
            raise PayloadError((*path, key), f"unsupported field in a {block_type} block")
    if block_type in _UNREAD_BLOCKS:
        for key, value in block.items():
            if key != "type" and value is not None and not isinstance(value, str | dict):
                raise PayloadError((*path, key), f"expected a string, got {_type(value)}")
        return
    if block_type == "text":
        text = block.get("text")
        _require(text, str, (*path, "text"), "a string")
        out.text((*path, "text"), text, kind)
    elif block_type == "image":
        _source((*path, "source"), block.get("source"), "image_url", kind, out)
    elif block_type == "document":
        _source((*path, "source"), block.get("source"), "file", kind, out)
    elif block_type in ("tool_result", "mcp_tool_result") or block_type == "search_result":
        content = block.get("content")
        if content is not None:
            _blocks_or_text((*path, "content"), content, SegmentKind.TOOL, out)
    block_kind = SegmentKind.TOOL if "tool" in block_type else kind
    for key, value in block.items():
        if value is None or key in _OPAQUE_KEYS or key == "text":
            continue
        if key in ("source",) and block_type in ("image", "document"):
            continue
        if key == "content" and block_type in ("tool_result", "mcp_tool_result", "search_result"):
            continue
        _leaves((*path, key), value, block_kind, out, data=key == "input")


def _source(path: Path, source: Any, opaque: str, kind: SegmentKind, out: _Collector) -> None:
    """An image or document source: base64 / URL / file are opaque (the policy judges them),
    a text or content source is read."""
    _require(source, dict, path, "a source object")
    source_type = source.get("type")
    if source_type == "text":
        data = source.get("data")
        _require(data, str, (*path, "data"), "a string")
        out.text((*path, "data"), data, kind)
        for key in source:
            if key not in ("type", "data", "media_type"):
                raise PayloadError((*path, key), "unsupported field in a text source")
        _identifiers((*path, "media_type"), source.get("media_type"))
        return
    if source_type == "content":
        for key in source:
            if key not in ("type", "content"):
                raise PayloadError((*path, key), "unsupported field in a content source")
        _blocks_or_text((*path, "content"), source.get("content"), kind, out)
        return
    if source_type not in ("base64", "url", "file"):
        raise PayloadError((*path, "type"), "expected one of base64, url, file, text, content")
    out.opaque(path, opaque)
    for key, value in source.items():
        if key == "data":
            _require(value, str, (*path, key), "a string (base64)")
        elif key == "url":
            _require(value, str, (*path, key), "a string")
            out.text((*path, key), value, kind)  # a URL may itself name someone
        elif key in ("type", "media_type", "file_id"):
            _identifiers((*path, key), value)
        else:
            raise PayloadError((*path, key), f"unsupported field in a {source_type} source")


def _mcp_servers(servers: Any, out: _Collector) -> None:
    _require(servers, list, ("mcp_servers",), "an array of MCP server definitions")
    for i, server in enumerate(servers):
        path: Path = ("mcp_servers", i)
        _require(server, dict, path, "an MCP server definition object")
        for key, value in server.items():
            if key not in _MCP_SERVER_FIELDS:
                raise PayloadError((*path, key), "unsupported field in an MCP server definition")
            if value is None:
                continue
            if key == "authorization_token":
                _require(value, str, (*path, key), "a string")
                out.text((*path, key), value, SegmentKind.CREDENTIAL)
            elif key == "type":
                _identifiers((*path, key), value)
            else:
                _leaves((*path, key), value, SegmentKind.OTHER, out)


def _leaves(
    path: Path, value: Any, kind: SegmentKind, out: _Collector, *, data: bool = False
) -> None:
    """Every string leaf of `value` as text, in document order; identifiers and the provider's
    opaque output (see the tables) are checked, not read. `data`: the value is the model's or a
    tool's own data (a tool call's input), whose keys mean nothing to the provider: every
    string is read, whatever its key."""
    id_keys = frozenset() if data else _ID_KEYS
    opaque_keys = frozenset() if data else _OPAQUE_KEYS
    stack: list[tuple[Path, Any, str | int | None]] = [(path, value, path[-1] if path else None)]
    while stack:
        here, node, key = stack.pop()
        if isinstance(node, str):
            if key in id_keys:
                _identifiers(here, node)
            else:
                out.text(here, node, kind)
        elif isinstance(node, dict):
            children = [
                ((*here, k), v, k)
                for k, v in node.items()
                if k not in opaque_keys and (data or k != "cache_control")
            ]
            if not data and node.get("cache_control") is not None:
                _identifiers((*here, "cache_control"), node["cache_control"])
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(reversed([((*here, i), v, key) for i, v in enumerate(node)]))
        elif node is not None and not isinstance(node, bool | int | float):
            raise PayloadError(here, f"unexpected {_type(node)}")


def _identifiers(path: Path, value: Any) -> None:
    """Identifier-like strings only (any JSON shape), never prose."""
    stack: list[tuple[Path, Any]] = [(path, value)]
    while stack:
        here, node = stack.pop()
        if isinstance(node, str):
            if not _IDENTIFIER.fullmatch(node):
                raise PayloadError(
                    here, "expected an identifier (letters, digits and _.:/+=- only)"
                )
        elif isinstance(node, dict):
            stack.extend(((*here, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*here, i), v) for i, v in enumerate(node))


__all__ = ["BLOCK_FIELDS", "COUNT_TOKENS_FIELDS", "TOP_FIELDS", "extract_messages_segments"]
