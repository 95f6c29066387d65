"""The Anthropic Messages part of `bench/gateway_bench.py` (issue 10): a 1 KB `POST /v1/messages`
through the gateway, relayed natively to an Anthropic-native stub (tests/support/
anthropic_upstream.py, in child processes of its own), beside the same request sent to that stub
directly, in the same run.

* added latency p50 / p99 of non-streamed requests (goal: added p50 <= 15 ms);
* streaming time to the first `text_delta` event, against the stub paced like a fast model (16
  characters every 2 ms), next to the gateway's detection time (goal: overhead <= detection +
  5 ms).

The stub answers with a thinking block first (signed, passed through unchanged), then the echo
of the prompt; the first `text_delta` is the first token of the answer.

Usage: with the rest, ``python bench/gateway_bench.py``; on its own (the Anthropic stubs and a
gateway with only their entries), ``python bench/messages_bench.py [--quick]``.
"""

from __future__ import annotations

import atexit
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from api_figures import ApiBench, measure_api

ROOT = Path(__file__).resolve().parent.parent
MODEL = "bench-messages"
PACED_DELAY = 0.002
PACED_SIZE = 16
_stubs: dict[str, str] = {}  # kind -> base URL (ends in /v1)
_processes: list[subprocess.Popen[str]] = []


def _start(kind: str) -> str:
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", kind],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    _processes.append(process)
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http"):
        raise RuntimeError("the Anthropic stub did not start")
    return url


def _stop() -> None:
    for process in _processes:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _stub_urls() -> dict[str, str]:
    if not _stubs:
        atexit.register(_stop)
        _stubs["fast"] = _start("anthropic-stub")
        _stubs["paced"] = _start("anthropic-paced")
    return _stubs


def catalog_entries() -> str:
    """Catalog entries (YAML list items) for the Anthropic stubs, which it starts."""
    urls = _stub_urls()
    return "".join(
        f"  - name: {MODEL}{suffix}\n    litellm_model: anthropic/stub-model\n"
        f"    api_base: {urls[kind]}\n    access: saas-api\n    jurisdiction: bench\n"
        "    apis: [anthropic-messages]\n"
        for suffix, kind in (("", "fast"), ("-paced", "paced"))
    )


def _body(text: str, model: str, **extra: Any) -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": 1024,
        "system": "Answer briefly.",
        "messages": [{"role": "user", "content": text}],
        **extra,
    }


MESSAGES = ApiBench(
    title="Anthropic Messages (/v1/messages)",
    event="text_delta",
    marker='"type":"text_delta"',
    empty='"text":""',
    body=_body,
    model=MODEL,
)


def measure(client: httpx.Client, gateway_root: str, count: int) -> dict[str, Any]:
    """The Messages figures; `gateway_root` is the gateway's URL without /v1."""
    urls = _stub_urls()
    headers = {"anthropic-version": "2023-06-01"}
    client.headers.update(headers)
    try:
        return measure_api(
            client,
            MESSAGES,
            direct=f"{urls['fast']}/messages",
            paced_direct=f"{urls['paced']}/messages",
            gateway=f"{gateway_root}/v1/messages",
            base=30_000_000,
            count=count,
        )
    finally:
        for name in headers:
            client.headers.pop(name, None)


def _run_stub(paced: bool) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.support.anthropic_upstream import running_anthropic_upstream

    pacing = {"chunk_delay": PACED_DELAY, "chunk_size": PACED_SIZE} if paced else {}
    with running_anthropic_upstream("bench-claude", record=False, **pacing) as upstream:
        print(upstream.base_url, flush=True)
        sys.stdin.read()  # until the parent closes it


def main(quick: bool) -> int:
    """These figures alone: the Anthropic stubs and a gateway with only their entries."""
    import hashlib
    import tempfile

    from gateway_bench import KEY, free_port, start_gateway

    count = 40 if quick else 200
    with tempfile.TemporaryDirectory(prefix="messages-bench-") as tmp:
        folder = Path(tmp)
        (folder / "models").mkdir()
        (folder / "models" / "bench.yaml").write_text(f"models:\n{catalog_entries()}")
        digest = hashlib.sha256(KEY.encode()).hexdigest()
        config = folder / "privacy-guard.yaml"
        config.write_text(
            f"models: models/\nteams:\n  - {{name: bench, key_sha256: {digest}}}\n"
            "server: {upstream_retries: 0}\n"
        )
        port = free_port()
        gateway = start_gateway(config, port, workers=1)
        try:
            headers = {"x-api-key": KEY}
            with httpx.Client(headers=headers, timeout=60) as client:
                measure(client, f"http://127.0.0.1:{port}", count)
        finally:
            gateway.terminate()
            gateway.wait(timeout=30)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"] and len(sys.argv) == 3:
        _run_stub(paced=sys.argv[2] == "anthropic-paced")
    else:
        sys.exit(main(quick="--quick" in sys.argv[1:]))
