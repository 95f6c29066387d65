"""Redaction operators, placeholders, restore, and streaming-safe restore."""

from __future__ import annotations

import copy
import hashlib
import json
import pickle
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pytest
from faker import Faker
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from privacy_guard.errors import RedactionError
from privacy_guard.payloads import (
    Segment,
    SegmentKind,
    apply_replacements,
    extract_request_segments,
)
from privacy_guard.redact import (
    MAX_PLACEHOLDER_LENGTH,
    PLACEHOLDER_PATTERN,
    ChunkRestorer,
    RedactionSpan,
    RedactionSummary,
    Redactor,
    StreamRestorer,
    restore_response,
)

fake = Faker(["en_US", "fr_FR", "fr_CH"])
Faker.seed(7)
NAME = fake.name()
OTHER_NAME = fake.name()
EMAIL = fake.email()
CHAT = "/v1/chat/completions"
HASH_TOKEN = re.compile(r"<([A-Z_]+)_h:([0-9a-f]{8})>")


def spans_of(text: str, *values: tuple[str, str] | tuple[str, str, str]) -> list[tuple]:
    """(value, entity[, operator]) -> spans at every occurrence of each value."""
    found = []
    for value, entity, *operator in values:
        for match in re.finditer(re.escape(value), text):
            found.append((match.start(), match.end(), entity, *operator))
    return found


def redact(redactor: Redactor, text: str, *values: tuple[str, ...], json_text: bool = False) -> str:
    return redactor.redact(text, spans_of(text, *values), json_text=json_text)


# ------------------------------------------------------------------------ placeholders


def test_placeholders_numbered_per_entity_type() -> None:
    r = Redactor()
    text = f"{NAME} wrote to {OTHER_NAME} at {EMAIL}"
    out = redact(r, text, (NAME, "PERSON"), (OTHER_NAME, "PERSON"), (EMAIL, "EMAIL_ADDRESS"))
    assert out == "<PERSON_1> wrote to <PERSON_2> at <EMAIL_ADDRESS_1>"
    assert r.restore(out) == text
    assert len(r) == 3
    assert r.max_placeholder_length == len("<EMAIL_ADDRESS_1>")


def test_one_value_one_placeholder_across_segments_and_spellings() -> None:
    r = Redactor()
    first = redact(r, f"Hi, I am {NAME}.", (NAME, "PERSON"))
    shouted = NAME.upper().replace(" ", "  ")
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in NAME)  # full-width
    hidden = NAME.replace(" ", " \u200b")
    later = redact(
        r,
        f"{shouted} / {wide} / {hidden} / {OTHER_NAME}",
        (shouted, "PERSON"),
        (wide, "PERSON"),
        (hidden, "PERSON"),
        (OTHER_NAME, "PERSON"),
    )
    assert first == "Hi, I am <PERSON_1>."
    assert later == "<PERSON_1> / <PERSON_1> / <PERSON_1> / <PERSON_2>"
    # Restore gives back the first spelling met.
    assert r.restore("<PERSON_1>") == NAME
    assert r.summary().placeholders == 2


def test_same_value_under_another_type_keeps_its_placeholder() -> None:
    r = Redactor()
    assert r.redact("Paris", [(0, 5, "PERSON")]) == "<PERSON_1>"
    assert r.redact("in Paris", [(3, 8, "LOCATION")]) == "in <PERSON_1>"


def test_policy_operators_and_finding_objects_are_accepted() -> None:
    class Operator(StrEnum):  # the shape of privacy_guard.policy.Operator
        PLACEHOLDER = "placeholder"
        MASK = "mask"

    @dataclass(frozen=True)
    class FindingAction:  # the attributes of privacy_guard.policy.FindingAction
        entity_type: str
        start: int
        end: int
        score: float
        operator: Operator | None

    text = f"{NAME} / {EMAIL}"
    at = text.index(EMAIL)
    spans = [
        FindingAction("PERSON", 0, len(NAME), 0.9, None),
        FindingAction("EMAIL_ADDRESS", at, at + len(EMAIL), 0.9, Operator.MASK),
    ]
    assert Redactor().redact(text, spans) == "<PERSON_1> / [EMAIL_ADDRESS]"
    assert Redactor().redact(text, [RedactionSpan(0, len(NAME), "PERSON", "drop")]) == f" / {EMAIL}"


