"""The compliance officer's live report, `GET /audit` on the standalone gateway.

Access takes the officer's key, configured as `audit.officer_key_sha256` (or `officer_key_env`)
and distinct from every team key: a team's callers must not read the whole organisation's
traffic. The key is sent as `Authorization: Bearer <key>`, or as the password of HTTP Basic
authentication (any user name) so that a browser can ask for it. It is compared in constant
time with the configured SHA-256. Without an officer key the route is not served at all.

The report is the one `privacy-guard audit report` writes, built from the log on disk (opened
read-only) and verified with the public key file the config names. It says what the gateway's
copy of the keys says; an officer who does not trust the gateway verifies offline with their own
file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping
from datetime import UTC, datetime

from privacy_guard.audit.keys import load_keyring
from privacy_guard.audit.query import RecordFilter
from privacy_guard.audit.report import build_report
from privacy_guard.audit.report_html import CSP, render_html
from privacy_guard.audit.stores import open_configured_store
from privacy_guard.config import AuditSettings, DeploymentConfig, audit_configured
from privacy_guard.errors import ConfigError
from privacy_guard.gateway.auth import TeamKeys, bearer_key

REALM = 'Basic realm="privacy-guard audit report", charset="UTF-8"'
# Sent with the page as well as in its meta tag: the header also covers what a meta tag cannot
# (framing), and nothing the page shows should be cached by a proxy or the browser.
PAGE_HEADERS = {
    "content-security-policy": CSP + "; frame-ancestors 'none'",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


class OfficerKey:
    def __init__(self, digest: bytes) -> None:
        self._digest = digest

    def __repr__(self) -> str:  # never the digest
        return "OfficerKey(…)"

    @classmethod
    def from_config(
        cls,
        config: DeploymentConfig | None,
        team_keys: TeamKeys | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> OfficerKey | None:
        """The officer's key, or None when none is configured (then `/audit` is off). Raises
        ConfigError when its variable is unset or when it is also a team's key."""
        if config is None or not audit_configured(config):
            return None
        settings = config.audit
        if settings.officer_key_sha256 is not None:
            digest = bytes.fromhex(settings.officer_key_sha256)
        elif settings.officer_key_env is not None:
            env = os.environ if environ is None else environ
            key = env.get(settings.officer_key_env)
            if not key:
                raise ConfigError(
                    f"audit.officer_key_env: the environment variable {settings.officer_key_env} "
                    "is not set; set it, or give the key's SHA-256 as officer_key_sha256"
                )
            digest = _digest(key)
        else:
            return None
        if team_keys is not None and team_keys.has_digest(digest):
            raise ConfigError(
                "the audit officer key is also a team's key; give the officer a key of their own"
            )
        return cls(digest)

    def accepts(self, authorization: str | None) -> bool:
        key = bearer_key(authorization) or _basic_password(authorization)
        if key is None:
            return False
        return hmac.compare_digest(_digest(key), self._digest)


def _basic_password(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, sep, password = decoded.partition(":")
    return password if sep and password else None


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


class BadQuery(ValueError):
    """A query parameter of `/audit` that cannot be used; the message names the parameter."""


def report_filter(params: Mapping[str, str]) -> RecordFilter:
    """`?team=&since=&until=` → the filter `audit report` takes as options."""
    unknown = sorted(set(params) - {"team", "since", "until"})
    if unknown:
        raise BadQuery(f"unknown parameter {unknown[0]!r}: use team, since, until")
    return RecordFilter(
        team=params.get("team") or None,
        since=_when(params.get("since"), "since"),
        until=_when(params.get("until"), "until"),
    )


def _when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadQuery(f"{name}: not an ISO date or time (e.g. 2026-05-01)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def report_page(settings: AuditSettings, filt: RecordFilter) -> str:
    """The report's HTML, from the log on disk. Blocking (it verifies the whole log): run it
    in a worker thread. Raises PrivacyGuardError when the log or the key file cannot be read."""
    public_key = settings.public_key_path()
    if public_key is None:
        raise ConfigError("the audit report needs audit.public_key (or audit.signing_key)")
    keyring = load_keyring(public_key)
    store = open_configured_store(settings, readonly=True)  # SQLite or PostgreSQL
    try:
        return render_html(build_report(store, keyring, filt=filt))
    finally:
        store.close()
