"""Running egress calls from synchronous tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from privacy_guard import egress

T = TypeVar("T")


def run(coroutine: Awaitable[T]) -> T:
    """Run `coroutine` on a fresh event loop, then close the HTTP sessions egress opened on it
    (both ways out keep connections bound to the loop; asyncio.run closes the loop)."""

    async def main() -> T:
        try:
            return await coroutine
        finally:
            await egress.close()

    return asyncio.run(main())
