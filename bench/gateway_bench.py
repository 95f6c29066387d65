"""Benchmark the gateway against the same stub upstream called directly, in one run.

Four processes on loopback: two stub OpenAI-compatible upstreams (tests/support/upstream.py,
echo mode, in child processes; one streams as fast as it can, one paced like a fast model), the
gateway (`privacy-guard serve`, a child process, with the shipped default policy, so prompts with
personal data are redacted and restored) and this process as the client (httpx). The gateway's
catalog reaches each stub three ways (`WAYS`): relayed (`egress: openai-compatible`), through
litellm's `openai/` provider (the OpenAI SDK inside litellm), and through litellm's
`hosted_vllm/` provider (litellm's own HTTP handler, the one Mistral, vLLM and others use).
Every number is printed next to the same measurement taken directly against the stub.

* **Added latency**: p50 / p99 of sequential non-streamed chat requests, ~200-character, 1 KB and
  2 KB prompts with names, e-mails and phone numbers, every prompt distinct (no detection cache
  hit); "added" is the gateway's percentile minus the direct one.
* **Streaming time to first token**: time to the first content chunk, with the gateway's own
  detection time (its `server-timing` header) for comparison.
* **Sustained requests/s** at 1 KB with the gateway's `--workers 2` and concurrent clients, and the
  errors seen (the target is none).
* **Real traffic** (issue 12, texts from ``bench/workloads.py``): added latency p50/p99 of ~1 KB
  prompts that mix dev-set examples across its sets (EN and FR prose, code, SQL, logs, JSON,
  CSV); the latency of small requests (~200 characters, non-streamed, through the relay) while
  another client streams 1,000-chunk replies back to back from a stub at full speed through each
  way out, against the same requests with nothing else going on (goal: at most 2x); and the
  latency of a small request sent right after a client hung up on such a stream, against idle
  (goal: no delay). The gateway runs one worker here, so all of them share its event loop.
* **20-turn conversation**: the whole history is resent each turn, as chat clients do; the
  gateway's detection time of turn 20 against turn 1 (the result cache makes the resent turns
  nearly free).
* **Anthropic Messages** (issue 10, ``bench/messages_bench.py``): the same two figures for a 1 KB
  ``POST /v1/messages`` relayed natively to an Anthropic-native stub (time to the first
  ``text_delta``).
* **Responses API** (issue 10, ``bench/responses_bench.py``): added latency of a 1 KB
  ``POST /v1/responses`` relayed natively, and time to its first ``output_text`` delta, beside the
  stub called directly.

The audit log is the in-memory one (no `audit:` section), so the figures are the gateway's own;
a deployment adds the audit log's append time (an fsync) to each request. On a 2-core machine
the client, the stub and the gateway share the cores: the requests/s figure is a floor.

Usage: ``python bench/gateway_bench.py [--quick] [--json OUT] [--only traffic]``.
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
# The two ways out of the gateway, each a catalog entry at the stub (and, suffixed `-paced`, at
# the paced stub).
WAYS = {
    "relay": "bench-relay",  # egress: openai-compatible
    "litellm/openai-sdk": "bench-litellm",  # openai/: litellm through the OpenAI SDK
    "litellm/http": "bench-litellm-http",  # hosted_vllm/: litellm's own HTTP handler (Mistral, ...)
}
# Catalog name → (litellm_model, egress).
ENTRIES = {
    "bench-relay": ("openai/stub-model", "openai-compatible"),
    "bench-litellm": ("openai/stub-model", "litellm"),
    "bench-litellm-http": ("hosted_vllm/stub-model", "litellm"),
}
# The paced stub streams 16 characters every 2 ms (8,000 characters/s, faster than any hosted
# model streams): the gateway is then idle between chunks, as it is in front of a real model.
PACED_DELAY = 0.002
PACED_SIZE = 16
# The long stub answers every request with LONG_CHUNKS chunks of LONG_SIZE characters, at full
# speed: a fast model's long answer (entries suffixed `-long`).
LONG_CHUNKS = 1000
LONG_SIZE = 4
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


def start_stub(paced: bool = False, kind: str = "") -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", kind or ("paced-stub" if paced else "stub")],
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


def run_stub(paced: bool, long: bool = False) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.support.upstream import _App, running_upstream

    pacing = {"chunk_delay": PACED_DELAY, "chunk_size": PACED_SIZE} if paced else {}
    if long:
        # Distinct chunks: litellm fails a stream that repeats one chunk 100 times.
        reply = "".join(f"{i:0{LONG_SIZE}d}" for i in range(LONG_CHUNKS))
        pacing = {"mode": "fixed", "reply": reply, "chunk_size": LONG_SIZE}
    with running_upstream(
        "bench-stub",
        app_factory=lambda upstream: stops_on_hang_up(_App(upstream).app),
        usage=False,
        record=False,
        **pacing,
    ) as upstream:
        print(upstream.base_url, flush=True)
        sys.stdin.read()  # until the parent closes it


def stops_on_hang_up(app: Callable[..., Any]) -> Callable[..., Any]:
    """The stub app, stopping its stream when the client hangs up, as a model server does.

    At full speed the stub's stream never waits between chunks, so starlette, which learns of
    a hang-up only when the stream gives the event loop a turn, went on writing the rest of a
    1,000-chunk reply into the closed connection (asyncio's "socket.send() raised exception."),
    ~50 ms of CPU on the cores the gateway and the client share. How much of the reply was left
    then depended on how fast the reader had been reading, so the hang-up measured straight at
    the stub was not the floor it is meant to be for the gateway's ways. One turn per chunk."""

    async def yielding(scope: Any, receive: Any, send: Any) -> None:
        async def send_turn(message: dict[str, Any]) -> None:
            if message.get("more_body"):
                await asyncio.sleep(0)
            await send(message)

        await app(scope, receive, send_turn)

    return yielding


def write_config(folder: Path, stub_url: str, paced_url: str, long_url: str) -> Path:
    (folder / "models").mkdir()
    entries = "".join(
        f"  - name: {model}{suffix}\n    litellm_model: {litellm_model}\n    api_base: {url}\n"
        f"    access: saas-api\n    jurisdiction: bench\n    egress: {egress}\n"
        for model, (litellm_model, egress) in ENTRIES.items()
        for suffix, url in (("", stub_url), ("-paced", paced_url), ("-long", long_url))
    )
    from responses_bench import catalog_entries  # the Responses API entries (issue 10)

    entries += catalog_entries(stub_url, paced_url)
    from messages_bench import catalog_entries as messages_entries  # Anthropic Messages

    entries += messages_entries()
    (folder / "models" / "bench.yaml").write_text(f"models:\n{entries}", encoding="utf-8")
    digest = hashlib.sha256(KEY.encode()).hexdigest()
    config = folder / "privacy-guard.yaml"
    # Redact everything, secrets included: the mixed prompts hold secrets, which the shipped
    # policy blocks before any upstream call; every request here takes the whole way.
    (folder / "policies").mkdir()
    (folder / "policies" / "default.yaml").write_text(
        "team: default\nmode: enforce\non_error: block\nrules:\n  - id: redact-all\n"
        '    entities: ["*"]\n    destinations: [remote]\n    action: redact\n'
        "    operator: placeholder\n",
        encoding="utf-8",
    )
    config.write_text(
        f"policies: policies/\nmodels: models/\nteams:\n  - {{name: bench, key_sha256: {digest}}}\n"
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

    def is_token(compact: str) -> bool:
        return (
            compact.startswith("data:{")
            and '"content":"' in compact
            and '"content":""' not in compact
        )

    return first_match(client, url, bodies, is_token, "no content chunk")


def first_match(
    client: httpx.Client,
    url: str,
    bodies: list[dict[str, Any]],
    is_token: Callable[[str], bool],
    missing: str,
) -> tuple[list[float], list[float]]:
    """Per streamed body: milliseconds to the first line `is_token` accepts (spaces removed),
    and the gateway's detection time (if any)."""
    ttft, detect = [], []
    for body in bodies:
        started = time.perf_counter()
        with client.stream("POST", url, json={**body, "stream": True}) as response:
            response.raise_for_status()
            found = None
            lines = response.iter_lines()
            for line in lines:
                if is_token(line.replace(" ", "")):
                    found = (time.perf_counter() - started) * 1000
                    break
            for _ in lines:  # read the rest: the next request reuses the connection
                pass
        assert found is not None, missing
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


def conversation(
    client: httpx.Client, url: str, turns: int, model: str
) -> list[tuple[float, float]]:
    """(detection ms, total ms) per turn of one conversation, the history resent every turn."""
    messages: list[dict[str, str]] = [{"role": "system", "content": "You are a helpful assistant."}]
    out = []
    for turn in range(1, turns + 1):
        messages.append({"role": "user", "content": prompt(300, 10_000 + turn)})
        started = time.perf_counter()
        response = client.post(url, json={"model": model, "messages": messages})
        total = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        messages.append(response.json()["choices"][0]["message"])
        out.append((server_timing(response, "detect") or 0.0, total))
    return out


# -- the run -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        run_stub(paced=args.child == "paced-stub", long=args.child == "long-stub")
        return 0
    count = 40 if args.quick else 200
    seconds = 4.0 if args.quick else 10.0
    results: dict[str, Any] = {"quick": args.quick, "cpus": os.cpu_count()}
    print(f"load average at start: {load_average()} on {os.cpu_count()} CPUs")
    stub, stub_url = start_stub()
    paced, paced_url = start_stub(paced=True)
    long, long_url = start_stub(kind="long-stub")
    gateways: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="gateway-bench-") as tmp:
            config = write_config(Path(tmp), stub_url, paced_url, long_url)
            port = free_port()
            gateways.append(start_gateway(config, port, workers=1))
            gateway_url = f"http://127.0.0.1:{port}/v1/chat/completions"
            direct_url = f"{stub_url}/chat/completions"
            headers = {"authorization": f"Bearer {KEY}"}
            with httpx.Client(headers=headers, timeout=60) as client:
                # Warm every path (litellm's first call, connection set-up).
                for n in range(10):
                    latency(client, direct_url, [chat(prompt(200, -n - 1), "stub-model")])
                    for model in WAYS.values():
                        latency(client, gateway_url, [chat(prompt(200, -n - 1), model)])
                results["real_traffic"] = real_traffic(
                    client, direct_url, gateway_url, long_url, count
                )
                if args.only == "traffic":
                    return 0
                results.update(latencies(client, direct_url, gateway_url, count))
                results["ttft_1024"] = first_tokens(
                    client, f"{paced_url}/chat/completions", gateway_url, count, paced=True
                )
                results["ttft_1024_full_speed"] = first_tokens(
                    client, direct_url, gateway_url, count, paced=False
                )
                results["responses"] = responses_measure(
                    client, stub_url, paced_url, f"http://127.0.0.1:{port}/v1", count
                )
                results["messages"] = messages_measure(client, f"http://127.0.0.1:{port}", count)
                turns = conversation(client, gateway_url, 20, WAYS["relay"])
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
            results["throughput_1024"] = throughput(direct_url, gateway_url, headers, seconds)
    finally:
        for gateway in gateways:
            gateway.terminate()
            gateway.wait(timeout=30)
        for process in (stub, paced, long):
            assert process.stdin is not None
            process.stdin.close()
            process.wait(timeout=30)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def messages_measure(*args: Any) -> dict[str, Any]:
    """The Anthropic Messages figures (bench/messages_bench.py)."""
    from messages_bench import measure

    found: dict[str, Any] = measure(*args)
    return found


def responses_measure(*args: Any) -> dict[str, Any]:
    """The Responses API figures (bench/responses_bench.py)."""
    from responses_bench import measure

    found: dict[str, Any] = measure(*args)
    return found


def latencies(
    client: httpx.Client, direct_url: str, gateway_url: str, count: int
) -> dict[str, Any]:
    """Added latency per prompt size and way out, every prompt distinct."""
    print(f"non-streamed, added latency (ms){'direct p50':>13}{'p99':>8}", end="")
    for way in WAYS:
        print(f"{way + ' p50':>24}{'p99':>8}", end="")
    print()
    found: dict[str, Any] = {}
    for size in (200, 1024, 2048):
        offset = size * 1000
        texts = [prompt(size, offset + i) for i in range(count)]
        direct = latency(client, direct_url, [chat(t, "stub-model") for t in texts])
        row: dict[str, Any] = {
            "direct_p50": percentile(direct, 50),
            "direct_p99": percentile(direct, 99),
        }
        line = f"  {size:>4}-character prompts{'':10}{row['direct_p50']:>11.2f}"
        line += f"{row['direct_p99']:>8.2f}"
        for index, (way, model) in enumerate(WAYS.items(), start=1):
            texts = [prompt(size, offset + count * index + i) for i in range(count)]
            via = latency(client, gateway_url, [chat(t, model) for t in texts])
            added = (
                percentile(via, 50) - row["direct_p50"],
                percentile(via, 99) - row["direct_p99"],
            )
            row[way] = {"gateway_p50": percentile(via, 50), "gateway_p99": percentile(via, 99)}
            row[way]["added_p50"], row[way]["added_p99"] = added
            line += f"{added[0]:>24.2f}{added[1]:>8.2f}"
        found[f"latency_{size}"] = row
        print(line)
    print("  targets: added p50 <= 8 ms for short prompts, <= 15 ms at 1 KB")
    return found


def first_tokens(
    client: httpx.Client, direct_url: str, gateway_url: str, count: int, *, paced: bool
) -> dict[str, Any]:
    """Time to the first streamed token at 1 KB, direct and through each way out."""
    suffix = "-paced" if paced else ""
    base = 5_000_000 if paced else 6_000_000
    texts = [prompt(1024, base + i) for i in range(count // 2)]
    direct, _ = first_token(client, direct_url, [chat(t, "stub-model") for t in texts])
    found: dict[str, Any] = {"direct_p50": percentile(direct, 50), "paced": paced}
    print(
        "\nstreaming, 1 KB prompt, time to first token p50, "
        + (
            f"stub paced at {PACED_SIZE} characters every {PACED_DELAY * 1000:g} ms"
            if paced
            else "stub at full speed (all its chunks back to back, so on 2 cores the client "
            "competes for CPU with the gateway and the stub working on the chunks after the first)"
        )
        + f": direct {found['direct_p50']:.2f} ms"
    )
    for index, (way, model) in enumerate(WAYS.items(), start=1):
        texts = [prompt(1024, base + count * index + i) for i in range(count // 2)]
        via, detect = first_token(client, gateway_url, [chat(t, model + suffix) for t in texts])
        row = {
            "gateway_p50": percentile(via, 50),
            "detect_p50": percentile(detect, 50) if detect else 0.0,
        }
        row["overhead_p50"] = row["gateway_p50"] - found["direct_p50"]
        row["budget_ms"] = row["detect_p50"] + 5
        found[way] = row
        verdict = "met" if row["overhead_p50"] <= row["budget_ms"] else "NOT met"
        print(
            f"  {way:>18}: gateway {row['gateway_p50']:.2f} ms, overhead "
            f"{row['overhead_p50']:.2f} ms; target detection ({row['detect_p50']:.2f} ms) "
            f"+ 5 ms = {row['budget_ms']:.2f} ms: {verdict}"
        )
    return found


def throughput(
    direct_url: str, gateway_url: str, headers: dict[str, str], seconds: float
) -> dict[str, Any]:
    """Sustained requests/s at 1 KB, 16 concurrent clients, the gateway with 2 workers."""
    with httpx.Client(headers=headers, timeout=60) as client:  # warm both workers
        for model in WAYS.values():
            latency(client, gateway_url, [chat(prompt(200, -i - 50), model) for i in range(60)])
    direct_rps, _, direct_errors = asyncio.run(
        sustained(
            direct_url, headers, lambda n: chat(prompt(1024, 7_000_000 + n), "stub-model"), seconds
        )
    )
    found: dict[str, Any] = {
        "direct_rps": direct_rps,
        "direct_errors": direct_errors,
        "workers": 2,
        "concurrency": 16,
    }
    print(
        f"\nsustained, 1 KB prompts, 16 concurrent clients, {seconds:g} s: direct "
        f"{direct_rps:.0f} req/s ({direct_errors} errors)"
    )
    for index, (way, model) in enumerate(WAYS.items(), start=1):
        offset = 8_000_000 * index
        rps, ok, errors = asyncio.run(
            sustained(
                gateway_url,
                headers,
                lambda n, o=offset, m=model: chat(prompt(1024, o + n), m),
                seconds,
            )
        )
        found[way] = {"gateway_rps": rps, "gateway_ok": ok, "gateway_errors": errors}
        print(f"  {way:>18}: gateway with 2 workers {rps:.0f} req/s ({errors} errors)")
    print("  target: >= 100 req/s, no errors")
    return found


# -- real traffic (issue 12) -------------------------------------------------------------------


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def real_traffic(
    client: httpx.Client, direct_url: str, gateway_url: str, long_url: str, count: int
) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "bench"))
    from workloads import load_examples, mixed_prompts

    found: dict[str, Any] = {}
    # Added latency on ~1 KB mixed prompts: distinct texts for the direct call and each way out.
    texts = mixed_prompts(load_examples(), count * (len(WAYS) + 1))
    direct = latency(client, direct_url, [chat(t, "stub-model") for t in texts[:count]])
    found["mixed_direct_p50"] = percentile(direct, 50)
    found["mixed_direct_p99"] = percentile(direct, 99)
    print(
        f"real traffic: ~1 KB mixed prompts (n={count}), non-streamed; direct p50 "
        f"{found['mixed_direct_p50']:.2f} ms, p99 {found['mixed_direct_p99']:.2f} ms"
    )
    for index, (way, model) in enumerate(WAYS.items(), start=1):
        chosen = texts[count * index : count * (index + 1)]
        timings = []
        detect = []
        for text in chosen:
            started = time.perf_counter()
            response = client.post(gateway_url, json=chat(text, model))
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{way}: HTTP {response.status_code} {response.text[:300]}")
            detect.append(server_timing(response, "detect") or 0.0)
        row = {
            "added_p50": percentile(timings, 50) - found["mixed_direct_p50"],
            "added_p99": percentile(timings, 99) - found["mixed_direct_p99"],
            "detect_p50": percentile(detect, 50),
        }
        found[f"mixed_{way}"] = row
        verdict = "met" if row["added_p50"] <= 15 else "NOT met"
        print(
            f"  {way:>18}: added p50 {row['added_p50']:.2f} ms, p99 {row['added_p99']:.2f} ms "
            f"(detection p50 {row['detect_p50']:.2f} ms); goal added p50 <= 15 ms: {verdict}"
        )
    # Small requests while one client streams 1,000-chunk replies back to back.
    small = [chat(prompt(200, 9_000_000 + i), WAYS["relay"]) for i in range(count * 8)]
    idle = latency(client, gateway_url, small[:count])
    found["small_idle_p50"] = idle_p50 = percentile(idle, 50)
    direct_chunks = stream_chunks(client, f"{long_url}/chat/completions", "stub-model")
    print(
        f"\nsmall requests (~200 chars, relay) while another client streams {LONG_CHUNKS}-chunk "
        f"replies back to back (the direct stream has {direct_chunks} chunks); idle p50 "
        f"{idle_p50:.2f} ms; goal: p50 <= 2x idle"
    )
    offset = count
    for way, model in WAYS.items():
        during, streams = while_streaming(
            gateway_url, client, small[offset : offset + count], model + "-long"
        )
        offset += count
        p50 = percentile(during, 50)
        found[f"during_stream_{way}"] = {
            "p50": p50,
            "p99": percentile(during, 99),
            "ratio": p50 / idle_p50,
            "streams": streams,
        }
        verdict = "met" if p50 <= 2 * idle_p50 else "NOT met"
        print(
            f"  {way:>18}: p50 {p50:.2f} ms (x{p50 / idle_p50:.1f} idle), p99 "
            f"{percentile(during, 99):.2f} ms, over {streams} streams: {verdict}"
        )
    # The next request right after a client hangs up mid-stream; the same hang-up straight at
    # the stub gives the floor (the stub, on the same cores, stops its stream then too), the
    # gateway's own share is the difference. In rounds (direct, then each way), so that load
    # from outside that comes and goes weighs on all of them alike.
    print("\nnext request right after a client hangs up on a fast stream (10 chunks read)")
    long_direct = f"{long_url}/chat/completions"
    afters: dict[str, list[float]] = {"direct": [], **{way: [] for way in WAYS}}
    for _ in range(20):
        afters["direct"] += after_hang_up(
            long_direct, gateway_url, client, [small[offset]], "stub-model"
        )
        offset += 1
        for way, model in WAYS.items():
            afters[way] += after_hang_up(
                gateway_url, gateway_url, client, [small[offset]], model + "-long"
            )
            offset += 1
    floor = percentile(afters["direct"], 50)
    found["after_hang_up_direct_p50"] = floor
    print(
        f"  {'direct':>18}: p50 {floor:.2f} ms (the client hangs up on the stub itself; idle "
        f"{idle_p50:.2f} ms)"
    )
    for way in WAYS:
        after = afters[way]
        p50 = percentile(after, 50)
        found[f"after_hang_up_{way}"] = {"p50": p50, "max": max(after), "added": p50 - floor}
        verdict = "met" if p50 - floor <= max(2.0, 0.25 * floor) else "NOT met"
        print(
            f"  {way:>18}: p50 {p50:.2f} ms (+{p50 - floor:.2f} ms over the direct hang-up), "
            f"max {max(after):.2f} ms; goal no delay: {verdict}"
        )
    print(f"load average now: {load_average()}")
    return found


def stream_chunks(client: httpx.Client, url: str, model: str) -> int:
    """How many data lines one streamed reply has."""
    with client.stream("POST", url, json=chat("go", model, stream=True)) as response:
        return sum(1 for line in response.iter_lines() if line.startswith("data:"))


def while_streaming(
    gateway_url: str, client: httpx.Client, bodies: list[dict[str, Any]], model: str
) -> tuple[list[float], int]:
    """Latencies of `bodies`, one after the other, while a thread streams `model`'s long replies
    back to back through the gateway (its own connection); and how many streams it read."""
    import threading

    stop = threading.Event()
    started = threading.Event()
    streams = 0

    def streamer() -> None:
        nonlocal streams
        with httpx.Client(headers=client.headers, timeout=60) as own:
            while not stop.is_set():
                body = chat("go", model, stream=True)
                with own.stream("POST", gateway_url, json=body) as response:
                    started.set()
                    for _ in response.iter_bytes():
                        pass
                streams += 1

    thread = threading.Thread(target=streamer, daemon=True)
    thread.start()
    started.wait(30)
    time.sleep(0.02)
    try:
        return latency(client, gateway_url, bodies), streams
    finally:
        stop.set()
        thread.join(60)


def after_hang_up(
    stream_url: str,
    gateway_url: str,
    client: httpx.Client,
    bodies: list[dict[str, Any]],
    model: str,
) -> list[float]:
    """For each body: open a long stream at `stream_url`, read 10 chunks, hang up, then time the
    body through the gateway."""
    timings = []
    for body in bodies:
        body_stream = chat("go", model, stream=True)
        with (
            httpx.Client(headers=client.headers, timeout=60) as own,
            own.stream("POST", stream_url, json=body_stream) as response,
        ):
            lines = response.iter_lines()
            for _ in range(10):
                next(lines)
        # `own` is closed: the connection is gone with most of the reply unread.
        timings += latency(client, gateway_url, [body])
        time.sleep(0.3)  # the next hang-up starts from a quiet gateway and stub
    return timings


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small workload (CI smoke)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument(
        "--only", choices=("traffic",), help="only the real-traffic measurements (issue 12)"
    )
    parser.add_argument(
        "--child", choices=("stub", "paced-stub", "long-stub"), help=argparse.SUPPRESS
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
