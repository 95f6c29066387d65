"""When a stream gives the event loop a turn back (gateway/responder.py, `_pump`).

The rule is about time, so the test gives `_pump` a clock of its own: each chunk of the fake
upstream stream "costs" a fixed amount on it, and the test counts the chunks sent between two
turns given back. Nothing here waits on the real clock (speed itself is bench/'s business).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from privacy_guard.gateway import responder
from privacy_guard.gateway.responder import _TURN, Responder
from privacy_guard.payloads import Route


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Clock]:
    fake = _Clock()
    # `_pump` reads `time.perf_counter` of the responder module's `time`; only it sees this.
    monkeypatch.setattr(responder, "time", type("FakeTime", (), {"perf_counter": fake})())
    yield fake


def _turns(clock: _Clock, cost: float, chunks: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many chunks `_pump` sends between two turns given back, each chunk costing `cost`
    seconds on `clock` (a stream alone on the worker: its turns are passes of the loop)."""
    sent: list[int] = [0]
    passes: list[int] = []

    async def checkpoint() -> None:
        if sent[-1]:
            passes.append(0)
            sent.append(0)
        passes[-1] += 1

    monkeypatch.setattr(anyio.lowlevel, "checkpoint", checkpoint)

    async def upstream() -> AsyncIterator[dict[str, Any]]:
        for index in range(chunks):
            clock.now += cost
            yield {"choices": [{"index": 0, "delta": {"content": f"{index:04d}"}}]}

    async def send(message: dict[str, Any]) -> None:
        if message.get("more_body"):
            sent[-1] += 1

    async def pump() -> None:
        subject = Responder(None, Route.CHAT, {"headers": []}, None)  # type: ignore[arg-type]
        assert await subject._pump(upstream(), send) == 200

    anyio.run(pump)
    # A turn given back is three passes of the loop, enough for a hang-up to reach the watcher.
    assert set(passes) == {3}
    return [count for count in sent if count]


def test_cheap_chunks_share_a_turn(clock: _Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    # The relay's chunks: a yield every ~10 of them, not after each one (a yield costs too).
    turns = _turns(clock, _TURN / 10, 200, monkeypatch)
    assert sum(turns) == 200
    assert max(turns) <= 10
    assert min(turns[:-1]) >= 8


@pytest.mark.parametrize("share", [0.2, 0.3, 0.4, 0.6, 1.5])
def test_a_turn_ends_before_a_costly_chunk_would_overrun_it(
    clock: _Clock, monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    # litellm's chunks cost up to ~0.5 ms here. The turn used to end after the chunk that took
    # it past its length: with chunks of 0.4 of a turn, turns of 0.8.
    turns = _turns(clock, _TURN * share, 40, monkeypatch)
    assert sum(turns) == 40
    assert max(turns) == max(1, int(1 / share))
    assert max(turns) * share <= 1 or max(turns) == 1


def test_the_fake_clock_is_only_the_responders(clock: _Clock) -> None:
    assert time.perf_counter() != clock()
