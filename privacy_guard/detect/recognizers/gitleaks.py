"""SECRET: the provider tokens of gitleaks' maintained rule set, behind one keyword prefilter.

Each gitleaks rule lists keywords (`"ghp_"`, `"heroku"`, `"q~"`): a rule can only match a text
that contains one of its keywords. So every keyword of every rule goes into one RE2 set, which
reads the text once and answers which keywords occur; only the rules of those keywords run. A
prompt that names no provider costs one pass, however many rules the set holds.

A finding is the rule's secret group (`secretGroup`, else the first non-empty capture group,
else the whole match), kept when its Shannon entropy is above the rule's floor and no allow-list
(gitleaks' global one, the rule's own, then ours: `is_placeholder`) lets it through.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import re2

from privacy_guard.detect.recognizers.gitleaks_rules import LeakRule, RuleSet, default_rule_set
from privacy_guard.detect.recognizers.secret_values import (
    HEX,
    PRIORITY,
    SECRET,
    UUID,
    is_placeholder,
    is_wordy,
    names_a_secret,
    near_hash_word,
)
from privacy_guard.detect.types import Span

__all__ = ["GitleaksRecognizer", "shannon_entropy"]

# generic-api-key reads any `key = value` with an entropy floor: weaker than a provider prefix.
_SCORE: Final = 0.9
_GENERIC_SCORE: Final = 0.7
# A rule that matches a token's start only (`bedrock-api-key-YmVkcm9jay5h...`, fixed-length
# bodies) leaves the rest of the token unredacted: the span runs on to the token's end.
_TOKEN_TAIL: Final = re2.compile(rb"[A-Za-z0-9+/=_-]*")
_QUOTES: Final = b"\"'`"


def shannon_entropy(value: str) -> float:
    """Bits per character, as gitleaks computes it (over characters, not bytes)."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule_set: RuleSet
    keywords: Any | None  # re2.Set of every keyword, case-insensitive; None: no keyword at all
    rules_of_keyword: tuple[tuple[int, ...], ...]  # keyword index -> indices into rules
    always: tuple[int, ...]  # rules without keywords run on every text


def _compile(rule_set: RuleSet) -> _Compiled:
    index_of: dict[str, int] = {}
    rules_of: list[list[int]] = []
    always: list[int] = []
    for i, rule in enumerate(rule_set.rules):
        if not rule.keywords:
            always.append(i)
        for keyword in rule.keywords:
            if keyword not in index_of:
                index_of[keyword] = len(rules_of)
                rules_of.append([])
            rules_of[index_of[keyword]].append(i)
    keywords = None
    if index_of:
        options = re2.Options()
        options.case_sensitive = False
        keywords = re2.Set.SearchSet(options)
        for keyword in index_of:  # insertion order: the set's index is the keyword's index
            keywords.Add(re2.escape(keyword))
        keywords.Compile()
    return _Compiled(rule_set, keywords, tuple(map(tuple, rules_of)), tuple(always))


