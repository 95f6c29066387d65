"""Restoring Responses replies: whole objects and event streams, placeholders split anywhere."""

from __future__ import annotations

import json

from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy_guard.redact import Redactor
from privacy_guard.responses.reply import ResponsesEventRestorer, restore_response

fake = Faker(["fr_FR"])
Faker.seed(11)
# Values that need JSON escaping inside arguments: quotes, backslashes, non-ASCII.
NAME = 'Zoé "Zizou" Lefèvre'
PATH = "C:\\Users\\" + fake.user_name()
EMAIL = fake.email()


def _redactor() -> tuple[Redactor, dict[str, str]]:
    redactor = Redactor()
    placeholders = {}
    for value, entity in ((NAME, "PERSON"), (PATH, "PATH"), (EMAIL, "EMAIL_ADDRESS")):
        placeholders[value] = redactor.redact(value, [(0, len(value), entity)])
    return redactor, placeholders


def test_a_whole_response_is_restored_everywhere_but_encrypted_content() -> None:
    redactor, ph = _redactor()
    arguments = json.dumps({"name": ph[NAME], "path": ph[PATH]})
    response = {
        "id": "resp_1",
        "object": "response",
        "model": "upstream-model",
        "instructions": f"Help {ph[NAME]}",
        "output": [
            {
                "type": "reasoning",
                "id": "rs",
                "summary": [{"type": "summary_text", "text": ph[NAME]}],
                "encrypted_content": ph[NAME],
            },
            {
                "type": "message",
                "id": "m",
                "role": "assistant",
                "status": "completed",
                "content": [
                    {
                        "type": "output_text",
                        "text": f"Dear {ph[NAME]}, at {ph[EMAIL]}",
                        "annotations": [],
                    },
                    {"type": "refusal", "refusal": f"not {ph[EMAIL]}"},
                ],
            },
            {
                "type": "function_call",
                "id": "fc",
                "call_id": "c",
                "name": "f",
                "arguments": arguments,
            },
            {
                "type": "custom_tool_call",
                "id": "ct",
                "call_id": "c2",
                "name": "shell",
                "input": f"ls {ph[PATH]}",
            },
        ],
        "output_text": f"Dear {ph[NAME]}",
    }
    out = restore_response(redactor, response, "catalog-name")
    assert out["model"] == "catalog-name"
    assert out["instructions"] == f"Help {NAME}"
    assert out["output"][0]["summary"][0]["text"] == NAME
    assert out["output"][0]["encrypted_content"] == ph[NAME]  # sealed upstream: unchanged
    assert out["output"][1]["content"][0]["text"] == f"Dear {NAME}, at {EMAIL}"
    assert out["output"][1]["content"][1]["refusal"] == f"not {EMAIL}"
    assert json.loads(out["output"][2]["arguments"]) == {"name": NAME, "path": PATH}
    assert out["output"][3]["input"] == f"ls {PATH}"
    assert out["output_text"] == f"Dear {NAME}"
    assert response["output"][1]["content"][0]["text"].startswith("Dear <PERSON_1>")  # a copy


def _stream(ph: dict[str, str], cut: int) -> list[dict]:
    """An upstream's events for one message and one function call, deltas cut every `cut`."""
    text = f"Bonjour {ph[NAME]}, votre mail {ph[EMAIL]}."
    arguments = json.dumps({"who": ph[NAME], "where": ph[PATH]})
    events: list[dict] = [
        {
            "type": "response.created",
            "response": {"id": "r", "model": "u", "output": [], "instructions": ph[NAME]},
        },
        {"type": "response.in_progress", "response": {"id": "r", "model": "u", "output": []}},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"type": "message", "id": "m", "role": "assistant", "content": []},
        },
        {
            "type": "response.content_part.added",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "part": {"type": "output_text", "text": ""},
        },
    ]
    events += [
        {
            "type": "response.output_text.delta",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "delta": text[i : i + cut],
        }
        for i in range(0, len(text), cut)
    ]
    events += [
        {
            "type": "response.output_text.done",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "text": text,
        },
        {
            "type": "response.content_part.done",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "part": {"type": "output_text", "text": text},
        },
        {
            "type": "response.output_item.done",
            "output_index": 0,
            "item": {
                "type": "message",
                "id": "m",
                "content": [{"type": "output_text", "text": text}],
            },
        },
        {
            "type": "response.output_item.added",
            "output_index": 1,
            "item": {
                "type": "function_call",
                "id": "fc",
                "call_id": "c",
                "name": "f",
                "arguments": "",
            },
        },
    ]
    events += [
        {
            "type": "response.function_call_arguments.delta",
            "item_id": "fc",
            "output_index": 1,
            "delta": arguments[i : i + cut],
        }
        for i in range(0, len(arguments), cut)
    ]
    events += [
        {
            "type": "response.function_call_arguments.done",
            "item_id": "fc",
            "output_index": 1,
            "arguments": arguments,
        },
        {
            "type": "response.output_item.done",
            "output_index": 1,
            "item": {"type": "function_call", "id": "fc", "arguments": arguments},
        },
        {
            "type": "response.completed",
            "response": {
                "id": "r",
                "model": "u",
                "output": [
                    {"type": "message", "content": [{"type": "output_text", "text": text}]},
                    {"type": "function_call", "arguments": arguments},
                ],
            },
        },
    ]
    for n, event in enumerate(events):
        event["sequence_number"] = n
    return events


