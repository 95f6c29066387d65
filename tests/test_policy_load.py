"""Loading policies: schema, `extends`, catalog references, unsafe patterns, detector settings."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from privacy_guard import Detector, DetectorConfig
from privacy_guard.catalog import Access, load_catalog
from privacy_guard.detect.config import DenyRule
from privacy_guard.errors import ConfigError, Issue, PolicyError
from privacy_guard.policy import (
    Action,
    Mode,
    OnError,
    Operator,
    check_policies,
    load_policies,
)

CATALOG = load_catalog()
BASE = """team: default
rules:
  - id: secrets
    entities: [SECRET]
    destinations: [remote]
    action: block
"""


def _folder(tmp_path: Path, files: dict[str, str], default: str | None = BASE) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir(parents=True, exist_ok=True)
    if default is not None:
        (folder / "default.yaml").write_text(default, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _issues(tmp_path: Path, files: dict[str, str], default: str | None = BASE) -> list[Issue]:
    policies, issues = check_policies(_folder(tmp_path, files, default), CATALOG)
    assert policies is None and issues
    return issues


def _one(tmp_path: Path, text: str, name: str = "team-a.yaml") -> Issue:
    issues = _issues(tmp_path, {name: text})
    assert len(issues) == 1, issues
    return issues[0]


def test_shipped_policies_load_and_resolve_extends() -> None:
    policies = load_policies(None, CATALOG)
    assert policies.teams() == ["default", "engineering", "hr", "legal", "research"]
    engineering = policies.get("engineering")
    assert engineering.chain == ("engineering", "default")
    assert engineering.mode is Mode.ENFORCE and engineering.on_error is OnError.BLOCK
    assert engineering.reroute_to is not None and engineering.reroute_to.name == "vllm-llama3"
    assert [r.id for r in engineering.layers[1]] == [
        "default.secrets-never-leave",
        "default.personal-data-redacted",
    ]
    assert "Acme SA" in engineering.allow_list  # inherited from default
    research = policies.get("research")
    assert research.mode is Mode.MONITOR and research.on_error is OnError.FORWARD
    # A team without a policy file gets the default one.
    assert policies.get("marketing") is policies.get("default")


def test_rules_are_resolved_with_defaults_and_qualified_ids(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "team-a.yaml": """team: team-a
extends: default
rules:
  - entities: [PERSON]
    destinations: [saas-api, local]
    action: redact
  - id: hashing
    entities: ["*"]
    destinations: ["*"]
    min_score: 0.7
    action: redact
    operator: hash
"""
        },
    )
    policy = load_policies(folder, CATALOG).get("team-a")
    first, second = policy.layers[0]
    assert first.id == "team-a.rules[0]" and first.operator is Operator.PLACEHOLDER
    assert first.destinations == {Access.SAAS_API, Access.LOCAL}
    assert first.source.endswith("team-a.yaml:4:5")
    assert second.id == "team-a.hashing" and second.wildcard and second.min_score == 0.7
    assert second.destinations == set(Access)
    assert policy.layers[1][0].action is Action.BLOCK


def test_hash_covers_content_not_location(tmp_path: Path) -> None:
    one = load_policies(_folder(tmp_path / "a", {}), CATALOG).get("default")
    moved = load_policies(_folder(tmp_path / "b", {}), CATALOG).get("default")
    changed = load_policies(
        _folder(tmp_path / "c", {}, BASE.replace("action: block", "action: reroute")), CATALOG
    ).get("default")
    assert one.hash == moved.hash and one.hash.startswith("sha256:")
    assert changed.hash != one.hash


def test_a_deployment_folder_gets_the_shipped_default_but_not_the_examples(
    tmp_path: Path,
) -> None:
    folder = _folder(tmp_path, {"ops.yaml": "team: ops\nextends: default\n"}, default=None)
    policies = load_policies(folder, CATALOG)
    assert policies.teams() == ["default", "ops"]
    assert policies.get("default").source == "<shipped>/policies/default.yaml"


def test_schema_errors_point_at_the_value_with_a_hint(tmp_path: Path) -> None:
    issue = _one(
        tmp_path,
        """team: team-a
rules:
  - entities: [PERSON]
    destinations: [remote]
    action: redacted