class GitleaksRecognizer:
    """Runs a gitleaks rule set (the vendored one unless given another) on a text."""

    name = "secret_gitleaks"
    entities = (SECRET,)

    def __init__(self, rule_set: Callable[[], RuleSet] = default_rule_set) -> None:
        self._load = rule_set
        self._lock = threading.Lock()
        self._compiled: _Compiled | None = None

    @property
    def rule_set(self) -> RuleSet:
        return self._ready().rule_set

    def warm_up(self) -> None:
        """Compile every rule's regexes and allow-lists now (about 40 ms): a process that
        serves requests meets most rules' keywords sooner or later, and each first compile
        otherwise lands on a request."""
        rule_set = self.rule_set
        lists = [*rule_set.allowlists, *(a for rule in rule_set.rules for a in rule.allowlists)]
        for rule in rule_set.rules:
            rule.regex.get()
        for allowlist in lists:
            for lazy in (allowlist.regex, allowlist.stopwords):
                if lazy is not None:
                    lazy.get()

    def _ready(self) -> _Compiled:
        if self._compiled is None:
            with self._lock:
                if self._compiled is None:
                    self._compiled = _compile(self._load())
        return self._compiled

    def rules_for(self, data: bytes) -> list[LeakRule]:
        """The rules whose keywords occur in `data` (UTF-8), in rule-set order: one pass."""
        compiled = self._ready()
        wanted = set(compiled.always)
        if compiled.keywords is not None:
            for keyword in compiled.keywords.Match(data) or ():
                wanted.update(compiled.rules_of_keyword[keyword])
        return [compiled.rule_set.rules[i] for i in sorted(wanted)]

    def find(self, text: str, language: str) -> list[Span]:
        data = text.encode("utf-8")
        rules = self.rules_for(data)
        if not rules:
            return []
        offsets = _CharOffsets(text, data)
        spans = []
        for rule in rules:
            for start, end in self._secrets(rule, data):
                spans.append(
                    Span(
                        SECRET,
                        offsets(start),
                        offsets(end),
                        _GENERIC_SCORE if rule.id.startswith("generic") else _SCORE,
                        PRIORITY,
                    )
                )
        return spans

    def _secrets(self, rule: LeakRule, data: bytes) -> list[tuple[int, int]]:
        """Byte spans of the rule's secrets in `data` that pass its checks."""
        found: list[tuple[int, int]] = []
        regex = rule.regex.get()
        if regex is None:  # RE2 rejected it: the rule finds nothing
            return found
        global_lists = self._ready().rule_set.allowlists
        for match in regex.finditer(data):
            start, end = match.span()
            while start < end and data[start] == 0x0A:  # gitleaks trims newlines off a match
                start += 1
            while end > start and data[end - 1] == 0x0A:
                end -= 1
            s_start, s_end = _secret_span(rule, match, start, end)
            if s_end <= s_start:
                continue
            s_end = _TOKEN_TAIL.match(data, s_end).end()  # type: ignore[union-attr]
            quote = data[s_start]
            if s_end - s_start > 2 and quote in _QUOTES and data[s_end - 1] == quote:
                s_start, s_end = s_start + 1, s_end - 1  # hashicorp-tf-password's group: "x"
            secret_bytes = data[s_start:s_end]
            secret = secret_bytes.decode("utf-8", "replace")
            if rule.entropy and shannon_entropy(secret) <= rule.entropy:
                continue
            line_start = data.rfind(b"\n", 0, start) + 1
            line_end = data.find(b"\n", end)
            line = data[line_start : len(data) if line_end < 0 else line_end]
            matched = data[start:end]
            if any(a.allows(secret_bytes, matched, line) for a in global_lists):
                continue
            if any(a.allows(secret_bytes, matched, line) for a in rule.allowlists):
                continue
            if is_placeholder(secret.strip("'\"`")):
                continue
            if _digest(secret, data, s_start, s_end) or (
                rule.id.startswith("generic") and _not_generic_secret(secret)
            ):
                continue
            found.append((s_start, s_end))
        return found


_PUBLIC: Final = ("pk_live_", "pk_test_")
_CAPITALISED_WORD: Final = re.compile(r"[A-Z][a-z]{3,}")


def _identifier(secret: str) -> bool:
    """Words joined as code names things (`x509_safe_environment_headers`,
    `Ipv6CidrAssociations`); a random token that merely reads like words (`aiuy9q0fpzi`) has
    neither separators nor capitalised words."""
    if not is_wordy(secret):
        return False
    return any(c in "_.-" for c in secret) or len(_CAPITALISED_WORD.findall(secret)) >= 2


def _digest(secret: str, data: bytes, start: int, end: int) -> bool:
    """Hex next to "sha256", "commit", "checksum": a digest, though sourcegraph-access-token
    takes any 40 hex digits in a text that names Sourcegraph."""
    if HEX.fullmatch(secret) is None:
        return False
    around = data[max(0, start - 64) : end + 32].decode("utf-8", "replace")
    return near_hash_word(around, 0, len(around))


def _not_generic_secret(secret: str) -> bool:
    """What `key = value` rules take that is not a secret: a UUID (a request or change id), a
    publishable key, an identifier naming a secret or made of words."""
    if secret.startswith(_PUBLIC) or names_a_secret(secret) or _identifier(secret):
        return True  # pk_live_..., auth_token, x509_safe_environment_headers
    return UUID.fullmatch(secret) is not None


def _secret_span(rule: LeakRule, match: Any, start: int, end: int) -> tuple[int, int]:
    groups = match.re.groups
    if groups == 0:
        return start, end
    if 0 < rule.secret_group <= groups:
        g_start, g_end = match.span(rule.secret_group)
    else:
        g_start, g_end = start, end
        for group in range(1, groups + 1):
            a, b = match.span(group)
            if b > a >= 0:
                g_start, g_end = a, b
                break
    return max(g_start, start), min(g_end, end)


class _CharOffsets:
    """Byte offsets into the UTF-8 text -> str offsets (the same when the text is ASCII)."""

    def __init__(self, text: str, data: bytes) -> None:
        self._data = data
        self._ascii = len(data) == len(text)

    def __call__(self, offset: int) -> int:
        if self._ascii:
            return offset
        return len(self._data[:offset].decode("utf-8", "replace"))


RECOGNIZERS: Final = (GitleaksRecognizer(),)
