"""The decision engine: per-destination rules, most restrictive wins, reroute, monitor mode."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy_guard import Detector, DetectorConfig
from privacy_guard.catalog import Access, load_catalog
from privacy_guard.detect.types import Finding
from privacy_guard.policy import (
    Action,
    Mode,
    OnError,
    Operator,
    Policy,
    Rule,
    decide,
    load_policies,
)

CATALOG = load_catalog()
SAAS = CATALOG.get("gpt-4o-mini")
HF = CATALOG.get("hf-llama3-8b")
OLLAMA = CATALOG.get("ollama-llama3")
VLLM = CATALOG.get("vllm-llama3")

DEFAULT = """team: default
reroute_to: ollama-llama3
rules:
  - id: secrets
    entities: [SECRET]
    destinations: [remote]
    action: block
  - id: health
    entities: [HEALTH]
    destinations: [remote]
    action: reroute
  - id: catch-all
    entities: ["*"]
    destinations: [remote]
    action: redact
"""


def _policy(tmp_path: Path, team_text: str | None = None, default: str = DEFAULT) -> Policy:
    folder = tmp_path / "policies"
    folder.mkdir(exist_ok=True)
    (folder / "default.yaml").write_text(default, encoding="utf-8")
    team = "default"
    if team_text is not None:
        (folder / "team.yaml").write_text(team_text, encoding="utf-8")
        team = "team"
    return load_policies(folder, CATALOG).get(team)


def _f(entity: str, score: float = 0.9, start: int = 0) -> Finding:
    return Finding(entity, start, start + 5, score, "en")


def test_rules_apply_per_destination(tmp_path: Path) -> None:
    policy = _policy(tmp_path)
    findings = [_f("PERSON"), _f("EMAIL_ADDRESS", start=10)]
    remote = decide(findings, policy, SAAS)
    assert remote.action is Action.REDACT and remote.target_model == "gpt-4o-mini"
    assert [r.rule for r in remote.redactions] == ["default.catch-all"] * 2
    assert remote.redactions[0].operator is Operator.PLACEHOLDER
    assert decide(findings, policy, HF).action is Action.REDACT
    local = decide(findings, policy, OLLAMA)
    assert local.action is Action.ALLOW and local.target_model == "ollama-llama3"
    assert local.redactions == () and all(f.rule is None for f in local.findings)


def test_the_most_restrictive_action_wins(tmp_path: Path) -> None:
    policy = _policy(tmp_path)
    assert decide([], policy, SAAS).action is Action.ALLOW
    assert decide([_f("PERSON")], policy, SAAS).action is Action.REDACT
    assert decide([_f("PERSON"), _f("HEALTH")], policy, SAAS).action is Action.REROUTE
    blocked = decide([_f("HEALTH"), _f("SECRET"), _f("PERSON")], policy, SAAS)
    assert blocked.action is Action.BLOCK and blocked.target_model is None
    assert blocked.rules == ("default.secrets",) and dict(blocked.reasons) == {"SECRET": 1}
    assert [f.action for f in blocked.findings] == [Action.REROUTE, Action.BLOCK, Action.REDACT]


def test_reroute_goes_to_the_local_target_and_judges_again_there(tmp_path: Path) -> None:
    team = """team: team
extends: default
rules:
  - id: ids-hashed-even-locally
    entities: [FR_NIR]
    destinations: ["*"]
    action: redact
    operator: hash
"""
    policy = _policy(tmp_path, team)
    decision = decide([_f("HEALTH"), _f("FR_NIR", start=20), _f("PERSON", start=40)], policy, SAAS)
    assert decision.action is Action.REROUTE
    assert decision.requested_model == "gpt-4o-mini" and decision.target_model == "ollama-llama3"
    assert dict(decision.reasons) == {"HEALTH": 1} and decision.rules == ("default.health",)
    # At the local target only the rule that covers local destinations still applies.
    assert [(r.entity_type, r.operator) for r in decision.redactions] == [("FR_NIR", Operator.HASH)]
    assert "rerouted from gpt-4o-mini to ollama-llama3" in decision.message


def test_reroute_without_a_target_becomes_block(tmp_path: Path) -> None:
    policy = _policy(tmp_path, default=DEFAULT.replace("reroute_to: ollama-llama3\n", ""))
    decision = decide([_f("HEALTH")], policy, SAAS)
    assert decision.action is Action.BLOCK and decision.target_model is None
    assert decision.rules == ("default.health", "default.reroute_to")
    assert "no reroute_to target" in decision.message


def test_reroute_is_blocked_when_the_local_target_may_not_see_it(tmp_path: Path) -> None:
    team = """team: team
extends: default
rules:
  - id: health-nowhere
    entities: [HEALTH]
    destinations: [local-quantized]
    action: block
