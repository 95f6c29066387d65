"""The vault of stateful chains: sealed at rest, time to live, deletion, team isolation, and a
Redactor carried from one turn to the next."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from faker import Faker

from privacy_guard.errors import ConfigError, RedactionError
from privacy_guard.redact import Redactor
from privacy_guard.vault import (
    MemoryVaultStore,
    UnknownChainError,
    Vault,
    VaultSettings,
    open_vault,
    read_key,
)
from privacy_guard.vault.sqlite_store import SQLiteVaultStore

fake = Faker(["en_US", "de_DE"])
Faker.seed(12)
NAME = fake.name()
EMAIL = fake.email()
KEY = bytes(range(32))


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _turn_one() -> Redactor:
    redactor = Redactor()
    redactor.redact(
        f"{NAME} <{EMAIL}>",
        [(0, len(NAME), "PERSON"), (len(NAME) + 2, len(NAME) + 2 + len(EMAIL), "EMAIL_ADDRESS")],
    )
    return redactor


def test_the_sqlite_file_holds_no_value_and_no_chain_id(tmp_path: Path) -> None:
    clock = Clock()
    vault = Vault(SQLiteVaultStore(tmp_path / "vault.db"), KEY, ttl=60, clock=clock)
    vault.save("eng", "resp_chain_0001", _turn_one().export_state())
    vault.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for planted in (NAME, EMAIL, "resp_chain_0001", "<PERSON_1>", "PERSON"):
        assert planted.encode() not in raw
    assert os.stat(tmp_path / "vault.db").st_mode & 0o077 == 0
    reopened = Vault(SQLiteVaultStore(tmp_path / "vault.db"), KEY, ttl=60, clock=clock)
    state = reopened.load("eng", "resp_chain_0001")
    assert Redactor.from_state(state).restore("<PERSON_1> <EMAIL_ADDRESS_1>") == f"{NAME} {EMAIL}"


def test_expiry_deletion_other_teams_and_other_keys_read_as_unknown(tmp_path: Path) -> None:
    clock = Clock()
    store = SQLiteVaultStore(tmp_path / "vault.db")
    vault = Vault(store, KEY, ttl=60, clock=clock)
    state = _turn_one().export_state()
    vault.save("eng", "resp_a", state)
    vault.save("eng", "resp_b", state)
    assert vault.load("eng", "resp_a") == state
    with pytest.raises(UnknownChainError) as caught:
        vault.load("hr", "resp_a")  # the team is part of the entry's name
    assert "previous_response_id" in str(caught.value) and NAME not in str(caught.value)
    with pytest.raises(UnknownChainError):
        Vault(store, bytes(32), clock=clock).load("eng", "resp_a")  # another key
    assert vault.delete("eng", "resp_a") and not vault.delete("eng", "resp_a")
    with pytest.raises(UnknownChainError):
        vault.load("eng", "resp_a")
    clock.now += 61
    with pytest.raises(UnknownChainError):
        vault.load("eng", "resp_b")  # expired: never returned, even before a purge
    assert vault.purge() == 1
    rows = sqlite3.connect(tmp_path / "vault.db").execute("SELECT count(*) FROM vault_entries")
    assert rows.fetchone()[0] == 0


def test_a_tampered_or_moved_entry_is_unknown() -> None:
    store = MemoryVaultStore()
    vault = Vault(store, KEY)
    vault.save("eng", "resp_a", {"version": 1})
    vault.save("eng", "resp_b", {"version": 1})
    name_a, name_b = list(store._entries)
    blob_a = store._entries[name_a][0]
    store._entries[name_b] = (blob_a, store._entries[name_b][1])  # moved under another name
    with pytest.raises(UnknownChainError):
        vault.load("eng", "resp_b")
    flipped = bytearray(blob_a)
    flipped[-1] ^= 1
    store._entries[name_a] = (bytes(flipped), store._entries[name_a][1])
    with pytest.raises(UnknownChainError):
        vault.load("eng", "resp_a")


def test_a_seeded_redactor_keeps_one_placeholder_per_value_across_turns() -> None:
    first = _turn_one()
    second = Redactor.from_state(first.export_state())
    other = fake.name()
    text = f"{other} wrote to {NAME.upper()}"
    out = second.redact(text, [(0, len(other), "PERSON"), (len(other) + 10, len(text), "PERSON")])
    assert out == "<PERSON_2> wrote to <PERSON_1>"  # numbering goes on; the value keeps its number
    # A reply of turn 3 may quote placeholders of turn 1: the grown map restores all of them.
    third = Redactor.from_state(second.export_state())
    assert third.restore("<PERSON_1>/<PERSON_2>/<EMAIL_ADDRESS_1>") == f"{NAME}/{other}/{EMAIL}"
    # The client quoting an earlier placeholder back is not a redaction error.
    third.reserve(["as <PERSON_1> said"])


def test_look_alikes_stay_reserved_across_turns() -> None:
    first = Redactor()
    first.reserve(["template <PERSON_1>"])
    second = Redactor.from_state(first.export_state())
    assert second.redact(NAME, [(0, len(NAME), "PERSON")]) == "<PERSON_2>"


@pytest.mark.parametrize(
    "state",
    [
        {},
        {"version": 2},
        {"version": 1, "placeholders": [["x"]]},
        {"version": 1, "placeholders": [["<bad", "k", "v", "v"]], "counters": {}, "reserved": []},
    ],
)
def test_an_unreadable_state_is_a_redaction_error(state: dict) -> None:
    with pytest.raises(RedactionError):
        Redactor.from_state(state)


def test_keys_from_a_file_or_a_variable(tmp_path: Path) -> None:
    key_file = tmp_path / "vault.key"
    key_file.write_text(KEY.hex() + "\n")
    key_file.chmod(0o600)
    assert read_key(VaultSettings(key_file=key_file)) == KEY
    assert read_key(VaultSettings(key_env="VK"), {"VK": KEY.hex()}) == KEY
    key_file.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        read_key(VaultSettings(key_file=key_file))
    with pytest.raises(ConfigError, match="not set"):
        read_key(VaultSettings(key_env="VK"), {})
    with pytest.raises(ConfigError, match="32 bytes"):
        read_key(VaultSettings(key_env="VK"), {"VK": "abcd"})
    with pytest.raises(ValueError):
        VaultSettings()  # no key at all
    vault = open_vault(
        VaultSettings(key_env="VK", ttl=5), beside=tmp_path, environ={"VK": KEY.hex()}
    )
    assert vault.ttl == 5 and (tmp_path / "vault.db").exists()
    vault.close()
    assert not open_vault(None).persistent


def test_a_vault_and_a_redactor_refuse_pickling() -> None:
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(Vault(MemoryVaultStore(), KEY))
    assert "resp" not in repr(Vault(MemoryVaultStore(), KEY))
