"""The standalone gateway: the middleware in front of a small app with `/healthz`, `/metrics`
and, when the config names an officer key, the compliance officer's report at `/audit`.

`privacy-guard serve` runs `create_app()` under uvicorn (as a factory, so that each worker
process builds its own gateway; the config path travels in `$PRIVACY_GUARD_CONFIG`).
"""

from __future__ import annotations

import logging

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from privacy_guard.config import DeploymentConfig
from privacy_guard.errors import PrivacyGuardError
from privacy_guard.gateway.core import Gateway, new_request_id
from privacy_guard.gateway.logs import describe
from privacy_guard.gateway.metrics import CONTENT_TYPE
from privacy_guard.gateway.officer import (
    PAGE_HEADERS,
    REALM,
    BadQuery,
    OfficerKey,
    report_filter,
    report_page,
)
from privacy_guard.gateway.responder import REQUEST_ID_HEADER
from privacy_guard.middleware import PrivacyGuardMiddleware

log = logging.getLogger("privacy_guard.gateway")


def _error(
    status: int, code: str, message: str, kind: str = "audit_report", **headers: str
) -> JSONResponse:
    """An error body like the gateway's own (GatewayError.body): with a request id, also sent as
    the `x-privacy-guard-request-id` header, so any failed call can be quoted and found."""
    request_id = new_request_id()
    error = {"message": message, "type": kind, "param": None, "code": code}
    body = {"error": {**error, "request_id": request_id}}
    return JSONResponse(
        body, status_code=status, headers={REQUEST_ID_HEADER: request_id, **headers}
    )


def create_app(
    config: DeploymentConfig | str | None = None, *, gateway: Gateway | None = None
) -> PrivacyGuardMiddleware:
    """The gateway as an ASGI app. Raises ConfigError when the config is invalid."""
    gateway = gateway if gateway is not None else Gateway.from_config(config)
    officer = OfficerKey.from_config(gateway.deployment, gateway.keys)
    if officer is None:
        log.info(
            "GET /audit (the officer's report) is off: set audit.officer_key_sha256 or "
            "audit.officer_key_env in the config to serve it"
        )

    async def healthz(request: Request) -> Response:
        snapshot = gateway.store.snapshot
        return JSONResponse(
            {
                "status": "ok",
                "policy_version": snapshot.version,
                # Teams listed under `teams:` in the config, each with its key (0: local-only).
                "configured_teams": len(snapshot.teams),
                # Policy files in force, `default` included; a configured team without a file
                # of its own is judged by `default`.
                "policies": len(snapshot.policies.teams()),
                "models": len(snapshot.catalog),
            }
        )

    async def metrics(request: Request) -> Response:
        return Response(gateway.metrics.render(), media_type=CONTENT_TYPE)

    async def audit_report(request: Request) -> Response:
        if officer is None or gateway.deployment is None:
            return await not_found(request)
        if not officer.accepts(request.headers.get("authorization")):
            # The Basic challenge lets a browser ask the officer for the key (as the password).
            return _error(
                401,
                "invalid_officer_key",
                "the audit report needs the officer's key: `Authorization: Bearer <key>`",
                **{"www-authenticate": REALM},
            )
        try:
            filt = report_filter(request.query_params)
        except BadQuery as error:
            return _error(400, "invalid_query", str(error))
        try:
            page = await anyio.to_thread.run_sync(report_page, gateway.deployment.audit, filt)
        except PrivacyGuardError as error:
            log.error("audit report failed", extra={"error": describe(error)})
            return _error(503, "audit_report_unavailable", "the audit log cannot be read")
        return HTMLResponse(page, headers=PAGE_HEADERS)

    async def not_found(request: Request) -> Response:
        return _error(
            404,
            "unknown_route",
            f"no route {request.url.path}; this is an LLM gateway: POST /v1/chat/completions, "
            "/v1/completions, /v1/embeddings, /v1/responses, /v1/messages; GET /v1/models",
            kind="not_found_error",
        )

    async def http_error(request: Request, error: Exception) -> Response:
        """Starlette's own refusals (a method a route does not take, as OPTIONS /healthz) in the
        gateway's error shape, with a request id, instead of plain text."""
        assert isinstance(error, HTTPException)
        if error.status_code == 405:
            return _error(
                405,
                "method_not_allowed",
                f"method {request.method} not allowed on {request.url.path}",
                kind="invalid_request_error",
                **(error.headers or {}),
            )
        return _error(error.status_code, "http_error", error.detail, kind="invalid_request_error")

    inner = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/audit", audit_report, methods=["GET"]),
            Route("/{path:path}", not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ],
        exception_handlers={HTTPException: http_error},
    )
    return PrivacyGuardMiddleware(inner, gateway=gateway)
