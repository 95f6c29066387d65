"""Restoring Anthropic Messages replies, whole and event by event, and translating them to and
from OpenAI chat: unit level (the end-to-end tests are in test_messages_gateway.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from privacy_guard.messages.reply import MessageEvents, restore_message
from privacy_guard.messages.translate import chat_request, message_events, message_reply
from privacy_guard.redact import Redactor

ODD = 'Zoë "Q" \\ Quux-Ø7'  # a quote, a backslash, non-ASCII


def redactor_for(*values: str) -> tuple[Redactor, list[str]]:
    redactor = Redactor()
    placeholders = [redactor.redact(value, [(0, len(value), "PERSON")]) for value in values]
    return redactor, placeholders


def test_whole_message_restored_but_thinking() -> None:
    redactor, (ph,) = redactor_for(ODD)
    message = {
        "type": "message",
        "model": "claude-sonnet-4",
        "content": [
            {"type": "thinking", "thinking": f"about {ph}", "signature": "c2ln"},
            {"type": "text", "text": f"Hello {ph}"},
            {
                "type": "tool_use",
                "id": "toolu_1",
                "name": "crm",
                "input": {"who": ph, "id": ph, "type": [ph], "nested": {"signature": ph}},
            },
        ],
    }
    out = restore_message(redactor, message, "claude-sonnet")
    assert out["model"] == "claude-sonnet"
    assert out["content"][0]["thinking"] == f"about {ph}"  # signed: unchanged
    assert out["content"][1]["text"] == f"Hello {ODD}"
    # Inside a tool's input every key is the tool's: all restored.
    assert out["content"][2]["input"] == {
        "who": ODD,
        "id": ODD,
        "type": [ODD],
        "nested": {"signature": ODD},
    }
    assert out["content"][2]["id"] == "toolu_1"


def _stream(index: int, delta_type: str, field: str, text: str, size: int) -> list[dict[str, Any]]:
    return [
        {
            "type": "content_block_delta",
            "index": index,
            "delta": {"type": delta_type, field: text[i : i + size]},
        }
        for i in range(0, len(text), size)
    ]


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=1, max_value=12), stop=st.booleans())
def test_events_restored_across_any_split(size: int, stop: bool) -> None:
    redactor, (ph,) = redactor_for(ODD)
    text = f"Dear {ph}, your file is ready <no> {ph}<"
    arguments = json.dumps({"who": ph, "note": f"for {ph}"})
    events = [
        {"type": "message_start", "message": {"model": "x", "content": []}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        *_stream(0, "text_delta", "text", text, size),
        {"type": "content_block_stop", "index": 0},
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "t", "name": "n", "input": {}},
        },
        *_stream(1, "input_json_delta", "partial_json", arguments, size),
    ]
    if stop:
        events += [{"type": "content_block_stop", "index": 1}, {"type": "message_stop"}]
    restorer = MessageEvents(redactor, "claude-sonnet")
    out: list[dict[str, Any]] = []
    for event in events:
        got = restorer.restore(event)
        out += got
        # Nothing is held back beyond a possible placeholder's tail.
        assert all(s.held_length < len(ph) for s in restorer._streams.values())
    out += restorer.finish()
    assert out[0]["message"]["model"] == "claude-sonnet"
    deltas = [e for e in out if e["type"] == "content_block_delta"]
    assert "".join(d["delta"].get("text", "") for d in deltas if d["index"] == 0) == (
        f"Dear {ODD}, your file is ready <no> {ODD}<"
    )
    partial = "".join(d["delta"].get("partial_json", "") for d in deltas if d["index"] == 1)
    assert json.loads(partial) == {"who": ODD, "note": f"for {ODD}"}
    # Held text comes before its block's stop.
    for position, event in enumerate(out):
        if event["type"] == "content_block_stop":
            assert not any(
                e["type"] == "content_block_delta" and e["index"] == event["index"]
                for e in out[position:]
            )


def test_thinking_and_signature_deltas_pass_unchanged() -> None:
    redactor, (ph,) = redactor_for(ODD)
    restorer = MessageEvents(redactor, "m")
    thinking = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "thinking_delta", "thinking": f"{ph}"},
    }
    signature = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "signature_delta", "signature": "c2ln"},
    }
    assert restorer.restore(json.loads(json.dumps(thinking))) == [thinking]
    assert restorer.restore(json.loads(json.dumps(signature))) == [signature]
    for other in ({"type": "ping"}, {"type": "message_delta", "delta": {"stop_reason": "x"}}):
        assert restorer.restore(dict(other)) == [other]


# -- translation ---------------------------------------------------------------------------------


def test_messages_request_to_chat() -> None:
    body = {
        "model": "m",
        "max_tokens": 50,
        "system": [{"type": "text", "text": "Be brief."}],
        "stop_sequences": ["END"],
        "tool_choice": {"type": "any"},
        "tools": [
            {"name": "read", "description": "Read a file", "input_schema": {"type": "object"}},
            {"type": "web_search_20250305", "name": "web_search"},
        ],
        "messages": [
            {"role": "user", "content": "Read a.txt"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "t", "signature": "s"},
                    {"type": "text", "text": "Reading."},
                    {
                        "type": "tool_use",
                        "id": "toolu_1",
                        "name": "read",
                        "input": {"path": "a.txt"},
                    },
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_1",
                        "content": [{"type": "text", "text": "hello"}],
                    },
                    {"type": "text", "text": "Summarise."},
                ],
            },
        ],
        "stream": True,
    }
    chat = chat_request(body)
    assert chat["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Read a.txt"},
        {
            "role": "assistant",
            "content": "Reading.",
            "tool_calls": [
                {
                    "id": "toolu_1",
                    "type": "function",
                    "function": {"name": "read", "arguments": '{"path": "a.txt"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "toolu_1", "content": "hello"},
        {"role": "user", "content": "Summarise."},
    ]
    # Server tools run at Anthropic: not sent to a chat model.
    assert [t["function"]["name"] for t in chat["tools"]] == ["read"]
    assert chat["tool_choice"] == "required" and chat["stop"] == ["END"]
    assert chat["max_tokens"] == 50 and chat["stream"] is True


def test_chat_reply_to_message() -> None:
    chat = {
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "content": "Let me read it.",
                    "tool_calls": [
                        {"id": "c1", "function": {"name": "read", "arguments": '{"p": 1}'}}
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 9, "completion_tokens": 4},
    }
    message = message_reply(chat, "local-llama")
    assert message["content"] == [
        {"type": "text", "text": "Let me read it."},
        {"type": "tool_use", "id": "c1", "name": "read", "input": {"p": 1}},
    ]
    assert message["stop_reason"] == "tool_use"
    assert message["usage"] == {"input_tokens": 9, "output_tokens": 4}


def test_chat_chunks_to_events() -> None:
    chunks = [
        {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
        {"choices": [{"index": 0, "delta": {"content": "Hi "}}]},
        {"choices": [{"index": 0, "delta": {"content": "there"}}]},
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "c1",
                                "function": {"name": "read", "arguments": '{"p"'},
                            }
                        ]
                    },
                }
            ]
        },
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]},
                }
            ]
        },
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
    ]

    async def source() -> AsyncIterator[dict[str, Any]]:
        for chunk in chunks:
            yield chunk

    async def collect() -> list[dict[str, Any]]:
        return [event async for event in message_events(source(), "local-llama")]

    events = asyncio.run(collect())
    assert [e["type"] for e in events] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert events[5]["content_block"]["name"] == "read"
    partial = "".join(e["delta"].get("partial_json", "") for e in events[6:8])
    assert json.loads(partial) == {"p": 1}
    assert events[-2]["delta"]["stop_reason"] == "tool_use"
