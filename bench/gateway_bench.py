"""Benchmark the gateway against the same stub upstream called directly, in one run.

Three processes on loopback: a stub OpenAI-compatible upstream (tests/support/upstream.py, echo
mode, in a child process), the gateway (`privacy-guard serve`, a child process, with a catalog
entry `bench-remote` — a SaaS API at the stub — and the shipped default policy, so prompts with
personal data are redacted and restored), and this process as the client (httpx). Every number
is printed next to the same measurement taken directly against the stub.

* **Added latency**: p50 / p99 of sequential non-streamed chat requests, ~200-character, 1 KB and
  2 KB prompts with names, e-mails and phone numbers, every prompt distinct (no detection cache
  hit); "added" is the gateway's percentile minus the direct one.
* **Streaming time to first token**: time to the first content chunk, with the gateway's own
  detection time (its `server-timing` header) for comparison.
* **Sustained requests/s** at 1 KB with the gateway's `--workers 2` and concurrent clients, and the
  errors seen (the target is none).
* **20-turn conversation**: the whole history is resent each turn, as chat clients do; the
  gateway's detection time of turn 20 against turn 1 (the result cache makes the resent turns
  nearly free).

The audit log is the in-memory one (no `audit:` section), so the figures are the gateway's own;
a deployment adds the audit log's append time (an fsync) to each request. On a 2-core machine
the client, the stub and the gateway share the cores: the requests/s figure is a floor.

Usage: ``python bench/gateway_bench.py [--quick] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-bench-0123456789abcdef"
NAMES = ("Jean Dupont", "Olivia Bennett", "Marie Curie", "Lukas Meier", "Sofia Rossi")
FILLER = (
    "Please review the attached notes on the quarterly planning meeting and suggest a shorter "
    "agenda. We discussed the migration of the build pipeline, the hiring plan for the platform "
    "team and the budget for the conference season. "
)


# -- the workload ------------------------------------------------------------------------------


def prompt(size: int, n: int) -> str:
    """A distinct prompt of about `size` characters with a name, an e-mail and a phone number."""
    name = NAMES[n % len(NAMES)]
    user = name.lower().replace(" ", ".")
    head = (
        f"Request {n}: hello, I am {name} ({user}{n}@example.com, +33 6 12 34 {n % 90 + 10} 78). "
    )
    body = (FILLER * (size // len(FILLER) + 2))[: max(0, size - len(head))]
    return head + body


def chat(text: str, model: str, **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": text}], **extra}


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def server_timing(response: httpx.Response, name: str) -> float | None:
    for part in response.headers.get("server-timing", "").split(","):
        label, _, duration = part.strip().partition(";dur=")
        if label == name and duration:
            return float(duration)
    return None


# -- the processes -----------------------------------------------------------------------------


def start_stub() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", "stub"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http"):
        raise RuntimeError("the stub upstream did not start")
    return process, base_url


def run_stub() -> None:
    sys.path.insert(0, str(ROOT))
    from tests.support.upstream import running_upstream

    with running_upstream("bench-stub", usage=False) as upstream:
        print(upstream.base_url, flush=True)
        sys.stdin.read()  # until the parent closes it


def write_config(folder: Path, stub_url: str) -> Path:
    (folder / "models").mkdir()
    (folder / "models" / "bench.yaml").write_text(
        "models:\n  - name: bench-remote\n    litellm_model: openai/stub-model\n"
        f"    api_base: {stub_url}\n    access: saas-api\n    jurisdiction: bench\n",
        encoding="utf-8",
    )
    digest = hashlib.sha256(KEY.encode()).hexdigest()
    config = folder / "privacy-guard.yaml"
    config.write_text(
        f"models: models/\nteams:\n  - {{name: bench, key_sha256: {digest}}}\n"
        "server: {upstream_retries: 0}\n",
        encoding="utf-8",
    )
    return config


def start_gateway(config: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "privacy_guard",
            "serve",
            "--config",
            str(config),
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the gateway exited during start-up")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError("the gateway did not start")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- measurements ------------------------------------------------------------------------------


def latency(client: httpx.Client, url: str, bodies: list[dict[str, Any]]) -> list[float]:
    timings = []
    for body in bodies:
        started = time.perf_counter()
        response = client.post(url, json=body)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return timings


def first_token(
    client: httpx.Client, url: str, bodies: list[dict[str, Any]]
) -> tuple[list[float], list[float]]:
    """Milliseconds to the first content chunk, and the gateway's detection time (if any)."""
    ttft, detect = [], []
    for body in bodies:
        started = time.perf_counter()
        with client.stream("POST", url, json={**body, "stream": True}) as response:
            response.raise_for_status()
            found = None
            lines = response.iter_lines()
            for line in lines:
                compact = line.replace(" ", "")
                if (
                    compact.startswith("data:{")
                    and '"content":"' in compact
                    and ('"content":""' not in compact)
                ):
                    found = (time.perf_counter() - started) * 1000
                    break
            for _ in lines:  # read the rest: the next request reuses the connection
                pass
        assert found is not None, "no content chunk"
        ttft.append(found)
        detected = server_timing(response, "detect")
        if detected is not None:
            detect.append(detected)
    return ttft, detect


