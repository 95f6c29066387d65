"""Real-traffic workloads shared by the detection and gateway benchmarks (issue 12).

* **Mixed 1 KB prompts**: examples of the development set (short EN/FR/DE/IT prompts, pasted
  documents with SQL, logs, JSON, CSV and code, clean texts, obfuscated values) drawn across all
  of its sets in a seeded random order — never in the generator's template order — and joined
  until a prompt reaches about 1 KB, so one prompt holds prose in two languages next to code
  and data, as a chat with a coding assistant does.
* **Agent-style pastes** of 10 and 100 KB: what a coding agent sends in one turn — source files
  (Python standard-library modules, fixed for a given Python version), stack traces, JSON tool
  output, Markdown notes and log excerpts — with dev-set examples spliced in between, so the
  personal data sits inside the noise the way it does in real tool output.

Everything is deterministic for a given dev set, seed and Python version.
"""

from __future__ import annotations

import inspect
import json
import random
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from privacy_guard.evaluate import Example

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEVSET = ROOT / "tests" / "data" / "devset.jsonl"
MIXED_SEED = 12_012

# Standard-library modules whose source stands in for pasted source files.
_SOURCE_MODULES = (
    "textwrap",
    "json.decoder",
    "csv",
    "argparse",
    "shlex",
    "dataclasses",
    "fractions",
    "calendar",
    "configparser",
    "string",
)
_FRAMES = (
    ("app/services/billing.py", "charge_customer", "invoice = self.repo.get(invoice_id)"),
    ("app/api/routes/orders.py", "create_order", "order = await service.create(payload)"),
    ("lib/python3.12/site-packages/sqlalchemy/engine/base.py", "_execute_context",
     "self.dialect.do_execute(cursor, statement, parameters, context)"),
    ("lib/python3.12/site-packages/httpx/_transports/default.py", "handle_async_request",
     "resp = await self._pool.handle_async_request(req)"),
    ("app/workers/sync.py", "run", "for batch in chunked(rows, 500):"),
    ("app/models/user.py", "validate_email", "raise ValueError(f'invalid email: {value!r}')"),
)  # fmt: skip
_ERRORS = (
    "sqlalchemy.exc.IntegrityError: (psycopg.errors.UniqueViolation) duplicate key value "
    'violates unique constraint "users_email_key"',
    "httpx.ConnectTimeout: timed out while connecting to payments.internal:8443",
    "KeyError: 'customer_id'",
    "ValueError: invalid literal for int() with base 10: 'N/A'",
)
_LOG_LEVELS = ("INFO", "DEBUG", "WARN", "ERROR")
_PATHS = ("/api/orders", "/api/cart", "/v1/users/me", "/healthz", "/api/invoices/export")


def load_examples(path: Path = DEFAULT_DEVSET) -> list[Example]:
    from privacy_guard.evaluate import load_dataset

    return load_dataset(path)


def mixed_examples(
    examples: list[Example], count: int, size: int = 1024, seed: int = MIXED_SEED
) -> list[Example]:
    """`count` distinct prompts of about `size` characters, each a shuffled mix of dev-set
    examples from different sets (a pasted document — code, SQL, logs, JSON or CSV — in every
    one), with their gold spans moved along, so recall can be scored on the mix too."""
    from privacy_guard.evaluate import Example, GoldSpan

    rng = random.Random(seed)
    documents = [e for e in examples if "document" in e.tags]
    order = list(examples)
    rng.shuffle(order)
    mixed: list[Example] = []
    position = 0
    while len(mixed) < count:
        parts = [rng.choice(documents)]
        while sum(len(p.text) + 2 for p in parts) < size:
            parts.append(order[position % len(order)])
            position += 1
        rng.shuffle(parts)
        text, spans = "", []
        for part in parts:
            if text:
                text += "\n\n"
            spans += [GoldSpan(s.start + len(text), s.end + len(text), s.label) for s in part.spans]
            text += part.text
        mixed.append(Example(f"mixed-{len(mixed)}", text, tuple(spans), None, ("mixed",)))
    return mixed


