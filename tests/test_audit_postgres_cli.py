"""The `audit` commands, the gateway and its `/audit` page on a PostgreSQL store; moving a SQLite
log into PostgreSQL; the database restarting under the gateway; no personal data in a pg_dump."""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
import time
from pathlib import Path

import httpx
import openai
import pytest
from typer.testing import CliRunner

from privacy_guard.audit.postgres_store import PostgresStore
from privacy_guard.cli import app as cli
from tests.support.audit import decision, make_fixture, outcome, populate
from tests.support.gateway import running_stack
from tests.support.postgres import Cluster, create_database, drop_database

OFFICER_KEY = "officer-key-for-pg-tests-0123456789"


def _run(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(cli, list(args))
    return done.exit_code, done.output


def test_every_audit_command_works_on_a_migrated_postgres_log(pg_url: str, tmp_path: Path) -> None:
    fx = make_fixture(tmp_path / "keys")
    populate(fx, 40, checkpoint_every=8)
    pub = tmp_path / "keys.pub"
    pub.write_text(fx.signer.public_key.vkey() + "\n")
    db = str(fx.db)
    # An officer kept a checkpoint of the SQLite log before the move.
    code, kept_note = _run("audit", "checkpoint", "--log", db)
    assert code == 0
    kept = tmp_path / "kept.txt"
    kept.write_text(kept_note)
    code, out = _run("audit", "migrate", db, pg_url)
    assert code == 0, out
    assert "copied 40 records and 5 checkpoints" in out  # 8, 16, 24, 32, 40
    # Migrating twice is refused: the target is not empty.
    code, out = _run("audit", "migrate", db, pg_url)
    assert code == 1 and "already holds a log" in out
    code, out = _run(
        "audit", "verify", "--log", pg_url, "--pubkey", str(pub), "--checkpoint", str(kept),
        "--json",
    )  # fmt: skip
    assert code == 0, out
    report = json.loads(out)
    assert report["valid"] and report["records"] == 40 and report["kept_checkpoints"] == 1
    # Same records, byte for byte, index for index.
    source = fx.reader()
    target = PostgresStore(pg_url, readonly=True)
    assert list(source.records()) == list(target.records())
    assert [c.note for c in source.checkpoints()] == [c.note for c in target.checkpoints()]
    source.close()
    target.close()
    for args in (("show", "--json"), ("export", "--format", "csv"), ("export",)):
        code_pg, out_pg = _run("audit", *args, "--log", pg_url)
        code_lite, out_lite = _run("audit", *args, "--log", db)
        assert code_pg == code_lite == 0 and out_pg == out_lite and out_pg
    code, out = _run("audit", "checkpoint", "--log", pg_url)
    assert code == 0 and out == kept_note
    proof = tmp_path / "proof.json"
    code, out = _run("audit", "proof", "17", "--log", pg_url, "--out", str(proof))
    assert code == 0, out
    code, out = _run("audit", "verify-proof", str(proof), "--pubkey", str(pub))
    assert code == 0 and "valid" in out
    first = tmp_path / "first.txt"
    first.write_text(PostgresStore(pg_url, readonly=True).checkpoints()[0].note)
    consistency = tmp_path / "consistency.json"
    code, out = _run("audit", "consistency", str(first), "--log", pg_url, "--out", str(consistency))
    assert code == 0, out
    code, out = _run("audit", "verify-proof", str(consistency), "--pubkey", str(pub))
    assert code == 0 and "is a prefix" in out
    html = tmp_path / "report.html"
    code, out = _run("audit", "report", "--log", pg_url, "--pubkey", str(pub), "--out", str(html))
    assert code == 0, out
    assert 'data-valid="true"' in html.read_text()
    # The gateway goes on appending to the migrated log, and the kept checkpoint still holds.
    config = tmp_path / "privacy-guard.yaml"
    config.write_text(
        f"audit:\n  url: {pg_url}\n  signing_key: keys/signing.pem\n"
        f"  hmac_key: keys/hmac.key\n  origin: {fx.signer.name}\n"
    )
    from privacy_guard.audit import open_audit_log
    from privacy_guard.config import load_config

    with open_audit_log(load_config(config).audit) as audit:
        assert audit.append_decision(decision(99)) == 40
    code, out = _run("audit", "checkpoint", "--sign", "--config", str(config))
    assert code == 0 and "\n41\n" in out
    with open_audit_log(load_config(config).audit) as audit:
        assert audit.append_decision(decision(100)) == 41
    code, out = _run("audit", "checkpoint", "--sign", "--log", pg_url, "--config", str(config))
    assert code == 0 and "\n42\n" in out
    code, out = _run(
        "audit", "verify", "--config", str(config), "--pubkey", str(pub), "--checkpoint",
        str(kept), "--strict",
    )  # fmt: skip
    assert code == 0, out


def test_init_db_prints_and_applies_the_schema(pg_url: str) -> None:
    code, out = _run("audit", "init-db", "--print-sql", "--gateway-role", "gw")
    assert code == 0
    assert "GRANT SELECT, INSERT ON audit_records" in out and '"gw"' in out
    assert "audit_append_only" in out
    code, out = _run("audit", "init-db", pg_url)
    assert code == 0 and "created the audit schema" in out, out
    code, out = _run("audit", "init-db", pg_url)
    assert code == 0 and "up to date" in out, out
    code, out = _run("audit", "init-db", "/not/a/url")
    assert code == 2


def test_the_print_sql_script_creates_a_working_store(pg_url: str, pg_server: str) -> None:
    """What a DBA runs from `--print-sql` (schema + roles) is what the gateway expects."""
    import psycopg

    code, out = _run("audit", "init-db", "--print-sql", "--gateway-role", "gw_script",
                     "--officer-role", "officer_script")  # fmt: skip
    assert code == 0
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(out)  # type: ignore[arg-type]
    try:
        gateway_url = pg_url.replace("postgres@", "gw_script@")
        store = PostgresStore(gateway_url)
        assert store.migrate() == [] and store.head() is None
        store.close()
        # The vault beside the log works with the gateway's role too (its one mutable table).
        from privacy_guard.vault.postgres_store import PostgresVaultStore

        vault = PostgresVaultStore(gateway_url)
        vault.put(b"k" * 32, b"sealed", 2e9)
        assert vault.get(b"k" * 32, 1e9) == b"sealed" and vault.delete(b"k" * 32)
        vault.close()
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            for role in ("gw_script", "officer_script"):
                conn.execute(f"DROP OWNED BY {role}")  # type: ignore[arg-type]
                conn.execute(f"DROP ROLE {role}")  # type: ignore[arg-type]


def _keys(config: Path) -> None:
    done = CliRunner().invoke(cli, ["keys", "init", "--config", str(config)])
    assert done.exit_code == 0, done.output


def test_gateway_fails_closed_while_the_database_restarts(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    url = create_database(pg_cluster.url)
    digest = hashlib.sha256(OFFICER_KEY.encode()).hexdigest()
    extra = (
        f"audit:\n  url: {url}\n  signing_key: keys/audit-ed25519.pem\n"
        f"  hmac_key: keys/audit-hmac.key\n  officer_key_sha256: {digest}\n"
        "  checkpoint_interval: 0.2\n"
    )
    try:
        with running_stack(tmp_path, extra_config=extra, before=_keys) as stack:
            assert type(stack.gateway.audit.store).__name__ == "PostgresStore"
            client = stack.openai()
            messages = [{"role": "user", "content": "Hello Jean Dupont"}]
            client.chat.completions.create(model="remote-gpt", messages=messages)
            time.sleep(0.6)  # the checkpoint interval: the page verifies signed records
            page = httpx.get(
                f"{stack.served.url}/audit", headers={"authorization": f"Bearer {OFFICER_KEY}"}
            )
            assert page.status_code == 200 and 'data-valid="true"' in page.text
            assert "Jean" not in page.text
            stack.reset()
            pg_cluster.stop()
            with pytest.raises(openai.APIStatusError) as failed:
                client.chat.completions.create(model="remote-gpt", messages=messages)
            assert failed.value.status_code == 503
            assert failed.value.body["code"] == "audit_unavailable"  # type: ignore[index]
            assert stack.remote.requests == []  # nothing left
            pg_cluster.start()
            # No restart of the gateway: the pool reconnects by itself.
            reply = client.chat.completions.create(model="remote-gpt", messages=messages)
            assert reply.choices[0].message.content
            assert len(stack.remote.requests) == 1
        pub = tmp_path / "keys" / "audit-ed25519.pub"
        code, out = _run("audit", "verify", "--log", url, "--pubkey", str(pub), "--json")
        assert code == 0, out
        report = json.loads(out)
        # Two answered decisions with their outcomes, and the fail-closed attempt was not
        # recorded (the database was down), so nothing claims it was.
        assert report["valid"] and report["records"] >= 4
    finally:
        drop_database(pg_cluster.url, url)


# --- no personal data in the database ----------------------------------------------------------


def test_a_pg_dump_of_the_store_holds_no_personal_data(pg_cluster: Cluster, tmp_path: Path) -> None:
    from tests.test_audit_privacy import _needles, _people, _scan

    url = create_database(pg_cluster.url)
    fx = make_fixture(tmp_path / "keys")
    people = _people(120)
    values: list[str] = []
    events = []
    for i, person in enumerate(people):
        prompt = (
            f"Hi, I am {person['name']} ({person['email']}, {person['phone']}), I live at "
            f"{person['address']}. Pay to {person['iban']} with card {person['card']}; "
            f"my API key is {person['secret']}."
        )
        events.append(decision(i, prompt_text=prompt, caller_key=person["secret"] + "-caller"))
        values += [*person.values(), prompt, person["secret"] + "-caller"]
    needles = _needles(values)
    from privacy_guard.audit import AuditLog, LogOptions

    audit = AuditLog(
        PostgresStore(url),
        signer=fx.signer,
        hmac_key=fx.hmac_key,
        instance="gw",
        options=LogOptions(checkpoint_every=32),
    )

    def work(chunk: list[object]) -> None:
        for event in chunk:
            audit.append_decision(event)  # type: ignore[arg-type]
            audit.append_outcome(outcome(0, request_id=event.request_id))  # type: ignore[attr-defined]

    threads = [threading.Thread(target=work, args=(events[t::6],)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    audit.close()
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for name, fmt in (("audit.db.sql", "plain"), ("audit.db.custom", "custom")):
        subprocess.run(
            [str(pg_cluster.bin / "pg_dump"), "--dbname", url, "--format", fmt,
             "--compress", "0", "--file", str(dumps / name)],
            check=True, timeout=60,
        )  # fmt: skip
    assert (dumps / "audit.db.sql").stat().st_size > 100_000
    assert _scan(dumps, needles) == []
    # The scan finds what it looks for in a dump.
    (dumps / "audit.db-canary").write_bytes(b"..." + people[5]["email"].encode() + b"...")
    assert len(_scan(dumps, needles)) >= 1
    drop_database(pg_cluster.url, url)
