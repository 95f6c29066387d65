"""What gitleaks' rule set costs per text, and that the keyword prefilter keeps it flat.

In one process, on the same texts (the dev set's prompts, split by length):

* **prefilter**: the vendored rules behind the one-pass keyword set, as the detector runs them;
* **every rule**: the same rules, each regex run on every text (no prefilter): the baseline;
* **x4, x16**: the vendored set plus 3 or 15 copies of every rule under keywords no text holds,
  behind the prefilter. With the prefilter, per-text cost should barely move as the rule count
  grows; without it, it grows with the rules.

Usage: ``python bench/secret_rules_bench.py [--devset PATH] [--repeat N]``. Prints microseconds per
text (best of N passes, CPU time of this process); the machine is shared, so compare columns of
one run, not runs.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from privacy_guard.detect.recognizers.gitleaks import GitleaksRecognizer
from privacy_guard.detect.recognizers.gitleaks_rules import RuleSet, default_rule_set

DEVSET = Path(__file__).resolve().parents[1] / "tests" / "data" / "devset.jsonl"


class _EveryRule(GitleaksRecognizer):
    """The baseline: no prefilter, every rule's regex on every text."""

    def rules_for(self, data: bytes) -> list:  # type: ignore[type-arg]
        return list(self.rule_set.rules)


def _multiplied(rule_set: RuleSet, factor: int) -> RuleSet:
    rules = list(rule_set.rules)
    for copy in range(1, factor):
        rules += [
            replace(rule, id=f"{rule.id}-copy{copy}", keywords=(f"zq{copy}x{i}kw",))
            for i, rule in enumerate(rule_set.rules)
        ]
    return replace(rule_set, rules=tuple(rules))


def _per_text_us(recognizer: GitleaksRecognizer, texts: list[str], repeat: int) -> float:
    recognizer.find("warm up", "en")
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for text in texts:
            recognizer.find(text, "en")
        best = min(best, time.process_time() - start)
    return best / len(texts) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in args.devset.open(encoding="utf-8")]
    groups = {
        "prompts <= 300 chars": [t for t in texts if len(t) <= 300],
        "texts 300-3000 chars": [t for t in texts if 300 < len(t) <= 3000],
    }
    base = default_rule_set()
    engines = {
        "prefilter": GitleaksRecognizer(lambda: base),
        "every rule": _EveryRule(lambda: base),
        "x4 rules, prefilter": GitleaksRecognizer(lambda: _multiplied(base, 4)),
        "x16 rules, prefilter": GitleaksRecognizer(lambda: _multiplied(base, 16)),
    }
    print(
        f"{len(base.rules)} rules ({base.version}); CPU microseconds per text, best of "
        f"{args.repeat}"
    )
    header = f"{'':24}" + "".join(f"{name:>22}" for name in engines)
    print(header)
    for label, group in groups.items():
        cells = [_per_text_us(engine, group, args.repeat) for engine in engines.values()]
        print(f"{label + f' ({len(group)})':24}" + "".join(f"{c:>22.1f}" for c in cells))
    rules_run = [
        len(engines["prefilter"].rules_for(t.encode())) for t in groups["prompts <= 300 chars"]
    ]
    print(
        f"rules run per short prompt: mean {sum(rules_run) / len(rules_run):.1f}, "
        f"max {max(rules_run)} of {len(base.rules)}"
    )


if __name__ == "__main__":
    main()
