"""A replayed coding-agent session over /v1/messages, as Claude Code drives one: a several-KB
system prompt and the tool definitions resent every turn, 30 turns of tool calls reading files
that hold `.env` secrets and customer records, the whole history resent each time.

Asserted: no secret (nor a customer's e-mail address or IBAN) reaches the remote stub in any
turn; every tool result the client gets back is restored; and detection cost per turn stays
flat — the detection cache makes what was already scanned (the system prompt, earlier turns)
free, so turn 30, carrying 29 earlier turns, costs no more than 1.5x an early turn. The cost is
counted exactly as the characters detection scans past its cache; the gateway's own
`server-timing: detect;dur=` figure is asserted too, with the wide margin a shared machine
needs (turn 30 against turn 1).
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from faker import Faker

from tests.support.gateway import KEYS
from tests.support.messages import MessagesStack, running_messages_stack

TURNS = 30
rng = random.Random(42)
fake = Faker("en_US")
Faker.seed(42)


def _token(alphabet: str, size: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(size))


ALNUM = string.ascii_letters + string.digits


def _env_file() -> tuple[str, list[str]]:
    secrets = [
        "sk-proj-" + _token(ALNUM, 42),
        "ghp_" + _token(ALNUM, 36),
        "sk_live_" + _token(ALNUM, 28),
        "AKIA" + _token(string.ascii_uppercase + string.digits, 16),
        "Tr0ub4dor-" + _token(string.ascii_lowercase, 12),
    ]
    text = (
        f"OPENAI_API_KEY={secrets[0]}\nGITHUB_TOKEN={secrets[1]}\n"
        f"STRIPE_SECRET_KEY={secrets[2]}\nAWS_ACCESS_KEY_ID={secrets[3]}\n"
        f"DB_PASSWORD={secrets[4]}\nLOG_LEVEL=info\n"
    )
    return text, secrets


def _customers() -> tuple[str, list[str]]:
    rows = ["id,name,email,iban,city"]
    values: list[str] = []
    for index in range(5):
        email, iban = fake.unique.email(), fake.iban()
        rows.append(f"{index},{fake.name()},{email},{iban},{fake.city()}")
        values += [email, iban]
    return "\n".join(rows) + "\n", values


SYSTEM = "\n\n".join(
    [
        "You are an interactive coding agent working in the user's repository. Follow the "
        "project's conventions, run the tests after each change, and keep answers short."
    ]
    + [" ".join(fake.sentences(nb=8)) for _ in range(20)]
)
TOOLS = [
    {
        "name": name,
        "description": description + " " + " ".join(fake.sentences(nb=3)),
        "input_schema": {
            "type": "object",
            "properties": {field: {"type": "string", "description": f"the {field}"}},
            "required": [field],
        },
    }
    for name, description, field in [
        ("Read", "Read a file from the local filesystem.", "file_path"),
        ("Bash", "Run a shell command in the repository.", "command"),
        ("Edit", "Replace a string in a file.", "old_string"),
        ("Grep", "Search file contents with a regular expression.", "pattern"),
    ]
]


def _session() -> tuple[list[list[dict[str, Any]]], list[str]]:
    """The messages of each turn's request, and every planted value."""
    planted: list[str] = []
    history: list[dict[str, Any]] = [
        {"role": "user", "content": "Fix the failing billing test and check the config."}
    ]
    turns = [list(history)]
    for turn in range(1, TURNS):
        if turn % 3 == 1:
            result, values = _env_file()
            tool, argument = "Read", f"services/billing-{turn}/.env"
        elif turn % 3 == 2:
            result, values = _customers()
            tool, argument = "Read", f"fixtures/customers-{turn}.csv"
        else:
            result = "\n".join(
                f"src/billing/module_{turn}_{i}.py:{i}: def total()" for i in range(8)
            )
            values, tool, argument = [], "Grep", "def total"
        planted += values
        call_id = f"toolu_{turn:04d}{_token(ALNUM, 16)}"
        history.append(
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": f"Let me look at {argument}."},
                    {
                        "type": "tool_use",
                        "id": call_id,
                        "name": tool,
                        "input": {"file_path" if tool == "Read" else "pattern": argument},
                    },
                ],
            }
        )
        history.append(
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": call_id, "content": result}],
            }
        )
        turns.append(list(history))
    return turns, planted


@pytest.fixture(scope="module")
def ms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MessagesStack]:
    with running_messages_stack(tmp_path_factory.mktemp("agent")) as stack:
        stack.claude.configure(mode="echo")
        yield stack


def _detect_ms(response: httpx.Response) -> float:
    found = re.search(r"detect;dur=([0-9.]+)", response.headers.get("server-timing", ""))
    assert found, response.headers
    return float(found.group(1))


def test_agent_session_leaks_nothing_and_detection_stays_flat(
    ms: MessagesStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    turns, planted = _session()
    assert len(SYSTEM) > 4000
    headers = {"x-api-key": KEYS["plain"], "anthropic-version": "2023-06-01"}
    gateway = ms.stack.gateway
    detector = gateway.store.detector("plain", gateway.store.snapshot)
    # As the gateway does at start-up (the test gateway skips it): load the pipelines and set
    # up the recognizers, so that turn 1 measures scanning, not loading.
    detector.warm_up()
    # The work detection does (characters actually scanned, past the cache), counted exactly;
    # the wall-clock figure of a shared machine is asserted only with a wide margin.
    scanned = [0]
    real_scan = detector._scan_uncached

    def counting(texts: list[str], languages: list[str | None]) -> Any:
        scanned[0] += sum(len(text) for text in texts)
        return real_scan(texts, languages)

    monkeypatch.setattr(detector, "_scan_uncached", counting)
    work: dict[int, int] = {}
    costs: dict[int, float] = {}
    with httpx.Client(base_url=ms.url, headers=headers, timeout=120) as client:
        for number, messages in enumerate(turns, start=1):
            body = {
                "model": "claude-stub",
                "max_tokens": 1024,
                "system": SYSTEM,
                "tools": TOOLS,
                "messages": messages,
            }
            before = scanned[0]
            response = client.post("/v1/messages", json=body)
            assert response.status_code == 200, response.text
            work[number] = scanned[0] - before
            costs[number] = _detect_ms(response)
            # What the agent reads back (the stub echoes the last tool result) is restored.
            last = messages[-1]["content"]
            expected = last if isinstance(last, str) else last[0]["content"]
            assert response.json()["content"][-1]["text"] == expected

    sent = ms.claude.all_bytes()
    leaked = [value for value in planted if value.encode() in sent]
    assert leaked == [], f"{len(leaked)} planted values reached the remote stub"
    assert b"<SECRET_" in sent and b"<EMAIL_ADDRESS_" in sent  # they were there, replaced
    early = sum(work[n] for n in range(2, 8))
    late = sum(work[n] for n in range(TURNS - 5, TURNS + 1))
    print(
        f"characters scanned: turn 1 {work[1]}, turns 2-7 {early}, turns {TURNS - 5}-{TURNS} "
        f"{late}; detection ms: turn 1 {costs[1]:.2f}, turn {TURNS} {costs[TURNS]:.2f}"
    )
    # Turn 1 scans the system prompt and the tools; later turns only their new content.
    assert work[TURNS] <= 1.5 * work[1]
    # Each turn adds one tool result of the same three kinds in turn (a .env file, customer
    # records, grep output): six consecutive turns carry the same amount of new text, however
    # long the history resent with them.
    assert late <= 1.5 * early
    # The time too, with the wide margin a shared machine needs (turn 1 is ~20x turn 30).
    assert costs[TURNS] <= 1.5 * costs[1]
