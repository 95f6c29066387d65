"""Benchmark the audit log: appends with group commit, verification, proof sizes, kill -9.

What is measured (numbers only, no pass/fail):

* **Appends/s**, `AuditLog.append_decision` from N threads, every call waiting for its fsync
  (SQLite WAL, `synchronous=FULL`), side by side with the baseline in the same process: the
  same log with `max_batch=1`, i.e. one transaction and one fsync per record. Then two
  processes appending to one file at once (each with 16 threads).
* **Verification**: `verify_log` over a generated log of `--records` records (default 1 M, a
  checkpoint every 1,024, generated straight into the store: same bytes, same checkpoints as
  the writer makes), in records/s, next to the floor of reading the records and hashing the
  leaves alone.
* **Proofs**: the longest inclusion proof over sampled indices against ceil(log2 n), and the
  time `audit proof` takes on the generated log.
* **kill -9** (`--crash N`): N rounds of a writer in a fresh interpreter, killed with SIGKILL at
  a random moment (start-up included); then every acknowledged index must be in the log and
  the log must verify. The test suite does 100 rounds with fork(); this is the long variant.

Usage: ``python bench/audit_bench.py [--quick] [--records N] [--crash N] [--json OUT]``;
``--store postgresql [--pg-url URL]`` measures the fleet's PostgreSQL store instead
(bench/audit_bench_pg.py: 1 and 3 replica processes, SQLite beside it, verifying 1 M records).
``--quick`` runs in well under a minute (100 k records, shorter append runs).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from privacy_guard.audit import AuditLog, DecisionEvent, LogOptions  # noqa: E402
from privacy_guard.audit.checkpoint import Checkpoint, sign_checkpoint  # noqa: E402
from privacy_guard.audit.keys import (  # noqa: E402
    CALLER_DOMAIN,
    PROMPT_DOMAIN,
    Keyring,
    load_hmac_key,
    load_signer,
    new_hmac_key,
    new_signing_key,
)
from privacy_guard.audit.merkle import CompactRange, inclusion_proof, leaf_hash  # noqa: E402
from privacy_guard.audit.proofs import inclusion_bundle  # noqa: E402
from privacy_guard.audit.record import canonical, decision_fields, format_time  # noqa: E402
from privacy_guard.audit.sqlite_store import SqliteStore  # noqa: E402
from privacy_guard.audit.store import Head  # noqa: E402
from privacy_guard.audit.verify import verify_log  # noqa: E402

ORIGIN = "bench.example/audit"


def event(i: int) -> DecisionEvent:
    return DecisionEvent(
        request_id=f"req-{i:09d}",
        team="engineering",
        caller_key=f"sk-bench-{i % 7}",
        prompt_text=f"Summarise ticket {i} for Jean Dupont, IBAN FR76 3000 6000 0112 3456 7890 189",
        policy_id="engineering",
        policy_hash="sha256:" + "ab" * 32,
        mode="enforce",
        requested_model="gpt-4o",
        routed_model="gpt-4o",
        routed_access="saas-api",
        routed_jurisdiction="US",
        action="redact",
        effective_action="redact",
        entity_counts={"PERSON": 1, "IBAN_CODE": 1},
        rules=("names-redacted",),
        detector_hash="sha256:" + "cd" * 32,
    )


def keys(folder: Path) -> tuple[Any, Any]:
    return new_signing_key(folder / "signing.pem", ORIGIN), new_hmac_key(folder / "hmac.key")


# --- appends ---------------------------------------------------------------------------------


def append_rate(folder: Path, threads: int, seconds: float, *, max_batch: int) -> dict[str, Any]:
    signer, hmac_key = keys(folder)
    audit = AuditLog(
        SqliteStore(folder / "audit.db"),
        signer=signer,
        hmac_key=hmac_key,
        instance="bench",
        options=LogOptions(max_batch=max_batch),
    )
    stop = time.perf_counter() + seconds
    counts = [0] * threads
    latencies: list[float] = []

    def work(t: int) -> None:
        i = 0
        while time.perf_counter() < stop:
            started = time.perf_counter()
            audit.append_decision(event(t * 10_000_000 + i))
            if t == 0:
                latencies.append(time.perf_counter() - started)
            i += 1
        counts[t] = i

    started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    audit.close()
    latencies.sort()
    return {
        "threads": threads,
        "appends": sum(counts),
        "per_s": sum(counts) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else None,
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)] if latencies else None,
    }


_PROCESS_WRITER = """
import sys, threading, time
sys.path.insert(0, sys.argv[4])
from pathlib import Path
from privacy_guard.audit import AuditLog, LogOptions
from privacy_guard.audit.keys import load_hmac_key, load_signer
from privacy_guard.audit.sqlite_store import SqliteStore
from bench.audit_bench import event
folder = Path(sys.argv[1])
audit = AuditLog(SqliteStore(folder / "audit.db"), signer=load_signer(folder / "signing.pem",
                 sys.argv[2]), hmac_key=load_hmac_key(folder / "hmac.key"), instance="bench")
