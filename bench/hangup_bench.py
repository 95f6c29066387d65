"""How fast the gateway lets go of a stream whose client hung up, measured inside the gateway.

`gateway_bench.py` sees a hang-up from outside: the next request's latency, which on a 2-core
machine also carries the stub writing the rest of its reply into a closed connection. This
script runs the gateway under uvicorn in this process, in front of the recording stub
(`tests/support`), and timestamps, for each way out, what the gateway does after a client reads
10 chunks of a 1,000-chunk stream at full speed and closes the connection: when it sees the
disconnect, when the upstream stream is closed, when the request is finished (audit outcome and
metrics recorded). The client runs in this process too, so the figures include its share of the
interpreter.

Usage: ``python bench/hangup_bench.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
WAYS = {"relay": "remote-relay", "litellm/openai-sdk": "remote-gpt"}
STAGES = ("disconnect seen", "upstream closed", "finished")


def instrument(marks: list[tuple[str, float]]) -> None:
    """Timestamp the responder's stages (wrapping its methods; the gateway's code is unchanged)."""
    import privacy_guard.gateway.responder as responder

    stream, call = responder.Responder._stream, responder.Responder.__call__

    async def timed_stream(self: Any, receive: Any, send: Any) -> int:
        async def watched() -> Any:
            message = await receive()
            if message["type"] == "http.disconnect":
                marks.append(("disconnect seen", time.perf_counter()))
            return message

        try:
            return await stream(self, watched, send)
        finally:
            marks.append(("upstream closed", time.perf_counter()))

    async def timed_call(self: Any, receive: Any, send: Any) -> None:
        await call(self, receive, send)
        marks.append(("finished", time.perf_counter()))

    responder.Responder._stream = timed_stream  # type: ignore[method-assign]
    responder.Responder.__call__ = timed_call  # type: ignore[method-assign]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="hang-ups per way out")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.support.gateway import running_stack

    marks: list[tuple[str, float]] = []
    instrument(marks)
    reply = "".join(f"{i:04d}" for i in range(1000))  # distinct chunks (litellm checks)
    print("ms from the client's close to each stage in the gateway, p50 (max)")
    with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp)) as stack:
        stack.remote.configure(mode="fixed", reply=reply, chunk_size=4)
        url = f"{stack.base_url}/chat/completions"
        for way, model in WAYS.items():
            found: dict[str, list[float]] = {stage: [] for stage in STAGES}
            body = {"model": model, "stream": True, "messages": [{"role": "user", "content": "go"}]}
            for _ in range(args.runs):
                marks.clear()
                with (
                    httpx.Client(headers=stack.headers(), timeout=30) as client,
                    client.stream("POST", url, json=body) as response,
                ):
                    lines = response.iter_lines()
                    for _ in range(10):
                        next(lines)
                closed = time.perf_counter()
                time.sleep(0.3)
                for stage, at in marks:
                    found[stage].append(1000 * (at - closed))
            cells = [
                f"{stage} {statistics.median(v):.1f} ({max(v):.1f})" if v else f"{stage} -"
                for stage, v in found.items()
            ]
            print(f"  {way:>18}: " + ", ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
