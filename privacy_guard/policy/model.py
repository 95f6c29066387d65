"""A team policy: the file's schema (pydantic) and the resolved, ready-to-evaluate Policy."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from privacy_guard.catalog import Access, ModelTarget
from privacy_guard.detect.config import DenyRule, DetectorConfig


class Action(StrEnum):
    """What happens to a prompt. Declared from least to most restrictive."""

    ALLOW = "allow"
    REDACT = "redact"
    REROUTE = "reroute"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _ACTION_RANK[self]


class Operator(StrEnum):
    """How a redacted value is replaced. Declared from least to most destructive."""

    PLACEHOLDER = "placeholder"
    MASK = "mask"
    HASH = "hash"
    DROP = "drop"

    @property
    def rank(self) -> int:
        return _OPERATOR_RANK[self]


_ACTION_RANK = {a: i for i, a in enumerate(Action)}
_OPERATOR_RANK = {o: i for i, o in enumerate(Operator)}


class Mode(StrEnum):
    ENFORCE = "enforce"
    MONITOR = "monitor"


class OnError(StrEnum):
    """What the gateway does when detection or evaluation fails for a request."""

    BLOCK = "block"
    FORWARD = "forward"


WILDCARD = "*"
# Request parts the detector cannot read (payloads' non-text parts), judged by the gateway as
# findings of these types so that a policy can allow, reroute or block them. They cannot be
# redacted: a `redact` outcome for one blocks the request instead.
NON_TEXT_ENTITIES: Mapping[str, str] = {
    "image_url": "IMAGE",
    "input_audio": "AUDIO",
    "file": "FILE",
    "token_ids": "TOKEN_IDS",
}
# Destination shorthands a rule may use besides the access classes themselves.
DESTINATION_GROUPS: Mapping[str, frozenset[Access]] = {
    "*": frozenset(Access),
    "remote": frozenset(a for a in Access if not a.is_local),
}

TeamName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
EntityName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,63}$")]
_RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
_Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
_Score = Annotated[float, Field(ge=0.0, le=1.0)]


def _fail(message: str, hint: str) -> PydanticCustomError:
    return PydanticCustomError("policy", "{message}", {"message": message, "hint": hint})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Strict):
    id: _RuleId | None = None
    description: str | None = None
    entities: Annotated[list[EntityName | Literal["*"]], Field(min_length=1)]
    min_score: _Score = 0.0
    destinations: Annotated[list[Access | Literal["*", "remote"]], Field(min_length=1)]
    action: Action
    operator: Operator | None = None

    @field_validator("entities")
    @classmethod
    def _wildcard_alone(cls, value: list[str]) -> list[str]:
        if WILDCARD in value and len(value) > 1:
            raise _fail(
                "'*' cannot be combined with entity names",
                "write two rules: one for the named types, one with entities: ['*']",
            )
        return value

    @model_validator(mode="after")
    def _operator_only_for_redact(self) -> RuleSpec:
        if self.operator is not None and self.action is not Action.REDACT:
            raise _fail(
                f"operator {self.operator.value!r} given for action {self.action.value!r}",
                "an operator only applies to `action: redact`; remove it",
            )
        return self


class DenySpec(_Strict):
    entity_type: EntityName
    terms: Annotated[list[_Term], Field(min_length=1)]
    score: _Score = 1.0


class RecognizerSpec(_Strict):
    entity_type: EntityName
    pattern: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    score: _Score = 0.9


class PolicySpec(_Strict):
    """One policy file as written. Unset fields are inherited through `extends`."""

    team: TeamName
    description: str | None = None
    extends: TeamName | None = None
    mode: Mode | None = None
    on_error: OnError | None = None
    allowed_models: list[str] | None = None
    reroute_to: str | None = None
    allow_list: list[_Term] = []
    deny_list: list[DenySpec] = []
    recognizers: list[RecognizerSpec] = []
    rules: list[RuleSpec] = []


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule, resolved. `id` is qualified by its team: `default.secrets` or `hr.rules[2]`."""

    id: str
    team: str
    entities: frozenset[str]  # empty for a wildcard rule
    wildcard: bool
    min_score: float
    destinations: frozenset[Access]
    action: Action
    operator: Operator | None
    description: str | None = None
    source: str = field(default="", compare=False)

    def names(self, entity_type: str) -> bool:
        return entity_type in self.entities

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "entities": [WILDCARD] if self.wildcard else sorted(self.entities),
            "min_score": self.min_score,
            "destinations": sorted(d.value for d in self.destinations),
            "action": self.action.value,
            "operator": self.operator.value if self.operator else None,
        }


