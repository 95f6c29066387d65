"""The Responses vault on a fleet's PostgreSQL database (beside the audit log): a chain saved
through one replica continues on another, entries expire and are deleted, a database outage is
a `VaultError` (the gateway fails closed with `vault_unavailable`), and a dump holds nothing in
clear."""

from __future__ import annotations

import secrets
import subprocess
import time
from pathlib import Path

import pytest

from privacy_guard.vault import UnknownChainError, Vault, VaultError, VaultSettings, open_vault
from privacy_guard.vault.postgres_store import PostgresVaultStore
from tests.support.postgres import Cluster, create_database, drop_database

STATE = {"redactor": {"map": {"<PERSON_1>": "Jean Dupont", "<EMAIL_1>": "jd@example.fr"}}}


def test_a_chain_continues_on_another_replica_and_expires(pg_url: str) -> None:
    key = secrets.token_bytes(32)
    now = [1000.0]
    replica_a = Vault(PostgresVaultStore(pg_url), key, ttl=60, clock=lambda: now[0])
    replica_b = Vault(PostgresVaultStore(pg_url), key, ttl=60, clock=lambda: now[0])
    replica_a.save("eng", "resp_123", STATE)
    assert replica_b.load("eng", "resp_123") == STATE  # another replica, same database
    with pytest.raises(UnknownChainError):
        replica_b.load("hr", "resp_123")  # another team's chain is not there
    replica_b.save("eng", "resp_123", {"redactor": {"map": {}}})  # replaced
    assert replica_a.load("eng", "resp_123") == {"redactor": {"map": {}}}
    now[0] += 61
    with pytest.raises(UnknownChainError):
        replica_a.load("eng", "resp_123")  # expired
    assert replica_a.purge() == 1
    replica_a.save("eng", "resp_456", STATE)
    assert replica_b.delete("eng", "resp_456") and not replica_b.delete("eng", "resp_456")
    replica_a.close()
    replica_b.close()


def test_open_vault_uses_the_audit_database_for_a_fleet(pg_url: str, tmp_path: Path) -> None:
    settings = VaultSettings(key_env="VAULT_KEY_FOR_TEST")
    env = {"VAULT_KEY_FOR_TEST": secrets.token_hex(32)}
    vault = open_vault(settings, beside=tmp_path, environ=env, url=pg_url)
    assert isinstance(vault.store, PostgresVaultStore)
    vault.save("eng", "conv_1", STATE)
    again = open_vault(settings, beside=tmp_path, environ=env, url=pg_url)
    assert again.load("eng", "conv_1", field="conversation") == STATE
    vault.close()
    again.close()
    assert not (tmp_path / "vault.db").exists()


def test_outage_is_a_vault_error_and_a_dump_holds_nothing_in_clear(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    url = create_database(pg_cluster.url)
    vault = Vault(PostgresVaultStore(url, wait_timeout=2.0), secrets.token_bytes(32))
    vault.save("eng", "resp_secret_chain_id", STATE)
    dump = tmp_path / "vault.sql"
    subprocess.run(
        [str(pg_cluster.bin / "pg_dump"), "--dbname", url, "--file", str(dump)],
        check=True,
        timeout=60,
    )
    data = dump.read_bytes()
    assert b"vault_entries" in data
    for value in (b"Jean Dupont", b"jd@example.fr", b"resp_secret_chain_id", b"PERSON_1"):
        assert value not in data
    pg_cluster.stop()
    try:
        with pytest.raises(VaultError):
            vault.load("eng", "resp_secret_chain_id")
        with pytest.raises(VaultError):
            vault.save("eng", "resp_other", STATE)
    finally:
        pg_cluster.start()
    deadline = time.monotonic() + 30
    while True:  # the pool reconnects by itself, within moments of the server's return
        try:
            assert vault.load("eng", "resp_secret_chain_id") == STATE
            break
        except VaultError:
            assert time.monotonic() < deadline, "the vault did not reconnect"
            time.sleep(0.2)
    vault.close()
    drop_database(pg_cluster.url, url)