async def sustained(
    url: str, headers: dict[str, str], make_body: Callable[[int], dict[str, Any]], seconds: float
) -> tuple[float, int, int]:
    """(requests/s, successes, errors) with 16 concurrent clients for `seconds`."""
    done = errors = 0
    counter = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    async with httpx.AsyncClient(headers=headers, timeout=60, limits=limits) as client:

        async def worker() -> None:
            nonlocal done, errors, counter
            while time.perf_counter() < deadline:
                counter += 1
                try:
                    response = await client.post(url, json=make_body(counter))
                    if response.status_code == 200:
                        done += 1
                    else:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(16)))
        elapsed = time.perf_counter() - started
    return done / elapsed, done, errors


def conversation(client: httpx.Client, url: str, turns: int) -> list[tuple[float, float]]:
    """(detection ms, total ms) per turn of one conversation, the history resent every turn."""
    messages: list[dict[str, str]] = [{"role": "system", "content": "You are a helpful assistant."}]
    out = []
    for turn in range(1, turns + 1):
        messages.append({"role": "user", "content": prompt(300, 10_000 + turn)})
        started = time.perf_counter()
        response = client.post(url, json={"model": "bench-remote", "messages": messages})
        total = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        messages.append(response.json()["choices"][0]["message"])
        out.append((server_timing(response, "detect") or 0.0, total))
    return out