# -------------------------------------------------------------------- other operators


def test_mask_and_drop_are_not_reversible() -> None:
    r = Redactor()
    text = f"{NAME} <{EMAIL}>"
    out = redact(r, text, (NAME, "PERSON", "mask"), (EMAIL, "EMAIL_ADDRESS", "drop"))
    assert out == "[PERSON] <>"
    assert r.restore(out) == out
    assert len(r) == 0
    assert r.max_placeholder_length == 0


def test_hash_is_keyed_stable_in_process_and_never_restored() -> None:
    text = f"{NAME} and {NAME.lower()}"
    first = redact(Redactor(), text, (NAME, "PERSON", "hash"), (NAME.lower(), "PERSON", "hash"))
    again = redact(Redactor(), NAME, (NAME, "PERSON", "hash"))
    a, b = HASH_TOKEN.findall(first)
    assert a == b == HASH_TOKEN.findall(again)[0]  # one value, one token, across redactors
    assert a[0] == "PERSON"
    other_key = redact(Redactor(hash_key=b"k" * 32), NAME, (NAME, "PERSON", "hash"))
    assert HASH_TOKEN.findall(other_key)[0][1] != a[1]
    # Keyed: not a prefix of any plain digest of the value.
    for candidate in (NAME, NAME.casefold(), " ".join(NAME.split()).casefold()):
        assert hashlib.sha256(candidate.encode()).hexdigest()[:8] != a[1]
    r = Redactor()
    token = redact(r, NAME, (NAME, "PERSON", "hash"))
    assert r.restore(token) == token
    assert not PLACEHOLDER_PATTERN.search(token)  # cannot be mistaken for a placeholder


def test_hash_key_must_be_long_enough() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Redactor(hash_key=b"short")


# ------------------------------------------------------------------------------ spans


def test_overlapping_spans_are_merged_never_leaving_a_flagged_character() -> None:
    text = f"Contact: {NAME} {EMAIL} end"
    start = text.index(NAME)
    middle = text.index(EMAIL)
    spans = [
        (start, middle + 3, "PERSON"),  # runs into the e-mail address
        (middle, middle + len(EMAIL), "EMAIL_ADDRESS", "hash"),
    ]
    out = Redactor().redact(text, spans)
    assert NAME not in out
    assert EMAIL not in out
    # One replacement for the union: the longer span's type, the more destructive operator.
    assert HASH_TOKEN.fullmatch(out.removeprefix("Contact: ").removesuffix(" end"))
    assert out.startswith("Contact: <EMAIL_ADDRESS_h:")
    nested = Redactor().redact(text, [(start, middle - 1, "PERSON"), (start, start + 2, "PERSON")])
    assert nested == f"Contact: <PERSON_1> {EMAIL} end"


def test_empty_spans_are_ignored_and_order_does_not_matter() -> None:
    r = Redactor()
    text = f"{EMAIL} {NAME}"
    spans = list(reversed(spans_of(text, (EMAIL, "EMAIL_ADDRESS"), (NAME, "PERSON"))))
    assert r.redact(text, [*spans, (3, 3, "PERSON")]) == "<EMAIL_ADDRESS_1> <PERSON_1>"
    assert r.summary().total == 2


@pytest.mark.parametrize(
    ("span", "match"),
    [
        ((0, 99, "PERSON"), "outside a text of length"),
        ((-1, 2, "PERSON"), "outside"),
        ((3, 2, "PERSON"), "outside"),
        ((True, 2, "PERSON"), "outside"),
        ((0, 2, "person"), "entity type"),
        ((0, 2, "PERSON>"), "entity type"),
        ((0, 2, "P" * 65), "entity type"),
        ((0, 2, "PERSON", "encrypt"), "operator"),
        ((0, 2), "a span is"),
        ("0,2", "a span is"),
    ],
)
def test_invalid_spans_raise_without_the_text(span: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match) as caught:
        Redactor().redact(NAME, [span])
    assert NAME not in str(caught.value)


def test_text_must_be_a_string() -> None:
    with pytest.raises(TypeError):
        Redactor().redact(b"bytes", [])  # type: ignore[arg-type]


# ------------------------------------------------------------------------ look-alikes


