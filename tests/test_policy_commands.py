"""`privacy-guard policy check|test|explain` and the decision in `scan`, as a user runs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from faker import Faker
from typer.testing import CliRunner

from privacy_guard.cli import app
from privacy_guard.policy import SHIPPED_POLICIES

runner = CliRunner()
DEFAULT = """team: default
reroute_to: ollama-llama3
rules:
  - id: secrets
    entities: [SECRET]
    destinations: [remote]
    action: block
  - id: everything-else
    entities: ["*"]
    destinations: [remote]
    action: redact
"""


def _person() -> tuple[str, str]:
    faker = Faker("en_GB")
    faker.seed_instance(5)
    return "Olivia Bennett", faker.free_email()


def _policies(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "policies"
    (folder / "tests").mkdir(parents=True, exist_ok=True)
    (folder / "default.yaml").write_text(DEFAULT, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _shipped_case_count() -> int:
    return sum(
        len(re.findall(r"^  - name:", p.read_text(encoding="utf-8"), re.MULTILINE))
        for p in (SHIPPED_POLICIES / "tests").glob("*.yaml")
    )


def test_check_passes_on_the_shipped_policies() -> None:
    result = runner.invoke(app, ["policy", "check"])
    assert result.exit_code == 0, result.output
    assert "engineering (extends default)" in result.stdout
    assert f"5 policies, 12 catalog models, {_shipped_case_count()} test cases: no problems" in (
        result.stdout
    )


def test_check_lists_every_problem_with_file_line_column_and_hint(tmp_path: Path) -> None:
    folder = _policies(
        tmp_path,
        {
            "eng.yaml": """team: eng
extends: default
allowed_models: [gpt-4o-mini, gpt4o]
recognizers:
  - entity_type: TICKET
    pattern: "(?<=SEC-)[0-9]+"
rules:
  - entities: [PERSN]
    destinations: [remote]
    action: block
""",
            "hr.yaml": "team: hr\nmode: strict\n",
        },
    )
    (folder / "tests" / "hr.yaml").write_text(
        "cases:\n  - {name: x, model: nope, prompt: hi, expect: {action: allow}}\n"
    )
    result = runner.invoke(app, ["policy", "check", str(folder)])
    assert result.exit_code == 1
    out = result.stdout
    eng = f"{folder}/eng.yaml"
    assert f"{eng}:3:31: unknown model 'gpt4o'\n  hint: did you mean 'gpt-4o'?" in out
    assert f"{eng}:6:14: pattern rejected by RE2" in out and "lookarounds" in out
    assert f"{eng}:8:16: unknown entity type 'PERSN'\n  hint: did you mean 'PERSON'?" in out
    assert f"{folder}/hr.yaml:2:7: mode: Input should be 'enforce' or 'monitor'" in out
    # Test files are checked only once the policies themselves are valid.
    assert "'nope'" not in out
    assert "4 problem(s) in 2 file(s)" in out


def test_check_reports_test_case_problems(tmp_path: Path) -> None:
    folder = _policies(tmp_path, {})
    (folder / "tests" / "t.yaml").write_text(
        "team: default\ncases:\n  - {name: x, model: nope, prompt: hi, expect: {action: allow}}\n"
    )
    result = runner.invoke(app, ["policy", "check", str(folder)])
    assert result.exit_code == 1
    assert f"{folder}/tests/t.yaml:3:22: unknown model 'nope'" in result.stdout


def test_test_runs_cases_like_opa_test(tmp_path: Path) -> None:
    name, _ = _person()
    folder = _policies(tmp_path, {})
    (folder / "tests" / "default.yaml").write_text(
        f"""team: default
cases:
  - name: names are redacted
    model: gpt-4o-mini
    prompt: Please thank {name} for the review.
    expect: {{action: redact, target: gpt-4o-mini, entities: [PERSON]}}
  - name: a wrong expectation
    model: claude-sonnet
    prompt: Please thank {name} for the review.
    expect: {{action: block, target: null}}
