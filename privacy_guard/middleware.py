"""`PrivacyGuardMiddleware`: pure ASGI, in front of any Starlette, FastAPI or plain ASGI app.

    app = PrivacyGuardMiddleware(app)                       # config found as the CLI finds it
    app.add_middleware(PrivacyGuardMiddleware, config="privacy-guard.yaml")   # Starlette/FastAPI

The LLM API routes — OpenAI's (`/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`,
`/v1/models`), Anthropic's `/v1/messages`, and whatever else a wire adapter serves
(`gateway/wire/`); another `prefix`, or fewer `routes`, if asked — are answered by the gateway:
team key, detection, policy, audit, redaction, the model call, restoration. Every
other request — HTTP, streaming, websockets — goes to the wrapped app untouched, with the
gateway bound to its context so that `privacy_guard.completion()` in a handler is enforced for
the same team. On lifespan start-up the gateway loads its pipelines (or on the first request,
if the server sends no lifespan events).
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from privacy_guard.config import DeploymentConfig
from privacy_guard.gateway.binding import Binding, TeamResolver, reset_binding, set_binding
from privacy_guard.gateway.core import Gateway
from privacy_guard.gateway.responder import Responder
from privacy_guard.gateway.types import ASGIApp, Message, Receive, Scope, Send
from privacy_guard.gateway.wire import all_routes
from privacy_guard.payloads import Route

log = logging.getLogger("privacy_guard.gateway")

DEFAULT_ROUTES: tuple[Route, ...] = all_routes()
_ID = "{id}"


class PrivacyGuardMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        config: DeploymentConfig | str | None = None,
        *,
        gateway: Gateway | None = None,
        prefix: str = "/v1",
        routes: Collection[Route | str] = DEFAULT_ROUTES,
        team_resolver: TeamResolver | None = None,
    ) -> None:
        """`config`: a loaded DeploymentConfig, a path, or None (`$PRIVACY_GUARD_CONFIG`,
        `./privacy-guard.yaml`, else the shipped defaults). `gateway`: share one gateway between
        apps instead. `team_resolver(scope) -> team | None`: how `completion()` in the app's own
        handlers finds the team, if the app authenticates its users itself."""
        self.app = app
        self.gateway = gateway if gateway is not None else Gateway.from_config(config)
        self.team_resolver = team_resolver
        prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self._paths: dict[str, Route] = {}
        # Routes with an `{id}` segment (`/v1/responses/{id}`): (before, after, route).
        self._templates: list[tuple[str, str, Route]] = []
        for route in routes:
            route = Route(route)
            path = prefix + route.value.removeprefix("/v1")
            if _ID in path:
                before, _, after = path.partition(_ID)
                self._templates.append((before, after, route))
            else:
                self._paths[path] = route
        # Longest first: `/responses/{id}/input_items` before `/responses/{id}`.
        self._templates.sort(key=lambda t: -len(t[0] + t[1]))
        self._models_prefix = prefix + "/models/" if Route.MODELS in self._paths.values() else None

    def _route(self, path: str) -> tuple[Route, str | None] | None:
        route = self._paths.get(path) or self._paths.get(path.rstrip("/"))
        if route is not None:
            return route, None
        if self._models_prefix and path.startswith(self._models_prefix):
            model_id = path[len(self._models_prefix) :]
            if model_id:
                return Route.MODELS, model_id
        for before, after, route in self._templates:
            if path.startswith(before) and path.endswith(after):
                found = path[len(before) : len(path) - len(after)]
                if found and "/" not in found:
                    return route, found
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        if kind == "http":
            found = self._route(scope["path"])
            if found is not None:
                await self.gateway.startup()
                await Responder(self.gateway, found[0], scope, found[1])(receive, send)
                return
        token = set_binding(Binding(self.gateway, scope, self.team_resolver))
        try:
            await self.app(scope, receive, send)
        finally:
            reset_binding(token)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def receive_and_prepare() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.gateway.startup()
            elif message["type"] == "lifespan.shutdown":
                await self.gateway.shutdown()
            return message

        await self.app(scope, receive_and_prepare, send)