""",
    )
    assert (issue.line, issue.column) == (5, 13)
    assert issue.message.startswith("rules[0].action:")
    assert "'allow', 'redact', 'reroute' or 'block'" in issue.message


def test_a_misspelt_field_points_at_the_key(tmp_path: Path) -> None:
    issue = _one(tmp_path, "team: team-a\nalowed_models: [gpt-4o]\n")
    assert (issue.line, issue.column) == (2, 1)
    assert "alowed_models" in issue.message and issue.hint


def test_operator_only_with_redact_and_wildcard_alone(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path,
        {
            "team-a.yaml": """team: team-a
rules:
  - entities: [SECRET]
    destinations: [remote]
    action: block
    operator: hash
""",
            "team-b.yaml": """team: team-b
rules:
  - entities: ["*", PERSON]
    destinations: [remote]
    action: block
""",
        },
    )
    messages = {Path(i.file).name: i for i in issues}
    assert "operator 'hash' given for action 'block'" in messages["team-a.yaml"].message
    assert messages["team-a.yaml"].line == 3
    assert "'*' cannot be combined" in messages["team-b.yaml"].message
    assert "two rules" in (messages["team-b.yaml"].hint or "")


def test_unknown_entity_types_are_errors_with_a_suggestion(tmp_path: Path) -> None:
    issue = _one(
        tmp_path,
        """team: team-a
rules:
  - entities: [PERSON, EMAIL_ADRESS]
    destinations: [remote]
    action: redact
""",
    )
    assert (issue.line, issue.column) == (3, 24)
    assert issue.message == "unknown entity type 'EMAIL_ADRESS'"
    assert issue.hint == "did you mean 'EMAIL_ADDRESS'?"


def test_custom_entity_types_come_from_deny_lists_and_recognizers_up_the_chain(
    tmp_path: Path,
) -> None:
    parent = BASE + "deny_list:\n  - entity_type: CODENAME\n    terms: [Bluebird]\n"
    child = """team: team-a
extends: default
recognizers:
  - entity_type: TICKET
    pattern: "T-[0-9]+"
rules:
  - entities: [CODENAME, TICKET]
    destinations: [remote]
    action: reroute
"""
    policies = load_policies(_folder(tmp_path, {"team-a.yaml": child}, parent), CATALOG)
    assert policies.get("team-a").layers[0][0].entities == {"CODENAME", "TICKET"}


def test_extends_unknown_and_cycles(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path,
        {
            "a.yaml": "team: a\nextends: b\n",
            "b.yaml": "team: b\nextends: a\n",
            "c.yaml": "team: c\nextends: a\n",
            "d.yaml": "team: d\nextends: nobody\n",
        },
    )
    by_file = {Path(i.file).stem: i for i in issues}
    assert by_file["a"].message == "extends cycle: a → b → a"
    assert by_file["b"].message == "extends cycle: b → a → b"
    assert by_file["c"].message == "extends 'a', which is invalid"
    assert by_file["d"].message == "extends unknown policy 'nobody'"
    assert all(i.line == 2 and i.column == 10 for i in issues)


def test_team_must_match_the_file_name(tmp_path: Path) -> None:
    issue = _one(tmp_path, "team: team-b\n")
    assert "does not match the file name 'team-a.yaml'" in issue.message
    assert issue.hint and "team-b.yaml" in issue.hint


def test_catalog_references_are_checked(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path,
        {
            "a.yaml": "team: a\nallowed_models: [gpt-4o-mini, gpt4o]\n",
            "b.yaml": "team: b\nreroute_to: claude-sonnet\n",
            "c.yaml": "team: c\nallowed_models: [gpt-4o]\nreroute_to: ollama-llama3\n",
        },
    )
    by_file = {Path(i.file).stem: i for i in issues}
    assert by_file["a"].message == "unknown model 'gpt4o'" and (
        by_file["a"].line,
        by_file["a"].column,
    ) == (2, 31)
    assert by_file["a"].hint and "'gpt-4o'" in by_file["a"].hint
    assert "is not a local model (access: saas-api)" in by_file["b"].message
    assert by_file["b"].hint and "ollama-llama3" in by_file["b"].hint
    assert by_file["c"].message == "reroute_to 'ollama-llama3' is not in allowed_models"


def test_fail_open_needs_monitor_mode(tmp_path: Path) -> None:
    issue = _one(tmp_path, "team: team-a\non_error: forward\n")
    assert issue.message == "on_error: forward is only allowed with mode: monitor"
    assert issue.line == 2
    folder = _folder(tmp_path, {"team-a.yaml": "team: team-a\nmode: monitor\non_error: forward\n"})
    assert load_policies(folder, CATALOG).get("team-a").on_error is OnError.FORWARD


@pytest.mark.parametrize(
    ("pattern", "hint_part"),
    [
        (r"(\\w+)-\\1", "backreferences"),
        (r"(?<=ID:)[0-9]+", "lookarounds"),
        (r"x{5000}", "repetitions"),
        (r"[0-9]*", "at least one character"),
        (r"[unclosed", "RE2 syntax"),
    ],
)
def test_unsafe_or_invalid_patterns_are_rejected_when_the_policy_loads(
    tmp_path: Path, pattern: str, hint_part: str
) -> None:
    issue = _one(
        tmp_path,
        f"""team: team-a
