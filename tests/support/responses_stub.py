"""OpenAI's Responses API on the recording stub upstream (`tests/support/upstream.py`).

Speaks the format natively, as OpenAI does: `POST /v1/responses` (whole or streamed, with the
`event:` line and `sequence_number` of each event), `GET`/`DELETE /v1/responses/{id}` and
`GET /v1/responses/{id}/input_items`. It keeps what it answered, like the provider, so a request
with `previous_response_id` continues a chain (an unknown one is a 404
`previous_response_not_found`). Replies follow the stub's `Behaviour`:

- `echo`: the text of the last user message of this request (or, when the request ends with a
  `function_call_output`, that output: an agent reading a tool's result);
- `history`: every user text of the whole chain, oldest first, one per line — so a later turn's
  reply repeats what earlier turns sent (placeholders issued turns ago, if the gateway redacted);
- `fixed`: `reply`;
- `tool_calls`: a `function_call` of the first function tool (or `tool_name`) whose arguments are
  `{"text": <the echoed text>}`, after `reply` as a message when it is not empty.

Streamed text and arguments are cut every `chunk_size` characters, so placeholders end up split
across `response.output_text.delta` / `response.function_call_arguments.delta` events.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

if TYPE_CHECKING:
    from tests.support.upstream import Behaviour, Upstream


def _user_texts(given: Any) -> list[str]:
    if isinstance(given, str):
        return [given]
    texts = []
    for item in given or []:
        if not isinstance(item, dict) or item.get("role") != "user":
            continue
        content = item.get("content")
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts.append(
                "".join(
                    p.get("text", "")
                    for p in content
                    if isinstance(p, dict) and p.get("type") == "input_text"
                )
            )
    return texts


def _pieces(text: str, size: int) -> list[str]:
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _not_found(message: str, param: str | None, code: str) -> JSONResponse:
    error = {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    return JSONResponse({"error": error}, status_code=404)


class ResponsesStub:
    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self._stored: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    # -- POST /v1/responses

    async def create(self, behaviour: Behaviour, body: dict[str, Any]) -> Response:
        previous = body.get("previous_response_id")
        history: list[str] = []
        if previous is not None:
            with self._lock:
                found = self._stored.get(previous)
            if found is None:
                return _not_found(
                    f"Previous response with id '{previous}' not found.",
                    "previous_response_id",
                    "previous_response_not_found",
                )
            history = list(found["history"])
        texts = _user_texts(body.get("input"))
        history += texts
        echoed = texts[-1] if texts else ""
        given = body.get("input")
        if isinstance(given, list) and given and isinstance(given[-1], dict):
            last = given[-1]
            if last.get("type") == "function_call_output" and isinstance(last.get("output"), str):
                echoed = last["output"]  # an agent's turn: the tool's result read back
        ident = "resp_" + uuid.uuid4().hex
        output = self._output(behaviour, body, echoed, history)
        response = {
            "id": ident,
            "object": "response",
            "created_at": int(time.time()),
            "status": "completed",
            "model": str(body.get("model")),
            "instructions": body.get("instructions"),
            "metadata": body.get("metadata") or {},
            "output": output,
            "parallel_tool_calls": True,
            "previous_response_id": previous,
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": body.get("tools") or [],
            "temperature": body.get("temperature"),
            "top_p": body.get("top_p"),
            "text": body.get("text") or {"format": {"type": "text"}},
            "error": None,
            "incomplete_details": None,
            "usage": {
                "input_tokens": len(" ".join(history).split()),
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": 3,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": len(" ".join(history).split()) + 3,
            },
        }
        if body.get("store") is not False:
            items = body.get("input")
            if isinstance(items, str):
                items = [{"type": "message", "role": "user", "content": items}]
            with self._lock:
                self._stored[ident] = {
                    "response": response,
                    "history": history,
                    "input": [
                        {**item, "id": item.get("id") or f"msg_{n}"}
                        for n, item in enumerate(items or [])
                        if isinstance(item, dict)
                    ],
                }
        if body.get("stream"):
            return StreamingResponse(
                self._events(behaviour, response), media_type="text/event-stream"
            )
        return JSONResponse(response)

    def _output(
        self, behaviour: Behaviour, body: dict[str, Any], echoed: str, history: list[str]
    ) -> list[dict[str, Any]]:
        text = {
            "echo": echoed,
            "history": "\n".join(history),
            "fixed": behaviour.reply,
            "tool_calls": behaviour.reply,
        }.get(behaviour.mode, echoed)
        output: list[dict[str, Any]] = []
        if text:
            output.append(
                {
                    "type": "message",
                    "id": "msg_" + uuid.uuid4().hex[:16],
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": text, "annotations": []}],
                }
            )
        if behaviour.mode == "tool_calls":
            name = behaviour.tool_name
            for tool in body.get("tools") or []:
                if isinstance(tool, dict) and tool.get("type") == "function":
                    name = tool.get("name", name)
                    break
            output.append(
                {
                    "type": "function_call",
                    "id": "fc_" + uuid.uuid4().hex[:16],
                    "call_id": "call_" + uuid.uuid4().hex[:12],
                    "name": name,
                    "arguments": json.dumps({"text": echoed}, ensure_ascii=False),
                    "status": "completed",
                }
            )
        return output

    async def _events(self, behaviour: Behaviour, response: dict[str, Any]) -> AsyncIterator[bytes]:
        sequence = 0

        def event(kind: str, **fields: Any) -> bytes:
            nonlocal sequence
            data = {"type": kind, "sequence_number": sequence, **fields}
            sequence += 1
            return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()

        started = {**response, "status": "in_progress", "output": [], "usage": None}
        yield event("response.created", response=started)
        yield event("response.in_progress", response=started)
        for index, item in enumerate(response["output"]):
            if item["type"] == "message":
                text = item["content"][0]["text"]
                where = {"item_id": item["id"], "output_index": index, "content_index": 0}
                yield event(
                    "response.output_item.added",
                    output_index=index,
                    item={**item, "status": "in_progress", "content": []},
                )
                part = {"type": "output_text", "text": "", "annotations": []}
                yield event("response.content_part.added", **where, part=part)
                for piece in _pieces(text, behaviour.chunk_size):
                    await self.upstream._pause(behaviour.chunk_delay)
                    yield event("response.output_text.delta", **where, delta=piece, logprobs=[])
                yield event("response.output_text.done", **where, text=text, logprobs=[])
                yield event("response.content_part.done", **where, part={**part, "text": text})
            else:
                arguments = item["arguments"]
                where = {"item_id": item["id"], "output_index": index}
                yield event(
                    "response.output_item.added",
                    output_index=index,
                    item={**item, "status": "in_progress", "arguments": ""},
                )
                for piece in _pieces(arguments, behaviour.chunk_size):
                    await self.upstream._pause(behaviour.chunk_delay)
                    yield event("response.function_call_arguments.delta", **where, delta=piece)
                yield event("response.function_call_arguments.done", **where, arguments=arguments)
            yield event("response.output_item.done", output_index=index, item=item)
        yield event("response.completed", response=response)

    # -- POST /v1/responses/compact and /v1/responses/input_tokens

    async def compact(self, body: dict[str, Any]) -> Response:
        """The compacted window: a sealed item (here: the user texts, "encrypted" as plain text
        so a test sees what went into it) and the last user message kept as is."""
        texts = _user_texts(body.get("input"))
        output: list[dict[str, Any]] = [
            {
                "type": "compaction",
                "id": "cmp_" + uuid.uuid4().hex[:16],
                "encrypted_content": "sealed:" + "|".join(texts),
            }
        ]
        if texts:
            output.append(
                {
                    "type": "message",
                    "id": "msg_" + uuid.uuid4().hex[:16],
                    "status": "completed",
                    "role": "user",
                    "content": [{"type": "input_text", "text": texts[-1]}],
                }
            )
        words = len(" ".join(texts).split())
        return JSONResponse(
            {
                "id": "resp_cmp_" + uuid.uuid4().hex[:16],
                "object": "response.compaction",
                "created_at": int(time.time()),
                "output": output,
                "usage": {
                    "input_tokens": words,
                    "input_tokens_details": {"cached_tokens": 0},
                    "output_tokens": 1,
                    "output_tokens_details": {"reasoning_tokens": 0},
                    "total_tokens": words + 1,
                },
            }
        )

    async def input_tokens_count(self, body: dict[str, Any]) -> Response:
        words = len(" ".join(_user_texts(body.get("input"))).split())
        return JSONResponse({"object": "response.input_tokens", "input_tokens": words})

    # -- stored responses

    async def get(self, request: Request) -> Response:
        ident = request.path_params["id"]
        with self._lock:
            found = self._stored.get(ident)
        if found is None:
            return _not_found(f"Response with id '{ident}' not found.", None, "not_found")
        return JSONResponse(found["response"])

    async def delete(self, request: Request) -> Response:
        ident = request.path_params["id"]
        with self._lock:
            found = self._stored.pop(ident, None)
        if found is None:
            return _not_found(f"Response with id '{ident}' not found.", None, "not_found")
        return JSONResponse({"id": ident, "object": "response", "deleted": True})

    async def cancel(self, request: Request) -> Response:
        ident = request.path_params["id"]
        with self._lock:
            found = self._stored.get(ident)
            if found is not None:
                found["response"] = {**found["response"], "status": "cancelled"}
        if found is None:
            return _not_found(f"Response with id '{ident}' not found.", None, "not_found")
        return JSONResponse(found["response"])

    async def input_items(self, request: Request) -> Response:
        ident = request.path_params["id"]
        with self._lock:
            found = self._stored.get(ident)
        if found is None:
            return _not_found(f"Response with id '{ident}' not found.", None, "not_found")
        items = found["input"]
        return JSONResponse(
            {
                "object": "list",
                "data": items,
                "first_id": items[0]["id"] if items else None,
                "last_id": items[-1]["id"] if items else None,
                "has_more": False,
            }
        )
