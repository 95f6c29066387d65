"""`scan` as a CI gate: `--fail-on ACTION` and `--files PATH...`."""

from __future__ import annotations

import json
import secrets
import string
from pathlib import Path

import pytest
from faker import Faker
from typer.testing import CliRunner

from privacy_guard.cli import app

runner = CliRunner()
fake = Faker()


def _key() -> str:
    """A synthetic key in OpenAI's project-key format (random, not a credential)."""
    alphabet = string.ascii_letters + string.digits
    return "sk-proj-" + "".join(secrets.choice(alphabet) for _ in range(48))


@pytest.mark.parametrize(
    ("fail_on", "exit_code"),
    [("allow", 1), ("redact", 1), ("REDACT", 1), ("reroute", 0), ("block", 0), (None, 0)],
)
def test_fail_on_compares_the_decision_with_the_action(fail_on: str | None, exit_code: int) -> None:
    # An e-mail address alone: the default policy redacts it.
    args = ["scan", "--json", f"Write to {fake.email()}"]
    result = runner.invoke(app, [*args, "--fail-on", fail_on] if fail_on else args)
    assert result.exit_code == exit_code, result.output
    assert json.loads(result.stdout)["decision"]["action"] == "redact"  # printed all the same


def test_fail_on_block_fails_on_a_secret() -> None:
    result = runner.invoke(app, ["scan", "--fail-on", "block", f"export KEY={_key()}"])
    assert result.exit_code == 1
    assert "BLOCK" in result.stdout


def test_fail_on_rejects_an_unknown_action() -> None:
    result = runner.invoke(app, ["scan", "--fail-on", "deny", "hello"])
    assert result.exit_code == 2
    assert "deny" in result.output


def test_fail_on_applies_to_each_line_of_jsonl(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [{"id": 1, "text": "a haiku"}, {"id": 2, "text": f"Mail {fake.email()}"}]
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["scan", "--jsonl", str(source)]).exit_code == 0
    assert runner.invoke(app, ["scan", "--jsonl", str(source), "--fail-on", "block"]).exit_code == 0
    gated = runner.invoke(app, ["scan", "--jsonl", str(source), "--fail-on", "redact"])
    assert gated.exit_code == 1
    assert len(gated.stdout.splitlines()) == 2  # every line still reported


def test_files_prints_positions_rules_and_a_decision_per_file(tmp_path: Path) -> None:
    key, email = _key(), fake.email()
    config = tmp_path / "config.yaml"
    # Non-ASCII before the finding: columns count characters, not bytes.
    config.write_text(f"# réglages\nname: café\n  token: {key}\n", encoding="utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text(f"Nothing yet.\n\nAsk {email} first.\n", encoding="utf-8")
    clean = tmp_path / "clean.txt"
    clean.write_text("Write a haiku about the sea.\n", encoding="utf-8")
    binary = tmp_path / "logo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")

    paths = [str(p) for p in (config, notes, clean, binary)]
    result = runner.invoke(app, ["scan", "--files", *paths, "--fail-on", "block"])
    assert result.exit_code == 1, result.output
    out = result.stdout.splitlines()
    assert f"{config}:3:10: SECRET default.secrets-never-leave" in out
    assert f"{notes}:3:5: EMAIL_ADDRESS default.personal-data-redacted" in out
    assert any(line.startswith(f"{config}: BLOCK — ") for line in out)
    assert any(line.startswith(f"{notes}: REDACT — ") for line in out)
    assert any(line.startswith(f"{clean}: ALLOW — ") for line in out)
    assert not any(line.startswith(str(binary)) for line in out)
    assert f"{binary}: skipped: binary" in result.stderr
    assert key not in result.output and email not in result.output

    passing = runner.invoke(app, ["scan", "--files", str(notes), str(clean), "--fail-on", "block"])
    assert passing.exit_code == 0, passing.output


def test_files_decision_is_the_same_as_for_the_text(tmp_path: Path) -> None:
    text = f"Write to {fake.email()} and keep {_key()} handy"
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    as_text = json.loads(runner.invoke(app, ["scan", "--json", text]).stdout)["decision"]
    as_file = runner.invoke(app, ["scan", "--json", "--files", str(path)])
    (line,) = as_file.stdout.splitlines()
    judged = json.loads(line)
    assert judged["path"] == str(path)
    assert judged["decision"]["action"] == as_text["action"] == "block"
    assert judged["decision"]["rules"] == as_text["rules"]
    assert {(f["line"], f["column"]) for f in judged["decision"]["findings"]} >= {(1, 10)}


def test_files_reports_an_unreadable_path_and_scans_the_rest(tmp_path: Path) -> None:
    present = tmp_path / "present.txt"
    present.write_text(f"Mail {fake.email()}\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", "--files", str(tmp_path / "gone.txt"), str(present)])
    assert result.exit_code == 2
    assert "gone.txt: cannot read" in result.stderr
    assert f"{present}: REDACT" in result.stdout


def test_several_words_without_files_is_a_usage_error() -> None:
    result = runner.invoke(app, ["scan", "hello", "world"])
    assert result.exit_code == 2
    assert "--files" in result.stderr
    assert runner.invoke(app, ["scan", "--files"]).exit_code == 2
