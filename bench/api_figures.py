"""The two figures the Messages and Responses benches take alike (issue 10): added latency of a
1 KB request, and the time to its first streamed text event, each beside the same request sent
to the stub directly in the same run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from gateway_bench import first_match, latency, percentile, prompt

Body = Callable[[str, str], dict[str, Any]]


@dataclass(frozen=True)
class ApiBench:
    title: str  # "Anthropic Messages (/v1/messages)"
    event: str  # how the first-token event is named in the printed line
    marker: str  # the event's type, as it reads in a data line without spaces
    empty: str  # the same event with no text yet (not a token)
    body: Body  # (text, model) -> request body
    model: str  # the gateway's catalog name; MODEL + "-paced" is the paced stub's


def first_event(
    client: httpx.Client, url: str, bodies: list[dict[str, Any]], api: ApiBench
) -> tuple[list[float], list[float]]:
    """Per body: milliseconds to the first non-empty text event, and the gateway's detection."""
    return first_match(
        client,
        url,
        bodies,
        lambda compact: api.marker in compact and api.empty not in compact,
        f"no {api.event}",
    )


def measure_api(
    client: httpx.Client,
    api: ApiBench,
    *,
    direct: str,
    paced_direct: str,
    gateway: str,
    base: int,
    count: int,
) -> dict[str, Any]:
    """Both figures for one API; `direct`/`paced_direct` are the stubs' endpoint URLs."""
    for n in range(10):  # warm the path
        latency(client, gateway, [api.body(prompt(200, -n - base // 100_000), api.model)])
        latency(client, direct, [api.body(prompt(200, -n - base // 100_000), "stub-model")])
    direct_ms = latency(
        client, direct, [api.body(prompt(1024, base + i), "stub-model") for i in range(count)]
    )
    via_ms = latency(
        client, gateway, [api.body(prompt(1024, base + count + i), api.model) for i in range(count)]
    )
    found: dict[str, Any] = {
        "direct_p50": percentile(direct_ms, 50),
        "direct_p99": percentile(direct_ms, 99),
        "gateway_p50": percentile(via_ms, 50),
        "gateway_p99": percentile(via_ms, 99),
    }
    found["added_p50"] = found["gateway_p50"] - found["direct_p50"]
    found["added_p99"] = found["gateway_p99"] - found["direct_p99"]
    verdict = "met" if found["added_p50"] <= 15 else "NOT met"
    print(
        f"\n{api.title}, 1 KB prompt, non-streamed, relayed natively: direct "
        f"p50 {found['direct_p50']:.2f} ms, p99 {found['direct_p99']:.2f} ms; added p50 "
        f"{found['added_p50']:.2f} ms, p99 {found['added_p99']:.2f} ms; goal added p50 <= 15 ms: "
        f"{verdict}"
    )
    half = max(10, count // 2)
    direct_ttft, _ = first_event(
        client,
        paced_direct,
        [api.body(prompt(1024, base + 2 * count + i), "stub-model") for i in range(half)],
        api,
    )
    via_ttft, detect = first_event(
        client,
        gateway,
        [api.body(prompt(1024, base + 3 * count + i), api.model + "-paced") for i in range(half)],
        api,
    )
    found["ttft_direct_p50"] = percentile(direct_ttft, 50)
    found["ttft_gateway_p50"] = percentile(via_ttft, 50)
    found["ttft_detect_p50"] = percentile(detect, 50) if detect else 0.0
    found["ttft_overhead_p50"] = found["ttft_gateway_p50"] - found["ttft_direct_p50"]
    budget = found["ttft_detect_p50"] + 5
    verdict = "met" if found["ttft_overhead_p50"] <= budget else "NOT met"
    print(
        f"  streamed, time to the first {api.event} p50 (stub paced): direct "
        f"{found['ttft_direct_p50']:.2f} ms, gateway {found['ttft_gateway_p50']:.2f} ms, overhead "
        f"{found['ttft_overhead_p50']:.2f} ms; target detection ({found['ttft_detect_p50']:.2f} "
        f"ms) + 5 ms = {budget:.2f} ms: {verdict}"
    )
    return found
