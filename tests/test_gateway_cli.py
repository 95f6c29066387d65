"""`privacy-guard serve` on the shipped defaults, and `privacy-guard demo`, as real processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SECRET = "sk-proj-4fJ8kL2mN9pQ7rS1tU3vW5xY6zA0bC2dE4fG6hJ8"


def _environment() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if key != "PRIVACY_GUARD_CONFIG" and "API_KEY" not in key
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cli() -> list[str]:
    return [sys.executable, "-m", "privacy_guard"]


def test_serve_starts_on_the_shipped_defaults_in_local_only_mode(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [*_cli(), "serve", "--port", str(port)],
        cwd=tmp_path,  # no privacy-guard.yaml here
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, process.communicate()[1][-3000:]
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.5)
        headers = {"authorization": "Bearer anything"}
        models = httpx.get(f"{base}/v1/models", headers=headers, timeout=10).json()
        assert "gpt-4o-mini" in [m["id"] for m in models["data"]]
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": SECRET}]}
        blocked = httpx.post(f"{base}/v1/chat/completions", json=body, headers=headers, timeout=60)
        assert blocked.status_code == 403
        assert blocked.json()["error"]["type"] == "privacy_policy_violation"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
    assert "no teams configured" in stderr
    logged = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert any(entry.get("message") == "request" for entry in logged)
    assert any("NOT persisted" in entry.get("message", "") for entry in logged)
    assert SECRET not in stderr
    # Only our fields, as plain text: no uvicorn colour copy, no litellm marker object.
    assert any(entry["message"].startswith("Uvicorn running on") for entry in logged)
    assert "\x1b" not in stderr and "\\u001b" not in stderr
    for entry in logged:
        assert "color_message" not in entry and "litellm_redacted" not in entry, entry


def test_demo_walks_through_the_four_outcomes() -> None:
    done = subprocess.run(
        [*_cli(), "demo"], capture_output=True, text=True, timeout=300, env=_environment()
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    for outcome in ("ALLOWED", "REDACTED", "REROUTED", "BLOCKED"):
        assert outcome in out
    assert "x-privacy-guard-decision: reroute;model=demo-local-echo" in out
    assert "model saw   : Draft a reply to <PERSON_1> (<EMAIL_ADDRESS_1>" in out
    assert "(nothing: no request was sent)" in out
    assert "[demo echo model]" in out
