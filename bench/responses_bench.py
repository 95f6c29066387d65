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

from typing import Any

import httpx
from api_figures import ApiBench, measure_api

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


RESPONSES = ApiBench(
    title="Responses API (/v1/responses)",
    event="output_text delta",
    marker='"type":"response.output_text.delta"',
    empty='"delta":""',
    body=_body,
    model=MODEL,
)


def measure(
    client: httpx.Client, stub_url: str, paced_url: str, gateway_base: str, count: int
) -> dict[str, Any]:
    """The Responses figures; `*_url` end in /v1, as `gateway_base` does."""
    return measure_api(
        client,
        RESPONSES,
        direct=f"{stub_url}/responses",
        paced_direct=f"{paced_url}/responses",
        gateway=f"{gateway_base}/responses",
        base=20_000_000,
        count=count,
    )
