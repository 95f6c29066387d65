"""A Responses API request for a target that only speaks chat completions (a local vLLM,
llama.cpp or Ollama model the policy reroutes to), and its reply back as a response object or as
Responses stream events.

What translates: `instructions`; `input` as a string or messages (text, images, files, refusals),
`function_call` items (as the assistant's `tool_calls`) and their `function_call_output`s (as
`tool` messages); function `tools` and `tool_choice`; `text.format` (JSON schema or JSON mode);
sampling settings; `stream`. What cannot: the provider's hosted tools (web search, file search,
MCP, code interpreter, computer use, shell, ...), prompt templates (`prompt`), and provider-side
state (`previous_response_id`, `conversation`): a chat model keeps no history, so such a request
is refused with a 400 naming the field and the target (`UntranslatableError`), never sent with
part of it silently dropped. Reasoning items are left out: their sealed content means nothing to
another model. Settings only the provider uses (`include`, `service_tier`, `truncation`,
`prompt_cache_key`, `safety_identifier`, `metadata`, ...) are dropped.

The reply carries a gateway-made id (`resp_pg…`); the response is not stored anywhere, so it
cannot be fetched back (`GET /v1/responses/{id}` answers 404) nor chained.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from privacy_guard.errors import PayloadError

# Responses fields the chat request takes, under its own name.
_SAMPLING = {
    "temperature": "temperature",
    "top_p": "top_p",
    "max_output_tokens": "max_tokens",
    "parallel_tool_calls": "parallel_tool_calls",
}
# Fields that mean nothing to a chat model, dropped.
_DROPPED = frozenset(
    "model stream input instructions tools tool_choice text include service_tier truncation "
    "prompt_cache_key prompt_cache_retention prompt_cache_options safety_identifier user "
    "metadata store reasoning background background_options context_management image "
    "access_programs moderation stream_options max_tool_calls top_logprobs".split()
)
_UNTRANSLATABLE = ("previous_response_id", "conversation", "prompt")


class UntranslatableError(PayloadError):
    """The request uses something only a Responses API provider can do (400)."""

    def __init__(self, path: tuple[str | int, ...], what: str, target: str) -> None:
        super().__init__(
            path,
            f"{what} needs a target that speaks the Responses API; {target!r} is reached through "
            "chat completions",
        )


def to_chat(body: Mapping[str, Any], target: str) -> dict[str, Any]:
    """The chat-completions request for a (validated, redacted) Responses request."""
    for key in _UNTRANSLATABLE:
        if body.get(key) is not None:
            raise UntranslatableError((key,), f"`{key}`", target)
    messages: list[dict[str, Any]] = []
    instructions = body.get("instructions")
    if instructions:
        messages.append({"role": "system", "content": instructions})
    given = body.get("input")
    if isinstance(given, str):
        messages.append({"role": "user", "content": given})
    elif isinstance(given, list):
        for i, item in enumerate(given):
            _item(("input", i), item, messages, target)
    chat: dict[str, Any] = {"model": body["model"], "messages": messages}
    for key, name in _SAMPLING.items():
        if body.get(key) is not None:
            chat[name] = body[key]
    tools = body.get("tools")
    if tools:
        chat["tools"] = [_tool(("tools", i), tool, target) for i, tool in enumerate(tools)]
    choice = body.get("tool_choice")
    if choice is not None:
        chat["tool_choice"] = _tool_choice(choice, target)
    fmt = (body.get("text") or {}).get("format")
    if isinstance(fmt, dict) and fmt.get("type") in ("json_schema", "json_object"):
        if fmt["type"] == "json_object":
            chat["response_format"] = {"type": "json_object"}
        else:
            schema = {k: fmt[k] for k in ("name", "schema", "strict", "description") if k in fmt}
            chat["response_format"] = {"type": "json_schema", "json_schema": schema}
    if body.get("stream"):
        chat["stream"] = True
        chat["stream_options"] = {"include_usage": True}
    for key, value in body.items():
        if value is not None and key not in _DROPPED and key not in _SAMPLING:
            raise UntranslatableError((key,), f"`{key}`", target)
    return chat


def _item(
    path: tuple[str | int, ...], item: Mapping[str, Any], out: list[dict], target: str
) -> None:
    kind = item.get("type") or ("message" if "role" in item else "item_reference")
    if kind == "message":
        out.append(_message(path, item, target))
    elif kind == "function_call":
        call = {
            "id": item.get("call_id") or item.get("id"),
            "type": "function",
            "function": {"name": item.get("name"), "arguments": item.get("arguments") or "{}"},
        }
        last = out[-1] if out else None
        if last is not None and last["role"] == "assistant" and "tool_calls" not in last:
            last["tool_calls"] = [call]  # the text the model said before calling
        elif last is not None and last["role"] == "assistant":
            last["tool_calls"].append(call)
        else:
            out.append({"role": "assistant", "content": None, "tool_calls": [call]})
    elif kind == "function_call_output":
        output = item.get("output")
        out.append(
            {
                "role": "tool",
                "tool_call_id": item.get("call_id"),
                "content": _output(path, output, target),
            }
        )
    elif kind == "reasoning":
        return  # sealed for the provider that made it; nothing another model can use
    else:
        raise UntranslatableError((*path, "type"), f"a `{kind}` item", target)


def _message(path: tuple[str | int, ...], item: Mapping[str, Any], target: str) -> dict[str, Any]:
    role = item["role"]
    content = item.get("content")
    if isinstance(content, str):
        return {"role": role, "content": content}
    parts: list[dict[str, Any]] = []
    refusal = None
    for k, part in enumerate(content or []):
        kind = part.get("type")
        if kind in ("input_text", "output_text"):
            parts.append({"type": "text", "text": part.get("text", "")})
        elif kind == "refusal":
            refusal = part.get("refusal")
        elif kind == "input_image" and part.get("image_url"):
            image: dict[str, Any] = {"url": part["image_url"]}
            if part.get("detail"):
                image["detail"] = part["detail"]
            parts.append({"type": "image_url", "image_url": image})
        elif kind == "input_file":
            file = {k2: part[k2] for k2 in ("file_data", "file_id", "filename") if part.get(k2)}
            parts.append({"type": "file", "file": file})
        else:
            raise UntranslatableError((*path, "content", k, "type"), f"a `{kind}` part", target)
    message: dict[str, Any] = {"role": role}
    if role == "assistant" and all(p["type"] == "text" for p in parts):
        # Assistant turns are plain text in chat; many local servers accept nothing else.
        message["content"] = "".join(p["text"] for p in parts) if parts else None
    else:
        message["content"] = parts
    if refusal is not None:
        message["refusal"] = refusal
    return message


def _output(path: tuple[str | int, ...], output: Any, target: str) -> str:
    if isinstance(output, str):
        return output
    texts = []
    for k, part in enumerate(output or []):
        if part.get("type") != "input_text":
            raise UntranslatableError((*path, "output", k), "a non-text tool output", target)
        texts.append(part.get("text", ""))
    return "".join(texts)


def _tool(path: tuple[str | int, ...], tool: Mapping[str, Any], target: str) -> dict[str, Any]:
    if tool.get("type") != "function":
        raise UntranslatableError((*path, "type"), f"the `{tool.get('type')}` tool", target)
    function = {"name": tool["name"]}
    for key in ("description", "parameters", "strict"):
        if tool.get(key) is not None:
            function[key] = tool[key]
    return {"type": "function", "function": function}


def _tool_choice(choice: Any, target: str) -> Any:
    if isinstance(choice, str):
        return choice
    if isinstance(choice, dict) and choice.get("type") == "function":
        return {"type": "function", "function": {"name": choice.get("name")}}
    raise UntranslatableError(("tool_choice",), "this `tool_choice`", target)


# -- the reply back ------------------------------------------------------------------------------


def new_response_id() -> str:
    return "resp_pg" + uuid.uuid4().hex


def _usage(usage: Any) -> dict[str, Any] | None:
    if not isinstance(usage, dict):
        return None
    prompt = usage.get("prompt_tokens") or 0
    completion = usage.get("completion_tokens") or 0
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": usage.get("total_tokens") or prompt + completion,
    }


def _shell(request: Mapping[str, Any], response_id: str, model: str, status: str) -> dict[str, Any]:
    """The response object's fields that do not depend on the output."""
    return {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "model": model,
        "output": [],
        "error": None,
        "incomplete_details": None,
        "instructions": request.get("instructions"),
        "metadata": request.get("metadata") or {},
        "parallel_tool_calls": request.get("parallel_tool_calls", True),
        "temperature": request.get("temperature"),
        "top_p": request.get("top_p"),
        "tool_choice": request.get("tool_choice", "auto"),
        "tools": request.get("tools") or [],
        "text": request.get("text") or {"format": {"type": "text"}},
        "previous_response_id": None,
        "store": False,
        "usage": None,
    }


