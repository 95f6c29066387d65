"""A replayed coding-agent session over /v1/responses, as Codex CLI drives one: stateless
(`store: false`), a several-KB `instructions` and the function tools resent every turn, and the
whole history — `function_call` items and their `function_call_output`s reading files that hold
`.env` secrets and customer records — resent each time, for 30 turns.

Asserted: no secret, e-mail address or IBAN reaches the remote stub in any turn; the tool result
the stub reads back is restored for the client every turn; detection cost per turn stays flat
(the detection cache makes what was scanned before free): the characters detection actually
scans in turn 30 are at most 1.5x turn 1's, six late turns at most 1.5x six early ones, and the
gateway's own `server-timing` detection time of the last five turns (median) at most 1.5x turn
1's.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import string
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from faker import Faker

from tests.support.gateway import KEYS, Stack, running_stack

TURNS = 30
rng = random.Random(7)
fake = Faker("en_US")
Faker.seed(7)
ALNUM = string.ascii_letters + string.digits


def _token(alphabet: str, size: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(size))


def _env_file() -> tuple[str, list[str]]:
    secrets = [
        "sk-proj-" + _token(ALNUM, 42),
        "ghp_" + _token(ALNUM, 36),
        "AKIA" + _token(string.ascii_uppercase + string.digits, 16),
    ]
    text = (
        f"OPENAI_API_KEY={secrets[0]}\nGITHUB_TOKEN={secrets[1]}\n"
        f"AWS_ACCESS_KEY_ID={secrets[2]}\nLOG_LEVEL=info\n"
    )
    return text, secrets


def _customers() -> tuple[str, list[str]]:
    rows = ["id,name,email,iban"]
    values: list[str] = []
    for index in range(5):
        email, iban = fake.unique.email(), fake.iban()
        rows.append(f"{index},{fake.name()},{email},{iban}")
        values += [email, iban]
    return "\n".join(rows) + "\n", values


INSTRUCTIONS = "\n\n".join(
    ["You are Codex, a coding agent working in the user's repository. Keep answers short."]
    + [" ".join(fake.sentences(nb=8)) for _ in range(20)]
)
TOOLS = [
    {
        "type": "function",
        "name": name,
        "description": description + " " + " ".join(fake.sentences(nb=3)),
        "parameters": {
            "type": "object",
            "properties": {field: {"type": "string", "description": f"the {field}"}},
            "required": [field],
        },
        "strict": False,
    }
    for name, description, field in [
        ("shell", "Run a shell command in the repository.", "command"),
        ("read_file", "Read a file of the repository.", "path"),
        ("apply_patch", "Apply a patch to the repository.", "patch"),
    ]
]


def _session() -> tuple[list[list[dict[str, Any]]], list[str]]:
    planted: list[str] = []
    history: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "input_text", "text": "Fix the billing test."}]}
    ]
    turns = [list(history)]
    for turn in range(1, TURNS):
        if turn % 3 == 1:
            result, values = _env_file()
            command = f"cat services/billing-{turn}/.env"
        elif turn % 3 == 2:
            result, values = _customers()
            command = f"cat fixtures/customers-{turn}.csv"
        else:
            result = "\n".join(f"src/billing/mod_{turn}_{i}.py:{i}: def total()" for i in range(8))
            values, command = [], "rg 'def total'"
        planted += values
        call_id = f"call_{turn:04d}{_token(ALNUM, 16)}"
        history.append(
            {
                "type": "function_call",
                "call_id": call_id,
                "name": "shell",
                "arguments": json.dumps({"command": command}),
            }
        )
        history.append({"type": "function_call_output", "call_id": call_id, "output": result})
        turns.append(list(history))
    return turns, planted


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("codex")) as served:
        yield served


def _detect_ms(response: httpx.Response) -> float:
    found = re.search(r"detect;dur=([0-9.]+)", response.headers.get("server-timing", ""))
    assert found, response.headers
    return float(found.group(1))


def test_a_codex_session_leaks_nothing_and_detection_stays_flat(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    turns, planted = _session()
    assert len(INSTRUCTIONS) > 4000
    # Team `pics` redacts everything for remote models, secrets included (no block rule).
    headers = {"authorization": f"Bearer {KEYS['pics']}"}
    costs: dict[int, float] = {}
    gateway = stack.gateway
    detector = gateway.store.detector("pics", gateway.store.snapshot)
    detector.warm_up()  # as start-up does
    # The work detection does (characters actually scanned, past the cache), counted exactly:
    # the wall-clock figure on a shared machine is printed, but too noisy to assert closely.
    scanned: list[int] = [0]
    real_scan = detector._scan_uncached

    def counting(texts: list[str], languages: list[str | None]) -> Any:
        scanned[0] += sum(len(text) for text in texts)
        return real_scan(texts, languages)

    monkeypatch.setattr(detector, "_scan_uncached", counting)
    work: dict[int, int] = {}
    with httpx.Client(base_url=stack.base_url, headers=headers, timeout=120) as client:
        for number, items in enumerate(turns, start=1):
            body = {
                "model": "remote-responses",
                "instructions": INSTRUCTIONS,
                "tools": TOOLS,
                "input": items,
                "store": False,
                "include": ["reasoning.encrypted_content"],
                "parallel_tool_calls": False,
            }
            before = scanned[0]
            response = client.post("/responses", json=body)
            assert response.status_code == 200, response.text
            costs[number] = _detect_ms(response)
            work[number] = scanned[0] - before
            last = items[-1]
            expected = last["output"] if "output" in last else last["content"][0]["text"]
            assert response.json()["output"][0]["content"][0]["text"] == expected

    sent = stack.remote.all_bytes()
    leaked = [value for value in planted if value.encode() in sent]
    assert leaked == [], f"{len(leaked)} planted values reached the remote stub"
    assert b"<SECRET_" in sent and b"<EMAIL_ADDRESS_" in sent  # they were there, replaced
    early = sum(work[n] for n in range(2, 8))
    late = sum(work[n] for n in range(TURNS - 5, TURNS + 1))
    print(
        f"characters scanned: turn 1 {work[1]}, turns 2-7 {early}, turns {TURNS - 5}-{TURNS} "
        f"{late}; detection ms: turn 1 {costs[1]:.2f}, turn {TURNS} {costs[TURNS]:.2f}"
    )
    # Turn 1 scans the instructions and tools; later turns only their new items.
    assert work[TURNS] <= 1.5 * work[1]
    # Each turn adds one tool result of the same three kinds in turn: six consecutive turns
    # carry the same amount of new text, however long the history resent with them.
    assert late <= 1.5 * early
    # The time too, with the margin a shared machine needs: turn 1 is ~10x the late turns, and
    # the median of the last five is not thrown by one scheduling hiccup.
    assert statistics.median(costs[n] for n in range(TURNS - 4, TURNS + 1)) <= 1.5 * costs[1]
