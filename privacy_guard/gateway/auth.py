"""Who is calling: `Authorization: Bearer <team key>` → team.

The config holds each team's key as its SHA-256 (`key_sha256`) or names the environment variable
holding it (`key_env`, read once at start-up and kept only as its digest). A presented key is
hashed and compared with every team's digest in constant time, without stopping at a match, so
timing tells nothing about which team's key is close.

Local-only mode. With no `teams:` in the config (the shipped defaults), there are no keys to
check. The gateway then serves clients on loopback only, whatever key they send (the OpenAI SDK
insists on one), as the team `default`; any other client gets 401. This is for trying the
gateway on one's own machine: list teams before exposing it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from privacy_guard.config import TeamEntry
from privacy_guard.errors import ConfigError
from privacy_guard.gateway.errors import Unauthenticated
from privacy_guard.policy import DEFAULT_TEAM

LOCAL_ONLY_TEAM = DEFAULT_TEAM


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller. `credential` is what the audit log keys its HMAC on."""

    team: str
    credential: str

    def __repr__(self) -> str:  # never the key
        return f"Caller(team={self.team!r})"


class TeamKeys:
    def __init__(
        self, teams: Sequence[TeamEntry], environ: Mapping[str, str] | None = None
    ) -> None:
        env = os.environ if environ is None else environ
        digests: list[tuple[bytes, str]] = []
        for team in teams:
            if team.key_sha256 is not None:
                digests.append((bytes.fromhex(team.key_sha256), team.name))
                continue
            assert team.key_env is not None
            key = env.get(team.key_env)
            if not key:
                raise ConfigError(
                    f"team {team.name!r}: the environment variable {team.key_env} (key_env) is "
                    "not set; set it, or give the key's SHA-256 as key_sha256"
                )
            digests.append((_digest(key), team.name))
        self._digests = tuple(digests)

    @property
    def local_only(self) -> bool:
        return not self._digests

    def has_digest(self, digest: bytes) -> bool:
        """Whether some team's key has this SHA-256 (to keep the officer's key distinct)."""
        return any(hmac.compare_digest(digest, known) for known, _team in self._digests)

    def team_for_key(self, key: str) -> str | None:
        presented = _digest(key)
        found: str | None = None
        for digest, team in self._digests:
            if hmac.compare_digest(presented, digest) and found is None:
                found = team
        return found

    def authenticate(self, authorization: str | None, client_host: str | None) -> Caller:
        """The caller of a request, from its Authorization header; raises Unauthenticated."""
        return self.authenticate_key(bearer_key(authorization), client_host)

    def authenticate_key(self, key: str | None, client_host: str | None) -> Caller:
        """The caller presenting `key` (as the wire API carries it: a Bearer token, Anthropic's
        `x-api-key`, ...); raises Unauthenticated."""
        if self.local_only:
            if not is_loopback(client_host):
                raise Unauthenticated(
                    "this gateway has no teams configured and serves loopback clients only; "
                    "list teams with their keys under `teams:` in the config",
                    code="no_teams_configured",
                )
            return Caller(LOCAL_ONLY_TEAM, f"local:{key or ''}")
        if key is None:
            raise Unauthenticated(
                "missing API key: send `Authorization: Bearer <your team's key>` (or, on the "
                "Anthropic routes, `x-api-key: <your team's key>`)",
                code="missing_api_key",
            )
        team = self.team_for_key(key)
        if team is None:
            raise Unauthenticated("invalid API key", code="invalid_api_key")
        return Caller(team, key)


def bearer_key(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        return None
    return value


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


def key_sha256(key: str) -> str:
    """What to write as a team's `key_sha256` for `key`."""
    return _digest(key).hex()
