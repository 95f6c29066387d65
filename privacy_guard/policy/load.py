"""Reading a folder of policy files: schema, `extends`, catalog references, unsafe patterns.

Every problem is collected (not just the first) as `file:line:column: message` with a hint, so
`policy check` can show a reviewer everything at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from privacy_guard.catalog import Access, Catalog
from privacy_guard.detect.config import DEFAULT_ENTITIES
from privacy_guard.errors import ConfigFileError, Issue, PolicyError, UnknownTeamError
from privacy_guard.policy.model import (
    DESTINATION_GROUPS,
    NON_TEXT_ENTITIES,
    WILDCARD,
    Action,
    CustomRecognizer,
    DenyTerms,
    Mode,
    OnError,
    Operator,
    Policy,
    PolicySpec,
    Rule,
)
from privacy_guard.policy.regex_safety import check_pattern
from privacy_guard.shipped import SHIPPED_POLICIES
from privacy_guard.yamlsource import YamlDocument, display_path, read_yaml, validation_issues

DEFAULT_TEAM = "default"


@dataclass(frozen=True)
class PolicySet:
    """Resolved policies by team. A team without a file of its own gets `default`."""

    policies: Mapping[str, Policy]

    def __post_init__(self) -> None:
        object.__setattr__(self, "policies", MappingProxyType(dict(self.policies)))

    def get(self, team: str) -> Policy:
        found = self.policies.get(team) or self.policies.get(DEFAULT_TEAM)
        if found is None:
            raise UnknownTeamError(team, list(self.policies))
        return found

    def __contains__(self, team: object) -> bool:
        return team in self.policies

    def teams(self) -> list[str]:
        return sorted(self.policies)


def policy_files(directory: Path | None) -> list[Path]:
    """The files that make up a policy set.

    Without a folder, every shipped policy (the default and the examples). With one, its files,
    plus the shipped `default.yaml` when the folder has none: a deployment never runs without a
    baseline, and never picks up the shipped example teams by accident.
    """
    if directory is None:
        return _yaml_files(SHIPPED_POLICIES)
    files = _yaml_files(directory)
    if not any(path.stem == DEFAULT_TEAM for path in files):
        files.append(SHIPPED_POLICIES / f"{DEFAULT_TEAM}.yaml")
    return files


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def load_policies(directory: Path | None, catalog: Catalog) -> PolicySet:
    """Every policy of `directory` (or the shipped ones), resolved. Raises PolicyError."""
    policies, issues = check_policies(directory, catalog)
    if issues or policies is None:
        raise PolicyError(issues)
    return policies


def check_policies(
    directory: Path | None, catalog: Catalog
) -> tuple[PolicySet | None, list[Issue]]:
    """Like `load_policies`, but returns every problem instead of raising."""
    issues: list[Issue] = []
    if directory is not None and not directory.is_dir():
        hint = "check the `policies:` setting of the deployment config"
        return None, [Issue(str(directory), 0, 0, "policy folder does not exist", hint)]
    parsed: dict[str, _Parsed] = {}
    for path in policy_files(directory):
        entry = _parse(path, catalog, issues)
        if entry is None:
            continue
        team = entry.spec.team
        if team in parsed:
            issues.append(
                entry.doc.issue(
                    ("team",),
                    f"team {team!r} is already defined in {parsed[team].doc.file}",
                    "each team has exactly one policy file",
                )
            )
            continue
        parsed[team] = entry
    resolver = _Resolver(parsed, catalog, issues)
    policies = {team: resolver.resolve(team) for team in parsed}
    if issues:
        return None, issues
    if DEFAULT_TEAM not in policies:
        return None, [Issue(str(directory), 0, 0, "no default policy", "add default.yaml")]
    return PolicySet({t: p for t, p in policies.items() if p is not None}), []


@dataclass(frozen=True)
class _Parsed:
    spec: PolicySpec
    doc: YamlDocument
    ok: bool  # false when the file has problems of its own; dependants are then not resolved


def _parse(path: Path, catalog: Catalog, issues: list[Issue]) -> _Parsed | None:
    try:
        doc = read_yaml(path, display_path(path))
    except ConfigFileError as error:
        issues.extend(error.issues)
        return None
    if not isinstance(doc.data, dict):
        hint = "start the file with `team: <name>`"
        issues.append(Issue(doc.file, 1, 1, "a policy file must be a mapping of fields", hint))
        return None
    try:
        spec = PolicySpec.model_validate(doc.data)
    except ValidationError as error:
        issues.extend(validation_issues(error, doc))
        # Patterns and model names are still checked, so one pass shows every problem.
        issues.extend(_reference_issues(doc.data, doc, catalog))
        return None
    local = [*_local_issues(spec, doc, path), *_reference_issues(doc.data, doc, catalog)]
    issues.extend(local)
    return _Parsed(spec, doc, ok=not local)


def _local_issues(spec: PolicySpec, doc: YamlDocument, path: Path) -> Iterable[Issue]:
    """Problems of a schema-valid file, visible in the file alone."""
    if spec.team != path.stem:
        yield doc.issue(
            ("team",),
            f"team {spec.team!r} does not match the file name {path.name!r}",
            f"rename the file to {spec.team}.yaml or set `team: {path.stem}`",
        )
    seen: dict[str, int] = {}
    for index, rule in enumerate(spec.rules):
        if rule.id is None:
            continue
        if rule.id in seen:
            yield doc.issue(
                ("rules", index, "id"),
                f"rule id {rule.id!r} is already used by rules[{seen[rule.id]}]",
                "rule ids must be unique within a policy",
            )
        seen.setdefault(rule.id, index)


def _reference_issues(data: dict[str, Any], doc: YamlDocument, catalog: Catalog) -> Iterable[Issue]:
    """Unsafe patterns and unknown models, from the raw data: also when the schema fails."""
    recognizers = data.get("recognizers")
    for index, item in enumerate(recognizers if isinstance(recognizers, list) else []):
        pattern = item.get("pattern") if isinstance(item, dict) else None
        problem = check_pattern(pattern) if isinstance(pattern, str) and pattern else None
        if problem is not None:
            yield doc.issue(("recognizers", index, "pattern"), problem.message, problem.hint)
    allowed = data.get("allowed_models")
    if isinstance(allowed, list):
        if not allowed:
            yield doc.issue(
                ("allowed_models",),
                "allowed_models is empty: every request would be refused",
                "list at least one model, or remove the field to allow the whole catalog",
            )
        for index, name in enumerate(allowed):
            if isinstance(name, str) and name not in catalog:
                yield doc.issue(
                    ("allowed_models", index), f"unknown model {name!r}", _suggest(name, catalog)
                )
    reroute = data.get("reroute_to")
    if isinstance(reroute, str):
        target = catalog.targets.get(reroute)
        if target is None:
            yield doc.issue(
                ("reroute_to",),
                f"unknown model {reroute!r}",
                _suggest(reroute, catalog, local_only=True),
            )
        elif not target.is_local:
            yield doc.issue(
                ("reroute_to",),
                f"reroute_to {target.name!r} is not a local model (access: {target.access.value})",
                _suggest("", catalog, local_only=True),
            )


def _suggest(name: str, catalog: Catalog, *, local_only: bool = False) -> str:
    names = [t.name for t in catalog if t.is_local or not local_only]
    close = difflib.get_close_matches(name, names, n=1) if name else []
    if close:
        return f"did you mean {close[0]!r}?"
    kind = "local models" if local_only else "models"
    return f"{kind} in the catalog: {', '.join(names) or '(none)'}"


class _Resolver:
    """Resolves `extends` chains, once per team, reporting unknown parents and cycles."""

    def __init__(self, parsed: Mapping[str, _Parsed], catalog: Catalog, issues: list[Issue]):
        self._parsed = parsed
        self._catalog = catalog
        self._issues = issues
        self._done: dict[str, Policy | None] = {}

    def resolve(self, team: str) -> Policy | None:
        if team in self._done:
            return self._done[team]
        self._done[team] = result = self._resolve(team)
        return result

    def _chain(self, team: str) -> list[_Parsed] | None:
        """The team's file and its ancestors, nearest first; None (reported) when broken."""
        entry = self._parsed[team]
        chain = [entry]
        names = [team]
        while (parent := chain[-1].spec.extends) is not None:
            if parent == team:
                cycle = " → ".join([*names, parent])
                hint = "remove `extends` from one of them"
                self._issues.append(entry.doc.issue(("extends",), f"extends cycle: {cycle}", hint))
                return None
            if parent not in self._parsed and len(chain) == 1:
                known = ", ".join(sorted(self._parsed))
                message = f"extends unknown policy {parent!r}"
                self._issues.append(entry.doc.issue(("extends",), message, f"policies: {known}"))
                return None
            if parent in names or parent not in self._parsed:
                self._issues.append(self._invalid_parent(entry))
                return None
            chain.append(self._parsed[parent])
            names.append(parent)
        return chain

    def _invalid_parent(self, entry: _Parsed) -> Issue:
        parent = self._parsed.get(entry.spec.extends or "")
        where = parent.doc.file if parent else "it"
        return entry.doc.issue(
            ("extends",),
            f"extends {entry.spec.extends!r}, which is invalid",
            f"fix the problems reported for {where} first",
        )

    def _resolve(self, team: str) -> Policy | None:
        entry = self._parsed[team]
        chain = self._chain(team)
        if chain is None:
            return None
        # Entity names only need the chain's declarations, so they are checked even when the
        # file or a parent has other problems: a reviewer sees everything in one pass.
        problems = list(_entity_issues(entry, chain))
        self._issues.extend(problems)
        parent = entry.spec.extends
        if parent is not None and self.resolve(parent) is None:
            self._issues.append(self._invalid_parent(entry))
            return None
        if not entry.ok or problems:
            return None
        policy = _merge(chain, self._catalog)
        problems = list(_inherited_issues(entry, policy))
        self._issues.extend(problems)
        return None if problems else policy


