"""The Responses API request adapter: strict validation and every string the model reads."""

from __future__ import annotations

import json
import typing

import pytest
import typing_extensions
from faker import Faker

from privacy_guard.errors import PayloadError
from privacy_guard.payloads import SegmentKind, apply_replacements
from privacy_guard.redact import Redactor
from privacy_guard.responses.request import (
    ENDPOINT_FIELDS,
    ITEM_FIELDS,
    PART_FIELDS,
    TOOL_FIELDS,
    TOP_LEVEL,
    extract_responses_segments,
)

fake = Faker(["en_US", "fr_FR"])
Faker.seed(10)
NAME = fake.name()
EMAIL = fake.email()
PHONE = fake.phone_number()
SECRET = "sk-proj-" + fake.pystr(min_chars=40, max_chars=40)


# -- the tables against the installed openai SDK's own type definitions ---------------------------


def _members(tp: typing.Any) -> list[typing.Any]:
    origin = typing_extensions.get_origin(tp)
    if origin is typing.Union:
        return [m for arg in typing_extensions.get_args(tp) for m in _members(arg)]
    if origin in (typing_extensions.Required, typing_extensions.NotRequired):
        return _members(typing_extensions.get_args(tp)[0])
    return [tp]


def _literal_types(typed_dict: typing.Any) -> tuple[str, ...]:
    hints = typing_extensions.get_type_hints(typed_dict)
    for member in _members(hints.get("type", type(None))):
        if typing_extensions.get_origin(member) is typing_extensions.Literal:
            return typing_extensions.get_args(member)
    return ()


def _typed_dicts(union: typing.Any) -> list[typing.Any]:
    return [m for m in _members(union) if typing_extensions.is_typeddict(m)]


def test_every_create_parameter_of_the_sdk_is_known() -> None:
    from openai.types.responses import response_create_params as params

    names = set()
    for typed_dict in (
        params.ResponseCreateParamsNonStreaming,
        params.ResponseCreateParamsStreaming,
    ):
        names |= set(typing_extensions.get_type_hints(typed_dict))
    assert names <= set(TOP_LEVEL), sorted(names - set(TOP_LEVEL))


def test_compact_and_input_tokens_take_their_sdk_parameters() -> None:
    from openai.types.responses import input_token_count_params, response_compact_params

    for module, endpoint in (
        (response_compact_params.ResponseCompactParams, "compact"),
        (input_token_count_params.InputTokenCountParams, "input_tokens"),
    ):
        names = set(typing_extensions.get_type_hints(module))
        assert names <= ENDPOINT_FIELDS[endpoint], (endpoint, names - ENDPOINT_FIELDS[endpoint])
        assert ENDPOINT_FIELDS[endpoint] <= set(TOP_LEVEL)
    with pytest.raises(PayloadError) as caught:
        extract_responses_segments({"model": "m", "input": "x", "store": True}, endpoint="compact")
    assert caught.value.param == "$.store"
    found = extract_responses_segments(
        {"model": "m", "input": f"hi {NAME}", "personality": "pragmatic"}, endpoint="input_tokens"
    )
    assert [s.text for s in found.segments] == [f"hi {NAME}"]
    with pytest.raises(PayloadError):
        extract_responses_segments({"model": "m", "personality": "friendly"})  # create: unknown


def test_every_input_item_field_of_the_sdk_is_known() -> None:
    from openai.types.responses.response_input_param import ResponseInputItemParam

    seen = set()
    for typed_dict in _typed_dicts(ResponseInputItemParam):
        types = _literal_types(typed_dict) or ("item_reference",)
        for item_type in types:
            seen.add(item_type)
            fields = set(typing_extensions.get_type_hints(typed_dict))
            assert fields <= ITEM_FIELDS[item_type], (item_type, fields - ITEM_FIELDS[item_type])
    assert len(seen) >= 30  # the SDK's union was read, not skipped


def test_every_tool_and_content_part_field_of_the_sdk_is_known() -> None:
    from openai.types.responses.response_input_content_param import ResponseInputContentParam
    from openai.types.responses.response_output_message_param import Content
    from openai.types.responses.tool_param import ToolParam

    for union, table in ((ToolParam, TOOL_FIELDS), (ResponseInputContentParam, PART_FIELDS)):
        for typed_dict in _typed_dicts(union):
            for kind in _literal_types(typed_dict):
                fields = set(typing_extensions.get_type_hints(typed_dict))
                assert fields <= table[kind], (kind, fields - table[kind])
    for typed_dict in _typed_dicts(Content):
        for kind in _literal_types(typed_dict):
            assert set(typing_extensions.get_type_hints(typed_dict)) <= PART_FIELDS[kind]


# -- what is read ---------------------------------------------------------------------------------


