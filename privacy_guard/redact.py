"""Redaction operators, reversible placeholders, restore, and streaming-safe restore.

One `Redactor` per request holds the placeholder ↔ original map in memory and nowhere else: it
is never logged, never in its repr, cannot be pickled or copied, and dies with the request.

Operators (a policy's `operator`, least to most destructive):

- `placeholder` (default, reversible): `<PERSON_1>`, `<EMAIL_ADDRESS_1>`, numbered per entity
  type in the order values are met. One value gets one placeholder across the whole request —
  every segment, every turn — so the model sees a coherent conversation. Values are compared
  after NFKC, removal of invisible format characters, whitespace collapsing and casefolding
  ("Jean  Dupont" and "JEAN DUPONT" are one person); restore gives back the first spelling met.
- `mask`: `[PERSON]` — the entity type only, not reversible. Not same-length stars: the length
  of a value is itself a hint, and the type tells the model what stood there.
- `hash`: `<PERSON_h:3f2a9c1b>` — the first 8 hex digits of HMAC-SHA256 of the normalised value
  under a random per-process key: the same value links across requests of this process, cannot
  be reversed, and cannot be confirmed by hashing a guess (it is keyed). Never restored.
- `drop`: the value is removed.

Look-alikes. A request may already contain text shaped like a placeholder (a user pasting a
template with `<PERSON_1>`). Were the redactor to issue that same placeholder for a real value,
restore would later put the value where the user wrote the template. So the redactor first
*reserves* every look-alike in the request (case-insensitively) and numbering skips them: a
placeholder it issues never occurs in the original text, and a look-alike echoed by the model is
left as it is. `redact_segments` reserves all segments before redacting any.

Restore. Exactly the placeholders this redactor issued are replaced, matched case-insensitively
(`<person_1>` too: models sometimes re-case). Anything else is left untouched: unknown numbers
(`<PERSON_7>`), altered spacing (`< PERSON_1 >`, `<PERSON_1 >`), leading zeros (`<PERSON_01>`),
missing brackets (`PERSON_1`, which also names things in code), hash and mask tokens. In a JSON
text (tool-call arguments) the original is inserted JSON-escaped, so the arguments stay valid.

Streaming. `StreamRestorer.feed` emits everything except a trailing `<…` that is still a proper
prefix of an issued placeholder: at most (longest issued placeholder − 1) characters are held
back, and nothing at all when no placeholder was issued; `flush` releases the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from privacy_guard.errors import RedactionError
from privacy_guard.payloads import (
    Path,
    ReplyText,
    Route,
    Segment,
    StreamKey,
    map_response_texts,
    parse_route,
)

# Least to most destructive, as `privacy_guard.policy.Operator` (a StrEnum: its members compare
# equal to these strings, so policy redactions can be passed as they are).
OPERATORS = ("placeholder", "mask", "hash", "drop")
_RANK = {op: i for i, op in enumerate(OPERATORS)}
_ENTITY = re.compile(r"[A-Z][A-Z0-9_]{0,63}", re.ASCII)
_MAX_NUMBER = 999_999_999
# Anything shaped like a placeholder, any case; ASCII only, so `ſ` or `K` never match `s` or `K`.
# Bounded like the placeholders themselves: an entity type of 1–64 characters, up to 9 digits.
PLACEHOLDER_PATTERN = re.compile(r"<[A-Za-z][A-Za-z0-9_]{0,63}_[1-9][0-9]{0,8}>", re.ASCII)
MAX_PLACEHOLDER_LENGTH = 1 + 64 + 1 + 9 + 1

# Keyed, so a hash token cannot be confirmed by hashing a guessed value; random per process, so
# tokens link values within this process only.
_PROCESS_HASH_KEY = secrets.token_bytes(32)
_HASH_HEX_DIGITS = 8


class RedactionSpan(NamedTuple):
    """What to replace: `text[start:end]`, found as `entity_type`, with `operator` (None: the
    default, placeholder). Policy `FindingAction`s, which have these attributes, work too."""

    start: int
    end: int
    entity_type: str
    operator: str | None = None


SpanLike = RedactionSpan | tuple[Any, ...] | Any


@dataclass(frozen=True, slots=True)
class RedactionSummary:
    """What one request's redaction did, for the audit log: counts only, never a value."""

    counts: tuple[tuple[str, str, int], ...]  # (entity_type, operator, occurrences), sorted
    placeholders: int  # distinct values given a placeholder

    @property
    def total(self) -> int:
        return sum(n for _, _, n in self.counts)

    def to_dict(self) -> dict[str, object]:
        by_entity: dict[str, dict[str, int]] = {}
        for entity, operator, n in self.counts:
            by_entity.setdefault(entity, {})[operator] = n
        return {"total": self.total, "placeholders": self.placeholders, "by_entity": by_entity}