stop = float(sys.argv[3])
counts = [0] * 16
def work(t):
    i = 0
    while time.time() < stop:
        audit.append_decision(event(t * 10_000_000 + i)); i += 1
    counts[t] = i
threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
[t.start() for t in threads]; [t.join() for t in threads]
audit.close()
print(sum(counts))
"""


def two_processes(folder: Path, seconds: float) -> dict[str, Any]:
    keys(folder)
    AuditLog(
        SqliteStore(folder / "audit.db"),
        signer=load_signer(folder / "signing.pem", ORIGIN),
        hmac_key=load_hmac_key(folder / "hmac.key"),
        instance="bench",
    ).close()
    stop = time.time() + 1.5 + seconds  # start-up of the interpreters is not timed
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _PROCESS_WRITER, str(folder), ORIGIN, str(stop), str(ROOT)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    total = sum(int(proc.communicate()[0].strip() or 0) for proc in procs)
    store = SqliteStore(folder / "audit.db", readonly=True)
    keyring = Keyring([load_signer(folder / "signing.pem", ORIGIN).public_key])
    valid = verify_log(store, keyring).valid
    store.close()
    return {"processes": 2, "appends": total, "per_s": total / seconds, "log_valid": valid}


# --- verification ----------------------------------------------------------------------------


def generate(
    folder: Path, records: int, every: int = 1024, store: Any = None
) -> tuple[Any, float]:
    """`records` decisions straight into a store (default: a SQLite file in `folder`), with a
    checkpoint every `every`: the bytes and checkpoints the writer would make, without a
    million fsyncs."""
    signer, hmac_key = keys(folder)
    store = store if store is not None else SqliteStore(folder / "audit.db")
    base = event(0)
    fields = decision_fields(
        base,
        caller_hmac=hmac_key.digest(CALLER_DOMAIN, base.caller_key),
        prompt_hmac=hmac_key.digest(PROMPT_DOMAIN, base.prompt_text),
        hmac_key_id=hmac_key.key_id,
        instance="bench",
    )
    frontier = CompactRange()
    now = time.time()
    started = time.perf_counter()
    with store.transaction() as tx:
        tx.set_meta("origin", ORIGIN)
        for start in range(0, records, every):
            batch = []
            for index in range(start, min(start + every, records)):
                fields["index"] = index
                fields["request_id"] = f"req-{index:09d}"
                fields["time"] = format_time(now + index * 1e-4)
                data = canonical(fields)
                batch.append(data)
                frontier.append(leaf_hash(data))
            tx.add_records(start, batch)
            note = sign_checkpoint(Checkpoint(ORIGIN, frontier.size, frontier.root()), signer)
            tx.add_checkpoint(frontier.size, now, note)
        tx.set_head(Head(frontier.size, frontier.to_bytes(), frontier.size, now))
    store.close()
    return Keyring([signer.public_key]), time.perf_counter() - started


def verification(folder: Path, records: int, url: str | None = None) -> dict[str, Any]:
    """Generate then verify; in a SQLite file in `folder`, or the PostgreSQL database `url`."""
    from privacy_guard.audit.stores import open_store

    target = url or str(folder / "audit.db")
    keyring, generated = generate(folder, records, store=open_store(target))
    store = open_store(target, readonly=True)
    started = time.perf_counter()
    frontier = CompactRange()
    for _, data in store.records():
        frontier.append(leaf_hash(data))
    floor = time.perf_counter() - started
    started = time.perf_counter()
    report = verify_log(store, keyring)
    elapsed = time.perf_counter() - started
    store.close()
    return {
        "records": report.records,
        "summary": report.summary(),
        "generate_s": generated,
        "verify_s": elapsed,
        "verify_per_s": report.records / elapsed,
        "read_and_hash_only_s": floor,
        "read_and_hash_only_per_s": report.records / floor,
        "db_mb": None if url else (folder / "audit.db").stat().st_size / 1e6,
    }


def proofs(folder: Path, records: int) -> dict[str, Any]:
    sizes: dict[str, Any] = {}
    rng = random.Random(7)
    for n in (1, 2, 3, 7, 1000, 1024, 1025, 65_537):
        leaves = [leaf_hash(str(i).encode()) for i in range(n)]
        longest = max(
            len(inclusion_proof(i, leaves)) for i in {0, n - 1, *rng.sample(range(n), min(n, 20))}
        )
        sizes[str(n)] = {"longest": longest, "ceil_log2": math.ceil(math.log2(n)) if n > 1 else 0}
    store = SqliteStore(folder / "audit.db", readonly=True)
    latest = store.latest_checkpoint()
    assert latest is not None
    started = time.perf_counter()
    bundle = inclusion_bundle(store, records // 3, latest.note)
    elapsed = time.perf_counter() - started
    store.close()
    sizes[str(records)] = {
        "longest": len(bundle["proof"]),
        "ceil_log2": math.ceil(math.log2(records)),
        "audit_proof_s": elapsed,
    }
    return sizes


# --- kill -9 ---------------------------------------------------------------------------------

_CRASH_WRITER = """
import os, sys, threading
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from privacy_guard.audit import AuditLog, LogOptions
from privacy_guard.audit.keys import load_hmac_key, load_signer
from privacy_guard.audit.sqlite_store import SqliteStore
from bench.audit_bench import event
folder = Path(sys.argv[1]); base = int(sys.argv[2])
audit = AuditLog(SqliteStore(folder / "audit.db"), signer=load_signer(folder / "signing.pem",
                 "bench.example/audit"), hmac_key=load_hmac_key(folder / "hmac.key"),
                 instance="crash", options=LogOptions(checkpoint_every=7,
                 checkpoint_interval=0.01, heartbeat=0.05))