def test_look_alikes_in_the_request_are_never_issued() -> None:
    r = Redactor()
    text = f"Template: Dear <PERSON_1>, <person_2> and <EMAIL_ADDRESS_1>. Signed {NAME}."
    out = redact(r, text, (NAME, "PERSON"))
    assert out.endswith("Signed <PERSON_3>.")
    # The model echoes the template: the look-alikes stay as the user wrote them.
    echoed = "Dear <PERSON_1>, <person_2>, <PERSON_3> and <EMAIL_ADDRESS_1>"
    assert r.restore(echoed) == f"Dear <PERSON_1>, <person_2>, {NAME} and <EMAIL_ADDRESS_1>"


def test_redact_segments_reserves_every_segment_first() -> None:
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": f"I am {NAME}"},
            {"role": "user", "content": "Fill in: <PERSON_1> lives in <LOCATION_1>"},
        ],
    }
    segments = extract_request_segments(CHAT, body).segments
    r = Redactor()
    replacements = r.redact_segments(
        segments, {segments[0].path: spans_of(segments[0].text, (NAME, "PERSON"))}
    )
    assert replacements == {("messages", 0, "content"): "I am <PERSON_2>"}
    sent = apply_replacements(body, replacements)
    assert sent["messages"][1]["content"] == "Fill in: <PERSON_1> lives in <LOCATION_1>"
    assert r.restore("<PERSON_1> is <PERSON_2>") == f"<PERSON_1> is {NAME}"


def test_a_look_alike_met_too_late_fails_closed() -> None:
    r = Redactor()
    redact(r, NAME, (NAME, "PERSON"))
    with pytest.raises(RedactionError) as caught:
        r.redact("typed <Person_1> by hand", [])
    assert NAME not in str(caught.value)
    r.redact("<PERSON_2> is fine: never issued", [])  # reserved from now on
    assert redact(r, OTHER_NAME, (OTHER_NAME, "PERSON")) == "<PERSON_3>"


def test_spans_for_unknown_paths_fail_closed() -> None:
    segment = Segment(("messages", 0, "content"), NAME, SegmentKind.USER)
    with pytest.raises(RedactionError):
        Redactor().redact_segments([segment], {("messages", 1, "content"): [(0, 1, "PERSON")]})


# ---------------------------------------------------------------------------- restore


@pytest.fixture
def jean() -> Redactor:
    r = Redactor()
    assert redact(r, NAME, (NAME, "PERSON")) == "<PERSON_1>"
    return r


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("<PERSON_1>", "{name}"),  # exact
        ("<person_1>", "{name}"),  # re-cased by the model: still ours
        ("<Person_1>'s file", "{name}'s file"),
        ("<<PERSON_1>>", "<{name}>"),
        ("<PERSON_1><PERSON_1>", "{name}{name}"),
        ("<PERSON_7>", "<PERSON_7>"),  # never issued: left as it is
        ("<EMAIL_ADDRESS_1>", "<EMAIL_ADDRESS_1>"),
        ("< PERSON_1 >", "< PERSON_1 >"),  # altered: left as it is
        ("<PERSON_1 >", "<PERSON_1 >"),
        ("<PERSON 1>", "<PERSON 1>"),
        ("<PERSON-1>", "<PERSON-1>"),
        ("<PERSON_01>", "<PERSON_01>"),
        ("PERSON_1", "PERSON_1"),  # no brackets: could be an identifier in code
        ("[PERSON_1]", "[PERSON_1]"),
        ("<PERSON_1", "<PERSON_1"),
        ("<ＰERSON_1>", "<ＰERSON_1>"),  # full-width letter: not ASCII, not ours
        ("<PERſON_1>", "<PERſON_1>"),  # long s casefolds to s, but is not ASCII
    ],
)
def test_restore_policy_for_altered_placeholders(jean: Redactor, reply: str, expected: str) -> None:
    assert jean.restore(reply) == expected.format(name=NAME)


def test_restore_with_nothing_issued_is_identity() -> None:
    assert Redactor().restore("<PERSON_1> a < b") == "<PERSON_1> a < b"


def test_restored_values_are_not_restored_again() -> None:
    r = Redactor()
    # A (strange) value that itself looks like a placeholder is inserted once, not expanded.
    r.reserve(["<PERSON_1>"])
    out = r.redact("x <LOCATION_1> y", [(2, 14, "PERSON")])
    assert out == "x <PERSON_2> y"
    assert r.restore("<PERSON_2>") == "<LOCATION_1>"


