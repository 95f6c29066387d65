"""What the gateway reads of an Anthropic Messages request: every field the `anthropic` SDK can
send is known (checked against the SDK's own type definitions), every string the model reads
is a segment, and the provider's signed output is left alone."""

from __future__ import annotations

import typing
from typing import Any

import pytest

from privacy_guard.errors import PayloadError
from privacy_guard.messages.request import (
    BLOCK_FIELDS,
    COUNT_TOKENS_FIELDS,
    TOP_FIELDS,
    extract_messages_segments,
)
from privacy_guard.payloads import Route, SegmentKind

# -- against the SDK's type definitions ----------------------------------------------------------


def _hints(cls: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # forward references the module cannot resolve: the names suffice
        return dict(getattr(cls, "__annotations__", {}))


def _classes(annotation: Any) -> list[type]:
    args = typing.get_args(annotation)
    if args:
        return [found for arg in args for found in _classes(arg)]
    return (
        [annotation]
        if isinstance(annotation, type) and hasattr(annotation, "__annotations__")
        else []
    )


def _block_classes() -> list[type]:
    from anthropic.types import message_param, tool_result_block_param
    from anthropic.types.beta import beta_message_param, beta_tool_result_block_param

    found: list[type] = []
    for message in (message_param.MessageParam, beta_message_param.BetaMessageParam):
        for role_class in _classes(message):
            found += _classes(_hints(role_class)["content"])
    for result in (
        tool_result_block_param.ToolResultBlockParam,
        beta_tool_result_block_param.BetaToolResultBlockParam,
    ):
        found += _classes(_hints(result)["content"])
    return found


def _sdk_fields(module: Any, name: str) -> set[str]:
    return set(_hints(getattr(module, name)))


def test_every_top_level_field_the_sdk_sends_is_known() -> None:
    from anthropic.types import message_count_tokens_params, message_create_params
    from anthropic.types.beta import message_count_tokens_params as beta_count
    from anthropic.types.beta import message_create_params as beta_create

    # `betas` travels as the anthropic-beta header, never in the body.
    for module in (message_create_params, beta_create):
        for name in ("MessageCreateParamsStreaming", "MessageCreateParamsNonStreaming"):
            missing = _sdk_fields(module, name) - set(TOP_FIELDS) - {"betas"}
            assert not missing, f"{module.__name__}.{name}: {sorted(missing)}"
    for module in (message_count_tokens_params, beta_count):
        missing = _sdk_fields(module, "MessageCountTokensParams") - COUNT_TOKENS_FIELDS - {"betas"}
        assert not missing, f"{module.__name__}: {sorted(missing)}"


def test_every_block_type_and_field_the_sdk_sends_is_known() -> None:
    seen = 0
    for cls in _block_classes():
        hints = _hints(cls)
        kind = typing.get_args(hints.get("type"))
        if not kind:
            continue
        seen += 1
        assert kind[0] in BLOCK_FIELDS, f"{cls.__name__}: block type {kind[0]!r} unknown"
        # The SDK's `from_` is sent as `from` (a Python keyword).
        fields = {"from" if f == "from_" else f for f in hints}
        missing = fields - BLOCK_FIELDS[kind[0]]
        assert not missing, f"{cls.__name__}: {sorted(missing)}"
    assert seen > 30


# -- what is read ----------------------------------------------------------------------------------


def body(**fields: Any) -> dict[str, Any]:
    return {"model": "claude-stub", "max_tokens": 10, "messages": [_user("hi")], **fields}


def _user(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


def texts(found: Any) -> dict[tuple[Any, ...], str]:
    return {segment.path: segment.text for segment in found.segments}


def test_system_as_string_and_blocks() -> None:
    found = extract_messages_segments(Route.MESSAGES, body(system="Be kind to Ana."))
    assert texts(found)[("system",)] == "Be kind to Ana."
    blocks = [{"type": "text", "text": "First.", "cache_control": {"type": "ephemeral"}}]
    found = extract_messages_segments(Route.MESSAGES, body(system=blocks))
    assert texts(found)[("system", 0, "text")] == "First."
    assert found.segments[0].kind is SegmentKind.SYSTEM


def test_every_block_of_every_turn_is_read() -> None:
    messages = [
        _user([{"type": "text", "text": "Read it"}]),
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "secret plan for Ana", "signature": "c2ln"},
                {"type": "redacted_thinking", "data": "ZW5jcnlwdGVk"},
                {"type": "text", "text": "Sure."},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "read_file",
                    "input": {"path": "/srv/ana.txt", "opts": {"id": "free text id", "n": 3}},
                },
                {
                    "type": "mcp_tool_use",
                    "id": "mcptoolu_1",
                    "name": "lookup",
                    "server_name": "crm",
                    "input": {"q": "Ana Lopez"},
                },
            ],
        },
        _user(
            [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "content": [
                        {"type": "text", "text": "ana@example.com"},
                        {
                            "type": "image",
                            "source": {
                                "type": "base64",
                                "media_type": "image/png",
                                "data": "iVBORw0K",
                            },
                        },
                    ],
                },
                {"type": "mcp_tool_result", "tool_use_id": "mcptoolu_1", "content": "row 7"},
                {
                    "type": "document",
                    "title": "Contract",
                    "source": {"type": "text", "media_type": "text/plain", "data": "Signed by Ana"},
                },
                {"type": "document", "source": {"type": "url", "url": "https://x.test/a.pdf"}},
                {
                    "type": "search_result",
                    "source": "https://kb.test/1",
                    "title": "KB",
                    "content": [{"type": "text", "text": "Ana's ticket"}],
                },
            ]
        ),
    ]
    found = extract_messages_segments(Route.MESSAGES, body(messages=messages))
    got = texts(found)
    assert got[("messages", 1, "content", 3, "input", "path")] == "/srv/ana.txt"
    # Inside a tool's input every key is data: an `id` there is read, not checked.
    assert got[("messages", 1, "content", 3, "input", "opts", "id")] == "free text id"
    assert got[("messages", 1, "content", 4, "input", "q")] == "Ana Lopez"
    assert got[("messages", 2, "content", 0, "content", 0, "text")] == "ana@example.com"
    assert got[("messages", 2, "content", 1, "content")] == "row 7"
    assert got[("messages", 2, "content", 2, "source", "data")] == "Signed by Ana"
    assert got[("messages", 2, "content", 2, "title")] == "Contract"
    assert got[("messages", 2, "content", 3, "source", "url")] == "https://x.test/a.pdf"
    assert got[("messages", 2, "content", 4, "content", 0, "text")] == "Ana's ticket"
    assert got[("messages", 2, "content", 4, "source")] == "https://kb.test/1"
    # Signed thinking is not read (it is passed back unchanged).
    assert not any("secret plan" in text for text in got.values())
    assert not any(path[:4] == ("messages", 1, "content", 0) for path in got)
    kinds = {part.type for part in found.non_text_parts}
    assert kinds == {"image_url", "file"}
    # Tool results count as tool text, for policies that tell kinds apart.
    by_path = {segment.path: segment.kind for segment in found.segments}
    assert by_path[("messages", 2, "content", 0, "content", 0, "text")] is SegmentKind.TOOL


