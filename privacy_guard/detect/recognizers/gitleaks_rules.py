"""Load gitleaks' rule set (vendored TOML, MIT) into compiled RE2 rules and allow-lists.

The file is gitleaks' own `config/gitleaks.toml`, shipped unchanged in `detect/data/` with its
licence and a note of its version (`gitleaks.source.json`); `scripts/update_gitleaks_rules.py`
replaces it. gitleaks is written in Go, whose regexes are RE2: google-re2 compiles them as they
are, with the same leftmost-first semantics, so a rule means here what it means there.

What a prompt cannot have is dropped, with the reason kept in `RuleSet.skipped`: rules that only
match file names (`pkcs12-file`), allow-lists that only name paths or commits. Rules restricted
to some file names (`kubernetes-secret-yaml` to `*.yaml`) are applied to every text: a pasted
file has no name.
"""

from __future__ import annotations

import json
import threading
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Final, Literal

import re2

from privacy_guard.errors import DetectionError

__all__ = [
    "Allowlist",
    "LeakRule",
    "RuleSet",
    "RuleSetError",
    "default_rule_set",
    "load_rule_set",
    "parse_rule_set",
]

RULES_FILE: Final = "gitleaks.toml"
SOURCE_FILE: Final = "gitleaks.source.json"

# Rules of the vendored set left out on purpose (rule id -> why), besides those skipped for
# what they are (path-only).
DISABLED: Final[dict[str, str]] = {
    "kubernetes-secret-yaml": "replaced by secret_manifests.py, which reports every value under "
    "`data:` alone; this rule reports the first `key: value` only",
}

Target = Literal["secret", "match", "line"]


class RuleSetError(DetectionError, ValueError):
    """The rule file is not a gitleaks configuration this loader understands. The message names
    the rule and field, never a value."""


