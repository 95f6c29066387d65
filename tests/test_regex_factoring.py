"""The factored form of a huge alternation matches exactly what the original matches."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from importlib import resources

import pytest

from privacy_guard.detect.regex_factoring import factor_alternation, factored_compile

LETTERS = "[a-zà-öø-ÿ" + "".join(chr(c) for c in range(0x100, 0x17F)) + "]"


def _samples(rng: random.Random, heads: list[str]) -> list[str]:
    samples = []
    for head in heads:
        for separator in ("-", "'", "’", "–", ""):
            for tail in ("", "a", "vampire", "Été", "x-y", "ça'b", "1", "a\n", "AB", "é'"):
                word = head + separator + tail
                samples += [word, word.upper(), word.capitalize(), " " + word]
    noise = ("".join(rng.choice("ab-'é1 ") for _ in range(rng.randint(0, 8))) for _ in range(500))
    samples += list(noise)
    return samples


def test_a_factored_alternation_matches_exactly_what_the_original_matches() -> None:
    heads = ["anti", "arc", "archi", "contre", "entr", "grand", "a", "ab"]
    alternatives = [f"^{h}[-–]{LETTERS}[{LETTERS[1:-1]}'’-]*$" for h in heads]
    alternatives += [f"^{h}['’]{LETTERS}+$" for h in heads[:4]]
    alternatives += ["^e-mail$", "^(?:peut|est)-(?:être|ce)$"]
    pattern = "(?iu)" + "|".join(f"(?:{a})" for a in alternatives)
    factored = factor_alternation(pattern, long_class=100)
    assert factored is not None and len(factored) < len(pattern) / 3
    original, rewritten = re.compile(pattern), re.compile(factored)
    samples = _samples(random.Random(7), [*heads, "peut", "e"])
    matched = 0
    for sample in samples:
        a, b = original.match(sample), rewritten.match(sample)
        assert (a and a.span()) == (b and b.span()), sample
        matched += a is not None
    assert matched > 100  # the samples exercise both outcomes


@pytest.mark.parametrize(
    "pattern",
    [
        "(a)[bc]|(a)[bc]",  # capturing groups would be renumbered
        "(?P<x>a)[bc]|(?:d)[bc]",
        "(?:a)\\1[bc]|(?:d)[bc]",  # a backreference
        "(?:a)[bc]|(?:d)[xy]",  # no tail in common: nothing to gain
        "(?:a[bc]|(?:d[bc]",  # unbalanced
    ],
)
def test_patterns_that_cannot_be_factored_safely_are_left_alone(pattern: str) -> None:
    assert factor_alternation(pattern, long_class=4) is None


def test_only_huge_patterns_are_rewritten_and_compile_is_restored() -> None:
    big = "|".join(f"(?:^w{i}-[a-z]+$)" for i in range(3))
    with factored_compile(min_length=len(big)):
        small = re.compile("^w0-[a-z]+$")
        rewritten = re.compile(big)
    assert small.pattern == "^w0-[a-z]+$"
    assert rewritten.pattern != big and rewritten.match("w2-abc") and not rewritten.match("w3-a")
    assert re.compile is not None and re.compile.__module__ == "re"


def test_the_french_tokenizer_splits_words_as_spacy_would() -> None:
    """Loaded through the factored compile, the French pipeline's word regex is the short form
    and answers like spaCy's own on the words it was written for."""
    import srsly

    from privacy_guard import Detector, DetectorConfig

    package = DetectorConfig().fr_model
    data_dir = next(p for p in resources.files(package).iterdir() if p.is_dir() and "-" in p.name)
    original_pattern = srsly.msgpack_loads(data_dir.joinpath("tokenizer").read_bytes())[
        "token_match"
    ]
    nlp = Detector(DetectorConfig())._ner.pipeline("fr")
    loaded = nlp.tokenizer.token_match.__self__
    assert len(loaded.pattern) < len(original_pattern) / 10
    original = re.compile(original_pattern)  # the slow way, once, as the reference
    heads = re.findall(r"\^([a-zàâçéèêëîïôûùüÿæœ'’ .]+)\[", original_pattern)
    assert len(heads) > 100
    samples = _samples(random.Random(3), heads)
    assert sum(1 for s in samples if original.match(s)) > 1000
    for sample in samples:
        a, b = original.match(sample), loaded.match(sample)
        assert (a and a.span()) == (b and b.span()), sample


def test_ties_between_recognizers_are_decided_the_same_in_every_process() -> None:
    """Two recognizers reporting one value with one score: the same winner whatever the hash
    seed (the overlap resolver used to follow a set's iteration order)."""
    code = (
        "from privacy_guard.detect.merge import resolve_overlaps\n"
        "from privacy_guard.detect.types import Span\n"
        "spans = [Span(e, 4, 13, 0.6, 1) for e in ('DE_PASSPORT', 'DE_ID_CARD', 'X_ID')]\n"
        "print(resolve_overlaps(spans)[0].entity_type)\n"
    )
    winners = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in range(8)
    }
    assert winners == {"DE_ID_CARD"}