def _check(out: list[dict], ph: dict[str, str]) -> None:
    text = "".join(e["delta"] for e in out if e["type"] == "response.output_text.delta")
    arguments = "".join(
        e["delta"] for e in out if e["type"] == "response.function_call_arguments.delta"
    )
    assert text == f"Bonjour {NAME}, votre mail {EMAIL}."
    assert json.loads(arguments) == {"who": NAME, "where": PATH}
    wire = json.dumps(out, ensure_ascii=False)
    for placeholder in ph.values():
        assert placeholder not in wire  # no event type leaves a placeholder behind
    done = next(e for e in out if e["type"] == "response.output_text.done")
    assert done["text"] == text
    assert json.loads(out[-1]["response"]["output"][1]["arguments"]) == {"who": NAME, "where": PATH}
    assert out[-1]["response"]["model"] == "catalog"
    assert out[0]["response"]["instructions"] == NAME
    assert [e["sequence_number"] for e in out] == list(range(len(out)))
    # Every held tail is released before its stream's `.done`.
    last_text_delta = max(i for i, e in enumerate(out) if e["type"] == "response.output_text.delta")
    assert last_text_delta < out.index(done)


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(min_value=1, max_value=40))
def test_events_restore_whatever_the_delta_cuts(cut: int) -> None:
    redactor, ph = _redactor()
    restorer = ResponsesEventRestorer(redactor, "catalog")
    out: list[dict] = []
    for event in _stream(ph, cut):
        out += restorer.restore(event)
    out += restorer.finish()
    _check(out, ph)


def test_nothing_is_held_back_when_no_placeholder_can_be_pending() -> None:
    redactor, ph = _redactor()
    restorer = ResponsesEventRestorer(redactor)
    event = {
        "type": "response.output_text.delta",
        "item_id": "m",
        "output_index": 0,
        "content_index": 0,
        "delta": "plain words <b>",
    }
    assert restorer.restore(event)[0]["delta"] == "plain words <b>"
    half = {**event, "delta": ph[NAME][:5]}
    assert restorer.restore(half)[0]["delta"] == ""  # a placeholder's start: held
    rest = {**event, "delta": ph[NAME][5:] + "!"}
    assert restorer.restore(rest)[0]["delta"] == NAME + "!"


def test_a_stream_cut_short_releases_what_it_held() -> None:
    redactor, ph = _redactor()
    restorer = ResponsesEventRestorer(redactor)
    event = {
        "type": "response.output_text.delta",
        "item_id": "m",
        "output_index": 0,
        "content_index": 0,
        "delta": "x " + ph[NAME][:4],
    }
    assert restorer.restore(event)[0]["delta"] == "x "
    tail = restorer.finish()
    assert [e["delta"] for e in tail] == [ph[NAME][:4]]


def test_without_a_redactor_events_pass_with_the_catalog_model() -> None:
    restorer = ResponsesEventRestorer(None, "catalog")
    event = {
        "type": "response.created",
        "response": {"id": "r", "model": "u"},
        "sequence_number": 0,
    }
    assert restorer.restore(event) == [{**event, "response": {"id": "r", "model": "catalog"}}]


@settings(max_examples=80, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            ["<PERSON_1>", "<person_1>", "<PERSON_7>", "<", ">", "<PER", "x", " é", '"']
        ),
        max_size=30,
    ),
    cuts=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=40),
)
def test_any_delta_stream_restores_to_the_whole_text_restored(
    pieces: list[str], cuts: list[int]
) -> None:
    redactor, _ = _redactor()  # issues <PERSON_1>, <PATH_1>, <EMAIL_ADDRESS_1>
    text = "".join(pieces)
    restorer = ResponsesEventRestorer(redactor)
    where = {"item_id": "m", "output_index": 0, "content_index": 0}
    out: list[dict] = []
    position, k = 0, 0
    while position < len(text):
        size = cuts[k % len(cuts)]
        k += 1
        delta = {
            "type": "response.refusal.delta",
            **where,
            "delta": text[position : position + size],
        }
        out += restorer.restore(delta)
        position += size
    out += restorer.restore({"type": "response.refusal.done", **where, "refusal": text})
    deltas = "".join(e["delta"] for e in out if e["type"] == "response.refusal.delta")
    assert deltas == redactor.restore(text)
    assert out[-1]["refusal"] == redactor.restore(text)


def test_every_delta_family_has_its_own_stream_and_arguments_are_json_escaped() -> None:
    redactor, ph = _redactor()
    restorer = ResponsesEventRestorer(redactor)
    arguments = json.dumps({"who": ph[NAME]})
    families = {
        "response.reasoning_summary_text": {"item_id": "rs", "output_index": 0, "summary_index": 0},
        "response.custom_tool_call_input": {"item_id": "ct", "output_index": 1},
        "response.mcp_call_arguments": {"item_id": "mc", "output_index": 2},
    }
    texts = {
        "response.reasoning_summary_text": f"thinking about {ph[NAME]}",
        "response.custom_tool_call_input": f"grep {ph[PATH]}",
        "response.mcp_call_arguments": arguments,
    }
    out: list[dict] = []
    # Interleaved, cut every 2 characters: each family keeps its own held tail.
    longest = max(len(t) for t in texts.values())
    for i in range(0, longest, 2):
        for family, where in families.items():
            piece = texts[family][i : i + 2]
            if piece:
                out += restorer.restore({"type": family + ".delta", **where, "delta": piece})
    for family, where in families.items():
        out += restorer.restore({"type": family + ".done", **where})
    joined = {
        family: "".join(e["delta"] for e in out if e["type"] == family + ".delta")
        for family in families
    }
    assert joined["response.reasoning_summary_text"] == f"thinking about {NAME}"
    assert joined["response.custom_tool_call_input"] == f"grep {PATH}"
    assert json.loads(joined["response.mcp_call_arguments"]) == {"who": NAME}