# -- the run -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child == "stub":
        run_stub()
        return 0
    count = 40 if args.quick else 200
    seconds = 4.0 if args.quick else 10.0
    results: dict[str, Any] = {"quick": args.quick, "cpus": os.cpu_count()}
    stub, stub_url = start_stub()
    gateways: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="gateway-bench-") as tmp:
            config = write_config(Path(tmp), stub_url)
            port = free_port()
            gateways.append(start_gateway(config, port, workers=1))
            gateway_url = f"http://127.0.0.1:{port}/v1/chat/completions"
            direct_url = f"{stub_url}/chat/completions"
            headers = {"authorization": f"Bearer {KEY}"}
            with httpx.Client(headers=headers, timeout=60) as client:
                # Warm both paths (litellm's first call, connection set-up).
                for n in range(10):
                    latency(client, gateway_url, [chat(prompt(200, -n - 1), "bench-remote")])
                    latency(client, direct_url, [chat(prompt(200, -n - 1), "stub-model")])
                print(
                    f"{'':34}{'direct p50':>11}{'p99':>9}{'gateway p50':>13}{'p99':>9}"
                    f"{'added p50':>11}{'p99':>9}"
                )
                for size in (200, 1024, 2048):
                    offset = size * 1000
                    texts = [prompt(size, offset + i) for i in range(count)]
                    direct = latency(client, direct_url, [chat(t, "stub-model") for t in texts])
                    texts = [prompt(size, offset + count + i) for i in range(count)]
                    via = latency(client, gateway_url, [chat(t, "bench-remote") for t in texts])
                    row = {
                        "direct_p50": percentile(direct, 50),
                        "direct_p99": percentile(direct, 99),
                        "gateway_p50": percentile(via, 50),
                        "gateway_p99": percentile(via, 99),
                    }
                    row["added_p50"] = row["gateway_p50"] - row["direct_p50"]
                    row["added_p99"] = row["gateway_p99"] - row["direct_p99"]
                    results[f"latency_{size}"] = row
                    print(
                        f"latency, {size:>4}-char prompt (ms) "
                        + "".join(
                            f"{row[k]:>{w}.2f}"
                            for k, w in (
                                ("direct_p50", 9),
                                ("direct_p99", 9),
                                ("gateway_p50", 13),
                                ("gateway_p99", 9),
                                ("added_p50", 11),
                                ("added_p99", 9),
                            )
                        )
                    )
                texts = [prompt(1024, 5_000_000 + i) for i in range(count // 2)]
                direct_ttft, _ = first_token(
                    client, direct_url, [chat(t, "stub-model") for t in texts]
                )
                texts = [prompt(1024, 6_000_000 + i) for i in range(count // 2)]
                via_ttft, detect = first_token(
                    client, gateway_url, [chat(t, "bench-remote") for t in texts]
                )
                ttft = {
                    "direct_p50": percentile(direct_ttft, 50),
                    "gateway_p50": percentile(via_ttft, 50),
                    "detect_p50": percentile(detect, 50) if detect else None,
                }
                ttft["overhead_p50"] = ttft["gateway_p50"] - ttft["direct_p50"]
                results["ttft_1024"] = ttft
                print(
                    f"\nstreaming, 1 KB prompt: time to first token p50 direct "
                    f"{ttft['direct_p50']:.2f} ms, gateway {ttft['gateway_p50']:.2f} ms: "
                    f"overhead {ttft['overhead_p50']:.2f} ms "
                    f"(gateway detection p50 {ttft['detect_p50'] or 0:.2f} ms; target: "
                    "overhead <= detection + 5 ms)"
                )
                turns = conversation(client, gateway_url, 20)
                first, last = turns[0][0], turns[-1][0]
                results["conversation"] = {
                    "detect_ms": [d for d, _ in turns],
                    "total_ms": [t for _, t in turns],
                    "ratio_20_to_1": last / first if first else None,
                }
                print(
                    f"\n20-turn conversation: detection turn 1 {first:.2f} ms, turn 20 "
                    f"{last:.2f} ms (x{last / first if first else float('nan'):.2f}; target "
                    f"<= x1.5); request turn 1 {turns[0][1]:.2f} ms, turn 20 "
                    f"{turns[-1][1]:.2f} ms"
                )
            stopping = gateways.pop()
            stopping.terminate()
            stopping.wait(timeout=30)  # its CPU must not count against the next run
            port = free_port()
            gateways.append(start_gateway(config, port, workers=2))
            gateway_url = f"http://127.0.0.1:{port}/v1/chat/completions"
            # Warm both workers.
            with httpx.Client(headers=headers, timeout=60) as client:
                latency(
                    client,
                    gateway_url,
                    [chat(prompt(200, -i - 50), "bench-remote") for i in range(60)],
                )
            direct_rps, _, direct_errors = asyncio.run(
                sustained(
                    direct_url,
                    headers,
                    lambda n: chat(prompt(1024, 7_000_000 + n), "stub-model"),
                    seconds,
                )
            )
            via_rps, via_ok, via_errors = asyncio.run(
                sustained(
                    gateway_url,
                    headers,
                    lambda n: chat(prompt(1024, 8_000_000 + n), "bench-remote"),
                    seconds,
                )
            )
            results["throughput_1024"] = {
                "direct_rps": direct_rps,
                "direct_errors": direct_errors,
                "gateway_rps": via_rps,
                "gateway_ok": via_ok,
                "gateway_errors": via_errors,
                "workers": 2,
                "concurrency": 16,
            }
            print(
                f"\nsustained, 1 KB prompts, 16 concurrent clients, {seconds:g} s: direct "
                f"{direct_rps:.0f} req/s ({direct_errors} errors); gateway with 2 workers "
                f"{via_rps:.0f} req/s ({via_errors} errors; target >= 100 req/s, no errors)"
            )
    finally:
        for gateway in gateways:
            gateway.terminate()
            gateway.wait(timeout=30)
        assert stub.stdin is not None
        stub.stdin.close()
        stub.wait(timeout=30)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small workload (CI smoke)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--child", choices=("stub",), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