@dataclass(frozen=True, slots=True)
class _Original:
    text: str  # the value as the user wrote it (JSON-decoded when it came from JSON text)
    json: str  # the same, escaped for insertion into a JSON string

    def __repr__(self) -> str:
        return "_Original(…)"


class Redactor:
    """Per-request redaction state. Create one per request; never share, log or persist it."""

    __slots__ = (
        "_by_key",
        "_counters",
        "_counts",
        "_hash_key",
        "_inherited",
        "_max_length",
        "_originals",
        "_prefixes",
        "_reserved",
    )

    def __init__(self, *, hash_key: bytes | None = None) -> None:
        if hash_key is not None and len(hash_key) < 16:
            raise ValueError("hash_key must be at least 16 bytes")
        self._hash_key = hash_key or _PROCESS_HASH_KEY
        self._by_key: dict[str, str] = {}  # normalised value -> placeholder
        self._originals: dict[str, _Original] = {}  # placeholder -> original
        self._counters: dict[str, int] = {}  # entity type -> last number issued
        self._reserved: set[str] = set()  # look-alikes present in the request (upper-cased)
        self._prefixes: set[str] = set()  # proper prefixes of issued placeholders
        self._max_length = 0
        self._counts: Counter[tuple[str, str]] = Counter()
        self._inherited: frozenset[str] = frozenset()  # issued in earlier turns of a chain

    # --- a chain's map, carried between requests (the vault's; see privacy_guard.vault)

    def export_state(self) -> dict[str, Any]:
        """The placeholder map as plain JSON data, for a vault that keeps it encrypted between
        the turns of a provider-stateful conversation. Personal data: never log or store it in
        clear."""
        return {
            "version": 1,
            "placeholders": [
                [placeholder, key, original.text, original.json]
                for key, placeholder in self._by_key.items()
                for original in (self._originals[placeholder],)
            ],
            "counters": dict(self._counters),
            "reserved": sorted(self._reserved),
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any], *, hash_key: bytes | None = None) -> Redactor:
        """A redactor that continues a chain: every placeholder issued in earlier turns keeps its
        value (one value, one placeholder across turns), numbering goes on, look-alikes met
        earlier stay reserved. Raises RedactionError on a state it cannot read."""
        redactor = cls(hash_key=hash_key)
        try:
            if state.get("version") != 1:
                raise ValueError("version")
            for placeholder, key, text, json_form in state["placeholders"]:
                if not all(isinstance(v, str) for v in (placeholder, key, text, json_form)):
                    raise ValueError("placeholder")
                if not PLACEHOLDER_PATTERN.fullmatch(placeholder):
                    raise ValueError("placeholder")
                redactor._by_key[key] = placeholder
                redactor._originals[placeholder] = _Original(text, json_form)
                redactor._prefixes.update(placeholder[:i] for i in range(1, len(placeholder)))
                redactor._max_length = max(redactor._max_length, len(placeholder))
            for entity, number in dict(state["counters"]).items():
                if not isinstance(entity, str) or type(number) is not int:
                    raise ValueError("counter")
                redactor._counters[entity] = number
            redactor._reserved.update(str(token) for token in state["reserved"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise RedactionError("a stored placeholder map could not be read") from None
        redactor._inherited = frozenset(redactor._originals)
        return redactor

    # --- what is safe to show about it

    def __repr__(self) -> str:
        return (
            f"<Redactor: {len(self._originals)} placeholders, "
            f"{sum(self._counts.values())} redactions>"
        )

    __str__ = __repr__

    def __reduce_ex__(self, protocol: Any) -> Any:
        # pickle, copy and deepcopy all go through here: the map must not leave the request.
        raise TypeError("a Redactor holds personal data and cannot be pickled or copied")

    def __len__(self) -> int:
        return len(self._originals)

    @property
    def max_placeholder_length(self) -> int:
        """Length of the longest placeholder issued so far (0 if none)."""
        return self._max_length

    def summary(self) -> RedactionSummary:
        counts = tuple(sorted((e, op, n) for (e, op), n in self._counts.items()))
        return RedactionSummary(counts, len(self._originals))

    # --- redaction

    def reserve(self, texts: Iterable[str]) -> None:
        """Note the placeholder look-alikes in `texts` so that none is ever issued.

        Call it with every text of the request before redacting any (`redact_segments` does).
        """
        for text in texts:
            if "<" not in text:
                continue
            for match in PLACEHOLDER_PATTERN.finditer(text):
                token = match.group().upper()
                if token in self._inherited:
                    # A placeholder of an earlier turn of the chain, quoted back (the client
                    # echoing the model): it means what the provider already saw.
                    continue
                if token in self._originals:
                    # Too late: restore could no longer tell the look-alike from our placeholder.
                    raise RedactionError(
                        "a text holds a look-alike of a placeholder already issued; reserve "
                        "every text of the request before redacting any"
                    )
                self._reserved.add(token)

    def redact(self, text: str, spans: Iterable[SpanLike], *, json_text: bool = False) -> str:
        """`text` with each span replaced by its operator's output.

        `json_text`: the text is a JSON document (tool-call arguments); values are compared and
        restored in their decoded form. Overlapping spans (the detector resolves overlaps; this
        is a safety net) are merged into their union, so no character flagged is left out.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        self.reserve((text,))
        pieces: list[str] = []
        position = 0
        for start, end, entity, operator in _prepare(text, spans):
            pieces.append(text[position:start])
            pieces.append(self._replace(text[start:end], entity, operator, json_text))
            self._counts[(entity, operator)] += 1
            position = end
        pieces.append(text[position:])
        return "".join(pieces)

    def redact_segments(
        self, segments: Iterable[Segment], spans: Mapping[Path, Iterable[SpanLike]]
    ) -> dict[Path, str]:
        """Redact the spans of each segment; the result feeds `payloads.apply_replacements`.

        Every segment is reserved first (look-alikes), then redacted in order, so numbering
        follows the conversation. A span for a path that is not a segment is an error: text we
        were told to redact must not silently go out.
        """
        segments = list(segments)
        by_path = {segment.path: segment for segment in segments}
        unknown = [path for path in spans if path not in by_path]
        if unknown:
            raise RedactionError(f"{len(unknown)} span list(s) for paths that are not segments")
        self.reserve(segment.text for segment in segments)
        replacements: dict[Path, str] = {}
        for segment in segments:
            segment_spans = spans.get(segment.path)
            if not segment_spans:
                continue
            redacted = self.redact(segment.text, segment_spans, json_text=segment.is_json)
            if redacted != segment.text:
                replacements[segment.path] = redacted
        return replacements

    def _replace(self, raw: str, entity: str, operator: str, json_text: bool) -> str:
        if operator == "drop":
            return ""
        if operator == "mask":
            return f"[{entity}]"
        value = _json_decode(raw) if json_text else raw
        if operator == "hash":
            key = _value_key(value).encode("utf-8", "surrogatepass")
            digest = hmac.new(self._hash_key, key, hashlib.sha256).hexdigest()
            return f"<{entity}_h:{digest[:_HASH_HEX_DIGITS]}>"
        return self._placeholder(entity, value, raw if json_text else _json_escape(value))

    def _placeholder(self, entity: str, value: str, json_form: str) -> str:
        key = _value_key(value)
        found = self._by_key.get(key)
        if found is not None:
            return found
        number = self._counters.get(entity, 0) + 1
        while f"<{entity}_{number}>" in self._reserved:
            number += 1
        if number > _MAX_NUMBER:
            raise RedactionError("too many placeholders for one entity type")
        self._counters[entity] = number
        placeholder = f"<{entity}_{number}>"
        self._by_key[key] = placeholder
        self._originals[placeholder] = _Original(value, json_form)
        self._prefixes.update(placeholder[:i] for i in range(1, len(placeholder)))
        self._max_length = max(self._max_length, len(placeholder))
        return placeholder

    # --- restoration

    def restore(self, text: str, *, json_text: bool = False) -> str:
        """`text` with every placeholder this redactor issued replaced by its original."""
        if not self._originals or "<" not in text:
            return text

        def original(match: re.Match[str]) -> str:
            found = self._originals.get(match.group().upper())
            if found is None:
                return match.group()
            return found.json if json_text else found.text

        return PLACEHOLDER_PATTERN.sub(original, text)

    def stream_restorer(self, *, json_text: bool = False) -> StreamRestorer:
        return StreamRestorer(self, json_text=json_text)

    def _could_become_placeholder(self, tail: str) -> bool:
        """`tail` (from a `<` to the end) is a proper prefix of an issued placeholder."""
        return len(tail) < self._max_length and tail.isascii() and tail.upper() in self._prefixes


class StreamRestorer:
    """Restores one stream of text (one choice's content, one tool call's arguments).

    Invariant: `"".join(feed(c) for c in chunks) + flush() == restore("".join(chunks))`, and at
    most `max_held` characters are held back between calls.

    Why only the last `<` matters: a placeholder cannot contain `<`, so any `<` before the last
    one either closed a placeholder already or never will.
    """

    __slots__ = ("_held", "_json_text", "_redactor")

    def __init__(self, redactor: Redactor, *, json_text: bool = False) -> None:
        self._redactor = redactor
        self._json_text = json_text
        self._held = ""

    def __repr__(self) -> str:
        return f"<StreamRestorer: {len(self._held)} characters held>"

    @property
    def held_length(self) -> int:
        return len(self._held)

    @property
    def max_held(self) -> int:
        return max(0, self._redactor.max_placeholder_length - 1)

    def feed(self, chunk: str) -> str:
        text = self._held + chunk
        cut = text.rfind("<")
        if cut != -1 and self._redactor._could_become_placeholder(text[cut:]):
            self._held = text[cut:]
            text = text[:cut]
        else:
            self._held = ""
        return self._redactor.restore(text, json_text=self._json_text)

    def flush(self) -> str:
        # What is held is a proper prefix of a placeholder, so never one: it goes out as it is.
        held, self._held = self._held, ""
        return held


class ChunkRestorer:
    """Restores a streamed reply chunk by chunk: one StreamRestorer per choice and field.

    Text held back in a choice is released into the chunk carrying that choice's
    `finish_reason`; `finish()` builds a last chunk for anything still held if the stream ended
    without one.
    """

    __slots__ = ("_envelope", "_redactor", "_route", "_streams")

    def __init__(self, redactor: Redactor, route: str | Route) -> None:
        self._redactor = redactor
        self._route = parse_route(route)
        self._streams: dict[StreamKey, StreamRestorer] = {}
        self._envelope: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"<ChunkRestorer: {len(self._streams)} streams>"

    def restore_chunk(self, chunk: Any) -> Any:
        """A copy of the chunk (a parsed `data:` payload) with placeholders restored."""
        restored = map_response_texts(self._route, chunk, self._feed)
        if not isinstance(restored, dict):
            return restored
        self._envelope = {k: restored[k] for k in _ENVELOPE if k in restored}
        choices = restored.get("choices")
        if isinstance(choices, list):
            for position, choice in enumerate(choices):
                if isinstance(choice, dict) and choice.get("finish_reason") is not None:
                    index = choice.get("index")
                    self._release(choice, index if type(index) is int else position)
        return restored

    def finish(self) -> dict[str, Any] | None:
        """A final chunk with whatever is still held back, or None if nothing is."""
        choices: dict[int, dict[str, Any]] = {}
        for key, stream in self._streams.items():
            tail = stream.flush()
            if tail:
                choice = choices.setdefault(key[0], self._empty_choice(key[0]))
                self._put(choice, key, tail)
        if not choices:
            return None
        return {**self._envelope, "choices": [choices[i] for i in sorted(choices)]}

    def _feed(self, reply: ReplyText) -> str:
        stream = self._streams.get(reply.stream_key)
        if stream is None:
            stream = self._streams[reply.stream_key] = StreamRestorer(
                self._redactor, json_text=reply.is_json
            )
        return stream.feed(reply.text)

    def _release(self, choice: dict[str, Any], index: int) -> None:
        for key, stream in self._streams.items():
            if key[0] == index and stream.held_length:
                self._put(choice, key, stream.flush())

    def _empty_choice(self, index: int) -> dict[str, Any]:
        if self._route is Route.COMPLETIONS:
            return {"index": index, "text": "", "logprobs": None, "finish_reason": None}
        return {"index": index, "delta": {}, "finish_reason": None}

    def _put(self, choice: dict[str, Any], key: StreamKey, tail: str) -> None:
        if self._route is Route.COMPLETIONS:
            choice["text"] = _text(choice.get("text")) + tail
            return
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            delta = choice["delta"] = {}
        field = key[1]
        if field == "tool_calls":
            calls = delta.get("tool_calls")
            if not isinstance(calls, list):
                calls = delta["tool_calls"] = []
            call = next(
                (c for c in calls if isinstance(c, dict) and c.get("index") == key[2]), None
            )
            if call is None:
                calls.append({"index": key[2], "function": {"arguments": tail}})
                return
            holder = call
            field = "function"
        elif field == "function_call":
            holder, field = delta, "function_call"
        else:
            content = delta.get(field)
            if isinstance(content, list):
                content.append({"type": "text", "text": tail})
            else:
                delta[field] = _text(content) + tail
            return
        function = holder.get(field)
        if not isinstance(function, dict):
            function = holder[field] = {}
        function["arguments"] = _text(function.get("arguments")) + tail


def restore_response(redactor: Redactor, route: str | Route, body: Any) -> Any:
    """A copy of a full (non-streamed) reply with placeholders restored."""
    return map_response_texts(
        route, body, lambda reply: redactor.restore(reply.text, json_text=reply.is_json)
    )


_ENVELOPE = ("id", "object", "created", "model", "system_fingerprint")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _prepare(text: str, spans: Iterable[SpanLike]) -> list[tuple[int, int, str, str]]:
    """Validated, sorted, non-overlapping spans. Errors name offsets and types, never text."""
    checked: list[tuple[int, int, str, str]] = []
    for span in spans:
        start, end, entity, operator = _unpack(span)
        if type(start) is not int or type(end) is not int or not 0 <= start <= end <= len(text):
            raise ValueError(f"span ({start!r}, {end!r}) is outside a text of length {len(text)}")
        if not isinstance(entity, str) or not _ENTITY.fullmatch(entity):
            raise ValueError(f"entity type must match {_ENTITY.pattern}")
        operator = "placeholder" if operator is None else getattr(operator, "value", operator)
        if operator not in _RANK:
            raise ValueError(f"operator must be one of {', '.join(OPERATORS)}")
        if start < end:
            checked.append((start, end, entity, operator))
    checked.sort(key=lambda s: (s[0], -s[1]))
    merged: list[tuple[int, int, str, str]] = []
    for span in checked:
        if merged and span[0] < merged[-1][1]:
            last = merged[-1]
            longer = span if span[1] - span[0] > last[1] - last[0] else last
            operator = max(last[3], span[3], key=_RANK.__getitem__)
            merged[-1] = (last[0], max(last[1], span[1]), longer[2], operator)
        else:
            merged.append(span)
    return merged


def _unpack(span: SpanLike) -> tuple[Any, Any, Any, Any]:
    if isinstance(span, Sequence) and not isinstance(span, str):
        if len(span) == 3:
            return (*span, None)
        if len(span) == 4:
            return tuple(span)  # type: ignore[return-value]
        raise ValueError("a span is (start, end, entity_type[, operator])")
    try:
        return span.start, span.end, span.entity_type, getattr(span, "operator", None)
    except AttributeError:
        raise ValueError("a span is (start, end, entity_type[, operator])") from None


def _value_key(value: str) -> str:
    """The form two occurrences of one value share: NFKC, no invisible format characters
    (zero-width spaces…), whitespace runs collapsed, casefolded."""
    text = unicodedata.normalize("NFKC", value)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split()).casefold()


def _json_decode(raw: str) -> str:
    """A value cut from inside a JSON string, decoded (`\\"` -> `"`); as is if it cannot be."""
    if "\\" not in raw:
        return raw
    try:
        decoded = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return decoded if isinstance(decoded, str) else raw


def _json_escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


__all__ = [
    "MAX_PLACEHOLDER_LENGTH",
    "OPERATORS",
    "PLACEHOLDER_PATTERN",
    "ChunkRestorer",
    "RedactionSpan",
    "RedactionSummary",
    "Redactor",
    "StreamRestorer",
    "restore_response",
]
