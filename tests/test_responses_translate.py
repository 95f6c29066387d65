"""Responses requests for chat-only targets, and chat replies back as Responses objects/events."""

from __future__ import annotations

import json

import pytest

from privacy_guard.responses.translate import (
    ChatStreamTranslator,
    UntranslatableError,
    from_chat,
    to_chat,
)


def test_a_tool_round_trip_becomes_chat_messages() -> None:
    body = {
        "model": "local",
        "instructions": "Be brief.",
        "input": [
            {"role": "user", "content": [{"type": "input_text", "text": "weather?"}]},
            {
                "type": "message",
                "role": "assistant",
                "id": "m",
                "status": "completed",
                "content": [{"type": "output_text", "text": "Let me look.", "annotations": []}],
            },
            {
                "type": "function_call",
                "call_id": "c1",
                "name": "weather",
                "arguments": '{"city":"Lyon"}',
            },
            {
                "type": "function_call",
                "call_id": "c2",
                "name": "weather",
                "arguments": '{"city":"Nice"}',
            },
            {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
            {
                "type": "function_call_output",
                "call_id": "c2",
                "output": [{"type": "input_text", "text": "rain"}],
            },
            {"type": "reasoning", "id": "rs", "summary": [], "encrypted_content": "x"},
        ],
        "tools": [
            {
                "type": "function",
                "name": "weather",
                "parameters": {"type": "object"},
                "strict": True,
            }
        ],
        "tool_choice": {"type": "function", "name": "weather"},
        "text": {"format": {"type": "json_schema", "name": "a", "schema": {"type": "object"}}},
        "max_output_tokens": 50,
        "temperature": 0.2,
        "store": False,
        "include": ["reasoning.encrypted_content"],
        "stream": True,
        "previous_response_id": None,  # null: as good as absent
        "top_logprobs": 3,
    }
    chat = to_chat(body, "local")
    assert chat["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "weather?"}]},
        {
            "role": "assistant",
            "content": "Let me look.",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city":"Lyon"}'},
                },
                {
                    "id": "c2",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city":"Nice"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
        {"role": "tool", "tool_call_id": "c2", "content": "rain"},
    ]
    assert chat["tools"] == [
        {
            "type": "function",
            "function": {"name": "weather", "parameters": {"type": "object"}, "strict": True},
        }
    ]
    assert chat["tool_choice"] == {"type": "function", "function": {"name": "weather"}}
    assert chat["response_format"]["json_schema"]["name"] == "a"
    assert chat["max_tokens"] == 50 and chat["stream"] is True
    assert "store" not in chat and "include" not in chat


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"previous_response_id": "resp_1"}, "$.previous_response_id"),
        ({"tools": [{"type": "web_search"}]}, "$.tools[0].type"),
        (
            {
                "input": [
                    {
                        "type": "mcp_call",
                        "id": "x",
                        "server_label": "s",
                        "name": "n",
                        "arguments": "{}",
                    }
                ]
            },
            "$.input[0].type",
        ),
        ({"prompt": {"id": "p"}}, "$.prompt"),
    ],
)
def test_what_only_a_responses_provider_can_do_is_refused(change: dict, param: str) -> None:
    with pytest.raises(UntranslatableError) as caught:
        to_chat({"model": "m", "input": "x", **change}, "local-llama")
    assert caught.value.param == param and "local-llama" in str(caught.value)


def test_a_whole_chat_reply_becomes_a_response() -> None:
    chat = {
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": "Calling.",
                    "tool_calls": [
                        {
                            "id": "c9",
                            "type": "function",
                            "function": {"name": "f", "arguments": '{"a":1}'},
                        }
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
    }
    response = from_chat(chat, {"instructions": "i"}, "local-llama")
    assert response["object"] == "response" and response["status"] == "completed"
    assert response["model"] == "local-llama" and response["id"].startswith("resp_pg")
    assert response["output"][0]["content"][0]["text"] == "Calling."
    assert (
        response["output"][1]["call_id"] == "c9" and response["output"][1]["arguments"] == '{"a":1}'
    )
    assert response["usage"]["total_tokens"] == 7


def test_chat_chunks_become_a_complete_event_stream() -> None:
    translator = ChatStreamTranslator({"model": "m"}, "local-llama")
    chunks = [{"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}]
    chunks += [{"choices": [{"index": 0, "delta": {"content": piece}}]} for piece in ("Hel", "lo")]
    chunks.append(
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "c1",
                                "type": "function",
                                "function": {"name": "f", "arguments": ""},
                            }
                        ]
                    },
                }
            ]
        }
    )
    chunks += [
        {
            "choices": [
                {"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": p}}]}}
            ]
        }
        for p in ('{"a"', ":1}")
    ]
    chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})
    events = [e for chunk in chunks for e in translator.feed(chunk)] + translator.finish()
    kinds = [e["type"] for e in events]
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    final = events[-1]["response"]
    assert final["output"][0]["content"][0]["text"] == "Hello"
    assert json.loads(final["output"][1]["arguments"]) == {"a": 1}
    assert final["output"][1]["call_id"] == "c1"