class LazyRegex:
    """An RE2 regex compiled on its first use, or at load time when the rule set is parsed
    `eager`ly (tests, the update script).

    A process meets few of the set's regexes, since a rule runs only when its keyword occurs:
    compiling all of them at start-up (~0.1 s) would lengthen every cold start for rules that
    may never run. `get()` is None when RE2 rejects the pattern; `error` then says why.
    """

    __slots__ = ("_compiled", "error", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: Any | None = None
        self.error: str | None = None

    def get(self) -> Any | None:
        # Two threads may both compile it the first time; either result is the same regex.
        if self._compiled is None and self.error is None:
            try:
                self._compiled = re2.compile(self.source)
            except re2.error as error:
                self.error = str(error)
        return self._compiled


@dataclass(frozen=True, slots=True)
class Allowlist:
    """gitleaks' allow-list: a finding is let through when `regex` matches its `target`, or
    its secret contains a stop word (with `require_all`, when both checks it has pass)."""

    target: Target
    regex: LazyRegex | None  # every listed regex, joined with `|`
    stopwords: LazyRegex | None  # every stop word, case-insensitive, joined with `|`
    require_all: bool

    def allows(self, secret: bytes, match: bytes, line: bytes) -> bool:
        subject = {"secret": secret, "match": match, "line": line}[self.target]
        checks = []
        if self.regex is not None:
            checks.append(bool(subject) and _found(self.regex, subject))
        if self.stopwords is not None:
            checks.append(bool(secret) and _found(self.stopwords, secret))
        return all(checks) if self.require_all else any(checks)


def _found(regex: LazyRegex, subject: bytes) -> bool:
    compiled = regex.get()  # None: RE2 rejected it, so it allows nothing (we report more)
    return compiled is not None and compiled.search(subject) is not None


@dataclass(frozen=True, slots=True)
class LeakRule:
    id: str
    regex: LazyRegex
    secret_group: int  # 0: the first non-empty capture group, or the whole match
    entropy: float  # the secret's Shannon entropy must be above this (0: no floor)
    keywords: tuple[str, ...]  # lower case; the rule runs only when one occurs in the text
    allowlists: tuple[Allowlist, ...]


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[LeakRule, ...]
    allowlists: tuple[Allowlist, ...]  # global: apply to every rule's findings
    skipped: dict[str, str]  # rule id -> why it does not run
    version: str  # gitleaks release and commit, from gitleaks.source.json


def _compile(pattern: object, where: str, eager: bool) -> LazyRegex:
    if not isinstance(pattern, str):
        raise RuleSetError(f"{where}: expected a regex string")
    regex = LazyRegex(pattern)
    if eager and regex.get() is None:
        raise RuleSetError(f"{where}: RE2 rejects it ({regex.error})")
    return regex


def _union(patterns: list[str], where: str, eager: bool, ignore_case: bool = False) -> LazyRegex:
    """One RE2 regex for a list: a single pass instead of one search per entry."""
    joined = "|".join(f"(?:{p})" for p in patterns)
    return _compile(f"(?i:{joined})" if ignore_case else joined, where, eager)


def _allowlist(raw: dict[str, Any], where: str, eager: bool) -> Allowlist | None:
    """None when nothing in it can apply to a text (only paths or commits)."""
    target = raw.get("regexTarget", "secret")
    if target not in ("secret", "match", "line"):
        raise RuleSetError(f"{where}: unknown regexTarget")
    require_all = str(raw.get("condition", "OR")).upper() == "AND"
    regexes = list(raw.get("regexes", []))
    stopwords = [str(w).lower() for w in raw.get("stopwords", [])]
    if require_all and (raw.get("paths") or raw.get("commits")):
        return None  # a text has no path or commit, so the AND never holds
    if not regexes and not stopwords:
        return None
    return Allowlist(
        target,
        _union(regexes, f"{where}.regexes", eager) if regexes else None,
        _union([re2.escape(w) for w in stopwords], f"{where}.stopwords", eager, True)
        if stopwords
        else None,
        require_all,
    )


def _allowlists(raws: list[dict[str, Any]], where: str, eager: bool) -> tuple[Allowlist, ...]:
    out = []
    for i, raw in enumerate(raws):
        if (allowlist := _allowlist(raw, f"{where}[{i}]", eager)) is not None:
            out.append(allowlist)
    return tuple(out)


def parse_rule_set(data: bytes, version: str = "unknown", *, eager: bool = True) -> RuleSet:
    """Read a gitleaks configuration. Raises RuleSetError on a malformed file.

    `eager`: compile every regex now; a rule RE2 rejects is skipped and listed in `skipped`,
    the others still load. Otherwise each regex compiles on first use, and a rule RE2 rejects
    then finds nothing (tests/test_gitleaks_rules.py checks that the vendored set has none).
    """
    try:
        config = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RuleSetError(f"not a TOML file: {type(error).__name__}") from None
    raw_rules = config.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleSetError("no [[rules]] table")
    global_raw = config.get("allowlists", [])
    if "allowlist" in config:  # the older single-table spelling
        global_raw = [config["allowlist"], *global_raw]
    global_lists = _allowlists(
        [a for a in global_raw if not a.get("targetRules")], "allowlist", eager
    )
    targeted: dict[str, list[dict[str, Any]]] = {}
    for raw in global_raw:
        for rule_id in raw.get("targetRules", []):
            targeted.setdefault(rule_id, []).append(raw)

    rules: list[LeakRule] = []
    skipped: dict[str, str] = {}
    for index, raw in enumerate(raw_rules):
        rule_id = raw.get("id")
        if not isinstance(rule_id, str) or not rule_id:
            raise RuleSetError(f"rules[{index}]: no id")
        if rule_id in DISABLED:
            skipped[rule_id] = DISABLED[rule_id]
            continue
        if "regex" not in raw:
            skipped[rule_id] = "matches file names only; a prompt has none"
            continue
        try:
            regex = _compile(raw["regex"], f"rule {rule_id}", eager)
        except RuleSetError as error:
            skipped[rule_id] = str(error)
            continue
        group = int(raw.get("secretGroup", 0))
        compiled = regex.get() if eager else None
        if compiled is not None and group > compiled.groups:
            raise RuleSetError(f"rule {rule_id}: secretGroup {group} > {compiled.groups} groups")
        rules.append(
            LeakRule(
                rule_id,
                regex,
                group,
                float(raw.get("entropy", 0.0)),
                tuple(str(k).lower() for k in raw.get("keywords", [])),
                _allowlists(
                    [*raw.get("allowlists", []), *targeted.get(rule_id, [])],
                    f"rule {rule_id}",
                    eager,
                ),
            )
        )
    return RuleSet(tuple(rules), global_lists, skipped, version)


def load_rule_set() -> RuleSet:
    """The vendored rule set; each regex compiles when its rule first runs."""
    data = files("privacy_guard.detect").joinpath("data")
    source = json.loads(data.joinpath(SOURCE_FILE).read_text(encoding="utf-8"))
    version = f"gitleaks {source['version']} ({source['commit'][:12]})"
    return parse_rule_set(data.joinpath(RULES_FILE).read_bytes(), version, eager=False)


_LOCK = threading.Lock()
_LOADED: list[RuleSet] = []


def default_rule_set() -> RuleSet:
    """Read once per process, on first use (not at import: most imports never scan)."""
    if not _LOADED:
        with _LOCK:
            if not _LOADED:
                _LOADED.append(load_rule_set())
    return _LOADED[0]
