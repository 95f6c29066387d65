"""The gateway with the real audit log: a config with `audit:` gets the signed SQLite log, every
decision is in it before anything leaves, the log verifies, and it holds no personal data."""

from __future__ import annotations

import time
from pathlib import Path

import openai
import pytest
from typer.testing import CliRunner

from privacy_guard.cli import app as cli
from tests.support.gateway import running_stack

NAME = "Jean Dupont"
EMAIL = "jean.dupont@example.fr"
IBAN = "FR76 3000 6000 0112 3456 7890 189"
SECRET = "sk-proj-4fJ8kL2mN9pQ7rS1tU3vW5xY6zA0bC2dE4fG6hJ8"

AUDIT = """audit:
  path: audit/audit.db
  signing_key: keys/audit-ed25519.pem
  hmac_key: keys/audit-hmac.key
"""


def _keys(config: Path) -> None:
    done = CliRunner().invoke(cli, ["keys", "init", "--config", str(config)])
    assert done.exit_code == 0, done.output


def test_decisions_reach_the_signed_audit_log(tmp_path: Path) -> None:
    pytest.importorskip("privacy_guard.audit.log")
    with running_stack(tmp_path, extra_config=AUDIT, before=_keys) as stack:
        assert type(stack.gateway.audit).__name__ == "AuditLog"
        client = stack.openai()
        reply = client.chat.completions.create(
            model="remote-gpt",
            messages=[{"role": "user", "content": f"{NAME}, {EMAIL}, IBAN {IBAN}"}],
        )
        assert reply.choices[0].message.content == f"{NAME}, {EMAIL}, IBAN {IBAN}"
        with pytest.raises(openai.PermissionDeniedError):
            client.chat.completions.create(
                model="remote-gpt", messages=[{"role": "user", "content": SECRET}]
            )
        time.sleep(0.2)
    config = stack.config
    pubkey = tmp_path / "keys" / "audit-ed25519.pub"  # written by `keys init`
    verified = CliRunner().invoke(
        cli, ["audit", "verify", "--config", str(config), "--pubkey", str(pubkey), "--json"]
    )
    assert verified.exit_code == 0, verified.output
    stored = b"".join(p.read_bytes() for p in (tmp_path / "audit").iterdir() if p.is_file())
    assert stored  # something was written
    for value in (NAME, EMAIL, IBAN, IBAN.replace(" ", ""), SECRET, "sk-test-eng"):
        assert value.encode() not in stored
