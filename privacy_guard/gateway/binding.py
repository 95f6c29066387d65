"""Which gateway and team `privacy_guard.completion()` works for, in the current context.

The middleware binds every request it passes to the wrapped app, so that a handler calling
`privacy_guard.acompletion(...)` is judged by the same policies, for the team of the request.
The team is worked out only when `completion()` is called (most requests never call it): by the
middleware's `team_resolver(scope)` if one was given, else from the request's team key as on the
LLM routes. Scripts and tests bind explicitly with `bind(gateway, team)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from privacy_guard.errors import PrivacyGuardError
from privacy_guard.gateway.auth import Caller
from privacy_guard.gateway.core import Gateway
from privacy_guard.gateway.types import Scope

TeamResolver = Callable[[Scope], "str | None"]


class NotBoundError(PrivacyGuardError, RuntimeError):
    """`completion()` was called outside a request handled by PrivacyGuardMiddleware."""


@dataclass(frozen=True, slots=True)
class Binding:
    gateway: Gateway
    scope: Scope | None = None
    team_resolver: TeamResolver | None = None
    caller: Caller | None = None  # set when bound explicitly

    def resolve(self) -> Caller:
        if self.caller is not None:
            return self.caller
        scope = self.scope or {}
        if self.team_resolver is not None:
            team = self.team_resolver(scope)
            if team:
                return Caller(team, f"resolver:{team}")
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope.get("headers", [])
        }
        client = scope.get("client")
        return self.gateway.keys.authenticate(
            headers.get("authorization"), client[0] if client else None
        )


_current: ContextVar[Binding | None] = ContextVar("privacy_guard_binding", default=None)


def current() -> Binding:
    found = _current.get()
    if found is None:
        raise NotBoundError(
            "privacy_guard.completion() needs a team: call it while handling a request that "
            "went through PrivacyGuardMiddleware, or inside `privacy_guard.bind(gateway, team)`"
        )
    return found


@contextmanager
def bind(gateway: Gateway, team: str) -> Iterator[Binding]:
    """Run `completion()` calls in this block for `team`, through `gateway`."""
    binding = Binding(gateway, caller=Caller(team, f"bound:{team}"))
    token = _current.set(binding)
    try:
        yield binding
    finally:
        _current.reset(token)


def set_binding(binding: Binding) -> object:
    return _current.set(binding)


def reset_binding(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
