"""The standalone gateway: the middleware in front of a small app with `/healthz` and `/metrics`.

`privacy-guard serve` runs `create_app()` under uvicorn (as a factory, so that each worker
process builds its own gateway; the config path travels in `$PRIVACY_GUARD_CONFIG`).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from privacy_guard.config import DeploymentConfig
from privacy_guard.gateway.core import Gateway
from privacy_guard.gateway.metrics import CONTENT_TYPE
from privacy_guard.middleware import PrivacyGuardMiddleware


def create_app(
    config: DeploymentConfig | str | None = None, *, gateway: Gateway | None = None
) -> PrivacyGuardMiddleware:
    """The gateway as an ASGI app. Raises ConfigError when the config is invalid."""
    gateway = gateway if gateway is not None else Gateway.from_config(config)

    async def healthz(request: Request) -> Response:
        snapshot = gateway.store.snapshot
        return JSONResponse(
            {
                "status": "ok",
                "policy_version": snapshot.version,
                "teams": len(snapshot.known_teams()),
                "models": len(snapshot.catalog),
            }
        )

    async def metrics(request: Request) -> Response:
        return Response(gateway.metrics.render(), media_type=CONTENT_TYPE)

    async def not_found(request: Request) -> Response:
        error: dict[str, Any] = {
            "message": f"no route {request.url.path}; this is an OpenAI-compatible gateway: "
            "POST /v1/chat/completions, /v1/completions, /v1/embeddings; GET /v1/models",
            "type": "not_found_error",
            "param": None,
            "code": "unknown_route",
        }
        return JSONResponse({"error": error}, status_code=404)

    inner = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/{path:path}", not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ]
    )
    return PrivacyGuardMiddleware(inner, gateway=gateway)
