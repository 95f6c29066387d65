"""Text segments in and out of OpenAI-style bodies: extraction, strict validation, replacement."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy_guard.errors import PayloadError, PrivacyGuardError
from privacy_guard.payloads import (
    NonTextPart,
    Route,
    Segment,
    SegmentKind,
    apply_replacements,
    extract_request_segments,
    map_response_texts,
    parse_route,
    response_text_paths,
    response_texts,
)

CHAT = "/v1/chat/completions"
fake = Faker(["en_US", "fr_FR"])
Faker.seed(4)
NAME = fake.name()
EMAIL = fake.email()
# A value that must never show up in an error message, whatever the error.
SECRET = f"{NAME} <{EMAIL}> sk-live-do-not-echo"


def chat(*messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": list(messages), **extra}


def texts(result: Any) -> dict[tuple, tuple[str, SegmentKind]]:
    return {s.path: (s.text, s.kind) for s in result.segments}


# ------------------------------------------------------------------ chat extraction


def test_string_contents_and_roles_in_body_order() -> None:
    body = chat(
        {"role": "system", "content": "Be brief."},
        {"role": "developer", "content": "Answer in French."},
        {"role": "user", "content": f"I am {NAME}"},
        {"role": "assistant", "content": "Bonjour"},
    )
    result = extract_request_segments(CHAT, body)
    assert result.route is Route.CHAT
    assert result.model == "gpt-4o-mini"
    assert result.stream is False
    assert [(s.path, s.text, s.kind) for s in result.segments] == [
        (("messages", 0, "content"), "Be brief.", SegmentKind.SYSTEM),
        (("messages", 1, "content"), "Answer in French.", SegmentKind.SYSTEM),
        (("messages", 2, "content"), f"I am {NAME}", SegmentKind.USER),
        (("messages", 3, "content"), "Bonjour", SegmentKind.ASSISTANT),
    ]
    assert result.non_text_parts == ()


def test_content_parts_text_and_non_text() -> None:
    body = chat(
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Look at this"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
                {"type": "file", "file": {"file_id": "f1", "filename": f"{NAME} CV.pdf"}},
                {"type": "text", "text": f"mail {EMAIL}"},
            ],
        }
    )
    result = extract_request_segments(CHAT, body)
    assert texts(result) == {
        ("messages", 0, "content", 0, "text"): ("Look at this", SegmentKind.USER),
        ("messages", 0, "content", 3, "file", "filename"): (f"{NAME} CV.pdf", SegmentKind.USER),
        ("messages", 0, "content", 4, "text"): (f"mail {EMAIL}", SegmentKind.USER),
    }
    assert result.non_text_parts == (
        NonTextPart(("messages", 0, "content", 1), "image_url"),
        NonTextPart(("messages", 0, "content", 2), "input_audio"),
        NonTextPart(("messages", 0, "content", 3), "file"),
    )
    assert result.non_text_counts == {"image_url": 1, "input_audio": 1, "file": 1}


def test_names_tool_calls_tool_results_and_legacy_functions() -> None:
    arguments = json.dumps({"to": EMAIL, "name": NAME})
    body = chat(
        {"role": "user", "name": "jdupont", "content": "send it"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "mail", "arguments": arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": f"sent to {EMAIL}"},
        {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "done"}]},
        {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}},
        {"role": "function", "name": "f", "content": "result"},
        {"role": "assistant", "content": "", "refusal": "I cannot"},
    )
    found = texts(extract_request_segments(CHAT, body))
    assert found == {
        ("messages", 0, "content"): ("send it", SegmentKind.USER),
        ("messages", 0, "name"): ("jdupont", SegmentKind.USER),
        ("messages", 1, "tool_calls", 0, "function", "arguments"): (
            arguments,
            SegmentKind.TOOL_CALL_ARGUMENTS,
        ),
        ("messages", 2, "content"): (f"sent to {EMAIL}", SegmentKind.TOOL),
        ("messages", 3, "content", 0, "text"): ("done", SegmentKind.TOOL),
        ("messages", 4, "function_call", "arguments"): ("{}", SegmentKind.TOOL_CALL_ARGUMENTS),
        ("messages", 5, "content"): ("result", SegmentKind.TOOL),
        ("messages", 5, "name"): ("f", SegmentKind.TOOL),
        ("messages", 6, "refusal"): ("I cannot", SegmentKind.ASSISTANT),
    }
    segments = extract_request_segments(CHAT, body).segments
    assert [s.is_json for s in segments].count(True) == 2


def test_tool_definitions_prose_only_not_names() -> None:
    parameters = {
        "type": "object",
        "title": "Lookup",
        "properties": {
            "who": {"type": "string", "description": f"e.g. {NAME}"},
            # A property *named* like a keyword is a schema, not prose.
            "default": {"type": "string", "description": "fallback"},
            "description": {"type": "string"},
            "city": {"type": "string", "enum": ["Lyon", "Genève", 3]},
            "contact": {
                "type": "object",
                "properties": {"mail": {"type": "string", "default": EMAIL}},
                "examples": [{"mail": "a@b.c"}],
            },
        },
        "required": ["who"],
    }
    body = chat(
        {"role": "user", "content": "hi"},
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "lookup",
                    "description": "Find someone",
                    "parameters": parameters,
                },
            }
        ],
        functions=[{"name": "old", "description": "legacy", "parameters": {"type": "object"}}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "out", "schema": {"description": "the answer"}},
        },
    )
    found = texts(extract_request_segments(CHAT, body))
    tool = ("tools", 0, "function")
    props = (*tool, "parameters", "properties")
    kind = SegmentKind.TOOL_DEFINITION
    assert found == {
        ("messages", 0, "content"): ("hi", SegmentKind.USER),
        (*tool, "description"): ("Find someone", kind),
        (*tool, "parameters", "title"): ("Lookup", kind),
        (*props, "who", "description"): (f"e.g. {NAME}", kind),
        (*props, "default", "description"): ("fallback", kind),
        (*props, "city", "enum", 0): ("Lyon", kind),
        (*props, "city", "enum", 1): ("Genève", kind),
        (*props, "contact", "properties", "mail", "default"): (EMAIL, kind),
        (*props, "contact", "examples", 0, "mail"): ("a@b.c", kind),
        ("functions", 0, "description"): ("legacy", kind),
        ("response_format", "json_schema", "schema", "description"): ("the answer", kind),
    }


def test_other_free_text_fields() -> None:
    body = chat(
        {"role": "user", "content": "hi"},
        user=EMAIL,
        metadata={"customer": NAME},
        stop=["END", ""],
        prediction={"type": "content", "content": "draft"},
    )
    found = texts(extract_request_segments(CHAT, body))
    assert found[("user",)] == (EMAIL, SegmentKind.OTHER)
    assert found[("metadata", "customer")] == (NAME, SegmentKind.OTHER)
    assert found[("stop", 0)] == ("END", SegmentKind.OTHER)
    assert found[("prediction", "content")] == ("draft", SegmentKind.OTHER)
    assert ("stop", 1) not in found  # empty strings: nothing to inspect


def test_stream_model_and_route_normalisation() -> None:
    body = chat({"role": "user", "content": "hi"}, stream=True, n=2)
    result = extract_request_segments(CHAT + "/", body)
    assert result.stream is True
    nulls = chat({"role": "user", "content": "hi"}, stream=None, n=None)
    assert extract_request_segments(CHAT, nulls).stream is False  # null: the default
    assert parse_route("/v1/embeddings/") is Route.EMBEDDINGS
    assert extract_request_segments(Route.MODELS, None).segments == ()
    with pytest.raises(PayloadError) as caught:
        parse_route("/v1/assistants")
    assert caught.value.status == 404


# ------------------------------------------------------------ completions, embeddings


@pytest.mark.parametrize(
    ("prompt", "segments", "opaque"),
    [
        (f"Dear {NAME}", {("prompt",): f"Dear {NAME}"}, []),
        (["a", "", "b"], {("prompt", 0): "a", ("prompt", 2): "b"}, []),
        ([1, 2, 3], {}, [("prompt",)]),
        ([[1, 2], "x", [3]], {("prompt", 1): "x"}, [("prompt", 0), ("prompt", 2)]),
        ([], {}, []),
    ],
)
def test_completions_prompt(prompt: Any, segments: dict, opaque: list) -> None:
    body = {"model": "m", "prompt": prompt, "suffix": "end"}
    result = extract_request_segments("/v1/completions", body)
    assert {s.path: s.text for s in result.segments} == {**segments, ("suffix",): "end"}
    assert all(s.kind is SegmentKind.PROMPT for s in result.segments)
    assert [p.path for p in result.non_text_parts] == opaque
    assert all(p.type == "token_ids" for p in result.non_text_parts)


@pytest.mark.parametrize(
    ("value", "segments", "opaque"),
    [
        (NAME, {("input",): NAME}, 0),
        ([NAME, EMAIL], {("input", 0): NAME, ("input", 1): EMAIL}, 0),
        ([5, 6], {}, 1),
        ([[5], [6]], {}, 2),
    ],
)
def test_embeddings_input(value: Any, segments: dict, opaque: int) -> None:
    result = extract_request_segments("/v1/embeddings", {"model": "e", "input": value})
    assert {s.path: s.text for s in result.segments} == segments
    assert all(s.kind is SegmentKind.INPUT for s in result.segments)
    assert len(result.non_text_parts) == opaque


# ------------------------------------------------------------------- bad payloads


def _deep(levels: int) -> Any:
    node: Any = SECRET
    for _ in range(levels):
        node = {"description": "x", "items": node}
    return node


BAD: list[tuple[str, str, Any, str]] = [
    # (id, route, body, path expected in the message)
    ("body-array", CHAT, [SECRET], "$"),
    ("body-string", CHAT, SECRET, "$"),
    ("model-missing", CHAT, {"messages": [{"role": "user", "content": SECRET}]}, "$.model"),
    ("model-array", CHAT, {"model": [SECRET], "messages": []}, "$.model"),
    ("model-empty", CHAT, {"model": "", "messages": []}, "$.model"),
    ("messages-missing", CHAT, {"model": "m", "prompt": SECRET}, "$.messages"),
    ("messages-string", CHAT, {"model": "m", "messages": SECRET}, "$.messages"),
    ("messages-empty", CHAT, chat(), "$.messages"),
    ("message-string", CHAT, chat(SECRET), "$.messages[0]"),
    ("role-missing", CHAT, chat({"content": SECRET}), "$.messages[0].role"),
    ("role-unknown", CHAT, chat({"role": SECRET, "content": "x"}), "$.messages[0].role"),
    (
        "content-object",
        CHAT,
        chat({"role": "user", "content": {"t": SECRET}}),
        "$.messages[0].content",
    ),
    ("content-number", CHAT, chat({"role": "user", "content": 42}), "$.messages[0].content"),
    ("content-null-user", CHAT, chat({"role": "user", "content": None}), "$.messages[0].content"),
    (
        "part-string",
        CHAT,
        chat({"role": "user", "content": [SECRET]}),
        "$.messages[0].content[0]",
    ),
    (
        "part-unknown-type",
        CHAT,
        chat({"role": "user", "content": [{"type": "secret_text", "secret_text": SECRET}]}),
        "$.messages[0].content[0].type",
    ),
    (
        "part-image-in-prediction",
        CHAT,
        chat(
            {"role": "user", "content": "x"},
            prediction={"content": [{"type": "image_url", "image_url": {"url": SECRET}}]},
        ),
        "$.prediction.content[0].type",
    ),
    (
        "text-part-not-string",
        CHAT,
        chat({"role": "user", "content": [{"type": "text", "text": [SECRET]}]}),
        "$.messages[0].content[0].text",
    ),
    ("name-number", CHAT, chat({"role": "user", "content": "x", "name": 7}), "$.messages[0].name"),
    (
        "tool-calls-object",
        CHAT,
        chat({"role": "assistant", "content": None, "tool_calls": {"a": SECRET}}),
        "$.messages[0].tool_calls",
    ),
    (
        "arguments-object",
        CHAT,
        chat(
            {
                "role": "assistant",
                "tool_calls": [{"function": {"name": "f", "arguments": {"to": SECRET}}}],
            }
        ),
        "$.messages[0].tool_calls[0].function.arguments",
    ),
    ("tools-object", CHAT, chat({"role": "user", "content": "x"}, tools={"a": SECRET}), "$.tools"),
    (
        "too-deep",
        CHAT,
        chat({"role": "user", "content": "x"}, tools=[{"function": {"parameters": _deep(40)}}]),
        "$.tools[0].function.parameters" + ".items" * 28,
    ),
    ("n-zero", CHAT, chat({"role": "user", "content": SECRET}, n=0), "$.n"),
    ("n-negative", CHAT, chat({"role": "user", "content": SECRET}, n=-1), "$.n"),
    ("n-string", CHAT, chat({"role": "user", "content": SECRET}, n="2"), "$.n"),
    ("n-bool", CHAT, chat({"role": "user", "content": SECRET}, n=True), "$.n"),
    ("n-float", CHAT, chat({"role": "user", "content": SECRET}, n=1.5), "$.n"),
    ("stream-string", CHAT, chat({"role": "user", "content": SECRET}, stream="true"), "$.stream"),
    ("stream-int", CHAT, chat({"role": "user", "content": SECRET}, stream=1), "$.stream"),
    ("user-object", CHAT, chat({"role": "user", "content": "x"}, user={"e": SECRET}), "$.user"),
    (
        "metadata-value",
        CHAT,
        chat({"role": "user", "content": "x"}, metadata={"k": [SECRET]}),
        "$.metadata.k",
    ),
    (
        "lone-surrogate",
        CHAT,
        chat({"role": "user", "content": SECRET + "\ud800"}),
        "$.messages[0].content",
    ),
    ("prompt-missing", "/v1/completions", {"model": "m", "input": SECRET}, "$.prompt"),
    ("prompt-object", "/v1/completions", {"model": "m", "prompt": {"p": SECRET}}, "$.prompt"),
    ("prompt-mixed", "/v1/completions", {"model": "m", "prompt": [SECRET, 3]}, "$.prompt[1]"),
    ("prompt-bool-tokens", "/v1/completions", {"model": "m", "prompt": [[True]]}, "$.prompt[0]"),
    ("input-missing", "/v1/embeddings", {"model": "m", "prompt": SECRET}, "$.input"),
    ("input-number", "/v1/embeddings", {"model": "m", "input": 3.5}, "$.input"),
    ("input-nested", "/v1/embeddings", {"model": "m", "input": [[SECRET]]}, "$.input[0]"),
]


@pytest.mark.parametrize(("route", "body", "path"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_payload_names_path_never_value(route: str, body: Any, path: str) -> None:
    with pytest.raises(PayloadError) as caught:
        extract_request_segments(route, body)
    error = caught.value
    message = str(error)
    assert message.startswith(path + ": "), message
    assert error.param == path
    assert error.status == 400
    assert isinstance(error, PrivacyGuardError)
    for leaked in (SECRET, NAME, EMAIL, "sk-live"):
        assert leaked not in message
        assert leaked not in repr(error)


def test_too_many_segments_is_configurable() -> None:
    body = chat(*({"role": "user", "content": f"{SECRET} {i}"} for i in range(6)))
    assert len(extract_request_segments(CHAT, body, max_segments=6).segments) == 6
    with pytest.raises(PayloadError) as caught:
        extract_request_segments(CHAT, body, max_segments=5)
    assert str(caught.value).startswith("$.messages[5].content: too many text segments")
    assert SECRET not in str(caught.value)


def test_depth_limit_boundary() -> None:
    # body (1) > tools (2) > tool (3) > function (4) > parameters (5): 27 levels more fit.
    def body(levels: int) -> dict[str, Any]:
        tool = {"function": {"parameters": _deep(levels)}}
        return chat({"role": "user", "content": "x"}, tools=[tool])

    extract_request_segments(CHAT, body(28))
    with pytest.raises(PayloadError, match="nested deeper than 32 levels"):
        extract_request_segments(CHAT, body(29))


def test_free_text_keys_are_not_spelled_out_in_error_paths() -> None:
    body = chat({"role": "user", "content": "x"}, metadata={EMAIL: 3})
    with pytest.raises(PayloadError) as caught:
        extract_request_segments(CHAT, body)
    assert str(caught.value).startswith("$.metadata[…]: expected a string")
    assert EMAIL not in str(caught.value)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["role", "content", "type", "text", "name", "messages", "tool_calls"])
            | st.text(max_size=5),
            children,
            max_size=4,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(
    route=st.sampled_from([CHAT, "/v1/completions", "/v1/embeddings"]),
    body=st.fixed_dictionaries(
        {"model": st.just("m")},
        optional={
            "messages": JSON_VALUES,
            "prompt": JSON_VALUES,
            "input": JSON_VALUES,
            "tools": JSON_VALUES,
            "stream": JSON_VALUES,
        },
    )
    | JSON_VALUES,
)
def test_arbitrary_json_gives_segments_or_payload_error(route: str, body: Any) -> None:
    try:
        result = extract_request_segments(route, body)
    except PayloadError:
        return
    # Whatever was accepted can be written back at the very paths it was read from.
    replaced = apply_replacements(body, {s.path: s.text.upper() for s in result.segments})
    again = extract_request_segments(route, replaced)
    assert [s.path for s in again.segments] == [s.path for s in result.segments]


def test_segment_repr_hides_text() -> None:
    segment = Segment(("messages", 0, "content"), SECRET, SegmentKind.USER)
    assert SECRET not in repr(segment)
    assert NAME not in str(segment)


# ------------------------------------------------------------------- replacements


def test_apply_replacements_copies_deeply() -> None:
    body = chat(
        {"role": "user", "content": [{"type": "text", "text": f"I am {NAME}"}]},
        {"role": "user", "content": "untouched"},
    )
    original = copy.deepcopy(body)
    path = ("messages", 0, "content", 0, "text")
    result = apply_replacements(body, {path: "I am <PERSON_1>"})
    assert result["messages"][0]["content"][0]["text"] == "I am <PERSON_1>"
    assert body == original
    # No container is shared: editing the copy later cannot reach the original.
    result["messages"][1]["content"] = "changed"
    result["messages"].append({})
    assert body == original


@pytest.mark.parametrize(
    "path",
    [
        ("messages", 5, "content"),
        ("messages", 0, "missing"),
        ("messages", "0", "content"),
        ("messages", 0),  # an object, not a string
        ("model", "x"),
        (),
    ],
)
def test_apply_replacements_rejects_paths_that_are_not_strings(path: tuple) -> None:
    with pytest.raises(KeyError):
        apply_replacements(chat({"role": "user", "content": "x"}), {path: "y"})


# ------------------------------------------------------------------ response side


def test_full_chat_response_texts() -> None:
    body = {
        "id": "r1",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Hello <PERSON_1>",
                    "tool_calls": [
                        {"id": "t", "function": {"name": "f", "arguments": '{"a": "<PERSON_1>"}'}}
                    ],
                },
            },
            {
                "index": 1,
                "message": {"content": None, "refusal": "no", "function_call": {"arguments": "{}"}},
            },
            {"index": 2, "message": {"content": [{"type": "text", "text": "part"}]}},
        ],
    }
    found = {(t.path, t.stream_key, t.is_json) for t in response_texts(CHAT, body)}
    assert found == {
        (("choices", 0, "message", "content"), (0, "content"), False),
        (
            ("choices", 0, "message", "tool_calls", 0, "function", "arguments"),
            (0, "tool_calls", 0),
            True,
        ),
        (("choices", 1, "message", "refusal"), (1, "refusal"), False),
        (("choices", 1, "message", "function_call", "arguments"), (1, "function_call"), True),
        (("choices", 2, "message", "content", 0, "text"), (2, "content"), False),
    }


def test_stream_chunk_keys_come_from_index_fields() -> None:
    chunk = {
        "choices": [
            {
                "index": 3,
                "delta": {
                    "content": "<PER",
                    "reasoning_content": "think",
                    "tool_calls": [{"index": 2, "function": {"arguments": '{"x'}}],
                },
                "finish_reason": None,
            }
        ]
    }
    found = {t.path: t.stream_key for t in response_texts(CHAT, chunk)}
    assert found == {
        ("choices", 0, "delta", "content"): (3, "content"),
        ("choices", 0, "delta", "reasoning_content"): (3, "reasoning_content"),
        ("choices", 0, "delta", "tool_calls", 0, "function", "arguments"): (3, "tool_calls", 2),
    }


def test_completions_and_embeddings_responses() -> None:
    body = {"choices": [{"index": 0, "text": "Dear <PERSON_1>"}, {"index": 1, "text": ""}]}
    assert response_text_paths("/v1/completions", body) == (("choices", 0, "text"),)
    assert response_text_paths("/v1/embeddings", {"data": [{"embedding": [0.1]}]}) == ()


@pytest.mark.parametrize(
    "body",
    [None, [], "text", {"choices": "x"}, {"choices": [None, 3, {"message": "x"}]}],
)
def test_malformed_responses_have_no_texts(body: Any) -> None:
    assert response_texts(CHAT, body) == ()


def test_map_response_texts_returns_a_copy() -> None:
    body = {"choices": [{"index": 0, "message": {"content": "a <PERSON_1>"}}]}
    mapped = map_response_texts(CHAT, body, lambda t: t.text.replace("<PERSON_1>", NAME))
    assert mapped["choices"][0]["message"]["content"] == f"a {NAME}"
    assert body["choices"][0]["message"]["content"] == "a <PERSON_1>"
    untouched = {"object": "list", "data": []}
    assert map_response_texts(CHAT, untouched, lambda t: "x") == untouched