def _agent_body() -> dict:
    """A coding agent's turn: instructions, history with tool calls, tools, an MCP server."""
    return {
        "model": "gpt-x",
        "instructions": f"You help {NAME}.",
        "input": [
            {"role": "user", "content": f"Mail {EMAIL} about the invoice."},
            {
                "type": "message",
                "role": "assistant",
                "id": "msg_1",
                "status": "completed",
                "content": [{"type": "output_text", "text": f"Sure, {NAME}.", "annotations": []}],
            },
            {
                "type": "function_call",
                "call_id": "call_1",
                "name": "send_mail",
                "arguments": json.dumps({"to": EMAIL, "body": f'He said "hi" \\ {NAME}'}),
            },
            {"type": "function_call_output", "call_id": "call_1", "output": f"sent to {PHONE}"},
            {
                "type": "function_call_output",
                "call_id": "call_2",
                "output": [
                    {"type": "input_text", "text": f"OPENAI_API_KEY={SECRET}"},
                    {"type": "input_image", "image_url": "data:image/png;base64,AAAA"},
                ],
            },
            {
                "type": "custom_tool_call",
                "call_id": "call_3",
                "name": "shell",
                "input": f"grep {NAME}",
            },
            {"type": "custom_tool_call_output", "call_id": "call_3", "output": f"{EMAIL}: ok"},
            {
                "type": "reasoning",
                "id": "rs_1",
                "summary": [{"type": "summary_text", "text": f"Thinking of {NAME}"}],
                "encrypted_content": "gAAAAB-opaque==",
            },
            {
                "type": "mcp_call",
                "id": "mcp_1",
                "server_label": "crm",
                "name": "lookup",
                "arguments": json.dumps({"email": EMAIL}),
                "output": f"{NAME}, {PHONE}",
            },
            {
                "type": "mcp_list_tools",
                "id": "mcpl_1",
                "server_label": "crm",
                "tools": [{"name": "lookup", "description": "Find a customer", "input_schema": {}}],
            },
            {
                "type": "mcp_approval_request",
                "id": "mcpr_1",
                "server_label": "crm",
                "name": "lookup",
                "arguments": "{}",
            },
            {
                "type": "mcp_approval_response",
                "approval_request_id": "mcpr_1",
                "approve": True,
                "reason": f"ok for {NAME}",
            },
            {
                "role": "user",
                "content": [{"type": "input_file", "file_id": "file-1", "filename": f"{NAME}.pdf"}],
            },
        ],
        "tools": [
            {
                "type": "function",
                "name": "send_mail",
                "description": f"Send mail as {EMAIL}",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "to": {"type": "string", "description": "recipient", "enum": [EMAIL]}
                    },
                    "required": ["to"],
                },
            },
            {
                "type": "mcp",
                "server_label": "crm",
                "server_url": f"https://mcp.example.com/?token={SECRET}",
                "headers": {"X-Api-Key": SECRET},
                "authorization": SECRET,
            },
        ],
        "text": {
            "format": {
                "type": "json_schema",
                "name": "answer",
                "schema": {"type": "object", "description": f"for {NAME}"},
            }
        },
        "prompt": {
            "id": "pmpt_1",
            "version": "2",
            "variables": {"customer": NAME, "doc": {"type": "input_text", "text": EMAIL}},
        },
        "metadata": {"ticket": f"{NAME}'s ticket"},
        "user": EMAIL,
        "safety_identifier": EMAIL,
        "prompt_cache_key": f"cache-{NAME}",
        "client_metadata": {"session": f"for {EMAIL}"},  # Codex CLI sends it
        "reasoning": {"effort": "high", "summary": "auto"},
        "include": ["reasoning.encrypted_content"],
        "store": False,
        "tool_choice": {"type": "function", "name": "send_mail"},
    }


def test_every_string_the_model_reads_is_a_segment_in_body_order() -> None:
    found = extract_responses_segments(_agent_body())
    texts = [s.text for s in found.segments]
    joined = "\n".join(texts)
    for value in (NAME, EMAIL, PHONE, SECRET):
        assert value in joined
    paths = [s.path for s in found.segments]
    assert paths == sorted(paths, key=paths.index)  # body order
    assert paths[0] == ("instructions",)
    by_path = {s.path: s for s in found.segments}
    assert by_path[("input", 2, "arguments")].kind is SegmentKind.TOOL_CALL_ARGUMENTS
    assert by_path[("input", 3, "output")].kind is SegmentKind.TOOL
    assert by_path[("input", 8, "arguments")].is_json
    assert by_path[("tools", 1, "authorization")].text == SECRET
    assert by_path[("tools", 1, "authorization")].kind is SegmentKind.CREDENTIAL
    assert by_path[("tools", 1, "headers", "X-Api-Key")].kind is SegmentKind.CREDENTIAL
    assert by_path[("tools", 1, "server_url")].kind is SegmentKind.OTHER
    assert by_path[("tools", 1, "headers", "X-Api-Key")].text == SECRET
    assert ("tools", 0, "parameters", "properties", "to", "enum", 0) in by_path
    assert ("text", "format", "schema", "description") in by_path
    assert ("prompt", "variables", "doc", "text") in by_path
    assert ("input", 12, "content", 0, "filename") in by_path
    assert by_path[("client_metadata", "session")].kind is SegmentKind.OTHER
    # Opaque: never read, never rewritten.
    assert all("gAAAAB" not in t for t in texts)
    # Identifiers are not text.
    assert ("input", 2, "name") not in by_path and ("input", 2, "call_id") not in by_path
    assert sorted(part.type for part in found.non_text_parts) == ["file", "image_url"]
    assert found.store is False and not found.chained


