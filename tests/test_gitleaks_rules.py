"""The vendored gitleaks rule set: loading, the keyword prefilter, the rule semantics we honour
(secret group, entropy floor, allow-lists), offsets, and the update script.

Rule sets built in the tests are written here for the behaviour under test; provider formats
are tested in test_recognizer_secret_formats.py.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import string
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy_guard.detect.recognizers import gitleaks_rules
from privacy_guard.detect.recognizers.gitleaks import GitleaksRecognizer, shannon_entropy
from privacy_guard.detect.recognizers.gitleaks_rules import (
    RuleSet,
    RuleSetError,
    default_rule_set,
    parse_rule_set,
)

DATA = files("privacy_guard.detect").joinpath("data")
RNG = random.Random(11_2026)


def rand(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def recognizer(toml: str) -> GitleaksRecognizer:
    rule_set = parse_rule_set(toml.encode())
    return GitleaksRecognizer(lambda: rule_set)


def found(rec: GitleaksRecognizer, text: str) -> list[str]:
    return [text[s.start : s.end] for s in rec.find(text, "en")]


# ------------------------------------------------------------------------- the vendored file


def test_every_vendored_rule_compiles_or_is_listed_as_skipped_with_a_reason() -> None:
    data = DATA.joinpath("gitleaks.toml").read_bytes()
    ids = [rule["id"] for rule in tomllib.loads(data.decode())["rules"]]
    rule_set = parse_rule_set(data)  # eager: RE2 compiles every regex now
    loaded = [rule.id for rule in rule_set.rules]
    assert len(ids) > 200
    assert sorted(loaded + list(rule_set.skipped)) == sorted(ids)
    # The detector's copy compiles on first use; it runs the same rules, and each compiles.
    lazy = default_rule_set()
    assert [rule.id for rule in lazy.rules] == loaded and lazy.skipped == rule_set.skipped
    assert all(rule.regex.get() is not None for rule in lazy.rules)
    allowlists = [*lazy.allowlists, *(a for rule in lazy.rules for a in rule.allowlists)]
    lazies = [x for a in allowlists for x in (a.regex, a.stopwords) if x is not None]
    assert lazies and all(x.get() is not None for x in lazies)
    # Exactly these are skipped, and why: a path-only rule, and one replaced by our own.
    assert set(rule_set.skipped) == {"pkcs12-file", "kubernetes-secret-yaml"}
    assert "file names" in rule_set.skipped["pkcs12-file"]
    assert "secret_manifests" in rule_set.skipped["kubernetes-secret-yaml"]
    assert all(reason for reason in rule_set.skipped.values())


def test_vendored_file_matches_its_recorded_version_and_digest() -> None:
    source = json.loads(DATA.joinpath("gitleaks.source.json").read_text(encoding="utf-8"))
    data = DATA.joinpath("gitleaks.toml").read_bytes()
    assert source["sha256"] == hashlib.sha256(data).hexdigest()
    assert default_rule_set().version == f"gitleaks {source['version']} ({source['commit'][:12]})"
    assert "MIT License" in DATA.joinpath("gitleaks.LICENSE").read_text(encoding="utf-8")


def test_a_rule_re2_rejects_is_skipped_and_named_the_others_still_load() -> None:
    toml = b"""
[[rules]]
id = "lookahead"
regex = '''foo(?=bar)'''
keywords = ["foo"]

