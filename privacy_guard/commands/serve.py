"""`privacy-guard serve`: the standalone gateway under uvicorn."""

from __future__ import annotations

import contextlib
import logging.config
import os
import sys
from typing import Annotated, Any

import typer

from privacy_guard.commands.common import ConfigOption, fail
from privacy_guard.config import CONFIG_ENV, find_config, load_config
from privacy_guard.errors import PrivacyGuardError


def serve_command(
    config: ConfigOption = None,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: server.host, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default: server.port, 8080).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes (default: server.workers, 1)."),
    ] = None,
    log_level: Annotated[
        str, typer.Option(help="debug, info, warning or error. Logs are JSON lines on stderr.")
    ] = "info",
) -> None:
    """Run the OpenAI-compatible gateway: point any OpenAI SDK at http://HOST:PORT/v1."""
    import uvicorn

    from privacy_guard.app import create_app
    from privacy_guard.gateway.background import listening_socket
    from privacy_guard.gateway.core import Gateway
    from privacy_guard.gateway.logs import configure_json_logging
    from privacy_guard.gateway.officer import OfficerKey

    logging.config.dictConfig(configure_json_logging(log_level))
    try:
        path = find_config(config)
        deployment = load_config(path)
        # Everything — policies, catalog, team keys, audit log — is checked here, before a
        # worker starts: a broken config stops the start-up with its problems listed.
        gateway = Gateway.from_config(deployment)
        # The officer's key for `/audit` too (its variable set, distinct from team keys).
        OfficerKey.from_config(deployment, gateway.keys)
    except PrivacyGuardError as error:
        raise fail(str(error)) from None
    server = deployment.server
    host = host or server.host
    port = port or server.port
    workers = workers or server.workers
    where = str(path) if path else "none: the shipped defaults"
    print(f"privacy-guard gateway on http://{host}:{port}/v1  (config: {where})", file=sys.stderr)
    if not deployment.teams:
        print(
            "  no teams configured: only clients on this machine are served, as team 'default'."
            "\n  Add teams with the SHA-256 of their keys under `teams:` before exposing it.",
            file=sys.stderr,
        )
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": configure_json_logging(log_level),
        "log_level": log_level,
        # Proxy headers would let a client claim a loopback address in local-only mode.
        "proxy_headers": False,
        "server_header": False,
    }
    if workers == 1:
        uvicorn.run(create_app(gateway=gateway), **options)
        return
    # Several processes: each builds its own gateway (and opens the audit log) after it starts.
    if gateway.owns_audit and hasattr(gateway.audit, "close"):
        gateway.audit.close()
    if path is not None:
        os.environ[CONFIG_ENV] = str(path.resolve())
    else:
        os.environ.pop(CONFIG_ENV, None)
    # What uvicorn.run does for several workers, but with our own listening socket: uvicorn's
    # leaves Nagle's algorithm on, which costs 40 ms per keep-alive request.
    from uvicorn.supervisors import Multiprocess

    settings = uvicorn.Config(
        "privacy_guard.app:create_app", factory=True, workers=workers, **options
    )
    sock = listening_socket(host, port)
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(settings, sockets=[sock]).run()
