"""The decision: findings + team policy + requested model → what happens to the prompt.

Per finding, every applicable rule of every policy in the `extends` chain is considered and the
most restrictive wins; over the prompt, the most restrictive finding wins (block > reroute >
redact > allow). A rule applies to a finding when it covers the destination's access class,
names the entity type (or is a `*` rule of a file that names no rule for that type at that
destination), and the finding's score reaches its `min_score`. No applicable rule: allow.

Decisions carry entity types, counts, offsets and rule ids, never the matched values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from privacy_guard.catalog import Access, ModelTarget
from privacy_guard.detect.types import Finding
from privacy_guard.policy.model import Action, Mode, Operator, Policy, Rule, RuleLayer

ACCESS_LABELS: Mapping[Access, str] = {
    Access.SAAS_API: "SaaS API",
    Access.HF_INFERENCE: "Hugging Face inference API",
    Access.LOCAL: "local model",
    Access.LOCAL_QUANTIZED: "local quantised model",
}


@dataclass(frozen=True, slots=True)
class FindingAction:
    """What the policy does with one finding, and the rule that said so (None: no rule)."""

    entity_type: str
    start: int
    end: int
    score: float
    action: Action
    operator: Operator | None
    rule: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "entity_type": self.entity_type,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "action": self.action.value,
            "operator": self.operator.value if self.operator else None,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class Decision:
    """The outcome for one prompt.

    `action` is what the policy decides; `effective_action` what the gateway does — the same in
    enforce mode, always `allow` (forward unchanged to the requested model) in monitor mode.
    `findings` are judged for the requested destination; `redactions` are what to replace in
    the text sent to `target_model` (for a reroute, judged for the local target).
    """

    action: Action
    effective_action: Action
    mode: Mode
    requested_model: str | None
    target_model: str | None
    destination: Access
    findings: tuple[FindingAction, ...]
    redactions: tuple[FindingAction, ...]
    rules: tuple[str, ...]
    reasons: Mapping[str, int]
    message: str
    policy_id: str
    policy_file: str
    policy_hash: str

    def to_dict(self) -> dict[str, object]:
        return {
            "action": self.action.value,
            "effective_action": self.effective_action.value,
            "mode": self.mode.value,
            "requested_model": self.requested_model,
            "target_model": self.target_model,
            "destination": self.destination.value,
            "rules": list(self.rules),
            "reasons": dict(self.reasons),
            "message": self.message,
            "policy_id": self.policy_id,
            "policy_file": self.policy_file,
            "policy_hash": self.policy_hash,
            "findings": [f.to_dict() for f in self.findings],
            "redactions": [r.to_dict() for r in self.redactions],
        }


def decide(
    findings: Sequence[Finding], policy: Policy, requested: ModelTarget | Access
) -> Decision:
    """Decide for a catalog model, or for any model of an access class (`scan`'s worst case).

    The caller resolves the model name in the catalog first (`Catalog.get`), so an unknown
    model is an UnknownModelError there, never a decision here.
    """
    model = requested if isinstance(requested, ModelTarget) else None
    access = model.access if model else requested
    assert isinstance(access, Access)
    judged = _judge(findings, policy.index[access])
    outcome = _outcome(findings, judged, policy, model, access)
    action, target, redactions, drivers, rules, message = outcome
    if policy.mode is Mode.MONITOR:
        message = f"Monitor mode, forwarded unchanged. In enforce mode: {message}"
    return Decision(
        action=action,
        effective_action=Action.ALLOW if policy.mode is Mode.MONITOR else action,
        mode=policy.mode,
        requested_model=model.name if model else None,
        target_model=target,
        destination=access,
        findings=judged,
        redactions=redactions,
        rules=rules,
        reasons=MappingProxyType(dict(Counter(f.entity_type for f in drivers))),
        message=message,
        policy_id=policy.team,
        policy_file=policy.source,
        policy_hash=policy.hash,
    )


def _rank(rule: Rule) -> tuple[int, int]:
    return (rule.action.rank, rule.operator.rank if rule.operator else -1)


def _judge(findings: Sequence[Finding], layers: tuple[RuleLayer, ...]) -> tuple[FindingAction, ...]:
    judged = []
    for finding in findings:
        best: Rule | None = None
        for layer in layers:
            for rule in layer.candidates(finding.entity_type):
                # Ties keep the first: the team's own rule before an inherited one.
                if finding.score >= rule.min_score and (best is None or _rank(rule) > _rank(best)):
                    best = rule
        judged.append(
            FindingAction(
                finding.entity_type,
                finding.start,
                finding.end,
                finding.score,
                best.action if best else Action.ALLOW,
                best.operator if best else None,
                best.id if best else None,
            )
        )
    return tuple(judged)


_Outcome = tuple[
    Action, str | None, tuple[FindingAction, ...], list[FindingAction], tuple[str, ...], str
]


def _outcome(
    findings: Sequence[Finding],
    judged: tuple[FindingAction, ...],
    policy: Policy,
    model: ModelTarget | None,
    access: Access,
) -> _Outcome:
    """(action, target model, redactions, findings that drove it, rules, message)."""
    action = max((f.action for f in judged), key=lambda a: a.rank, default=Action.ALLOW)
    drivers = [f for f in judged if f.action is action and action is not Action.ALLOW]
    requested = model.name if model else f"any {ACCESS_LABELS[access]}"
    where = f"{ACCESS_LABELS[access]} destinations"
    if model is not None and not policy.allows(model.name):
        allowed = ", ".join(sorted(policy.allowed_models or ()))
        return (
            Action.BLOCK,
            None,
            (),
            [],
            (f"{policy.team}.allowed_models",),
            f"Blocked: model {model.name!r} is not allowed for team {policy.team} "
            f"(allowed_models: {allowed}).",
        )
    if action is Action.BLOCK:
        return (
            action,
            None,
            (),
            drivers,
            _rule_ids(drivers),
            f"Blocked: {_counts(drivers)} may not be sent to {where} ({_cite(drivers)}).",
        )
    if action is Action.REDACT:
        message = f"{_counts(drivers)} redacted ({_cite(drivers)}) before sending to {requested}."
        return action, _name(model), tuple(drivers), drivers, _rule_ids(drivers), message
    if action is Action.ALLOW:
        if not judged:
            message = f"No personal data or secrets found; forwarded to {requested}."
        else:
            message = f"{_counts(judged)} allowed to {where}; forwarded unchanged to {requested}."
        return action, _name(model), (), [], (), message
    return _reroute(findings, judged, drivers, policy, model, access)


def _reroute(
    findings: Sequence[Finding],
    judged: tuple[FindingAction, ...],
    drivers: list[FindingAction],
    policy: Policy,
    model: ModelTarget | None,
    access: Access,
) -> _Outcome:
    keep_local = f"{_counts(drivers)} must stay on the organisation's infrastructure"
    if access.is_local:
        # Already on a local model: the reroute is satisfied where the prompt was going.
        redactions = tuple(f for f in judged if f.action is Action.REDACT)
        target = model.name if model else f"the {ACCESS_LABELS[access]}"
        message = f"{keep_local} ({_cite(drivers)}); {target} is local, so it is sent there."
        return Action.REROUTE, _name(model), redactions, drivers, _rule_ids(drivers), message
    target = policy.reroute_to
    if target is None:
        return (
            Action.BLOCK,
            None,
            (),
            drivers,
            (*_rule_ids(drivers), f"{policy.team}.reroute_to"),
            f"Blocked: {keep_local} ({_cite(drivers)}), but policy {policy.team} has no "
            "reroute_to target.",
        )
    there = _judge(findings, policy.index[target.access])
    blocked = [f for f in there if f.action is Action.BLOCK]
    if blocked:
        return (
            Action.BLOCK,
            None,
            (),
            blocked,
            _rule_ids(blocked),
            f"Blocked: {_counts(blocked)} may not be sent even to the local model "
            f"{target.name} ({_cite(blocked)}).",
        )
    redactions = tuple(f for f in there if f.action is Action.REDACT)
    origin = model.name if model else f"a {ACCESS_LABELS[access]}"
    message = f"{keep_local} ({_cite(drivers)}); rerouted from {origin} to {target.name}."
    if redactions:
        message += f" There, {_counts(redactions)} redacted ({_cite(list(redactions))})."
    return Action.REROUTE, target.name, redactions, drivers, _rule_ids(drivers), message


def _name(model: ModelTarget | None) -> str | None:
    return model.name if model else None


def _rule_ids(items: Sequence[FindingAction]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.rule for f in items if f.rule))


def _counts(items: Sequence[FindingAction]) -> str:
    counts = Counter(f.entity_type for f in items)
    return ", ".join(f"{n} {entity}" for entity, n in counts.most_common())


def _cite(items: Sequence[FindingAction]) -> str:
    rules = _rule_ids(items)
    return ("rule " if len(rules) == 1 else "rules ") + ", ".join(rules)
