"""Constructing a Detector and scanning never opens a network connection, not even to loopback."""

from __future__ import annotations

import subprocess
import sys
import textwrap

_SCRIPT = textwrap.dedent(
    """
    import socket, sys

    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network disabled by test")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = lambda *a, **k: refuse(None, a[0] if a else None)
    socket.getaddrinfo = lambda *a, **k: refuse(None, a[:2])

    from privacy_guard import Detector

    detector = Detector()
    detector.warm_up()
    texts = [
        "Write to jean.dupont@example.fr or visit https://www.example.co.uk/contact",
        "My name is John Smith, I live at 221B Baker Street, London NW1 6XE.",
        "Bonjour, je m'appelle Marie Curie et mon IBAN est FR76 3000 6000 0112 3456 7890 189.",
        # Presidio's own recognizers run behind our prefilters for these (and Presidio's e-mail
        # and URL recognizers would make tldextract fetch the public suffix list).
        "Patient NHS number 083 016 6130, PESEL 92021501866, MAC 3c:22:fb:1a:2b:9e",
    ]
    results = detector.scan_many(texts)
    assert any(results), "scanning found nothing at all: the check would prove nothing"
    found = {f.entity_type for f in results[3]}
    assert {"UK_NHS", "PL_PESEL"} <= found, found  # the Presidio-backed path did run
    # presidio-analyzer (a runtime dependency: its country recognizers) registers a spaCy
    # factory; what matters is that nothing connects, and litellm stays out.
    leaked = sorted(m for m in ("litellm",) if m in sys.modules)
    print("attempts", len(attempts), "modules", leaked)
    sys.exit(1 if attempts or leaked else 0)
    """
)


def test_detector_never_touches_the_network() -> None:
    run = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "attempts 0 modules []" in run.stdout
