"""Running an ASGI app under uvicorn on a background thread (the demo; tests do the same)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn


@dataclass(frozen=True)
class Running:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket whose connections send small writes at once (TCP_NODELAY).

    asyncio turns Nagle's algorithm off only for sockets created with `IPPROTO_TCP`, and
    accepted sockets inherit the listening socket's option: without it, a response written as
    headers then body waits for the client's delayed ACK, 40 ms on Linux, on every keep-alive
    request.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


@contextmanager
def serve_in_thread(
    app: Any, *, host: str = "127.0.0.1", port: int = 0, lifespan: str = "on"
) -> Iterator[Running]:
    """Serve `app` on `host:port` (0: an ephemeral port) until the block ends."""
    sock = listening_socket(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan=lifespan,
        timeout_graceful_shutdown=2,
        log_config=None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{bound_port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 300
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the server on {bound_host}:{bound_port} did not start")
        time.sleep(0.01)
    try:
        yield Running(bound_host, bound_port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
