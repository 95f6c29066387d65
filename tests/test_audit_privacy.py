"""Nothing personal in the audit log: every byte of the store is scanned for the values sent."""

from __future__ import annotations

import base64
import hashlib
import threading
from pathlib import Path

from faker import Faker

from privacy_guard.audit import DecisionEvent
from tests.support.audit import decision, make_fixture, outcome


def _people(count: int) -> list[dict[str, str]]:
    people = []
    for locale, seed in (("en_GB", 11), ("fr_FR", 12), ("fr_CH", 13), ("de_CH", 14)):
        faker = Faker(locale)
        faker.seed_instance(seed)
        for _ in range(count // 4):
            people.append(
                {
                    "name": faker.name(),
                    "email": faker.email(),
                    "phone": faker.phone_number(),
                    "iban": faker.iban(),
                    "address": faker.street_address(),
                    "card": faker.credit_card_number(),
                    "secret": "sk-" + faker.sha256()[:40],
                }
            )
    return people


def _needles(values: list[str]) -> set[bytes]:
    """Each value as it could leak: raw, in other cases, UTF-16, escaped in JSON, base64, and
    as an unkeyed hash (hex and raw)."""
    found: set[bytes] = set()
    for value in values:
        for form in {value, value.lower(), value.upper(), value.replace(" ", "")}:
            if len(form) < _PREFIX:
                continue
            raw = form.encode("utf-8")
            found |= {
                raw,
                form.encode("utf-16-le"),
                form.encode("unicode_escape"),
                base64.b64encode(raw),
            }
            for algorithm in ("sha256", "sha1", "md5", "blake2b"):
                digest = hashlib.new(algorithm, raw)
                found |= {digest.digest(), digest.hexdigest().encode()}
    return found


_PREFIX = 6


def _scan(folder: Path, needles: set[bytes]) -> list[tuple[str, bytes]]:
    """Every (file, needle) found in the store's files. Candidates by 6-byte prefix at every
    offset, then confirmed: tens of thousands of needles in one pass per file."""
    by_prefix: dict[bytes, list[bytes]] = {}
    for needle in needles:
        by_prefix.setdefault(needle[:_PREFIX], []).append(needle)
    hits = []
    for path in sorted(folder.iterdir()):
        if not path.name.startswith("audit.db"):
            continue
        data = path.read_bytes()
        for offset in range(len(data) - _PREFIX + 1):
            candidates = by_prefix.get(data[offset : offset + _PREFIX])
            if candidates:
                hits += [(path.name, n) for n in candidates if data.startswith(n, offset)]
    return hits


def test_no_byte_of_the_log_holds_personal_data(tmp_path: Path) -> None:
    fx = make_fixture(tmp_path)
    people = _people(200)
    values: list[str] = []
    events: list[DecisionEvent] = []
    for i, person in enumerate(people):
        prompt = (
            f"Hi, I am {person['name']} ({person['email']}, {person['phone']}), I live at "
            f"{person['address']}. Pay to {person['iban']} with card {person['card']}; "
            f"my API key is {person['secret']}."
        )
        events.append(decision(i, prompt_text=prompt, caller_key=person["secret"] + "-caller"))
        values += [*person.values(), prompt, person["secret"] + "-caller"]
    needles = _needles(values)
    audit = fx.open(checkpoint_every=64)

    def work(chunk: list[DecisionEvent]) -> None:
        for event in chunk:
            audit.append_decision(event)
            audit.append_outcome(outcome(0, request_id=event.request_id))

    threads = [threading.Thread(target=work, args=(events[t::8],)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # While the log is open: the database, its write-ahead log and shared memory.
    assert {p.name for p in tmp_path.iterdir()} >= {"audit.db", "audit.db-wal"}
    assert _scan(tmp_path, needles) == []
    audit.close()
    assert _scan(tmp_path, needles) == []
    # And the scan does find what it looks for.
    (tmp_path / "audit.db-canary").write_bytes(b"..." + people[3]["iban"].encode() + b"...")
    assert len(_scan(tmp_path, needles)) == 1
