"""The fleet's PostgreSQL audit store: acknowledged appends/s with 1 and 3 replicas, and
verification of a large log — with the SQLite figures from the same run beside them.

Run through ``python bench/audit_bench.py --store postgresql [--quick] [--records N]
[--pg-url URL] [--json OUT]``. Without ``--pg-url`` a throwaway cluster is started from the
server binaries in /usr/lib/postgresql (as the `postgres` user when run as root), on loopback,
with the server's defaults (fsync and synchronous_commit on).

* **Appends/s**: each replica is a separate process with its own `AuditLog` and pool (as a
  gateway replica is), with `--threads` threads appending decisions; a call counts once it
  returned, i.e. once its transaction committed. All replicas run for the same window. The
  SQLite rows run the same processes against one SQLite file on this machine's disk.
* **Verification**: `verify_log` over `--records` records generated straight into the store
  (same bytes and checkpoints as the writer makes), records/s, next to the floor of streaming
  the rows and hashing the leaves alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.audit_bench import ORIGIN, keys, verification  # noqa: E402
from privacy_guard.audit import AuditLog  # noqa: E402
from privacy_guard.audit.keys import Keyring, load_hmac_key, load_signer  # noqa: E402
from privacy_guard.audit.stores import open_store  # noqa: E402
from privacy_guard.audit.verify import verify_log  # noqa: E402
from tests.support.postgres import (  # noqa: E402
    create_database,
    drop_database,
    throwaway_cluster,
)

_REPLICA = """
import sys, threading, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from privacy_guard.audit import AuditLog
from privacy_guard.audit.keys import load_hmac_key, load_signer
from privacy_guard.audit.stores import open_store
from bench.audit_bench import ORIGIN, event
folder, target, name = Path(sys.argv[2]), sys.argv[3], sys.argv[4]
threads, start, stop = int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
audit = AuditLog(open_store(target), signer=load_signer(folder / "signing.pem", ORIGIN),
                 hmac_key=load_hmac_key(folder / "hmac.key"), instance=name)
counts = [0] * threads
base = abs(hash(name)) % 1000 * 10**9
def work(t):
    i = 0
    while time.time() < start:
        time.sleep(0.001)
    while time.time() < stop:
        audit.append_decision(event(base + t * 10**7 + i))
        i += 1
    counts[t] = i
pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
[t.start() for t in pool]; [t.join() for t in pool]
audit.close()
print(sum(counts))
"""


def replicas_rate(
    folder: Path, target: str, replicas: int, threads: int, seconds: float
) -> dict[str, Any]:
    """`replicas` processes appending to `target` for `seconds`; the log verified after."""
    signer = load_signer(folder / "signing.pem", ORIGIN)
    # Create the store (schema, origin) before the clock starts.
    AuditLog(
        open_store(target),
        signer=signer,
        hmac_key=load_hmac_key(folder / "hmac.key"),
        instance="setup",
    ).close()
    start = time.time() + 3.0  # interpreters start and connect before the window opens
    stop = start + seconds
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _REPLICA,
                str(ROOT),
                str(folder),
                target,
                f"replica-{r}",
                str(threads),
                str(start),
                str(stop),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for r in range(replicas)
    ]
    total = sum(int(proc.communicate()[0].strip() or 0) for proc in procs)
    store = open_store(target, readonly=True)
    report = verify_log(store, Keyring([signer.public_key]))
    store.close()
    return {
        "replicas": replicas,
        "threads_each": threads,
        "appends": total,
        "per_s": total / seconds,
        "log": report.summary(),
    }


def main(args: argparse.Namespace) -> None:
    records = args.records or (100_000 if args.quick else 1_000_000)
    seconds = 3.0 if args.quick else 8.0
    threads = 32
    results: dict[str, Any] = {"load_start": os.getloadavg(), "cpus": os.cpu_count()}
    with ExitStack() as stack:
        admin = args.pg_url or stack.enter_context(throwaway_cluster()).url
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="audit-bench-pg-")))
        print(
            f"audit bench, PostgreSQL store; load {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
        )
        print(f"\nacknowledged appends/s ({threads} threads per replica, {seconds:g} s window)")
        print(f"{'replicas':>8} {'PostgreSQL':>12} {'SQLite (same run)':>18}")
        rows = []
        for replicas in (1, 3):
            folder = tmp / f"r{replicas}"
            folder.mkdir()
            keys(folder)
            url = create_database(admin, "audit_bench")
            pg = replicas_rate(folder, url, replicas, threads, seconds)
            drop_database(admin, url)
            lite = replicas_rate(folder, str(folder / "audit.db"), replicas, threads, seconds)
            rows.append({"postgresql": pg, "sqlite": lite})
            print(f"{replicas:>8} {pg['per_s']:>12,.0f} {lite['per_s']:>18,.0f}")
            print(f"{'':>8} PostgreSQL log: {pg['log']}; SQLite log: {lite['log']}")
        results["appends"] = rows

        print(f"\nverification of {records:,} records")
        folder = tmp / "verify"
        folder.mkdir()
        url = create_database(admin, "audit_bench")
        ver = verification(folder, records, url)
        drop_database(admin, url)
        results["verification_postgresql"] = ver
        print(f"  PostgreSQL: generated in {ver['generate_s']:.1f} s")
        print(
            f"  verify_log: {ver['verify_s']:.1f} s = {ver['verify_per_s']:,.0f} records/s"
            f"  [{ver['summary']}]"
        )
        print(
            f"  floor (stream + leaf hash only): {ver['read_and_hash_only_per_s']:,.0f} records/s"
        )
        (tmp / "verify-sqlite").mkdir()
        lite = verification(tmp / "verify-sqlite", records)
        results["verification_sqlite"] = lite
        print(f"  SQLite (same run): verify_log {lite['verify_per_s']:,.0f} records/s")
    results["load_end"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