"""
    decision = decide([_f("HEALTH")], _policy(tmp_path, team), SAAS)
    assert decision.action is Action.BLOCK and decision.rules == ("team.health-nowhere",)
    assert "even to the local model ollama-llama3" in decision.message


def test_reroute_for_a_local_model_keeps_it(tmp_path: Path) -> None:
    team = """team: team
extends: default
rules:
  - entities: [HEALTH]
    destinations: ["*"]
    action: reroute
"""
    decision = decide([_f("HEALTH")], _policy(tmp_path, team), VLLM)
    assert decision.action is Action.REROUTE and decision.target_model == "vllm-llama3"


def test_models_outside_allowed_models_are_refused(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "team: team\nextends: default\nallowed_models: [ollama-llama3]\n")
    decision = decide([], policy, SAAS)
    assert decision.action is Action.BLOCK and decision.rules == ("team.allowed_models",)
    assert "'gpt-4o-mini' is not allowed for team team" in decision.message
    assert decide([], policy, OLLAMA).action is Action.ALLOW


def test_min_score_and_the_wildcard_fallback(tmp_path: Path) -> None:
    team = """team: team
rules:
  - id: confident-names
    entities: [PERSON]
    min_score: 0.8
    destinations: [remote]
    action: block
  - id: others
    entities: ["*"]
    destinations: [remote]
    action: redact
"""
    policy = _policy(tmp_path, team)
    assert decide([_f("PERSON", 0.85)], policy, SAAS).action is Action.BLOCK
    # Below the named rule's threshold: not acted on, and not handed to the `*` rule either.
    weak = decide([_f("PERSON", 0.6)], policy, SAAS)
    assert weak.action is Action.ALLOW and weak.findings[0].rule is None
    assert decide([_f("LOCATION", 0.6)], policy, SAAS).action is Action.REDACT


def test_a_team_adds_restrictions_but_cannot_lift_inherited_ones(tmp_path: Path) -> None:
    team = """team: team
extends: default
rules:
  - id: lenient
    entities: [SECRET, PERSON]
    destinations: [remote]
    action: allow
  - id: strict
    entities: ["*"]
    destinations: [saas-api]
    action: block
"""
    policy = _policy(tmp_path, team)
    assert decide([_f("SECRET")], policy, SAAS).action is Action.BLOCK  # default still blocks
    # The parent's `*` still redacts PERSON on the HF API: a child's allow does not lift it.
    assert decide([_f("PERSON")], policy, HF).action is Action.REDACT
    # The team's own `*` covers what the team's file names no rule for, whatever the parent says.
    assert decide([_f("HEALTH")], policy, SAAS).action is Action.BLOCK


def test_the_most_destructive_operator_wins(tmp_path: Path) -> None:
    team = """team: team
extends: default
rules:
  - entities: [IBAN_CODE]
    destinations: [remote]
    action: redact
    operator: drop
