"""Policy test cases: a prompt, a team, a model, and the decision the team expects.

Files live in `<policies>/tests/*.yaml`:

    team: engineering              # default team for the cases below
    cases:
      - name: an API key never reaches a SaaS model
        model: gpt-4o-mini
        prompt: "export OPENAI_API_KEY=sk-proj-…"
        expect:
          action: block
          target: null             # optional: the model the prompt goes to
          entities: [SECRET]       # optional: exactly the entity types found
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from privacy_guard.catalog import Catalog
from privacy_guard.errors import ConfigFileError, Issue, PolicyTestError, PrivacyGuardError
from privacy_guard.policy.decision import Decision, decide
from privacy_guard.policy.detectors import DetectorPool
from privacy_guard.policy.load import SHIPPED_POLICIES, PolicySet
from privacy_guard.policy.model import Action, EntityName, TeamName
from privacy_guard.yamlsource import display_path, read_yaml, validation_issues

_UNSET = object()


class _ExpectSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Action
    target: str | None = None
    entities: list[EntityName] | None = None


class _CaseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    team: TeamName | None = None
    model: str
    prompt: str
    language: str | None = None
    expect: _ExpectSpec


class _FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    team: TeamName | None = None
    cases: Annotated[list[_CaseSpec], Field(min_length=1)]


@dataclass(frozen=True, slots=True)
class Expectation:
    action: Action
    target: object  # a model name, None (nothing sent), or _UNSET (not checked)
    entities: frozenset[str] | None

    def as_dict(self) -> dict[str, object]:
        shown: dict[str, object] = {"action": self.action.value}
        if self.target is not _UNSET:
            shown["target"] = self.target
        if self.entities is not None:
            shown["entities"] = sorted(self.entities)
        return shown


@dataclass(frozen=True, slots=True)
class PolicyTestCase:
    name: str
    team: str
    model: str
    prompt: str
    language: str | None
    expect: Expectation
    file: str
    line: int

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: PolicyTestCase
    decision: Decision | None
    actual: dict[str, object]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.actual == self.case.expect.as_dict()

    def diff(self) -> list[str]:
        """`- expected` / `+ actual` lines for the fields that differ."""
        if self.error is not None:
            return [f"error: {self.error}"]
        expected = self.case.expect.as_dict()
        lines = []
        for key, value in expected.items():
            got = self.actual.get(key)
            if got == value:
                lines.append(f"  {key}: {_show(value)}")
            else:
                lines += [f"- {key}: {_show(value)}", f"+ {key}: {_show(got)}"]
        return lines


def _show(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def case_files(policies_dir: Path | None) -> list[Path]:
    folder = (policies_dir or SHIPPED_POLICIES) / "tests"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def load_cases(
    files: Sequence[Path], policies: PolicySet, catalog: Catalog
) -> list[PolicyTestCase]:
    """Every case of `files`; raises PolicyTestError listing every malformed one."""
    issues: list[Issue] = []
    cases: list[PolicyTestCase] = []
    for path in files:
        try:
            doc = read_yaml(path, display_path(path))
            spec = _FileSpec.model_validate(doc.data)
        except ConfigFileError as error:
            issues.extend(error.issues)
            continue
        except ValidationError as error:
            issues.extend(validation_issues(error, doc))
            continue
        for index, item in enumerate(spec.cases):
            team = item.team or spec.team
            if team is None:
                hint = "add `team:` to the case or at the top of the file"
                issues.append(doc.issue(("cases", index), "case has no team", hint))
                continue
            if team not in policies:
                where = ("cases", index, "team") if item.team else ("team",)
                hint = f"policies: {', '.join(policies.teams())}"
                issues.append(doc.issue(where, f"no policy for team {team!r}", hint))
                continue
            if item.model not in catalog:
                hint = "use a model name from the catalog"
                message = f"unknown model {item.model!r}"
                issues.append(doc.issue(("cases", index, "model"), message, hint))
                continue
            given = item.expect.model_fields_set
            expect = Expectation(
                action=item.expect.action,
                target=item.expect.target if "target" in given else _UNSET,
                entities=None if item.expect.entities is None else frozenset(item.expect.entities),
            )
            line, _ = doc.position(("cases", index))
            cases.append(
                PolicyTestCase(
                    item.name, team, item.model, item.prompt, item.language, expect, doc.file, line
                )
            )
    if issues:
        raise PolicyTestError(issues)
    return cases


def run_cases(
    cases: Sequence[PolicyTestCase],
    policies: PolicySet,
    catalog: Catalog,
    detectors: DetectorPool | None = None,
) -> list[CaseResult]:
    """Scan each prompt with its team's detector settings and compare the decision."""
    pool = detectors or DetectorPool()
    results = []
    for case in cases:
        policy = policies.get(case.team)
        try:
            detector = pool.get(policy.detector_config())
            findings = detector.scan(case.prompt, case.language)
            decision = decide(findings, policy, catalog.get(case.model))
        except PrivacyGuardError as error:
            results.append(CaseResult(case, None, {}, str(error)))
            continue
        actual: dict[str, object] = {"action": decision.action.value}
        if case.expect.target is not _UNSET:
            actual["target"] = decision.target_model
        if case.expect.entities is not None:
            actual["entities"] = sorted({f.entity_type for f in findings})
        results.append(CaseResult(case, decision, actual))
    return results