def _first(values: Iterable[object]) -> object:
    return next((v for v in values if v is not None), None)


def _merge(chain: list[_Parsed], catalog: Catalog) -> Policy:
    specs = [p.spec for p in chain]
    root_first = list(reversed(specs))
    allowed = _first(s.allowed_models for s in specs)
    reroute = _first(s.reroute_to for s in specs)
    deny = [
        DenyTerms(d.entity_type, tuple(d.terms), d.score) for s in root_first for d in s.deny_list
    ]
    recognizers = [
        CustomRecognizer(r.entity_type, r.pattern, r.score)
        for s in root_first
        for r in s.recognizers
    ]
    return Policy(
        team=specs[0].team,
        source=chain[0].doc.file,
        chain=tuple(s.team for s in specs),
        mode=_first(s.mode for s in specs) or Mode.ENFORCE,  # type: ignore[arg-type]
        on_error=_first(s.on_error for s in specs) or OnError.BLOCK,  # type: ignore[arg-type]
        allowed_models=frozenset(allowed) if allowed is not None else None,  # type: ignore[arg-type]
        reroute_to=catalog.targets[reroute] if reroute is not None else None,  # type: ignore[index]
        allow_list=tuple(dict.fromkeys(t for s in root_first for t in s.allow_list)),
        deny_list=tuple(dict.fromkeys(deny)),
        recognizers=tuple(dict.fromkeys(recognizers)),
        layers=tuple(_rules(p) for p in chain),
        description=specs[0].description,
    )


