"""Placeholders back to originals in Responses API replies: whole response objects, stored
objects read back (`GET /v1/responses/{id}`, its `input_items`), and streamed events in order.

Whole objects: every string is restored (output message text, refusals, `function_call.arguments`
and `mcp_call.arguments` JSON-escaped, custom tool input, reasoning summaries, shell commands,
patches, the echoed `instructions`, tools and metadata, `output_text` when present), except
`encrypted_content`, which is the provider's own sealed text and passes unchanged. Restoring a
string that holds no placeholder this request issued leaves it as it is, so reading everything
costs a scan, never a wrong value.

Streams: every `*.delta` event (`response.output_text.delta`, `response.refusal.delta`,
`response.function_call_arguments.delta`, reasoning, custom tool input, MCP arguments, code
interpreter code, ...) goes through a `StreamRestorer` of its own — one per event family and
output item and content part — so a placeholder cut across deltas is restored as soon as it is
complete, holding back at most a placeholder's length and nothing when no placeholder is
pending; deltas of arguments are restored JSON-escaped, so the concatenation parses to the
arguments with the originals. Text held back is released as one more delta event just before
the event that closes its stream (`*.done`, `response.output_item.done`, `response.completed`,
...). Every other event (`response.created`, `response.in_progress`, `response.output_item.added`,
`response.content_part.added/done`, `response.completed`, which repeats the whole response,
`error`, ...) is restored as a whole object. `sequence_number`s are renumbered so that they stay
contiguous when an event is added.
"""

from __future__ import annotations

from typing import Any

from privacy_guard.redact import Redactor, StreamRestorer

_OPAQUE = frozenset({"encrypted_content"})
_JSON_KEYS = frozenset({"arguments"})
# Fields that name where a delta belongs (copied into a released tail's event).
_WHERE = ("item_id", "output_index", "content_index", "summary_index")
# Events that end the streams of one output item.
_ITEM_DONE = frozenset(
    {
        "response.output_item.done",
        "response.content_part.done",
        "response.reasoning_summary_part.done",
    }
)
# Events that end everything still streaming.
_FINAL = frozenset(
    {"response.completed", "response.incomplete", "response.failed", "error", "response.done"}
)


def restore_value(redactor: Redactor | None, value: Any, *, json_text: bool = False) -> Any:
    """A copy of a JSON value with every issued placeholder restored (see module doc)."""
    if redactor is None or not len(redactor):
        return value
    return _restore(redactor, value, json_text)


def _restore(redactor: Redactor, value: Any, json_text: bool) -> Any:
    if isinstance(value, str):
        return redactor.restore(value, json_text=json_text)
    if isinstance(value, list):
        return [_restore(redactor, item, json_text) for item in value]
    if isinstance(value, dict):
        return {
            key: child
            if key in _OPAQUE
            else _restore(
                redactor, child, json_text or (key in _JSON_KEYS and isinstance(child, str))
            )
            for key, child in value.items()
        }
    return value


def restore_response(redactor: Redactor | None, response: Any, model: str | None = None) -> Any:
    """A whole response object restored; `model` (the catalog name) replaces the upstream's."""
    restored = restore_value(redactor, response)
    if model is not None and isinstance(restored, dict):
        restored = {**restored, "model": model}
    return restored


StreamKey = tuple[Any, ...]


class ResponsesEventRestorer:
    """Restores one Responses event stream, event by event (never shared between streams)."""

    __slots__ = ("_model", "_redactor", "_sequence", "_streams")

    def __init__(self, redactor: Redactor | None, model: str | None = None) -> None:
        self._redactor = redactor if redactor is not None and len(redactor) else None
        self._model = model
        # family, where... -> (restorer, the last delta event of the stream: its shape for a tail)
        self._streams: dict[StreamKey, tuple[StreamRestorer, dict[str, Any]]] = {}
        self._sequence: int | None = None

    def __repr__(self) -> str:
        return f"<ResponsesEventRestorer: {len(self._streams)} streams>"

    def restore(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """The events to send for one upstream event (a released tail may precede it)."""
        kind = event.get("type")
        out: list[dict[str, Any]] = []
        if self._redactor is not None and isinstance(kind, str):
            if kind.endswith(".delta") and isinstance(event.get("delta"), str):
                return self._number([self._delta(kind[: -len(".delta")], event)])
            if kind in _ITEM_DONE:
                index = event.get("output_index")
                out += self._release(lambda key: key[2] == index)
            elif kind.endswith(".done"):
                out += self._release(lambda key: key == _key(kind[: -len(".done")], event))
            elif kind in _FINAL:
                out += self._release(lambda key: True)
        out.append(self._whole(event))
        return self._number(out)

    def finish(self) -> list[dict[str, Any]]:
        """What is still held when the upstream stream ended without closing its streams."""
        return self._number(self._release(lambda key: True))

    # -- helpers

    def _delta(self, family: str, event: dict[str, Any]) -> dict[str, Any]:
        key = _key(family, event)
        found = self._streams.get(key)
        if found is None:
            assert self._redactor is not None
            restorer = self._redactor.stream_restorer(json_text="arguments" in family)
        else:
            restorer = found[0]
        self._streams[key] = (restorer, event)
        return {**event, "delta": restorer.feed(event["delta"])}

    def _release(self, chosen: Any) -> list[dict[str, Any]]:
        out = []
        for key in [key for key in self._streams if chosen(key)]:
            restorer, last = self._streams.pop(key)
            tail = restorer.flush()
            if tail:
                shape = {k: last[k] for k in ("type", *_WHERE, "sequence_number") if k in last}
                out.append({**shape, "delta": tail})
        return out

    def _whole(self, event: dict[str, Any]) -> dict[str, Any]:
        restored = restore_value(self._redactor, event)
        if restored is event:
            restored = dict(event)
        response = restored.get("response")
        if self._model is not None and isinstance(response, dict) and "model" in response:
            restored["response"] = {**response, "model": self._model}
        return restored

    def _number(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for event in events:
            number = event.get("sequence_number")
            if type(number) is not int:
                continue
            # Upstream numbers are kept until an added event shifts them; then ours go on.
            if self._sequence is None or number > self._sequence:
                self._sequence = number
            else:
                self._sequence += 1
                event["sequence_number"] = self._sequence
        return events


def _key(family: str, event: dict[str, Any]) -> StreamKey:
    return (
        family,
        event.get("item_id"),
        event.get("output_index"),
        event.get("content_index"),
        event.get("summary_index"),
    )


__all__ = ["ResponsesEventRestorer", "restore_response", "restore_value"]