def test_json_text_values_are_decoded_and_re_escaped() -> None:
    tricky = 'Jean "JJ" O\\Brien'
    r = Redactor()
    # Met in plain text first, then asked for inside tool-call arguments.
    assert redact(r, f"I am {tricky}", (tricky, "PERSON")) == "I am <PERSON_1>"
    arguments = r.restore('{"name": "<PERSON_1>"}', json_text=True)
    assert json.loads(arguments) == {"name": tricky}
    # Met inside JSON first: the same value, one placeholder, restored unescaped in prose.
    r2 = Redactor()
    raw = json.dumps({"name": tricky})
    escaped = json.dumps(tricky)[1:-1]
    assert redact(r2, raw, (escaped, "PERSON"), json_text=True) == '{"name": "<PERSON_1>"}'
    assert redact(r2, f"and {tricky}", (tricky, "PERSON")) == "and <PERSON_1>"
    assert r2.restore("<PERSON_1>") == tricky
    assert json.loads(r2.restore('{"n": "<PERSON_1>"}', json_text=True)) == {"n": tricky}


def test_json_text_value_that_cannot_be_decoded_is_kept_raw() -> None:
    r = Redactor()
    raw = '{"a": "x\\", "b": "y"}'
    out = r.redact(raw, [(7, 19, "SECRET")], json_text=True)  # straddles a string end
    assert out == '{"a": "<SECRET_1>"}'
    assert r.restore(out, json_text=True) == raw


# --------------------------------------------------------------- nothing leaks outside


def test_repr_str_and_summary_hold_no_value() -> None:
    r = Redactor()
    text = f"{NAME} {EMAIL} {OTHER_NAME}"
    redact(
        r, text, (NAME, "PERSON"), (EMAIL, "EMAIL_ADDRESS", "hash"), (OTHER_NAME, "PERSON", "mask")
    )
    summary = r.summary()
    shown = [repr(r), str(r), repr(summary), json.dumps(summary.to_dict()), f"{r!r}", f"{r}"]
    stream = r.stream_restorer()
    stream.feed("<PERS")
    shown += [repr(stream), repr(ChunkRestorer(r, CHAT))]
    for text_shown in shown:
        for value in (NAME, EMAIL, OTHER_NAME, *NAME.split(), EMAIL.split("@")[0]):
            assert value not in text_shown
    assert summary == RedactionSummary(
        (("EMAIL_ADDRESS", "hash", 1), ("PERSON", "mask", 1), ("PERSON", "placeholder", 1)), 1
    )
    assert summary.to_dict() == {
        "total": 3,
        "placeholders": 1,
        "by_entity": {"EMAIL_ADDRESS": {"hash": 1}, "PERSON": {"mask": 1, "placeholder": 1}},
    }


@pytest.mark.parametrize("leak", [pickle.dumps, copy.copy, copy.deepcopy])
def test_redactor_cannot_be_pickled_or_copied(leak: Any) -> None:
    r = Redactor()
    redact(r, NAME, (NAME, "PERSON"))
    with pytest.raises(TypeError, match="cannot be pickled or copied"):
        leak(r)
    assert not hasattr(r, "__dict__")


# -------------------------------------------------------------------- stream restorer


def feed_all(stream: StreamRestorer, chunks: list[str]) -> list[str]:
    return [stream.feed(c) for c in chunks] + [stream.flush()]


def test_split_placeholder_is_held_until_complete(jean: Redactor) -> None:
    stream = jean.stream_restorer()
    assert feed_all(stream, ["Hello <PER", "SON", "_1>!"]) == ["Hello ", "", f"{NAME}!", ""]


def test_lone_angle_bracket_is_released_as_soon_as_it_cannot_be_a_placeholder(
    jean: Redactor,
) -> None:
    stream = jean.stream_restorer()
    assert stream.feed("a < b") == "a < b"  # "< b" is no placeholder prefix
    assert stream.feed(" and c <") == " and c "  # could still become one
    assert stream.held_length == 1
    assert stream.feed("= d") == "<= d"
    assert stream.feed("<PERSON_9") == "<PERSON_9"  # PERSON_9 was never issued
    assert stream.feed("> <PERSON_1") == "> "
    assert stream.flush() == "<PERSON_1"  # the stream ended mid-placeholder: as written


