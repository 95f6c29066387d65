"""`privacy-guard scan` and `privacy-guard eval` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from privacy_guard.cli import app

runner = CliRunner()
_TEXT = "Hi, I'm Olivia Bennett, my email is olivia.bennett@example.com"


def test_scan_json_reports_offsets_into_the_input() -> None:
    result = runner.invoke(app, ["scan", "--json", _TEXT])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    spans = {(f["entity_type"], _TEXT[f["start"] : f["end"]]) for f in payload["findings"]}
    assert ("EMAIL_ADDRESS", "olivia.bennett@example.com") in spans
    assert ("PERSON", "Olivia Bennett") in spans
    assert payload["language"] == "en"


def test_scan_reads_standard_input_and_prints_a_table() -> None:
    result = runner.invoke(app, ["scan", "-"], input=_TEXT)
    assert result.exit_code == 0, result.output
    assert "EMAIL_ADDRESS" in result.stdout and "finding(s)" in result.stdout


def test_scan_rejects_invalid_utf8_with_a_clear_message() -> None:
    result = runner.invoke(app, ["scan", "-"], input=b"caf\xe9 \xff")
    assert result.exit_code == 2
    assert "not valid UTF-8" in result.stderr
    assert "Traceback" not in result.output


def test_jsonl_streams_in_order_and_reports_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": "mail: a.b@example.org"}),
        "{not json",
        json.dumps({"id": "c", "text": 42}),
        json.dumps({"id": "d", "text": "Bonjour, rien à signaler.", "language": "fr"}),
        json.dumps({"text": "no id, IBAN DE89 3704 0044 0532 0130 00"}),
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", "--jsonl", str(source)])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, None, "d", 5]
    assert out[0]["findings"][0]["entity_type"] == "EMAIL_ADDRESS"
    assert out[1]["line"] == 2 and "not valid JSON" in out[1]["error"]
    assert out[2]["line"] == 3 and '"text"' in out[2]["error"]
    assert out[3]["findings"] == []
    assert out[4]["findings"][0]["entity_type"] == "IBAN_CODE"
    assert "line 2:" in result.stderr and "line 3:" in result.stderr


def test_eval_prints_recall_per_entity(tmp_path: Path) -> None:
    text = "Write to jean.martin@example.fr about the haiku."
    start = text.index("jean")
    rows = [
        {"text": text, "spans": [{"start": start, "end": start + 22, "label": "EMAIL_ADDRESS"}]},
        {"text": "Write a haiku about Geneva.", "spans": []},
    ]
    dataset = tmp_path / "set.jsonl"
    dataset.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", str(dataset), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["entities"]["EMAIL_ADDRESS"]["recall"] == 1.0
    human = runner.invoke(app, ["eval", str(dataset)])
    assert human.exit_code == 0 and "EMAIL_ADDRESS" in human.stdout


def test_the_installed_command_runs_with_help_on_every_command() -> None:
    for args in ([], ["scan"], ["eval"]):
        run = subprocess.run(
            [sys.executable, "-m", "privacy_guard", *args, "--help"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        assert "Usage" in run.stdout
