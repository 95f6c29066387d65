"""CPU per streamed chunk on each way out, in one process, beside the relay (issue 12).

A 1,000-chunk stream from the bench's long stub (`gateway_bench.py`, a child process, full
speed) is read through `privacy_guard.egress` the three ways `gateway_bench.py` compares: the
OpenAI-compatible relay, litellm's `openai/` provider (the OpenAI SDK inside litellm) and
litellm's `hosted_vllm/` provider (litellm's own HTTP handler). For each: the process's CPU time
per chunk (median and minimum of the runs; only this process, the stub is another one), and the
garbage collector's collections per stream by generation, with their longest pause, after
`gc.freeze()` as the gateway does at start-up. The gateway adds its own per-chunk work on top
(restoration, SSE encoding, the send), the same on every way.

Usage: ``python bench/stream_cpu_bench.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from gateway_bench import start_stub  # noqa: E402

from privacy_guard.catalog import Egress  # noqa: E402
from privacy_guard.egress import relay, via_litellm  # noqa: E402
from privacy_guard.egress.common import Endpoint  # noqa: E402

WAYS = {
    "relay": ("openai/stub-model", Egress.OPENAI_COMPATIBLE),
    "litellm/openai-sdk": ("openai/stub-model", Egress.LITELLM),
    "litellm/http": ("hosted_vllm/stub-model", Egress.LITELLM),
}


@dataclass(frozen=True)
class Target:
    name: str
    litellm_model: str
    api_base: str
    egress: Egress
    api_key_env: str | None = None


class Collections:
    """The garbage collector's collections while it is on, by generation: (count, longest)."""

    def __init__(self) -> None:
        self.found: dict[int, list[float]] = {}
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            pause = time.perf_counter() - self._started
            self.found.setdefault(info["generation"], []).append(pause)


async def read(target: Target) -> int:
    way = relay if target.egress is Egress.OPENAI_COMPATIBLE else via_litellm
    body = {"messages": [{"role": "user", "content": "go"}], "stream": True}
    chunks = await way.open_stream(target, body, Endpoint.CHAT, timeout=30, retries=0, backoff=0)
    count = 0
    async for _ in chunks:
        count += 1
    return count


async def measure(url: str, runs: int) -> None:
    collections = Collections()
    gc.collect()
    gc.freeze()  # as the gateway does once started: start-up's objects are not walked
    gc.callbacks.append(collections)
    baseline = None
    for way, (model, egress) in WAYS.items():
        target = Target(f"bench-{way}", model, url, egress)
        for _ in range(3):  # connections, litellm's first-call set-up
            await read(target)
        collections.found.clear()
        per_chunk = []
        for _ in range(runs):
            started = time.process_time()
            chunks = await read(target)
            per_chunk.append((time.process_time() - started) / chunks * 1e6)
        median = statistics.median(per_chunk)
        baseline = baseline or median
        pauses = ", ".join(
            f"gen{generation} {len(found) / runs:.1f} (longest {max(found) * 1000:.1f} ms)"
            for generation, found in sorted(collections.found.items())
        )
        print(
            f"  {way:>18}: {median:6.1f} us of CPU per chunk (min {min(per_chunk):.1f}; "
            f"x{median / baseline:.1f} the relay), {chunks} chunks; GC per stream: {pauses or '-'}"
        )
    gc.callbacks.remove(collections)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="streams per way (default 9)")
    args = parser.parse_args(argv)
    stub, url = start_stub(kind="long-stub")
    try:
        via_litellm.load()
        print(f"CPU per streamed chunk, 1,000-chunk streams, median of {args.runs} (this process)")
        asyncio.run(measure(url, args.runs))
    finally:
        assert stub.stdin is not None
        stub.stdin.close()
        stub.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