@dataclass(frozen=True, slots=True)
class CustomRecognizer:
    entity_type: str
    pattern: str
    score: float


@dataclass(frozen=True, slots=True)
class DenyTerms:
    entity_type: str
    terms: tuple[str, ...]
    score: float


@dataclass(frozen=True, slots=True)
class RuleLayer:
    """The rules of one policy file that apply to one destination class, indexed for lookup."""

    named: Mapping[str, tuple[Rule, ...]]
    wildcard: tuple[Rule, ...]

    def candidates(self, entity_type: str) -> tuple[Rule, ...]:
        # `*` is the fallback of its own file: it covers the types no rule there names.
        return self.named.get(entity_type) or self.wildcard


@dataclass(frozen=True)
class Policy:
    """A team policy with `extends` resolved: what `decide` evaluates.

    `layers` holds the rules of each file in the chain, the team's own first; every layer
    applies, so a team can add restrictions to the policy it extends but never lift them.
    """

    team: str
    source: str
    chain: tuple[str, ...]
    mode: Mode
    on_error: OnError
    allowed_models: frozenset[str] | None
    reroute_to: ModelTarget | None
    allow_list: tuple[str, ...]
    deny_list: tuple[DenyTerms, ...]
    recognizers: tuple[CustomRecognizer, ...]
    layers: tuple[tuple[Rule, ...], ...]
    description: str | None = None

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for layer in self.layers for rule in layer)

    def allows(self, model: str) -> bool:
        return self.allowed_models is None or model in self.allowed_models

    def to_dict(self) -> dict[str, object]:
        """The canonical content of the policy: what its hash covers (not where it was read)."""
        return {
            "team": self.team,
            "chain": list(self.chain),
            "mode": self.mode.value,
            "on_error": self.on_error.value,
            "allowed_models": sorted(self.allowed_models) if self.allowed_models else None,
            "reroute_to": self.reroute_to.to_dict() if self.reroute_to else None,
            "allow_list": sorted(self.allow_list),
            "deny_list": [
                {"entity_type": d.entity_type, "terms": list(d.terms), "score": d.score}
                for d in self.deny_list
            ],
            "recognizers": [
                {"entity_type": r.entity_type, "pattern": r.pattern, "score": r.score}
                for r in self.recognizers
            ],
            "layers": [[rule.to_dict() for rule in layer] for layer in self.layers],
        }

    @cached_property
    def hash(self) -> str:
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()

    @cached_property
    def index(self) -> Mapping[Access, tuple[RuleLayer, ...]]:
        table: dict[Access, tuple[RuleLayer, ...]] = {}
        for access in Access:
            layers = []
            for layer in self.layers:
                named: dict[str, list[Rule]] = {}
                wildcard = []
                for rule in layer:
                    if access not in rule.destinations:
                        continue
                    if rule.wildcard:
                        wildcard.append(rule)
                    for entity in rule.entities:
                        named.setdefault(entity, []).append(rule)
                layers.append(RuleLayer({k: tuple(v) for k, v in named.items()}, tuple(wildcard)))
            table[access] = tuple(layers)
        return table

    def detector_config(self, base: DetectorConfig | None = None) -> DetectorConfig:
        """The detector settings this policy needs: its allow list, deny list and patterns.

        Teams with equal settings get equal configs, so a gateway can share one Detector.
        """
        from dataclasses import replace

        base = base or DetectorConfig()
        deny = [DenyRule(d.entity_type, terms=d.terms, score=d.score) for d in self.deny_list]
        deny += [
            DenyRule(r.entity_type, patterns=(r.pattern,), score=r.score) for r in self.recognizers
        ]
        return replace(
            base,
            allow_list=tuple(dict.fromkeys((*base.allow_list, *self.allow_list))),
            deny_list=(*base.deny_list, *deny),
        )