def _rules(entry: _Parsed) -> tuple[Rule, ...]:
    team = entry.spec.team
    rules = []
    for index, spec in enumerate(entry.spec.rules):
        destinations: set[Access] = set()
        for destination in spec.destinations:
            if isinstance(destination, Access):
                destinations.add(destination)
            else:
                destinations |= DESTINATION_GROUPS[destination]
        wildcard = WILDCARD in spec.entities
        line, column = entry.doc.position(("rules", index))
        rules.append(
            Rule(
                id=f"{team}.{spec.id}" if spec.id else f"{team}.rules[{index}]",
                team=team,
                entities=frozenset() if wildcard else frozenset(spec.entities),
                wildcard=wildcard,
                min_score=spec.min_score,
                destinations=frozenset(destinations),
                action=spec.action,
                operator=spec.operator
                or (Operator.PLACEHOLDER if spec.action is Action.REDACT else None),
                description=spec.description,
                source=f"{entry.doc.file}:{line}:{column}",
            )
        )
    return tuple(rules)


def _entity_issues(entry: _Parsed, chain: list[_Parsed]) -> Iterable[Issue]:
    """Rules naming entity types that neither the detector nor the chain's lists produce."""
    known = set(DEFAULT_ENTITIES) | set(NON_TEXT_ENTITIES.values())
    for item in chain:
        known |= {d.entity_type for d in item.spec.deny_list}
        known |= {r.entity_type for r in item.spec.recognizers}
    for index, rule in enumerate(entry.spec.rules):
        for position, name in enumerate(rule.entities):
            if name != WILDCARD and name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                yield entry.doc.issue(
                    ("rules", index, "entities", position),
                    f"unknown entity type {name!r}",
                    f"did you mean {close[0]!r}?"
                    if close
                    else "use a detector entity type or one from this policy's deny_list "
                    "or recognizers",
                )


def _inherited_issues(entry: _Parsed, policy: Policy) -> Iterable[Issue]:
    """Problems of the resolved policy, reported on the team's own file where it set the field.

    A problem caused entirely by a parent is reported on the parent's file instead.
    """
    spec, doc = entry.spec, entry.doc
    sets_models = spec.allowed_models is not None or spec.reroute_to is not None
    if sets_models and policy.reroute_to is not None and not policy.allows(policy.reroute_to.name):
        field = "allowed_models" if spec.allowed_models is not None else "reroute_to"
        yield doc.issue(
            (field,),
            f"reroute_to {policy.reroute_to.name!r} is not in allowed_models",
            "add it to allowed_models: rerouted prompts must go to a model the team may use",
        )
    sets_safety = spec.on_error is not None or spec.mode is not None
    if sets_safety and policy.on_error is OnError.FORWARD and policy.mode is not Mode.MONITOR:
        field = "on_error" if spec.on_error is not None else "mode"
        yield doc.issue(
            (field,),
            "on_error: forward is only allowed with mode: monitor",
            "an enforcing policy fails closed (on_error: block); use monitor mode to trial "
            "a policy without blocking",
        )