recognizers:
  - entity_type: THING
    pattern: "{pattern}"
""",
    )
    assert (issue.line, issue.column) == (4, 14)
    assert issue.hint and hint_part in issue.hint


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    issues = _issues(
        tmp_path,
        {
            "a.yaml": "team: a\nmode: sometimes\n",
            "b.yaml": "team: b\nrules: [{entities: [NOPE], destinations: [x], action: block}]\n",
            "c.yaml": "team: c\n  bad: indentation\n",
        },
    )
    assert {Path(i.file).stem for i in issues} == {"a", "b", "c"}
    assert all(str(i).startswith(f"{i.file}:{i.line}:{i.column}: ") for i in issues)


def test_rule_ids_are_unique_within_a_file(tmp_path: Path) -> None:
    issue = _one(
        tmp_path,
        """team: team-a
rules:
  - {id: r, entities: [PERSON], destinations: [remote], action: redact}
  - {id: r, entities: [SECRET], destinations: [remote], action: block}
""",
    )
    assert issue.message == "rule id 'r' is already used by rules[0]" and issue.line == 4


def test_load_policies_raises_a_policy_error_listing_everything(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as raised:
        load_policies(_folder(tmp_path, {"x.yaml": "team: x\nextends: y\n"}), CATALOG)
    assert "x.yaml:2:10: extends unknown policy 'y'" in str(raised.value)
    assert isinstance(raised.value, ConfigError)


def test_detector_config_carries_the_teams_lists(tmp_path: Path) -> None:
    parent = BASE + "allow_list: [Acme SA]\n"
    child = """team: team-a
extends: default
allow_list: [Jean Dupont]
deny_list:
  - entity_type: CODENAME
    terms: [Bluebird, Nightjar]
recognizers:
  - entity_type: TICKET
    pattern: "\\\\bSEC-[0-9]{4}\\\\b"
    score: 0.8
"""
    policies = load_policies(
        _folder(tmp_path, {"team-a.yaml": child, "team-b.yaml": "team: team-b\n"}, parent),
        CATALOG,
    )
    base = DetectorConfig(ner=False, cache_size=0)
    config = policies.get("team-a").detector_config(base)
    assert config.allow_list == ("Acme SA", "Jean Dupont")
    assert config.deny_list == (
        DenyRule("CODENAME", terms=("Bluebird", "Nightjar")),
        DenyRule("TICKET", patterns=(r"\bSEC-[0-9]{4}\b",), score=0.8),
    )
    # Teams with the same lists share a configuration, hence a Detector.
    assert policies.get("team-b").detector_config(base) == DetectorConfig(ner=False, cache_size=0)
    text = "Jean Dupont asked about nightjar and SEC-1234 at Acme SA."
    found = {(f.entity_type, text[f.start : f.end]) for f in Detector(config).scan(text, "en")}
    assert found == {("CODENAME", "nightjar"), ("TICKET", "SEC-1234")}


def test_detector_runs_user_patterns_in_linear_time() -> None:
    # `(a+)+$` backtracks exponentially in Python's `re` on this text; RE2 is linear.
    config = DetectorConfig(
        ner=False, cache_size=0, deny_list=(DenyRule("X", patterns=("(a+)+$",)),)
    )
    text = "a" * 5000 + "!"
    started = time.perf_counter()
    assert Detector(config).scan(text, "en") == []
    assert time.perf_counter() - started < 5
    with pytest.raises(ConfigError, match="RE2"):
        Detector(DetectorConfig(deny_list=(DenyRule("X", patterns=(r"(?<=a)b",)),)))


def test_policy_catalog_and_config_do_not_import_litellm_or_starlette() -> None:
    code = (
        "import sys, privacy_guard.policy, privacy_guard.policy.store, privacy_guard.catalog, "
        "privacy_guard.config, privacy_guard.policy.testing\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('litellm', 'starlette'))\n"
        "assert not bad, bad\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