def mixed_prompts(
    examples: list[Example], count: int, size: int = 1024, seed: int = MIXED_SEED
) -> list[str]:
    return [e.text for e in mixed_examples(examples, count, size, seed)]


def _source_files() -> list[str]:
    import importlib

    return [inspect.getsource(importlib.import_module(name)) for name in _SOURCE_MODULES]


def _stack_trace(rng: random.Random) -> str:
    lines = ["Traceback (most recent call last):"]
    for path, function, code in rng.sample(_FRAMES, rng.randint(3, len(_FRAMES))):
        lines.append(f'  File "/srv/app/{path}", line {rng.randint(12, 900)}, in {function}')
        lines.append(f"    {code}")
    lines.append(rng.choice(_ERRORS))
    return "\n".join(lines)


def _log_excerpt(rng: random.Random, examples: list[Example]) -> str:
    lines = []
    for _ in range(rng.randint(6, 20)):
        stamp = (
            f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
            f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}Z"
        )
        request = f"{rng.getrandbits(64):016x}"
        lines.append(
            f"{stamp} {rng.choice(_LOG_LEVELS):<5} [worker-{rng.randint(1, 8)}] "
            f"req={request} path={rng.choice(_PATHS)} status={rng.choice((200, 201, 404, 500))} "
            f"duration_ms={rng.randint(1, 900)}"
        )
    if rng.random() < 0.5:  # a log line that quotes what a user typed
        quoted = rng.choice(examples).text.replace("\n", " ")[:160]
        lines.insert(rng.randrange(len(lines)), f'{lines[0][:24]} WARN  rejected input="{quoted}"')
    return "\n".join(lines)


def _json_output(rng: random.Random, examples: list[Example]) -> str:
    records = []
    for index in range(rng.randint(3, 8)):
        note = rng.choice(examples).text if rng.random() < 0.4 else ""
        records.append(
            {
                "id": f"{rng.getrandbits(96):024x}",
                "index": index,
                "status": rng.choice(("active", "pending", "archived")),
                "createdAt": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
                "checksum": f"{rng.getrandbits(160):040x}",
                "tags": rng.sample(["billing", "eu", "priority", "legacy", "beta"], 2),
                "note": note,
            }
        )
    return json.dumps({"results": records, "total": len(records)}, indent=2, ensure_ascii=False)


def _markdown(rng: random.Random, examples: list[Example]) -> str:
    prose = [e.text for e in rng.sample(examples, 4) if "\n" not in e.text]
    items = "\n".join(f"- {p}" for p in prose[:3])
    return (
        f"## Notes {rng.randint(1, 99)}\n\n{items}\n\n"
        f"| step | owner | done |\n|---|---|---|\n| migrate | platform | {rng.choice('xy')} |\n"
        f"\nSee `scripts/run_{rng.randint(1, 9)}.sh` and **ticket {rng.randint(1000, 9999)}**."
    )


def agent_paste(examples: list[Example], size: int, seed: int) -> str:
    """About `size` characters of what a coding agent sends in one turn."""
    rng = random.Random(seed)
    sources = _source_files()
    parts: list[str] = []
    total = 0
    while total < size:
        kind = rng.random()
        if kind < 0.35:
            source = rng.choice(sources)
            start = rng.randrange(max(1, len(source) - 3000))
            start = source.rfind("\n", 0, start) + 1
            part = f"```python\n{source[start : start + rng.randint(800, 3000)]}\n```"
        elif kind < 0.5:
            part = _stack_trace(rng)
        elif kind < 0.65:
            part = _json_output(rng, examples)
        elif kind < 0.75:
            part = _log_excerpt(rng, examples)
        elif kind < 0.85:
            part = _markdown(rng, examples)
        else:
            part = rng.choice(examples).text
        parts.append(part)
        total += len(part) + 2
    text = "\n\n".join(parts)
    return text[:size]
