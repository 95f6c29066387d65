"""The Responses API part of `bench/gateway_bench.py` (issue 10): a 1 KB `POST /v1/responses`
through the gateway (relayed natively to the stub, which speaks the Responses API), beside the
same request sent to the stub directly, in the same run.

* added latency p50 / p99 of non-streamed requests (goal: added p50 <= 15 ms);
* streaming time to the first `response.output_text.delta` event, against the stub paced like a
  fast model, next to the gateway's detection time (goal: overhead <= detection + 5 ms).

Requests use the API's default `store: true`, so every one also writes its placeholder map to the
vault (in memory here: the bench config has no `vault:` section).
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from gateway_bench import latency as _latency
from gateway_bench import percentile, prompt, server_timing

MODEL = "bench-responses"


def catalog_entries(stub_url: str, paced_url: str) -> str:
    """Catalog entries (YAML list items) for the stub, relayed as the Responses API."""
    return "".join(
        f"  - name: {MODEL}{suffix}\n    litellm_model: openai/stub-model\n    api_base: {url}\n"
        "    access: saas-api\n    jurisdiction: bench\n    egress: openai-compatible\n"
        "    apis: [openai-chat, openai-responses]\n"
        for suffix, url in (("", stub_url), ("-paced", paced_url))
    )


def _body(text: str, model: str, **extra: Any) -> dict[str, Any]:
    return {"model": model, "input": text, "instructions": "Answer briefly.", **extra}


def _first_delta(
    client: httpx.Client, url: str, bodies: list[dict[str, Any]]
) -> tuple[list[float], list[float]]:
    ttft, detect = [], []
    for body in bodies:
        started = time.perf_counter()
        with client.stream("POST", url, json={**body, "stream": True}) as response:
            response.raise_for_status()
            found = None
            lines = response.iter_lines()
            for line in lines:
                compact = line.replace(" ", "")
                if '"type":"response.output_text.delta"' in compact and '"delta":""' not in compact:
                    found = (time.perf_counter() - started) * 1000
                    break
            for _ in lines:  # read the rest: the next request reuses the connection
                pass
        assert found is not None, "no output_text delta"
        ttft.append(found)
        detected = server_timing(response, "detect")
        if detected is not None:
            detect.append(detected)
    return ttft, detect


def measure(
    client: httpx.Client, stub_url: str, paced_url: str, gateway_base: str, count: int
) -> dict[str, Any]:
    """The Responses figures; `*_url` end in /v1, as `gateway_base` does."""
    gateway = f"{gateway_base}/responses"
    for n in range(10):  # warm the path
        _latency(client, gateway, [_body(prompt(200, -n - 100), MODEL)])
        _latency(client, f"{stub_url}/responses", [_body(prompt(200, -n - 100), "stub-model")])
    base = 20_000_000
    direct = _latency(
        client,
        f"{stub_url}/responses",
        [_body(prompt(1024, base + i), "stub-model") for i in range(count)],
    )
    via = _latency(
        client, gateway, [_body(prompt(1024, base + count + i), MODEL) for i in range(count)]
    )
    found: dict[str, Any] = {
        "direct_p50": percentile(direct, 50),
        "direct_p99": percentile(direct, 99),
        "gateway_p50": percentile(via, 50),
        "gateway_p99": percentile(via, 99),
    }
    found["added_p50"] = found["gateway_p50"] - found["direct_p50"]
    found["added_p99"] = found["gateway_p99"] - found["direct_p99"]
    verdict = "met" if found["added_p50"] <= 15 else "NOT met"
    print(
        f"\nResponses API (/v1/responses), 1 KB prompt, non-streamed, relayed natively: direct "
        f"p50 {found['direct_p50']:.2f} ms, p99 {found['direct_p99']:.2f} ms; added p50 "
        f"{found['added_p50']:.2f} ms, p99 {found['added_p99']:.2f} ms; goal added p50 <= 15 ms: "
        f"{verdict}"
    )
    half = max(10, count // 2)
    direct_ttft, _ = _first_delta(
        client,
        f"{paced_url}/responses",
        [_body(prompt(1024, base + 2 * count + i), "stub-model") for i in range(half)],
    )
    via_ttft, detect = _first_delta(
        client,
        gateway,
        [_body(prompt(1024, base + 3 * count + i), MODEL + "-paced") for i in range(half)],
    )
    found["ttft_direct_p50"] = percentile(direct_ttft, 50)
    found["ttft_gateway_p50"] = percentile(via_ttft, 50)
    found["ttft_detect_p50"] = percentile(detect, 50) if detect else 0.0
    found["ttft_overhead_p50"] = found["ttft_gateway_p50"] - found["ttft_direct_p50"]
    budget = found["ttft_detect_p50"] + 5
    verdict = "met" if found["ttft_overhead_p50"] <= budget else "NOT met"
    print(
        f"  streamed, time to the first output_text delta p50 (stub paced): direct "
        f"{found['ttft_direct_p50']:.2f} ms, gateway {found['ttft_gateway_p50']:.2f} ms, overhead "
        f"{found['ttft_overhead_p50']:.2f} ms; target detection ({found['ttft_detect_p50']:.2f} "
        f"ms) + 5 ms = {budget:.2f} ms: {verdict}"
    )
    return found
