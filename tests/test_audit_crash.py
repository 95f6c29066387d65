"""kill -9 at random points, 100 times: no acknowledged record is lost, the log stays verifiable.

Each round forks a writer (cheaper than starting an interpreter: the whole test takes seconds)
that appends from four threads and reports every acknowledged index on a pipe, then kills it
with SIGKILL after a random delay — while it opens the log, appends, commits or signs a
checkpoint. `bench/audit_bench.py --crash N` runs the long variant with fresh interpreters.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from privacy_guard.audit.verify import verify_log
from tests.support.audit import LogFixture, decision, make_fixture

KILLS = 100

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "darwin", reason="needs fork() on Linux"
)


def _writer(fx: LogFixture, out: int, round_: int) -> None:
    """The child: append forever, report `index request_id` after each acknowledgement."""
    audit = fx.open(checkpoint_every=7, checkpoint_interval=0.01, heartbeat=0.05)

    def work(thread: int) -> None:
        for i in range(1_000_000):
            event = decision(round_ * 10_000_000 + thread * 1_000_000 + i)
            index = audit.append_decision(event)
            os.write(out, f"{index} {event.request_id}\n".encode())

    threads = [threading.Thread(target=work, args=(t,), daemon=True) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _round(fx: LogFixture, round_: int, delay: float) -> dict[int, str]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(read)
            _writer(fx, write, round_)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    chunks = []
    while chunk := os.read(read, 1 << 16):
        chunks.append(chunk)
    os.close(read)
    acked: dict[int, str] = {}
    for line in b"".join(chunks).decode().split("\n"):
        parts = line.split(" ")
        if len(parts) == 2:
            acked[int(parts[0])] = parts[1]
    return acked


def test_kill_9_never_loses_an_acknowledged_record(tmp_path: Path) -> None:
    fx = make_fixture(tmp_path)
    rng = random.Random(20260509)
    acknowledged: dict[int, str] = {}
    for round_ in range(KILLS):
        acked = _round(fx, round_, rng.uniform(0.005, 0.06))
        assert not set(acked) & set(acknowledged), "an index was handed out twice"
        acknowledged |= acked
    assert len(acknowledged) > KILLS  # the writers did get work done between the kills
    store = fx.reader()
    try:
        stored = {}
        for index, data in store.records():
            stored[index] = data
        for index, request_id in acknowledged.items():
            assert f'"request_id":"{request_id}"'.encode() in stored[index], index
        report = verify_log(store, fx.keyring)
        assert report.valid, [str(p) for p in report.problems]
        assert report.records == len(stored) >= len(acknowledged)
    finally:
        store.close()
    # The next clean start covers whatever tail the last kill left unsigned.
    fx.open().close()
    store = fx.reader()
    assert verify_log(store, fx.keyring, strict=True).valid
    store.close()