""",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["policy", "test", str(folder)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert re.match(
        r".*default\.yaml:3: names are redacted \(default → gpt-4o-mini\): PASS", lines[0]
    )
    assert re.match(r".*default\.yaml:7: a wrong expectation .*: FAIL", lines[1])
    assert lines[2:6] == [
        "    - action: block",
        "    + action: redact",
        "    - target: null",
        "    + target: claude-sonnet",
    ]
    assert lines[-2:] == ["PASS: 1/2", "FAIL: 1/2"]
    assert name not in result.stdout  # the report never repeats the prompt
    only = runner.invoke(app, ["policy", "test", str(folder), "--run", "redacted", "-v"])
    assert only.exit_code == 0 and "PASS: 1/1" in only.stdout
    assert "1 PERSON redacted (rule default.everything-else)" in only.stdout


def test_test_rejects_malformed_case_files(tmp_path: Path) -> None:
    folder = _policies(tmp_path, {})
    (folder / "tests" / "bad.yaml").write_text(
        "cases:\n  - {name: x, model: gpt-4o, prompt: hi, expect: {action: maybe}}\n"
    )
    result = runner.invoke(app, ["policy", "test", str(folder)])
    assert result.exit_code == 2
    assert "bad.yaml:2:59: cases[0].expect.action: Input should be" in result.stdout


def test_policy_test_on_the_shipped_policies_as_a_real_process() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "privacy_guard", "policy", "test"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    count = _shipped_case_count()
    assert f"PASS: {count}/{count}" in run.stdout
    for team in ("default", "engineering", "hr", "legal", "research"):
        assert f"tests/{team}.yaml" in run.stdout, f"no test cases for {team}"


def test_explain_names_the_finding_the_rule_and_the_decision() -> None:
    name, email = _person()
    text = f"Ask {name} ({email}) about project Bluebird."
    result = runner.invoke(
        app, ["policy", "explain", "--team", "engineering", "--model", "gpt-4o-mini", text]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Model gpt-4o-mini: SaaS API, jurisdiction US" in out
    assert "PERSON" in out and "rule engineering.names-redacted" in out
    assert "PROJECT_CODENAME" in out and "rule engineering.internal-stays-home" in out
    assert "Decision: REROUTE" in out
    assert "sent to the local model vllm-llama3 instead of gpt-4o-mini" in out
    assert "vllm-llama3 gets the prompt as written" in out
    as_json = runner.invoke(
        app,
        ["policy", "explain", "-t", "engineering", "-m", "ollama-llama3", "--json", text],
    )
    decision = json.loads(as_json.stdout)
    assert decision["action"] == "allow" and decision["target_model"] == "ollama-llama3"
    assert email not in as_json.stdout


def test_explain_rejects_unknown_teams_and_models() -> None:
    unknown_model = runner.invoke(app, ["policy", "explain", "--model", "gpt-9", "hi"])
    assert unknown_model.exit_code == 2 and "unknown model 'gpt-9'" in unknown_model.stderr
    unknown_team = runner.invoke(app, ["policy", "explain", "-t", "sales", "-m", "gpt-4o", "hi"])
    assert unknown_team.exit_code == 2 and "unknown team 'sales'" in unknown_team.stderr
    assert "Traceback" not in unknown_team.output


def test_scan_json_carries_the_decision_of_the_team_policy() -> None:
    name, email = _person()
    text = f"Forward this to {name} at {email}."
    result = runner.invoke(
        app, ["scan", "--json", "--team", "legal", "--model", "vllm-llama3", text]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["decision"]["action"] == "allow"
    assert payload["decision"]["policy_id"] == "legal"
    worst = json.loads(runner.invoke(app, ["scan", "--json", "--team", "legal", text]).stdout)
    # Without --model: the worst case, a SaaS API.
    assert worst["decision"]["destination"] == "saas-api"
    assert worst["decision"]["action"] == "block"
    default = json.loads(runner.invoke(app, ["scan", "--json", text]).stdout)
    assert default["decision"]["policy_id"] == "default"
    assert default["decision"]["action"] == "redact"
    assert {f["entity_type"] for f in default["decision"]["redactions"]} >= {"EMAIL_ADDRESS"}


def test_scan_uses_the_teams_detector_settings(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "x", "text": "When does project Nightjar ship?"}) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["scan", "--jsonl", str(source), "--team", "engineering"])
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert [f["entity_type"] for f in line["findings"]] == ["PROJECT_CODENAME"]
    assert line["decision"]["action"] == "reroute"
    assert line["decision"]["target_model"] == "vllm-llama3"
    human = runner.invoke(app, ["scan", "--team", "engineering", "project Nightjar"])
    assert "Policy engineering, to any saas-api model: REROUTE" in human.stdout


def test_scan_rejects_an_unknown_team() -> None:
    result = runner.invoke(app, ["scan", "--team", "sales", "hello"])
    assert result.exit_code == 2 and "unknown team 'sales'" in result.stderr


def test_a_config_file_points_the_commands_at_its_folders(tmp_path: Path) -> None:
    _policies(
        tmp_path,
        {"ops.yaml": "team: ops\nextends: default\nallowed_models: [my-box]\nreroute_to: my-box\n"},
    )
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "box.yaml").write_text(
        "models:\n  - {name: my-box, litellm_model: openai/x, access: local, "
        "jurisdiction: self-hosted, api_base: 'http://10.0.0.5:8000/v1'}\n"
    )
    config = tmp_path / "privacy-guard.yaml"
    config.write_text("policies: policies\nmodels: models\n", encoding="utf-8")
    check = runner.invoke(app, ["policy", "check", "--config", str(config)])
    assert check.exit_code == 0, check.output
    assert "2 policies, 13 catalog models" in check.stdout
    scan = runner.invoke(
        app, ["scan", "--json", "--config", str(config), "--team", "ops", "--model", "gpt-4o", "hi"]
    )
    assert json.loads(scan.stdout)["decision"]["rules"] == ["ops.allowed_models"]


def test_every_policy_command_has_help() -> None:
    for args in (["policy"], ["policy", "check"], ["policy", "test"], ["policy", "explain"]):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0 and "Usage" in result.stdout, args