def test_tools_and_mcp_servers_are_read() -> None:
    tools = [
        {
            "name": "crm_lookup",
            "description": "Look up Ana's customers",
            "input_schema": {
                "type": "object",
                "properties": {"who": {"type": "string", "enum": ["Ana Lopez"]}},
            },
        },
        {
            "type": "web_search_20250305",
            "name": "web_search",
            "max_uses": 2,
            "user_location": {"type": "approximate", "city": "Lyon"},
        },
    ]
    servers = [
        {
            "type": "url",
            "url": "https://mcp.test/u/ana",
            "name": "crm",
            "authorization_token": "tok-123",
        }
    ]
    found = extract_messages_segments(Route.MESSAGES, body(tools=tools, mcp_servers=servers))
    got = texts(found)
    assert got[("tools", 0, "description")] == "Look up Ana's customers"
    assert got[("tools", 0, "name")] == "crm_lookup"
    assert got[("tools", 0, "input_schema", "properties", "who", "enum", 0)] == "Ana Lopez"
    assert got[("tools", 1, "user_location", "city")] == "Lyon"
    assert got[("mcp_servers", 0, "url")] == "https://mcp.test/u/ana"
    token = next(s for s in found.segments if s.path == ("mcp_servers", 0, "authorization_token"))
    assert token.kind is SegmentKind.CREDENTIAL


def test_metadata_stop_sequences_and_output_schema_are_read() -> None:
    found = extract_messages_segments(
        Route.MESSAGES,
        body(
            metadata={"user_id": "ana@example.com"},
            stop_sequences=["Ana:"],
            output_config={
                "format": {"type": "json_schema", "schema": {"description": "Ana's form"}}
            },
        ),
    )
    got = texts(found)
    assert got[("metadata", "user_id")] == "ana@example.com"
    assert got[("stop_sequences", 0)] == "Ana:"
    assert got[("output_config", "format", "schema", "description")] == "Ana's form"


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"notes": "x"}, ("notes",)),
        (
            {"messages": [_user([{"type": "text", "text": "x", "note": "y"}])]},
            ("messages", 0, "content", 0, "note"),
        ),
        (
            {"messages": [_user([{"type": "video", "url": "x"}])]},
            ("messages", 0, "content", 0, "type"),
        ),
        ({"messages": [{"role": "tool", "content": "x"}]}, ("messages", 0, "role")),
        (
            {
                "messages": [
                    _user(
                        [{"type": "tool_use", "id": "has spaces in it", "name": "n", "input": {}}]
                    )
                ]
            },
            ("messages", 0, "content", 0, "id"),
        ),
        ({"service_tier": "priority please, for Ana"}, ("service_tier",)),
        (
            {"mcp_servers": [{"type": "url", "url": "u", "name": "n", "headers": {}}]},
            ("mcp_servers", 0, "headers"),
        ),
        ({"max_tokens": "ten"}, ("max_tokens",)),
        ({"messages": [_user("\ud800")]}, ("messages", 0, "content")),
    ],
)
def test_refused_with_the_path(fields: dict[str, Any], path: tuple[Any, ...]) -> None:
    with pytest.raises(PayloadError) as raised:
        extract_messages_segments(Route.MESSAGES, body(**fields))
    assert raised.value.path == path


def test_count_tokens_takes_no_generation_settings() -> None:
    with pytest.raises(PayloadError):
        extract_messages_segments(Route.MESSAGES_COUNT_TOKENS, body())
    counted = {"model": "m", "messages": [_user("hi")]}
    assert extract_messages_segments(Route.MESSAGES_COUNT_TOKENS, counted).model == "m"