[[rules]]
id = "fine"
regex = '''zz_[a-z]{8}'''
keywords = ["zz_"]
"""
    rule_set = parse_rule_set(toml)
    assert [r.id for r in rule_set.rules] == ["fine"]
    assert "RE2 rejects it" in rule_set.skipped["lookahead"]
    # Parsed lazily, the rule stays listed but finds nothing; the other still works.
    lazy = parse_rule_set(toml, eager=False)
    assert [r.id for r in lazy.rules] == ["lookahead", "fine"]
    rec = GitleaksRecognizer(lambda: lazy)
    assert found(rec, "foobar zz_abcdefgh") == ["zz_abcdefgh"]
    assert lazy.rules[0].regex.error


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (b"rules = [", "not a TOML file"),
        (b"title = 'x'", "no [[rules]] table"),
        (b"[[rules]]\nregex = 'x'\n", "no id"),
        (b"[[rules]]\nid = 'a'\nregex = '(x)'\nsecretGroup = 2\n", "secretGroup"),
        (
            b"[[rules]]\nid = 'a'\nregex = 'x'\n[[rules.allowlists]]\nregexTarget = 'z'\n",
            "regexTarget",
        ),
    ],
)
def test_malformed_rule_files_raise_a_typed_error(toml: bytes, message: str) -> None:
    with pytest.raises(RuleSetError, match=re.escape(message)):
        parse_rule_set(toml)


# ---------------------------------------------------------------------------- the prefilter

_GATED = """
[[rules]]
id = "pin"
regex = '''\\b\\d{6}\\b'''
keywords = ["pin-code"]

[[rules]]
id = "keyboard"
regex = '''kb_[a-z0-9]{10}'''
keywords = ["keyboard"]

[[rules]]
id = "key"
regex = '''ky_[a-z0-9]{10}'''
keywords = ["key"]
"""


def test_a_rule_runs_only_when_one_of_its_keywords_is_in_the_text() -> None:
    rec = recognizer(_GATED)
    # The regex alone would match: only the missing keyword keeps the rule from running.
    assert found(rec, "call 493817 today") == []
    assert rec.rules_for(b"call 493817 today") == []
    assert found(rec, "PIN-CODE 493817") == ["493817"]  # keywords match in any case
    assert [r.id for r in rec.rules_for(b"the Pin-Code")] == ["pin"]


def test_every_keyword_is_seen_even_inside_a_longer_one() -> None:
    # "key" occurs inside "keyboard": both rules run, as with gitleaks' Aho-Corasick prefilter.
    rec = recognizer(_GATED)
    assert [r.id for r in rec.rules_for(b"keyboard")] == ["keyboard", "key"]
    assert found(rec, "keyboard ky_a1b2c3d4e5") == ["ky_a1b2c3d4e5"]


def test_a_rule_without_keywords_runs_on_every_text() -> None:
    rec = recognizer("[[rules]]\nid = 'any'\nregex = '''qq[0-9]{6}'''\n")
    assert found(rec, "ref qq123456") == ["qq123456"]


def test_on_ordinary_prompts_the_prefilter_leaves_few_of_the_rules() -> None:
    rec = GitleaksRecognizer()
    total = len(rec.rule_set.rules)
    prompts = [
        "Can you write a polite follow-up to the supplier? They haven't replied since Monday.",
        "Résume ce compte rendu de réunion en trois points, s'il te plaît.",
        "def add(a, b):\n    return a + b\n\nprint(add(2, 3))",
    ]
    for prompt in prompts:
        assert len(rec.rules_for(prompt.encode())) <= 5 < total


# ---------------------------------------------------------------------- rule semantics


def test_secret_group_first_non_empty_group_and_whole_match() -> None:
    rec = recognizer(
        """
[[rules]]
id = "explicit"
regex = '''(alpha|beta)=([A-Z]{12})'''
secretGroup = 2
keywords = ["alpha", "beta"]

[[rules]]
id = "first"
regex = '''(?:gamma=([a-z]{12})|delta=([a-z]{12}))'''
keywords = ["gamma", "delta"]

[[rules]]
id = "whole"
regex = '''ww_[0-9]{8}'''
keywords = ["ww_"]
"""
    )
    text = "alpha=QWERTYUIOPAS delta=qwertyuiopas ww_12345678"
    assert sorted(found(rec, text)) == ["QWERTYUIOPAS", "qwertyuiopas", "ww_12345678"]


def test_entropy_floor_is_strict_as_in_gitleaks() -> None:
    rec = recognizer(
        "[[rules]]\nid = 'e'\nregex = '''ee_([a-z]{8})'''\nentropy = 2.0\nkeywords = ['ee_']\n"
    )
    assert shannon_entropy("aabbaabb") == 1.0
    assert shannon_entropy("abcdabcd") == 2.0
    assert found(rec, "ee_aabbaabb") == []
    assert found(rec, "ee_abcdabcd") == []  # equal to the floor: dropped
    assert found(rec, "ee_abcdefgh") == ["abcdefgh"]


def test_allowlists_global_and_per_rule_with_their_targets() -> None:
    rec = recognizer(
        """