def test_nothing_is_held_when_no_placeholder_was_issued() -> None:
    stream = Redactor().stream_restorer()
    assert stream.max_held == 0
    assert feed_all(stream, ["<", "PERSON_1", ">"]) == ["<", "PERSON_1", ">", ""]


def test_stream_restorer_json_text(jean: Redactor) -> None:
    r = Redactor()
    redact(r, 'A "B"', ('A "B"', "PERSON"))
    stream = r.stream_restorer(json_text=True)
    out = "".join(feed_all(stream, ['{"who": "<PERS', 'ON_1>"}']))
    assert json.loads(out) == {"who": 'A "B"'}


PIECES = st.sampled_from(
    [
        "<",
        ">",
        "_",
        "1",
        "0",
        "9",
        " ",
        "a",
        "P",
        "é",
        "<PERSON_1>",
        "<person_1>",
        "<PERSON_2>",
        "<EMAIL_ADDRESS_1>",
        "<Email_Address_1>",
        "<LOCATION_12>",
        "<PERSON_7>",
        "<PERSON_",
        "<EMAIL_ADD",
        "<PERSON_1",
        "< PERSON_1 >",
    ]
)


def _redactor_with_values(values: list[str]) -> Redactor:
    r = Redactor()
    for i, value in enumerate(values):
        r.redact(value, [(0, len(value), ("PERSON", "EMAIL_ADDRESS", "LOCATION")[i % 3])])
    return r


@st.composite
def texts_and_splits(draw: Any) -> tuple[str, list[str]]:
    text = "".join(draw(st.lists(PIECES | st.text(max_size=3), max_size=40)))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return text, chunks


FAKE_VALUES = st.lists(
    st.sampled_from([fake.name() for _ in range(12)] + [fake.email() for _ in range(12)]),
    min_size=0,
    max_size=14,
    unique=True,
)


@settings(max_examples=400, deadline=None)
@given(values=FAKE_VALUES, case=texts_and_splits(), json_text=st.booleans())
def test_streaming_restore_equals_restore_of_the_whole(
    values: list[str], case: tuple[str, list[str]], json_text: bool
) -> None:
    r = _redactor_with_values(values)
    text, chunks = case
    stream = r.stream_restorer(json_text=json_text)
    assert stream.max_held == max(0, r.max_placeholder_length - 1)
    assert stream.max_held < MAX_PLACEHOLDER_LENGTH
    emitted = []
    for chunk in chunks:
        emitted.append(stream.feed(chunk))
        assert stream.held_length <= stream.max_held
    emitted.append(stream.flush())
    assert stream.held_length == 0
    assert "".join(emitted) == r.restore(text, json_text=json_text)


@settings(max_examples=200, deadline=None)
@given(
    values=FAKE_VALUES,
    noise=st.lists(PIECES | st.text(max_size=4), max_size=12),
    order=st.randoms(use_true_random=False),
)
def test_redact_then_restore_gives_back_the_text(
    values: list[str], noise: list[str], order: Any
) -> None:
    # Values spelled one way each, mixed with look-alikes the user typed: restoring what was
    # sent gives back exactly the original text, and the look-alikes are never touched.
    keys = {" ".join(v.split()).casefold() for v in values}
    assume(len(keys) == len(values))
    parts = [(v, "value") for v in values] + [(n, "noise") for n in noise]
    order.shuffle(parts)
    text, spans = "", []
    for part, what in parts:
        if what == "value":
            spans.append(
                (len(text), len(text) + len(part), "PERSON" if "@" not in part else "EMAIL_ADDRESS")
            )
        text += part + "|"
    r = Redactor()
    sent = r.redact(text, spans)
    for value in values:
        assert value not in sent
    assert r.restore(sent) == text


# -------------------------------------------------------------- replies, chunk by chunk


def chunk(index: int, finish: str | None = None, **delta: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
    }


def collect(chunks: list[dict[str, Any]]) -> dict[tuple, str]:
    """What an OpenAI client assembles from the chunks: text per choice and field."""
    out: dict[tuple, str] = {}
    for c in chunks:
        for choice in c["choices"]:
            delta = choice.get("delta", {})
            for field in ("content", "refusal"):
                if isinstance(delta.get(field), str):
                    out[(choice["index"], field)] = (
                        out.get((choice["index"], field), "") + delta[field]
                    )
            for call in delta.get("tool_calls") or []:
                key = (choice["index"], "tool", call["index"])
                out[key] = out.get(key, "") + call.get("function", {}).get("arguments", "")
    return out