def test_redacted_body_keeps_arguments_valid_json_and_leaks_nothing() -> None:
    body = _agent_body()
    found = extract_responses_segments(body)
    redactor = Redactor()
    spans = {}
    for segment in found.segments:
        marks = []
        for value, entity in (
            (NAME, "PERSON"),
            (EMAIL, "EMAIL_ADDRESS"),
            (PHONE, "PHONE_NUMBER"),
            (SECRET, "SECRET"),
        ):
            start = segment.text.find(value)
            while start != -1:
                marks.append((start, start + len(value), entity))
                start = segment.text.find(value, start + len(value))
        if marks:
            spans[segment.path] = marks
    out = apply_replacements(body, redactor.redact_segments(found.segments, spans))
    wire = json.dumps(out, ensure_ascii=False)
    for value in (NAME, EMAIL, PHONE, SECRET):
        assert value not in wire
    assert json.loads(out["input"][2]["arguments"])["to"] == "<EMAIL_ADDRESS_1>"
    # One value, one placeholder, across instructions, history, tools and metadata.
    assert out["instructions"] == "You help <PERSON_1>."
    assert out["metadata"]["ticket"] == "<PERSON_1>'s ticket"
    assert out["input"][7]["encrypted_content"] == "gAAAAB-opaque=="
    assert body["input"][0]["content"].startswith("Mail " + EMAIL)  # the original is untouched


def test_a_plain_string_input_and_a_chain() -> None:
    found = extract_responses_segments(
        {"model": "m", "input": f"hello {NAME}", "previous_response_id": "resp_abc", "stream": True}
    )
    assert [s.text for s in found.segments] == [f"hello {NAME}"]
    assert found.previous_response_id == "resp_abc" and found.chained and found.stream
    conv = extract_responses_segments(
        {"model": "m", "input": "x", "conversation": {"id": "conv_1"}}
    )
    assert conv.conversation == "conv_1"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "m", "input": "x", "notes": NAME}, "$.notes"),
        ({"input": "x"}, "$.model"),
        ({"model": "m", "input": 3}, "$.input"),
        ({"model": "m", "input": [{"type": "mystery", "text": NAME}]}, "$.input[0].type"),
        (
            {"model": "m", "input": [{"role": "user", "content": "x", "extra": NAME}]},
            "$.input[0].extra",
        ),
        ({"model": "m", "input": [{"role": "boss", "content": "x"}]}, "$.input[0].role"),
        (
            {
                "model": "m",
                "input": [
                    {"role": "user", "content": [{"type": "input_text", "text": "x", "note": NAME}]}
                ],
            },
            "$.input[0].content[0].note",
        ),
        (
            {
                "model": "m",
                "input": [
                    {"type": "function_call", "call_id": NAME, "name": "f", "arguments": "{}"}
                ],
            },
            "$.input[0].call_id",
        ),
        (
            {
                "model": "m",
                "input": "x",
                "tools": [{"type": "function", "name": "f", "secret_notes": NAME}],
            },
            "$.tools[0].secret_notes",
        ),
        ({"model": "m", "input": "x", "tools": [{"type": "teleport"}]}, "$.tools[0].type"),
        ({"model": "m", "input": "x", "reasoning": {"effort": NAME}}, "$.reasoning.effort"),
        ({"model": "m", "input": "x", "temperature": "hot"}, "$.temperature"),
        (
            {"model": "m", "input": "x", "previous_response_id": "r", "conversation": "c"},
            "$.conversation",
        ),
        ({"model": "m", "input": "x", "metadata": {"k": 1}}, "$.metadata.k"),
        ({"model": "m", "input": "\ud800"}, "$.input"),
    ],
)
def test_bad_input_is_refused_naming_the_path_never_the_value(body: dict, param: str) -> None:
    with pytest.raises(PayloadError) as caught:
        extract_responses_segments(body)
    assert caught.value.param == param
    assert caught.value.status == 400
    assert NAME not in str(caught.value)