[allowlist]
stopwords = ["sample"]
paths = ['''\\.md$''']

[[rules]]
id = "tok"
regex = '''tk_([a-z0-9]{12})'''
keywords = ["tk_"]
[[rules.allowlists]]
regexes = ['''^0+[a-z]+$''']
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''fixture''']
[[rules.allowlists]]
regexTarget = "match"
regexes = ['''^tk_9''']
[[rules.allowlists]]
condition = "AND"
paths = ['''test''']
regexes = ['''.''']
"""
    )
    assert found(rec, "tk_a8c3x9samplez") == []  # global stop word in the secret
    assert found(rec, "tk_000000abcdef") == []  # rule regex on the secret
    assert found(rec, "fixture: tk_a8c3x9q2w7z1") == []  # rule regex on the line
    assert found(rec, "tk_9a8c3x9q2w7z") == []  # rule regex on the whole match
    # The AND allow-list needs a path, which a text never has: it lets nothing through.
    assert found(rec, "next line\ntk_a8c3x9q2w7z1") == ["a8c3x9q2w7z1"]


def test_offsets_are_string_offsets_after_non_ascii_text() -> None:
    token = "ghp_" + rand(36)
    text = f"Bonjour Zoé, voilà le jeton 🔑 {token} — merci"
    spans = [s for s in GitleaksRecognizer().find(text, "fr")]
    assert [(s.start, s.end) for s in spans] == [(text.index(token), text.index(token) + 40)]


def test_the_span_runs_to_the_end_of_a_token_the_rule_matched_the_start_of() -> None:
    rec = recognizer("[[rules]]\nid = 'p'\nregex = '''pre-fix-ABC'''\nkeywords = ['pre-fix-']\n")
    assert found(rec, "x pre-fix-ABCdef+/9= y") == ["pre-fix-ABCdef+/9="]


# ----------------------------------------------------------------------- the update script


def test_update_script_replaces_the_files_only_when_the_new_set_compiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "update_gitleaks_rules",
        Path(__file__).resolve().parents[1] / "scripts" / "update_gitleaks_rules.py",
    )
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setattr(script, "DATA", tmp_path)

    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]]\nregex = 'x'\n")
    assert script.main([str(bad), "--version", "v0", "--commit", "0" * 40]) == 1
    assert not (tmp_path / gitleaks_rules.RULES_FILE).exists()

    good = tmp_path / "new.toml"
    good.write_text("[[rules]]\nid = 'a'\nregex = '''aa_[0-9]{9}'''\nkeywords = ['aa_']\n")
    assert script.main([str(good), "--version", "v9.9.9", "--commit", "f" * 40]) == 0
    written = (tmp_path / gitleaks_rules.RULES_FILE).read_bytes()
    assert written == good.read_bytes()
    source = json.loads((tmp_path / gitleaks_rules.SOURCE_FILE).read_text())
    assert source["version"] == "v9.9.9"
    assert source["sha256"] == hashlib.sha256(written).hexdigest()
    assert isinstance(parse_rule_set(written), RuleSet)


# ---------------------------------------------------------------------------- robustness

_KEYWORDS = sorted({k for rule in default_rule_set().rules for k in rule.keywords})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_KEYWORDS),
            st.sampled_from(["=", ": ", " = '", '"', "\n", "\\n", "Q~", "-", "_"]),
            st.text(string.ascii_letters + string.digits + "+/=_-", min_size=1, max_size=80),
            st.text(max_size=40),
        ),
        max_size=14,
    )
)
def test_any_text_gives_spans_inside_it_and_never_an_error(parts: list[str]) -> None:
    text = "".join(parts)
    for span in GitleaksRecognizer().find(text, "en"):
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end].strip() == text[span.start : span.end]
