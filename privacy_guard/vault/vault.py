"""The vault: placeholder maps of provider-stateful conversations, sealed, with a time to live.

A Responses request with `previous_response_id` (or `conversation`) builds on turns the provider
keeps — redacted: later replies carry placeholders issued in earlier requests. So the map of a
chain outlives one request, and only here: after each turn the Redactor's map is exported,
encrypted (AES-256-GCM, a fresh nonce per entry, the entry's key as associated data so a blob
cannot be moved to another key) and stored under a keyed hash of (team, chain id) with an expiry
`ttl` seconds ahead. The next turn loads it, seeds its Redactor (one value keeps one placeholder
across turns) and stores the grown map under the new response id.

What this never does: log, return or store a chain's map or id in clear; decrypt an entry for
another team (the team is part of the key); return an expired entry. Unknown, expired, deleted
or undecryptable entries all read as "unknown chain" (`UnknownChainError`), which the gateway
answers with a 400 naming `previous_response_id` (or `conversation`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from privacy_guard.errors import ConfigError, PrivacyGuardError
from privacy_guard.vault.settings import VaultSettings
from privacy_guard.vault.store import MemoryVaultStore, VaultStore

log = logging.getLogger("privacy_guard.vault")

_VERSION = b"\x01"
_NONCE = 12
_PURGE_EVERY = 60.0  # seconds between two purges of expired entries


class VaultError(PrivacyGuardError):
    """The vault could not do what was asked; its message names no chain and no value."""


class UnknownChainError(VaultError):
    """The vault holds no map for this chain: never stored, expired, deleted, or another team's."""

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(
            f"the gateway no longer knows the conversation named by `{field}` (its placeholder "
            "map expired or was deleted, or it was not made through this gateway); start a new "
            "chain: send the whole conversation as `input` without `previous_response_id`"
        )


class Vault:
    """Sealed placeholder maps by chain id (a response id, or a conversation id)."""

    def __init__(
        self,
        store: VaultStore,
        key: bytes,
        *,
        ttl: float = 86_400.0,
        clock: Callable[[], float] = time.time,
        persistent: bool = True,
    ) -> None:
        if len(key) != 32:
            raise ValueError("the vault key must be 32 bytes")
        # Two keys from one: one seals, one names entries.
        self._seal = AESGCM(hmac.new(key, b"privacy-guard vault seal", hashlib.sha256).digest())
        self._name_key = hmac.new(key, b"privacy-guard vault names", hashlib.sha256).digest()
        self.store = store
        self.ttl = ttl
        self.persistent = persistent
        self._clock = clock
        self._last_purge = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Vault ttl={self.ttl:g}s store={self.store!r}>"

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("a Vault holds its key and cannot be pickled or copied")

    # -- entries -------------------------------------------------------------------------------

    def _name(self, team: str, chain: str) -> bytes:
        material = json.dumps([team, chain]).encode("utf-8")
        return hmac.new(self._name_key, material, hashlib.sha256).digest()

    def save(self, team: str, chain: str, state: Mapping[str, Any]) -> None:
        """Seal `state` (a `Redactor.export_state()`) under (team, chain) for `ttl` seconds."""
        name = self._name(team, chain)
        plain = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        nonce = secrets.token_bytes(_NONCE)
        blob = _VERSION + nonce + self._seal.encrypt(nonce, plain, _VERSION + name)
        now = self._clock()
        self.store.put(name, blob, now + self.ttl)
        self._maybe_purge(now)

    def load(self, team: str, chain: str, *, field: str = "previous_response_id") -> dict[str, Any]:
        """The state sealed under (team, chain); UnknownChainError when there is none."""
        name = self._name(team, chain)
        blob = self.store.get(name, self._clock())
        if blob is None or len(blob) < 1 + _NONCE + 16 or blob[:1] != _VERSION:
            raise UnknownChainError(field)
        nonce, sealed = blob[1 : 1 + _NONCE], blob[1 + _NONCE :]
        try:
            plain = self._seal.decrypt(nonce, sealed, _VERSION + name)
            state = json.loads(plain)
        except (InvalidTag, ValueError):
            # Another key, a tampered or moved blob: as unknown (and worth an operator's look).
            log.warning("a vault entry could not be opened (key changed or entry tampered with)")
            raise UnknownChainError(field) from None
        if not isinstance(state, dict):
            raise UnknownChainError(field)
        return state

    def delete(self, team: str, chain: str) -> bool:
        return self.store.delete(self._name(team, chain))

    def purge(self) -> int:
        """Delete every expired entry now; how many."""
        now = self._clock()
        with self._lock:
            self._last_purge = now
        return self.store.purge(now)

    def _maybe_purge(self, now: float) -> None:
        with self._lock:
            if now - self._last_purge < _PURGE_EVERY:
                return
            self._last_purge = now
        self.store.purge(now)

    def close(self) -> None:
        self.store.close()


def read_key(settings: VaultSettings, environ: Mapping[str, str] | None = None) -> bytes:
    """The 32-byte key the settings name (hex in a file of mode 0600, or in a variable)."""
    if settings.key_env is not None:
        raw = (os.environ if environ is None else environ).get(settings.key_env)
        if not raw:
            raise ConfigError(f"vault: the variable {settings.key_env} holding the key is not set")
        where = f"the variable {settings.key_env}"
    else:
        assert settings.key_file is not None
        path = settings.key_file
        try:
            mode = path.stat().st_mode
            raw = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            raise ConfigError(f"vault: cannot read the key file {path}") from None
        if mode & 0o077:
            raise ConfigError(f"vault: the key file {path} is readable by others; chmod 600 it")
        where = str(path)
    try:
        key = bytes.fromhex(raw.strip())
    except ValueError:
        raise ConfigError(f"vault: {where} does not hold a hex key") from None
    if len(key) != 32:
        raise ConfigError(f"vault: {where} must hold 32 bytes (64 hex digits)")
    return key


def open_vault(
    settings: VaultSettings | None,
    *,
    beside: Path | None = None,
    environ: Mapping[str, str] | None = None,
    url: str | None = None,
    password: str | None = None,
) -> Vault:
    """The deployment's vault: SQLite at `settings.path`, else the fleet's PostgreSQL database
    when the audit log is there (`url`, `password`: the audit store's), else `vault.db` in
    `beside` (the audit log's folder). Without settings: in memory, under a random key of this
    process — chains then do not survive a restart (they get the unknown-chain error)."""
    if settings is None:
        return Vault(MemoryVaultStore(), secrets.token_bytes(32), persistent=False)
    from privacy_guard.vault.sqlite_store import SQLiteVaultStore

    key = read_key(settings, environ)
    if settings.path is None and url is not None:
        # A fleet: a chain continued on another replica must find its map.
        from privacy_guard.vault.postgres_store import PostgresVaultStore

        return Vault(PostgresVaultStore(url, password=password), key, ttl=settings.ttl)
    path = settings.path or (beside or Path(".")) / "vault.db"
    return Vault(SQLiteVaultStore(path), key, ttl=settings.ttl)


__all__ = ["UnknownChainError", "Vault", "VaultError", "open_vault", "read_key"]