def test_chunk_restorer_streams_content_and_tool_arguments(jean: Redactor) -> None:
    redact(jean, "a@b.ch", ("a@b.ch", "EMAIL_ADDRESS"))
    chunks = [
        chunk(0, content="Hi <PER", role="assistant"),
        chunk(1, content="<EMAIL_"),
        chunk(0, content="SON_1>, "),
        chunk(
            0,
            tool_calls=[
                {"index": 0, "id": "t", "function": {"name": "f", "arguments": '{"to": "<EMA'}}
            ],
        ),
        chunk(1, content="ADDRESS_1> <PERS", finish=None),
        chunk(
            0,
            tool_calls=[
                {"index": 0, "function": {"arguments": 'IL_ADDRESS_1>", "who": "<PERSON_'}}
            ],
        ),
        chunk(0, tool_calls=[{"index": 0, "function": {"arguments": '1>"}'}}]),
        chunk(1, finish="stop"),  # releases "<PERS" into this chunk
        chunk(0, content="bye <", finish="tool_calls"),
    ]
    restorer = ChunkRestorer(jean, CHAT)
    out = [restorer.restore_chunk(c) for c in chunks]
    assert restorer.finish() is None
    assembled = collect(out)
    assert assembled[(0, "content")] == f"Hi {NAME}, bye <"
    assert assembled[(1, "content")] == "a@b.ch <PERS"
    assert json.loads(assembled[(0, "tool", 0)]) == {"to": "a@b.ch", "who": NAME}
    assert out[0]["choices"][0]["delta"] == {"content": "Hi ", "role": "assistant"}
    assert chunks[0]["choices"][0]["delta"]["content"] == "Hi <PER"  # input untouched


def test_chunk_restorer_finish_releases_what_a_cut_stream_held(jean: Redactor) -> None:
    restorer = ChunkRestorer(jean, CHAT)
    restorer.restore_chunk(chunk(0, content="x <PERSON"))
    restorer.restore_chunk(chunk(0, tool_calls=[{"index": 1, "function": {"arguments": "<P"}}]))
    last = restorer.finish()
    assert last == {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "delta": {
                    "content": "<PERSON",
                    "tool_calls": [{"index": 1, "function": {"arguments": "<P"}}],
                },
                "finish_reason": None,
            }
        ],
    }
    assert restorer.finish() is None


def test_chunk_restorer_completions(jean: Redactor) -> None:
    restorer = ChunkRestorer(jean, "/v1/completions")
    first = {"id": "x", "choices": [{"index": 0, "text": "Dear <PERSO", "finish_reason": None}]}
    second = {"id": "x", "choices": [{"index": 0, "text": "N_1> <", "finish_reason": "length"}]}
    out = [restorer.restore_chunk(first), restorer.restore_chunk(second)]
    assert [c["choices"][0]["text"] for c in out] == ["Dear ", f"{NAME} <"]
    restorer.restore_chunk(
        {"id": "x", "choices": [{"index": 1, "text": "<PER", "finish_reason": None}]}
    )
    assert restorer.finish() == {
        "id": "x",
        "choices": [{"index": 1, "text": "<PER", "logprobs": None, "finish_reason": None}],
    }


def test_chunk_restorer_passes_other_chunks_through(jean: Redactor) -> None:
    restorer = ChunkRestorer(jean, CHAT)
    usage = {"id": "c1", "choices": [], "usage": {"total_tokens": 3}}
    assert restorer.restore_chunk(usage) == usage
    assert restorer.restore_chunk("[DONE]") == "[DONE]"


def test_restore_full_response(jean: Redactor) -> None:
    body = {
        "choices": [
            {
                "index": 0,
                "message": {
                    "content": "Hello <PERSON_1>, not <PERSON_2>",
                    "tool_calls": [{"function": {"name": "f", "arguments": '{"n": "<PERSON_1>"}'}}],
                },
            }
        ]
    }
    restored = restore_response(jean, CHAT, body)
    message = restored["choices"][0]["message"]
    assert message["content"] == f"Hello {NAME}, not <PERSON_2>"
    assert json.loads(message["tool_calls"][0]["function"]["arguments"]) == {"n": NAME}
    assert body["choices"][0]["message"]["content"].startswith("Hello <PERSON_1>")
