"""The officer's live report, `GET /audit`, on the gateway under uvicorn: the officer's key only
(never a team's), off without one, and the same HTML as `audit report`."""

from __future__ import annotations

import base64
import hashlib
import logging
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from privacy_guard.app import create_app
from privacy_guard.cli import app as cli
from privacy_guard.config import load_config
from privacy_guard.errors import ConfigError, ConfigFileError
from privacy_guard.gateway import Gateway
from privacy_guard.gateway.audit_sink import UnpersistedAuditSink
from tests.support.gateway import KEYS, running_stack

OFFICER_KEY = "officer-key-for-tests-0123456789"
AUDIT = f"""audit:
  path: audit/audit.db
  signing_key: keys/audit-ed25519.pem
  hmac_key: keys/audit-hmac.key
  checkpoint_every: 1
  officer_key_sha256: {hashlib.sha256(OFFICER_KEY.encode()).hexdigest()}
"""


def _keys(config: Path) -> None:
    done = CliRunner().invoke(cli, ["keys", "init", "--config", str(config)])
    assert done.exit_code == 0, done.output


def test_the_officer_key_opens_the_report(tmp_path: Path) -> None:
    with running_stack(tmp_path, extra_config=AUDIT, before=_keys) as stack:
        client = stack.openai()
        client.chat.completions.create(
            model="remote-gpt", messages=[{"role": "user", "content": "Hello Jean Dupont"}]
        )
        url = f"{stack.served.url}/audit"
        missing = httpx.get(url)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Basic ")
        assert missing.json()["error"]["code"] == "invalid_officer_key"
        wrong = httpx.get(url, headers={"authorization": "Bearer not-the-officer-key"})
        assert wrong.status_code == 401
        for team in KEYS:  # a team key is never an officer key
            assert httpx.get(url, headers=stack.headers(team)).status_code == 401

        page = httpx.get(url, headers={"authorization": f"Bearer {OFFICER_KEY}"})
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
        assert 'data-valid="true"' in page.text and page.text.count('<tr data-action="') == 1
        assert "Jean" not in page.text

        # A browser's Basic prompt: any user name, the key as password.
        basic = base64.b64encode(f"officer:{OFFICER_KEY}".encode()).decode()
        assert httpx.get(url, headers={"authorization": f"Basic {basic}"}).status_code == 200

        officer = {"authorization": f"Bearer {OFFICER_KEY}"}
        other_team = httpx.get(url, params={"team": "watch"}, headers=officer)
        assert other_team.status_code == 200 and 'data-action="' not in other_team.text
        bad = httpx.get(url, params={"since": "yesterday"}, headers=officer)
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_query"


def test_no_officer_key_no_report(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="privacy_guard.gateway")
    with running_stack(tmp_path) as stack:
        answer = httpx.get(f"{stack.served.url}/audit", headers=stack.headers())
        assert answer.status_code == 404
    assert any("GET /audit" in r.getMessage() for r in caplog.records)


def test_the_officer_key_must_not_be_a_team_key(tmp_path: Path) -> None:
    team_digest = hashlib.sha256(KEYS["eng"].encode()).hexdigest()
    config = tmp_path / "privacy-guard.yaml"
    config.write_text(
        "teams:\n"
        f"  - {{name: eng, key_sha256: {team_digest}}}\n"
        f"audit:\n  officer_key_sha256: {team_digest}\n",
        encoding="utf-8",
    )
    gateway = Gateway.from_config(load_config(config), audit=UnpersistedAuditSink())
    with pytest.raises(ConfigError, match="also a team's key"):
        create_app(gateway=gateway)


def test_at_most_one_officer_key_setting(tmp_path: Path) -> None:
    config = tmp_path / "privacy-guard.yaml"
    config.write_text(
        f"audit:\n  officer_key_sha256: {'ab' * 32}\n  officer_key_env: OFFICER_KEY\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigFileError, match="at most one"):
        load_config(config)