def _message_item(item_id: str, text: str, status: str = "completed") -> dict[str, Any]:
    return {
        "type": "message",
        "id": item_id,
        "status": status,
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]
        if status == "completed"
        else [],
    }


def _call_item(
    item_id: str, call_id: str, name: str, arguments: str, status: str = "completed"
) -> dict[str, Any]:
    return {
        "type": "function_call",
        "id": item_id,
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
        "status": status,
    }


def from_chat(chat: Mapping[str, Any], request: Mapping[str, Any], model: str) -> dict[str, Any]:
    """The response object for a whole chat reply to a translated request."""
    choices = chat.get("choices") or [{}]
    choice = choices[0] if isinstance(choices[0], dict) else {}
    message = choice.get("message") or {}
    output: list[dict[str, Any]] = []
    content = message.get("content")
    if isinstance(content, list):
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if content:
        output.append(_message_item("msg_pg" + uuid.uuid4().hex[:24], content))
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        output.append(
            _call_item(
                "fc_pg" + uuid.uuid4().hex[:24],
                call.get("id") or "call_pg" + uuid.uuid4().hex[:24],
                function.get("name", ""),
                function.get("arguments") or "{}",
            )
        )
    incomplete = choice.get("finish_reason") == "length"
    response = _shell(
        request, new_response_id(), model, "incomplete" if incomplete else "completed"
    )
    if incomplete:
        response["incomplete_details"] = {"reason": "max_output_tokens"}
    response["output"] = output
    response["usage"] = _usage(chat.get("usage"))
    return response