"""
    decision = decide([_f("IBAN_CODE")], _policy(tmp_path, team), SAAS)
    assert decision.redactions[0].operator is Operator.DROP
    assert decision.redactions[0].rule == "team.rules[0]"


def test_monitor_mode_records_but_forwards(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "team: team\nextends: default\nmode: monitor\non_error: forward\n")
    decision = decide([_f("SECRET")], policy, SAAS)
    assert decision.action is Action.BLOCK and decision.effective_action is Action.ALLOW
    assert decision.mode is Mode.MONITOR
    assert decision.message.startswith("Monitor mode, forwarded unchanged. In enforce mode: ")
    enforced = decide([_f("SECRET")], _policy(tmp_path), SAAS)
    assert enforced.effective_action is Action.BLOCK


def test_worst_case_decision_for_an_access_class(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "team: team\nextends: default\nallowed_models: [ollama-llama3]\n")
    decision = decide([_f("PERSON")], policy, Access.SAAS_API)
    # No particular model, so allowed_models does not apply; the class's rules do.
    assert decision.action is Action.REDACT and decision.requested_model is None
    assert decision.destination is Access.SAAS_API and decision.target_model is None
    assert decide([_f("HEALTH")], policy, Access.SAAS_API).target_model == "ollama-llama3"


def test_decisions_carry_policy_identity_and_never_values(tmp_path: Path) -> None:
    faker = Faker("fr_FR")
    faker.seed_instance(11)
    name, email = faker.name(), faker.email()
    text = f"Merci d'écrire à {name} ({email}) avant vendredi."
    policy = _policy(tmp_path)
    findings = Detector(DetectorConfig(cache_size=0)).scan(text)
    assert {f.entity_type for f in findings} >= {"EMAIL_ADDRESS"}
    decision = decide(findings, policy, SAAS)
    assert decision.policy_id == "default" and decision.policy_hash == policy.hash
    assert decision.policy_file.endswith("default.yaml")
    dumped = json.dumps(decision.to_dict(), ensure_ascii=False)
    assert email not in dumped and name not in dumped
    assert json.loads(dumped)["reasons"] == dict(decision.reasons)


# --- property: adding a finding never makes a decision less restrictive ----------------------

# Few entity types and destination sets, so that random rules interact often.
ENTITIES = ["PERSON", "SECRET", "HEALTH"]
LOCALS = [t for t in CATALOG if t.is_local]
DESTINATIONS = [
    frozenset({Access.SAAS_API}),
    frozenset({Access.LOCAL_QUANTIZED}),
    frozenset({Access.LOCAL, Access.LOCAL_QUANTIZED}),
    frozenset({Access.SAAS_API, Access.HF_INFERENCE}),
    frozenset(Access),
]


@st.composite
def _rules(draw: st.DrawFn, team: str) -> tuple[Rule, ...]:
    rules = []
    for index in range(draw(st.integers(0, 4))):
        wildcard = draw(st.booleans())
        named = draw(st.sets(st.sampled_from(ENTITIES), min_size=1, max_size=2))
        # Reroute and block are where the interesting interactions are; weight them up.
        action = draw(st.sampled_from([*Action, Action.REROUTE, Action.BLOCK]))
        rules.append(
            Rule(
                id=f"{team}.rules[{index}]",
                team=team,
                entities=frozenset() if wildcard else frozenset(named),
                wildcard=wildcard,
                min_score=draw(st.sampled_from([0.0, 0.5])),
                destinations=draw(st.sampled_from(DESTINATIONS)),
                action=action,
                operator=draw(st.sampled_from(list(Operator))) if action is Action.REDACT else None,
            )
        )
    return tuple(rules)


@st.composite
def _policies(draw: st.DrawFn) -> Policy:
    teams = ["team", "parent", "root"][: draw(st.integers(1, 3))]
    allowed = draw(st.none() | st.sets(st.sampled_from(CATALOG.names()), min_size=1))
    reroute = draw(st.sampled_from(LOCALS) | st.none())
    return Policy(
        team="team",
        source="team.yaml",
        chain=tuple(teams),
        mode=draw(st.sampled_from(list(Mode))),
        on_error=OnError.BLOCK,
        allowed_models=frozenset(allowed) if allowed is not None else None,
        reroute_to=reroute,
        allow_list=(),
        deny_list=(),
        recognizers=(),
        layers=tuple(draw(_rules(team)) for team in teams),
    )


_findings = st.builds(
    Finding,
    entity_type=st.sampled_from([*ENTITIES, "LOCATION"]),  # LOCATION: named by no rule
    start=st.integers(0, 100),
    end=st.integers(101, 120),
    score=st.sampled_from([0.3, 0.6, 0.9]),
    language=st.just("en"),
)
# One model per access class, every local model (reroute targets), and the classes themselves.
REQUESTED = [
    CATALOG.get("gpt-4o"),
    CATALOG.get("claude-sonnet"),
    CATALOG.get("hf-llama3-8b"),
    *LOCALS,
    *Access,
]
EXTRAS = [Finding(e, 0, 5, s, "en") for e in [*ENTITIES, "LOCATION"] for s in (0.3, 0.9)]
_requested = st.sampled_from(REQUESTED)


@settings(max_examples=300, deadline=None)
@given(policy=_policies(), findings=st.lists(_findings, max_size=5))
def test_adding_a_finding_never_makes_the_decision_less_restrictive(
    policy: Policy, findings: list[Finding]
) -> None:
    # Every destination, every kind of extra finding, and small base sets too, so that rare
    # interactions between random rules are reached in few examples.
    bases = [findings, *([extra] for extra in EXTRAS)]
    for requested, base in itertools.product(REQUESTED, bases):
        before = decide(base, policy, requested)
        for extra in EXTRAS:
            after = decide([*base, extra], policy, requested)
            assert after.action.rank >= before.action.rank, (before.message, after.message)
            if policy.mode is Mode.MONITOR:
                assert after.effective_action is Action.ALLOW
            else:
                assert after.effective_action is after.action
            if after.action is Action.BLOCK:
                assert after.target_model is None and after.redactions == ()
            elif after.action is Action.REROUTE and after.target_model is not None:
                assert CATALOG.get(after.target_model).is_local


@settings(max_examples=200, deadline=None)
@given(policy=_policies(), findings=st.lists(_findings, max_size=6), requested=_requested)
def test_decisions_do_not_depend_on_finding_order(
    policy: Policy, findings: list[Finding], requested: object
) -> None:
    forward = decide(findings, policy, requested)  # type: ignore[arg-type]
    backward = decide(list(reversed(findings)), policy, requested)  # type: ignore[arg-type]
    assert forward.action is backward.action
    assert forward.target_model == backward.target_model
    assert dict(forward.reasons) == dict(backward.reasons)
