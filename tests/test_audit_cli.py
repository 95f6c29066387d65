"""`privacy-guard keys …` and `privacy-guard audit …` as an operator and an officer run them."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from privacy_guard.audit import open_audit_log
from privacy_guard.cli import app
from privacy_guard.config import load_config
from tests.support.audit import decision, outcome

runner = CliRunner()
ORIGIN = "acme.example/privacy-guard"


def _run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.output


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    """A config with an audit section, keys made by `keys init`, 30 decisions + outcomes."""
    config = tmp_path / "privacy-guard.yaml"
    config.write_text(
        f"audit:\n  path: audit/audit.db\n  origin: {ORIGIN}\n  checkpoint_every: 8\n",
        encoding="utf-8",
    )
    code, out = _run("keys", "init", "--config", str(config))
    assert code == 0, out
    _append(config, range(30))
    return config


def _append(config: Path, indices: range) -> None:
    with open_audit_log(load_config(config).audit) as audit:
        for i in indices:
            audit.append_decision(decision(i))
            audit.append_outcome(outcome(i))


def test_keys_init_creates_private_keys_only_the_owner_can_read(deployment: Path) -> None:
    keys = deployment.parent / "keys"
    for name in ("audit-ed25519.pem", "audit-hmac.key"):
        assert stat.S_IMODE((keys / name).stat().st_mode) == 0o600
    vkeys = [
        line
        for line in (keys / "audit-ed25519.pub").read_text().splitlines()
        if not line.startswith("#")
    ]
    assert len(vkeys) == 1 and vkeys[0].startswith(ORIGIN + "+")
    code, out = _run("keys", "init", "--config", str(deployment))
    assert code == 1 and "already exists" in out and "keys rotate" in out
    code, out = _run("keys", "export", "--config", str(deployment))
    assert code == 0 and out == vkeys[0] + "\n"


def test_verify_a_sound_log(deployment: Path) -> None:
    pub = deployment.parent / "keys" / "audit-ed25519.pub"
    code, out = _run("audit", "verify", "--config", str(deployment), "--pubkey", str(pub))
    assert code == 0, out
    assert out.strip().endswith("60 records, 8 checkpoints: valid")
    log = deployment.parent / "audit" / "audit.db"
    code, out = _run("audit", "verify", "--log", str(log), "--pubkey", str(pub), "--json")
    report = json.loads(out)
    assert code == 0 and report["valid"] and report["records"] == 60


def test_verify_reports_tampering_with_a_reason_code_and_exits_1(deployment: Path) -> None:
    pub = deployment.parent / "keys" / "audit-ed25519.pub"
    with sqlite3.connect(deployment.parent / "audit" / "audit.db") as conn:
        conn.execute("DELETE FROM records WHERE idx = 12")
    code, out = _run("audit", "verify", "--config", str(deployment), "--pubkey", str(pub))
    assert code == 1
    assert "[deleted] record 12:" in out and "what to do:" in out
    assert "INVALID (1 problem)" in out


def test_verify_needs_the_officer_s_public_key(deployment: Path, tmp_path: Path) -> None:
    code, out = _run("audit", "verify", "--config", str(deployment))
    assert code == 2 and "--pubkey" in out
    code, out = _run(
        "audit", "verify", "--config", str(deployment), "--pubkey", str(tmp_path / "none.pub")
    )
    assert code == 2 and "cannot read public key file" in out


def test_checkpoint_proof_and_offline_verification(deployment: Path, tmp_path: Path) -> None:
    pub = deployment.parent / "keys" / "audit-ed25519.pub"
    code, note = _run("audit", "checkpoint", "--config", str(deployment))
    assert code == 0 and note.startswith(f"{ORIGIN}\n60\n") and "\n\n— " + ORIGIN in note
    kept = tmp_path / "kept.txt"
    kept.write_text(note, encoding="utf-8")

    proof_file = tmp_path / "proof.json"
    code, out = _run("audit", "proof", "17", "--config", str(deployment), "--out", str(proof_file))
    assert code == 0, out
    bundle = json.loads(proof_file.read_text())
    assert bundle["index"] == 17 and len(bundle["proof"]) <= 6  # ceil(log2 60)
    code, out = _run("audit", "verify-proof", str(proof_file), "--pubkey", str(pub))
    assert code == 0 and out.startswith("valid: record 17 ")

    bundle["record"] = bundle["record"].replace('"v":1', '"v":2')
    proof_file.write_text(json.dumps(bundle))
    code, out = _run("audit", "verify-proof", str(proof_file), "--pubkey", str(pub))
    assert code == 1 and "invalid: modified" in out

    # The log grows; the officer asks for proof that it only grew.
    _append(deployment, range(30, 40))
    consistency = tmp_path / "consistency.json"
    code, out = _run(
        "audit", "consistency", str(kept), "--config", str(deployment), "--out", str(consistency)
    )
    assert code == 0, out
    code, out = _run("audit", "verify-proof", str(consistency), "--pubkey", str(pub))
    assert code == 0 and "of 60 records is a prefix of its 80 records" in out
    code, out = _run(
        "audit",
        "verify",
        "--config",
        str(deployment),
        "--pubkey",
        str(pub),
        "--checkpoint",
        str(kept),
    )
    assert code == 0 and "(+1 kept)" in out


def test_checkpoint_sign_covers_every_record(deployment: Path) -> None:
    with sqlite3.connect(deployment.parent / "audit" / "audit.db") as conn:
        conn.execute("DELETE FROM checkpoints WHERE size = 60")
    pub = deployment.parent / "keys" / "audit-ed25519.pub"
    code, out = _run(
        "audit", "verify", "--config", str(deployment), "--pubkey", str(pub), "--strict"
    )
    assert code == 1 and "[unsigned-tail] records 56–59" in out
    code, note = _run("audit", "checkpoint", "--sign", "--config", str(deployment))
    assert code == 0 and note.startswith(f"{ORIGIN}\n60\n")
    code, out = _run(
        "audit", "verify", "--config", str(deployment), "--pubkey", str(pub), "--strict"
    )
    assert code == 0, out


def test_rotation_keeps_old_checkpoints_verifiable(deployment: Path, tmp_path: Path) -> None:
    keys = deployment.parent / "keys"
    old_copy = tmp_path / "officer-old.pub"
    old_copy.write_text((keys / "audit-ed25519.pub").read_text())
    code, out = _run("keys", "rotate", "--config", str(deployment))
    assert code == 0, out
    assert stat.S_IMODE((keys / "audit-ed25519.pem").stat().st_mode) == 0o600
    _append(deployment, range(30, 40))
    pub = keys / "audit-ed25519.pub"
    assert len([x for x in pub.read_text().splitlines() if x.startswith(ORIGIN)]) == 2
    code, out = _run("audit", "verify", "--config", str(deployment), "--pubkey", str(pub))
    assert code == 0, out
    code, out = _run("audit", "verify", "--config", str(deployment), "--pubkey", str(old_copy))
    assert code == 1 and "[unknown-key]" in out

    code, out = _run("keys", "rotate", "--hmac", "--config", str(deployment))
    assert code == 0, out
    kept = [
        p for p in keys.iterdir() if p.name.startswith("audit-hmac.") and p.name.count(".") == 2
    ]
    assert len(kept) == 1 and stat.S_IMODE(kept[0].stat().st_mode) == 0o600


def test_show_filters_and_finds_a_prompt_by_its_hmac(deployment: Path, tmp_path: Path) -> None:
    args = ["audit", "show", "--config", str(deployment), "--json", "--limit", "0"]
    code, out = _run(*args, "--type", "decision", "--action", "block")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(records) == 7  # decision(i) blocks when i % 4 == 2
    assert {r["effective_action"] for r in records} == {"block"}
    code, out = _run(*args, "--entity", "IBAN_CODE")
    assert len(out.splitlines()) == 15
    code, out = _run(*args, "--team", "nobody")
    assert out == ""
    code, out = _run(*args, "--since", "2000-01-01", "--until", "2000-01-02")
    assert out == ""
    code, out = _run(*args, "--prompt-from", "-", input=decision(11).prompt_text + "\n")
    assert code == 0 and [json.loads(x)["request_id"] for x in out.splitlines()] == ["req-000011"]
    code, out = _run("audit", "show", "--config", str(deployment), "--limit", "3")
    assert code == 0 and "3 record(s)" in out


def test_export_jsonl_is_the_stored_bytes_and_csv_has_a_header(deployment: Path) -> None:
    code, out = _run("audit", "export", "--config", str(deployment), "--format", "jsonl")
    assert code == 0
    with sqlite3.connect(deployment.parent / "audit" / "audit.db") as conn:
        stored = [row[0].decode() for row in conn.execute("SELECT data FROM records ORDER BY idx")]
    assert out.splitlines() == stored
    code, out = _run(
        "audit", "export", "--config", str(deployment), "--format", "csv", "--type", "decision"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 30 and rows[2]["entities"] == "IBAN_CODE:2"
    code, out = _run("audit", "export", "--config", str(deployment), "--format", "xml")
    assert code == 2


def test_every_audit_and_keys_command_has_help_and_takes_config() -> None:
    for group, commands in {
        "audit": [
            "verify",
            "checkpoint",
            "proof",
            "consistency",
            "verify-proof",
            "show",
            "export",
        ],
        "keys": ["init", "rotate", "export"],
    }.items():
        for command in commands:
            code, out = _run(group, command, "--help")
            assert code == 0 and "--config" in out, (group, command)
