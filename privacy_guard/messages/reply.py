"""Placeholders back to originals in Anthropic Messages replies, whole or streamed.

Whole reply (`Message`): `text` blocks (and their citations), `tool_use` / `server_tool_use` /
`mcp_tool_use` names and inputs (every string leaf; the input is a JSON object there, so plain
restore), server tool results and MCP tool results (every string leaf but the provider's
encrypted content).

Streamed reply: every event, in order. `content_block_delta` with `text_delta` and
`input_json_delta` go through one `StreamRestorer` per block index, so a placeholder split across
deltas is restored once complete, holding back only a tail that could still become one; inside
`input_json_delta` (partial JSON text) the original is inserted JSON-escaped, so the
concatenated `partial_json` parses to the input with the originals. What a block still holds is
released as one more delta right before its `content_block_stop`. `message_start`,
`content_block_start` (whose block may already carry text or a whole tool result) and
`citations_delta` are restored whole; `thinking_delta` and `signature_delta` pass unchanged, as
do thinking blocks in a whole reply: the provider signs the thinking it produced, and a client
sends it back as it was received (see README, "thinking blocks").
"""

from __future__ import annotations

from typing import Any

from privacy_guard.redact import Redactor, StreamRestorer

_UNCHANGED_BLOCKS = frozenset({"thinking", "redacted_thinking"})
_OPAQUE_KEYS = frozenset({"signature", "encrypted_content", "encrypted_index", "data"})
_ID_KEYS = frozenset({"id", "type", "tool_use_id", "file_id"})


def restore_message(redactor: Redactor | None, message: Any, model: str | None) -> Any:
    """A whole `Message` with placeholders restored (in place) and `model` set."""
    if not isinstance(message, dict):
        return message
    if model is not None and "model" in message:
        message["model"] = model
    content = message.get("content")
    if redactor is not None and isinstance(content, list):
        for index, block in enumerate(content):
            content[index] = restore_block(redactor, block)
    return message


def restore_block(redactor: Redactor, block: Any) -> Any:
    if not isinstance(block, dict) or block.get("type") in _UNCHANGED_BLOCKS:
        return block
    return _restore_leaves(redactor, block)


def _restore_leaves(redactor: Redactor, node: Any, key: Any = None, data: bool = False) -> Any:
    """Every string leaf restored, but identifiers and the provider's opaque output; inside a
    tool's `input` (`data`) every key is the tool's own, so every string is restored."""
    if isinstance(node, str):
        return node if key in _ID_KEYS and not data else redactor.restore(node)
    if isinstance(node, dict):
        return {
            k: v
            if k in _OPAQUE_KEYS and not data
            else _restore_leaves(redactor, v, k, data or k == "input")
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_restore_leaves(redactor, item, key, data) for item in node]
    return node


class MessageEvents:
    """Restores one streamed Messages reply event by event (an `EventRestorer`)."""

    __slots__ = ("_kinds", "_model", "_redactor", "_streams")

    def __init__(self, redactor: Redactor | None, model: str) -> None:
        self._redactor = redactor
        self._model = model
        self._streams: dict[int, StreamRestorer] = {}
        self._kinds: dict[int, str] = {}  # block index -> the delta type its text came in

    def __repr__(self) -> str:
        return f"<MessageEvents: {len(self._streams)} blocks>"

    def restore(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        kind = event.get("type") if isinstance(event, dict) else None
        if kind == "message_start":
            event["message"] = restore_message(self._redactor, event.get("message"), self._model)
            return [event]
        redactor = self._redactor
        if redactor is None:
            return [event]
        if kind == "content_block_delta":
            return self._delta(redactor, event)
        if kind == "content_block_start":
            block = event.get("content_block")
            if block is not None:
                event["content_block"] = restore_block(redactor, block)
            return [event]
        if kind == "content_block_stop":
            index = event.get("index")
            held = self._release(index) if type(index) is int else None
            return [held, event] if held is not None else [event]
        if kind == "message_stop":
            return [*self.finish(), event]
        return [event]  # ping, message_delta, error, and anything newer

    def finish(self) -> list[dict[str, Any]]:
        """A delta for every block still holding text (a stream that ended early)."""
        return [event for index in list(self._streams) if (event := self._release(index))]

    def _delta(self, redactor: Redactor, event: dict[str, Any]) -> list[dict[str, Any]]:
        delta = event.get("delta")
        index = event.get("index")
        if not isinstance(delta, dict) or type(index) is not int:
            return [event]
        delta_type = delta.get("type")
        if delta_type == "text_delta":
            field, json_text = "text", False
        elif delta_type == "input_json_delta":
            field, json_text = "partial_json", True
        elif delta_type == "citations_delta":
            event["delta"] = _restore_leaves(redactor, delta)
            return [event]
        else:
            return [event]  # thinking_delta, signature_delta: unchanged (signed upstream)
        text = delta.get(field)
        if not isinstance(text, str):
            return [event]
        stream = self._streams.get(index)
        if stream is None:
            stream = self._streams[index] = StreamRestorer(redactor, json_text=json_text)
            self._kinds[index] = delta_type
        delta[field] = stream.feed(text)
        return [event]

    def _release(self, index: int) -> dict[str, Any] | None:
        stream = self._streams.pop(index, None)
        delta_type = self._kinds.pop(index, "text_delta")
        tail = stream.flush() if stream is not None else ""
        if not tail:
            return None
        field = "partial_json" if delta_type == "input_json_delta" else "text"
        return {
            "type": "content_block_delta",
            "index": index,
            "delta": {"type": delta_type, field: tail},
        }


__all__ = ["MessageEvents", "restore_block", "restore_message"]
