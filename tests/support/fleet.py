"""Helpers of the fleet test (tests/test_audit_fleet.py), run as scripts inside its network
namespaces: `python -m tests.support.fleet upstream|client|check ...`.

* `upstream`: the OpenAI-compatible stub on the namespace's own loopback; prints its port.
* `client URL... --out FILE --stop FILE`: waits until every gateway answers /healthz, prints
  `ready`, then sends chat requests round-robin from several threads until the stop file
  appears (bounded), and writes one JSON line per request: replica, status, request id, code.
* `check URL --pubkey FILE`: verifies the PostgreSQL log (strict), checks a consistency proof
  between every pair of successive checkpoints, and prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from itertools import pairwise
from pathlib import Path

TEAM_KEY = "sk-test-eng-0123456789"  # tests.support.gateway.KEYS["eng"]


def upstream() -> None:
    from tests.support.upstream import running_upstream

    with running_upstream("remote") as stub:
        print(stub.port, flush=True)
        sys.stdin.read()  # until the test closes our stdin (or kills us)


def client(targets: list[str], out: Path, stop: Path, threads: int, limit: float) -> None:
    import httpx

    deadline = time.monotonic() + 180
    for target in targets:
        while True:
            try:
                if httpx.get(f"{target}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                print(f"not ready: {target}", flush=True)
                sys.exit(1)
            time.sleep(0.2)
    print("ready", flush=True)
    results: list[dict[str, object]] = []
    lock = threading.Lock()
    ends = time.monotonic() + limit

    def work(t: int) -> None:
        http = httpx.Client(timeout=30, headers={"authorization": f"Bearer {TEAM_KEY}"})
        i = 0
        while not stop.exists() and time.monotonic() < ends:
            target = targets[(t + i) % len(targets)]
            blocked = i % 5 == 4
            text = (
                "deploy key sk-proj-4fJ8kL2mN9pQ7rS1tU3vW5xY6zA0bC2dE4fG6hJ8"
                if blocked
                else f"Summarise ticket {t}-{i} for Jean Dupont"
            )
            row: dict[str, object] = {"replica": target, "thread": t, "i": i}
            try:
                answer = http.post(
                    f"{target}/v1/chat/completions",
                    json={"model": "remote-gpt", "messages": [{"role": "user", "content": text}]},
                )
                row["status"] = answer.status_code
                row["request_id"] = answer.headers.get("x-privacy-guard-request-id")
                if answer.status_code >= 400:
                    row["code"] = answer.json().get("error", {}).get("code")
            except (httpx.HTTPError, ValueError) as error:
                row["status"] = None
                row["error"] = type(error).__name__
                time.sleep(0.05)
            with lock:
                results.append(row)
            i += 1

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.write_text("".join(json.dumps(r) + "\n" for r in results))


def check(url: str, pubkey: Path) -> None:
    from privacy_guard.audit.checkpoint import Checkpoint, SignedNote
    from privacy_guard.audit.keys import load_keyring
    from privacy_guard.audit.postgres_store import PostgresStore
    from privacy_guard.audit.proofs import consistency_bundle, verify_bundle
    from privacy_guard.audit.record import parse_record
    from privacy_guard.audit.verify import verify_log

    keyring = load_keyring(pubkey)
    store = PostgresStore(url, readonly=True)
    report = verify_log(store, keyring, strict=True)
    notes = [c.note for c in store.checkpoints()]
    sizes = [Checkpoint.parse(SignedNote.parse(n).text).size for n in notes]
    signers = sorted({SignedNote.parse(n).signatures[0].key_id for n in notes})
    for old, new in pairwise(notes):
        verify_bundle(json.dumps(consistency_bundle(store, old, new)), keyring)
    decisions: list[str] = []
    instances: set[str] = set()
    indices: list[int] = []
    for index, data in store.records():
        record = parse_record(data)
        indices.append(index)
        instances.add(record["instance"])
        if record["type"] == "decision":
            decisions.append(record["request_id"])
    store.close()
    print(
        json.dumps(
            {
                "report": report.to_dict(),
                "checkpoint_sizes": sizes,
                "consistency_pairs": len(notes) - 1,
                "signer_key_ids": signers,
                "instances": sorted(instances),
                "contiguous": indices == list(range(len(indices))),
                "decisions": decisions,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("upstream")
    c = sub.add_parser("client")
    c.add_argument("targets", nargs="+")
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--stop", type=Path, required=True)
    c.add_argument("--threads", type=int, default=6)
    c.add_argument("--limit", type=float, default=120.0)
    k = sub.add_parser("check")
    k.add_argument("url")
    k.add_argument("--pubkey", type=Path, required=True)
    args = parser.parse_args()
    if args.what == "upstream":
        upstream()
    elif args.what == "client":
        client(args.targets, args.out, args.stop, args.threads, args.limit)
    else:
        check(args.url, args.pubkey)


if __name__ == "__main__":
    main()