def work(t):
    for i in range(10**9):
        e = event(base + t * 10**6 + i)
        index = audit.append_decision(e)
        os.write(1, f"{index} {e.request_id}\\n".encode())
threads = [threading.Thread(target=work, args=(t,), daemon=True) for t in range(4)]
[t.start() for t in threads]; [t.join() for t in threads]
"""


def crash(folder: Path, rounds: int) -> dict[str, Any]:
    signer, _ = keys(folder)
    rng = random.Random(1)
    acknowledged: dict[int, str] = {}
    duplicates = 0
    for round_ in range(rounds):
        proc = subprocess.Popen(
            [sys.executable, "-c", _CRASH_WRITER, str(folder), str(round_ * 10**7), str(ROOT)],
            stdout=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        for line in out.decode().split("\n"):
            parts = line.split(" ")
            if len(parts) == 2:
                index = int(parts[0])
                duplicates += index in acknowledged
                acknowledged[index] = parts[1]
        if (round_ + 1) % 50 == 0:
            print(f"  {round_ + 1} kills, {len(acknowledged):,} acknowledged", file=sys.stderr)
    store = SqliteStore(folder / "audit.db", readonly=True)
    stored = dict(store.records())
    lost = [
        i
        for i, rid in acknowledged.items()
        if i not in stored or f'"request_id":"{rid}"'.encode() not in stored[i]
    ]
    report = verify_log(store, Keyring([signer.public_key]))
    store.close()
    return {
        "kills": rounds,
        "acknowledged": len(acknowledged),
        "stored": len(stored),
        "lost_acknowledged": len(lost),
        "indices_handed_out_twice": duplicates,
        "verify": report.summary(),
    }


# --- report ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--records", type=int, default=None)
    parser.add_argument("--crash", type=int, default=0, metavar="N", help="kill -9 rounds")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT")
    parser.add_argument(
        "--store",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="postgresql: the fleet's store (bench/audit_bench_pg.py), SQLite beside it",
    )
    parser.add_argument(
        "--pg-url", default=None, help="an admin URL of a server to use (default: a throwaway one)"
    )
    args = parser.parse_args()
    if args.store == "postgresql":
        from bench.audit_bench_pg import main as pg_main

        pg_main(args)
        return
    records = args.records or (100_000 if args.quick else 1_000_000)
    seconds = 2.0 if args.quick else 5.0
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load": os.getloadavg(),
            "platform": platform.platform(),
        }
    }
    with tempfile.TemporaryDirectory(prefix="audit-bench-", dir=os.environ.get("BENCH_DIR")) as tmp:
        base = Path(tmp)
        print(f"audit bench: {records:,} records; load {os.getloadavg()[0]:.2f}")
        print("\nappends/s (each call returns after its fsync)")
        print(
            f"{'threads':>8} {'group commit':>14} {'p50 ms':>8} {'p99 ms':>8}"
            f" {'1 fsync/record':>16} {'speed-up':>9}"
        )
        rows = []
        for threads in (1, 8, 32, 64):
            group = append_rate(base / f"g{threads}", threads, seconds, max_batch=4096)
            single = append_rate(base / f"s{threads}", threads, seconds, max_batch=1)
            rows.append({"group_commit": group, "one_fsync_per_record": single})
            print(
                f"{threads:>8} {group['per_s']:>14,.0f} {group['p50_ms']:>8.2f}"
                f" {group['p99_ms']:>8.2f} {single['per_s']:>16,.0f}"
                f" {group['per_s'] / single['per_s']:>8.1f}x"
            )
        results["appends"] = rows
        procs = two_processes(base / "procs", seconds)
        results["two_processes"] = procs
        print(
            f"2 processes x 16 threads, one log: {procs['per_s']:,.0f}/s "
            f"(log valid: {procs['log_valid']})"
        )

        print(f"\nverification of {records:,} records")
        ver = verification(base / "verify", records)
        results["verification"] = ver
        print(f"  generated in {ver['generate_s']:.1f} s ({ver['db_mb']:.0f} MB)")
        print(
            f"  verify_log: {ver['verify_s']:.1f} s = {ver['verify_per_s']:,.0f} records/s"
            f"  [{ver['summary']}]"
        )
        print(
            f"  floor (read + leaf hash only): {ver['read_and_hash_only_s']:.1f} s = "
            f"{ver['read_and_hash_only_per_s']:,.0f} records/s"
        )

        print("\ninclusion proof length (hashes) vs ceil(log2 n)")
        sizes = proofs(base / "verify", records)
        results["proofs"] = sizes
        for n, row in sizes.items():
            extra = (
                f"  (audit proof: {row['audit_proof_s']:.1f} s)" if "audit_proof_s" in row else ""
            )
            print(f"  n={int(n):>9,}: {row['longest']:>2} <= {row['ceil_log2']}{extra}")

        if args.crash:
            print(f"\nkill -9, {args.crash} rounds (fresh interpreter each)")
            result = crash(base / "crash", args.crash)
            results["crash"] = result
            print(
                f"  {result['acknowledged']:,} acknowledged, {result['stored']:,} stored, "
                f"{result['lost_acknowledged']} lost, {result['indices_handed_out_twice']} "
                f"duplicate indices; {result['verify']}"
            )
    results["machine"]["load_end"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