class ChatStreamTranslator:
    """Chat-completion chunks in, Responses stream events out (one per stream, in order)."""

    def __init__(self, request: Mapping[str, Any], model: str) -> None:
        self._request = request
        self._response = _shell(request, new_response_id(), model, "in_progress")
        self._sequence = 0
        self._started = False
        self._items: list[dict[str, Any]] = []  # the output items so far, in order
        self._text: dict[str, Any] | None = None  # the open message item
        self._calls: dict[int, dict[str, Any]] = {}  # chat tool-call index -> open call item
        self._finish: str | None = None
        self._usage: Any = None

    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        event = {"type": kind, "sequence_number": self._sequence, **fields}
        self._sequence += 1
        return event

    def _start(self) -> Iterator[dict[str, Any]]:
        if not self._started:
            self._started = True
            yield self._event("response.created", response=dict(self._response))
            yield self._event("response.in_progress", response=dict(self._response))

    def feed(self, chunk: Mapping[str, Any]) -> list[dict[str, Any]]:
        out = list(self._start())
        if chunk.get("usage"):
            self._usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue  # a Responses reply has one answer
            delta = choice.get("delta") or {}
            text = delta.get("content")
            if isinstance(text, str) and text:
                out += self._text_delta(text)
            for call in delta.get("tool_calls") or []:
                out += self._call_delta(call)
            if choice.get("finish_reason"):
                self._finish = choice["finish_reason"]
        return out

    def _text_delta(self, text: str) -> Iterator[dict[str, Any]]:
        if self._text is None:
            item_id = "msg_pg" + uuid.uuid4().hex[:24]
            self._text = {"id": item_id, "index": len(self._items), "text": []}
            self._items.append(self._text)
            index = self._text["index"]
            yield self._event(
                "response.output_item.added",
                output_index=index,
                item=_message_item(item_id, "", "in_progress"),
            )
            part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
            yield self._event(
                "response.content_part.added",
                item_id=item_id,
                output_index=index,
                content_index=0,
                part=part,
            )
        self._text["text"].append(text)
        yield self._event(
            "response.output_text.delta",
            item_id=self._text["id"],
            output_index=self._text["index"],
            content_index=0,
            delta=text,
            logprobs=[],
        )

    def _call_delta(self, call: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        position = call.get("index", 0)
        open_call = self._calls.get(position)
        function = call.get("function") or {}
        if open_call is None:
            yield from self._close_text()
            open_call = {
                "id": "fc_pg" + uuid.uuid4().hex[:24],
                "call_id": call.get("id") or "call_pg" + uuid.uuid4().hex[:24],
                "name": function.get("name") or "",
                "index": len(self._items),
                "arguments": [],
            }
            self._calls[position] = open_call
            self._items.append(open_call)
            item = _call_item(
                open_call["id"], open_call["call_id"], open_call["name"], "", "in_progress"
            )
            yield self._event(
                "response.output_item.added", output_index=open_call["index"], item=item
            )
        arguments = function.get("arguments")
        if isinstance(arguments, str) and arguments:
            open_call["arguments"].append(arguments)
            yield self._event(
                "response.function_call_arguments.delta",
                item_id=open_call["id"],
                output_index=open_call["index"],
                delta=arguments,
            )

    def _close_text(self) -> Iterator[dict[str, Any]]:
        item = self._text
        if item is None or item.get("closed"):
            return
        item["closed"] = True
        text = "".join(item["text"])
        where = {"item_id": item["id"], "output_index": item["index"], "content_index": 0}
        yield self._event("response.output_text.done", **where, text=text, logprobs=[])
        part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
        yield self._event("response.content_part.done", **where, part=part)
        yield self._event(
            "response.output_item.done",
            output_index=item["index"],
            item=_message_item(item["id"], text),
        )

    def finish(self) -> list[dict[str, Any]]:
        """The closing events once the chat stream ended."""
        out = list(self._start())
        out += self._close_text()
        for call in self._calls.values():
            arguments = "".join(call["arguments"]) or "{}"
            where = {"item_id": call["id"], "output_index": call["index"]}
            out.append(
                self._event("response.function_call_arguments.done", **where, arguments=arguments)
            )
            item = _call_item(call["id"], call["call_id"], call["name"], arguments)
            out.append(
                self._event("response.output_item.done", output_index=call["index"], item=item)
            )
        response = dict(self._response)
        response["output"] = [
            _message_item(i["id"], "".join(i["text"]))
            if "text" in i
            else _call_item(i["id"], i["call_id"], i["name"], "".join(i["arguments"]) or "{}")
            for i in self._items
        ]
        response["usage"] = _usage(self._usage)
        if self._finish == "length":
            response["status"] = "incomplete"
            response["incomplete_details"] = {"reason": "max_output_tokens"}
            out.append(self._event("response.incomplete", response=response))
        else:
            response["status"] = "completed"
            out.append(self._event("response.completed", response=response))
        return out


__all__ = [
    "ChatStreamTranslator",
    "UntranslatableError",
    "from_chat",
    "new_response_id",
    "to_chat",
]
