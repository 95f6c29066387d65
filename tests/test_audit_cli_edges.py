"""`audit show` written to a file or a pipe, and the public key file `keys init` writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from privacy_guard.audit import open_audit_log
from privacy_guard.audit.keys import PublicKey
from privacy_guard.config import load_config
from tests.support.audit import decision, outcome
from tests.test_audit_cli import _run

ORIGIN = "acme.example/privacy-guard"
TEAM = "engineering-platform-data-science-emea"  # longer than any 80-column table leaves room for


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    config = tmp_path / "privacy-guard.yaml"
    config.write_text(f"audit:\n  path: audit/audit.db\n  origin: {ORIGIN}\n", encoding="utf-8")
    code, out = _run("keys", "init", "--config", str(config))
    assert code == 0, out
    with open_audit_log(load_config(config).audit) as audit:
        for i in range(6):
            audit.append_decision(decision(i, team=TEAM, request_id=f"req-{i:06d}-{'x' * 30}"))
            audit.append_outcome(outcome(i, request_id=f"req-{i:06d}-{'x' * 30}"))
    return config


def test_show_to_a_file_or_pipe_keeps_every_value_whole(logged: Path) -> None:
    code, out = _run("audit", "show", "--config", str(logged), "--type", "decision")
    assert code == 0, out
    assert "…" not in out
    rows = [line for line in out.splitlines() if "req-" in line]
    assert len(rows) == 6
    for i, row in enumerate(rows):
        assert TEAM in row and f"req-{i:06d}-{'x' * 30}" in row
        assert ("redact", "allow", "block", "reroute")[i % 4] in row
    assert max(len(line) for line in rows) > 80
    assert out.rstrip().endswith("6 record(s)")


def test_show_format_jsonl_is_the_stored_records(logged: Path) -> None:
    base = ("audit", "show", "--config", str(logged), "--limit", "0")
    code, out = _run(*base, "--format", "jsonl")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 12 and {r["team"] for r in records if r["type"] == "decision"} == {TEAM}
    assert _run(*base, "--json") == (0, out)
    code, out = _run(*base, "--format", "csv")
    assert code == 2 and "table or jsonl" in out


def test_keys_init_writes_the_verifier_key_alone(logged: Path) -> None:
    text = (logged.parent / "keys" / "audit-ed25519.pub").read_text(encoding="utf-8")
    (line,) = text.splitlines()
    assert text == line + "\n" and not line.startswith("#")
    key = PublicKey.parse(line)  # the signed-note verifier key format: name+hash+base64
    assert key.name == ORIGIN and line.startswith(f"{ORIGIN}+{key.key_id:08x}+")


def test_a_public_key_file_with_the_old_comment_line_still_verifies(
    logged: Path, tmp_path: Path
) -> None:
    vkey = (logged.parent / "keys" / "audit-ed25519.pub").read_text(encoding="utf-8")
    old = tmp_path / "old-style.pub"
    old.write_text("# privacy-guard audit log public keys (one per line)\n" + vkey, "utf-8")
    code, out = _run("audit", "verify", "--config", str(logged), "--pubkey", str(old))
    assert code == 0, out
    assert out.strip().endswith("valid")
