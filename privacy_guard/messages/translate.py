"""Anthropic Messages ↔ OpenAI chat completions, for a Messages request sent to a target that
does not speak Anthropic's API (a local Ollama / vLLM / llama.cpp model, or an OpenAI one).

The request is already redacted when it is translated, and the reply is translated back before
it is restored, so translation never sees an original value. What has no counterpart is dropped
on the way out, never sent elsewhere: thinking blocks (another model cannot verify them), server
tools (web search, code execution: run by Anthropic, not by a chat model), cache control.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

_STOP_REASONS = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}
_DROPPED_BLOCKS = frozenset({"thinking", "redacted_thinking"})


# -- request -------------------------------------------------------------------------------------


def chat_request(body: Mapping[str, Any]) -> dict[str, Any]:
    """The chat completions body for a (redacted) Messages body."""
    messages: list[dict[str, Any]] = []
    system = body.get("system")
    if system:
        messages.append({"role": "system", "content": _text_of(system)})
    for message in body.get("messages") or []:
        messages.extend(_chat_messages(message))
    out: dict[str, Any] = {"model": body["model"], "messages": messages}
    if body.get("max_tokens") is not None:
        out["max_tokens"] = body["max_tokens"]
    for key in ("temperature", "top_p"):
        if body.get(key) is not None:
            out[key] = body[key]
    if body.get("stop_sequences"):
        out["stop"] = list(body["stop_sequences"])
    tools = [_chat_tool(tool) for tool in body.get("tools") or [] if _is_custom_tool(tool)]
    if tools:
        out["tools"] = tools
        choice = _tool_choice(body.get("tool_choice"))
        if choice is not None:
            out["tool_choice"] = choice
    user = (body.get("metadata") or {}).get("user_id")
    if isinstance(user, str) and user:
        out["user"] = user
    if body.get("stream"):
        out["stream"] = True
    return out


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            parts.append(block.get("text", ""))
        elif block.get("type") == "document":
            source = block.get("source") or {}
            if source.get("type") == "text":
                parts.append(source.get("data", ""))
            elif source.get("type") == "content":
                parts.append(_text_of(source.get("content")))
        elif block.get("type") == "search_result":
            parts.append(_text_of(block.get("content")))
    return "\n".join(part for part in parts if part)


def _chat_messages(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    role = message.get("role")
    content = message.get("content")
    if role == "system":
        return [{"role": "system", "content": _text_of(content)}]
    if isinstance(content, str):
        return [{"role": role, "content": content}]
    if role == "assistant":
        text = _text_of(content)
        calls = [
            {
                "id": block.get("id"),
                "type": "function",
                "function": {
                    "name": block.get("name"),
                    "arguments": json.dumps(block.get("input") or {}, ensure_ascii=False),
                },
            }
            for block in content
            if isinstance(block, dict) and block.get("type") == "tool_use"
        ]
        out: dict[str, Any] = {"role": "assistant", "content": text or None}
        if calls:
            out["tool_calls"] = calls
        return [out]
    # A user turn: tool results become `tool` messages (first, as chat wants them right after
    # the assistant's calls), the rest one user message of parts.
    results: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for block in content or []:
        if not isinstance(block, dict) or block.get("type") in _DROPPED_BLOCKS:
            continue
        kind = block.get("type")
        if kind == "tool_result":
            text = _text_of(block.get("content"))
            call_id = block.get("tool_use_id")
            results.append({"role": "tool", "tool_call_id": call_id, "content": text})
        elif kind == "image":
            url = _image_url(block.get("source") or {})
            if url:
                parts.append({"type": "image_url", "image_url": {"url": url}})
        else:
            text = _text_of([block])
            if text:
                parts.append({"type": "text", "text": text})
    out_messages = results
    if parts:
        if all(part["type"] == "text" for part in parts):
            out_messages.append(
                {"role": "user", "content": "\n".join(part["text"] for part in parts)}
            )
        else:
            out_messages.append({"role": "user", "content": parts})
    return out_messages


def _image_url(source: Mapping[str, Any]) -> str | None:
    if source.get("type") == "base64":
        return f"data:{source.get('media_type')};base64,{source.get('data')}"
    if source.get("type") == "url":
        return source.get("url")
    return None


def _is_custom_tool(tool: Any) -> bool:
    custom = isinstance(tool, dict) and tool.get("type") in (None, "custom")
    return custom and "input_schema" in tool


def _chat_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool["name"], "parameters": tool.get("input_schema") or {}}
    if tool.get("description"):
        function["description"] = tool["description"]
    return {"type": "function", "function": function}


def _tool_choice(choice: Any) -> Any:
    if not isinstance(choice, dict):
        return None
    kind = choice.get("type")
    if kind == "auto":
        return "auto"
    if kind == "any":
        return "required"
    if kind == "none":
        return "none"
    if kind == "tool":
        return {"type": "function", "function": {"name": choice.get("name")}}
    return None


# -- reply ---------------------------------------------------------------------------------------


def message_reply(chat: Mapping[str, Any], model: str) -> dict[str, Any]:
    """The Messages reply for a whole chat completion."""
    choices = chat.get("choices") or [{}]
    choice = choices[0] if isinstance(choices[0], dict) else {}
    message = choice.get("message") or {}
    content: list[dict[str, Any]] = []
    text = message.get("content")
    if isinstance(text, str) and text:
        content.append({"type": "text", "text": text})
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        content.append(
            {
                "type": "tool_use",
                "id": call.get("id") or _new_id("toolu_"),
                "name": function.get("name"),
                "input": _arguments(function.get("arguments")),
            }
        )
    return {
        "id": _new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": _STOP_REASONS.get(choice.get("finish_reason") or "stop", "end_turn"),
        "stop_sequence": None,
        "usage": _usage(chat.get("usage")),
    }


def _arguments(raw: Any) -> Any:
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return {"arguments": raw}  # a model that wrote broken JSON: keep what it said


def _usage(usage: Any) -> dict[str, int]:
    usage = usage if isinstance(usage, dict) else {}
    return {
        "input_tokens": int(usage.get("prompt_tokens") or 0),
        "output_tokens": int(usage.get("completion_tokens") or 0),
    }


def _new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:24]


async def message_events(
    chunks: AsyncIterator[dict[str, Any]], model: str
) -> AsyncIterator[dict[str, Any]]:
    """Messages stream events for a chat completion stream: `message_start`, one block per
    text run or tool call (`content_block_start` / `_delta` / `_stop`), `message_delta` with
    the stop reason and usage, `message_stop`."""
    started = False
    index = -1
    open_kind: str | None = None  # "text" or "tool:<chat tool-call index>"
    stop_reason = "end_turn"
    usage: dict[str, int] = {"input_tokens": 0, "output_tokens": 0}

    def close() -> list[dict[str, Any]]:
        nonlocal open_kind
        if open_kind is None:
            return []
        open_kind = None
        return [{"type": "content_block_stop", "index": index}]

    try:
        async for chunk in chunks:
            if not started:
                started = True
                yield {
                    "type": "message_start",
                    "message": {
                        "id": _new_id("msg_"),
                        "type": "message",
                        "role": "assistant",
                        "model": model,
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": {"input_tokens": 0, "output_tokens": 0},
                    },
                }
            if isinstance(chunk.get("usage"), dict):
                usage = _usage(chunk["usage"])
            for choice in chunk.get("choices") or []:
                if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                    continue  # Messages has one answer
                delta = choice.get("delta") or {}
                text = delta.get("content")
                if isinstance(text, str) and text:
                    if open_kind != "text":
                        for event in close():
                            yield event
                        index += 1
                        open_kind = "text"
                        yield {
                            "type": "content_block_start",
                            "index": index,
                            "content_block": {"type": "text", "text": ""},
                        }
                    yield {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "text_delta", "text": text},
                    }
                for call in delta.get("tool_calls") or []:
                    kind = f"tool:{call.get('index', 0)}"
                    function = call.get("function") or {}
                    if open_kind != kind:
                        for event in close():
                            yield event
                        index += 1
                        open_kind = kind
                        yield {
                            "type": "content_block_start",
                            "index": index,
                            "content_block": {
                                "type": "tool_use",
                                "id": call.get("id") or _new_id("toolu_"),
                                "name": function.get("name") or "",
                                "input": {},
                            },
                        }
                    arguments = function.get("arguments")
                    if isinstance(arguments, str) and arguments:
                        yield {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "input_json_delta", "partial_json": arguments},
                        }
                reason = choice.get("finish_reason")
                if reason:
                    stop_reason = _STOP_REASONS.get(reason, "end_turn")
        for event in close():
            yield event
        if started:
            yield {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": usage["output_tokens"]},
            }
            yield {"type": "message_stop"}
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]


def estimate_tokens(body: Mapping[str, Any]) -> dict[str, int]:
    """count_tokens for a target without Anthropic's endpoint: an estimate (4 characters a
    token), as a local model's server has no counting endpoint."""
    size = len(json.dumps(body.get("messages") or [], ensure_ascii=False))
    size += len(json.dumps(body.get("system") or "", ensure_ascii=False))
    size += len(json.dumps(body.get("tools") or [], ensure_ascii=False))
    return {"input_tokens": max(1, size // 4)}


__all__ = ["chat_request", "estimate_tokens", "message_events", "message_reply"]
