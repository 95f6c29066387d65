"""Score detector findings against a labelled dataset (recall, precision, clean-text flags).

Pure logic: no Detector, no console output. A dataset is JSONL, one example a line:
``{"text": str, "spans": [{"start": int, "end": int, "label": str}], "id"?: str,
"language"?: str, "tags"?: [str]}`` with offsets in Python string indices of ``text``.

Matching rules (per example, on half-open ``[start, end)`` offsets):

* a gold span is **found** when some finding with the same label overlaps it by >= 1 character;
* a gold span is **boundary-accurate** ("exact") when one same-label finding covers >= 90 % of
  it and spills over it by no more than 20 % of the gold span's length;
* a finding is a **true positive** when it overlaps a gold span with the same label, otherwise a
  **false positive** -- including findings whose type never appears as a gold label (DATE_TIME).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from privacy_guard.errors import PrivacyGuardError

# boundary accuracy thresholds, as fractions of the gold span's length (integers: no float drift)
EXACT_MIN_COVERAGE = (9, 10)
EXACT_MAX_SPILL = (1, 5)

STRUCTURED_LABELS = frozenset(
    {
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "IBAN_CODE",
        "CREDIT_CARD",
        "FR_NIR",
        "FR_SIREN",
        "FR_SIRET",
        "CH_AHV",
        "CH_UID",
        "EU_VAT",
        "IP_ADDRESS",
        "US_SSN",
        # European national identifiers, wallets and MAC addresses (issue 11)
        "UK_NHS",
        "UK_NINO",
        "IT_FISCAL_CODE",
        "IT_VAT_CODE",
        "ES_NIF",
        "ES_NIE",
        "PL_PESEL",
        "FI_PERSONAL_IDENTITY_CODE",
        "SE_PERSONNUMMER",
        "DE_TAX_ID",
        "DE_SOCIAL_SECURITY",
        "DE_ID_CARD",
        "DE_PASSPORT",
        "AT_SVNR",
        "BE_NATIONAL_NUMBER",
        "NL_BSN",
        "LI_PEID",
        "LU_NATIONAL_ID",
        "CRYPTO",
        "MAC_ADDRESS",
    }
)


class DatasetError(PrivacyGuardError):
    """A dataset line is malformed. The message names the line and the problem, never the text."""


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    spans: tuple[GoldSpan, ...]
    language: str | None = None
    tags: tuple[str, ...] = ()


class FindingLike(Protocol):
    entity_type: str
    start: int
    end: int


# --------------------------------------------------------------------------- loading


def load_dataset(path: str | Path) -> list[Example]:
    """Read a JSONL dataset; blank lines are skipped. Raises `DatasetError` on any bad line."""
    examples: list[Example] = []
    seen_ids: set[str] = set()
    try:
        with open(path, encoding="utf-8") as handle:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                example = parse_example(line, line_no)
                if example.id in seen_ids:
                    raise DatasetError(f"line {line_no}: duplicate id")
                seen_ids.add(example.id)
                examples.append(example)
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from None
    return examples


def parse_example(line: str, line_no: int) -> Example:
    """Parse and validate one JSONL line (``line_no`` is only used in error messages)."""

    def fail(problem: str) -> DatasetError:
        return DatasetError(f"line {line_no}: {problem}")

    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise fail(f"invalid JSON at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise fail("expected a JSON object")
    text = obj.get("text")
    if not isinstance(text, str):
        raise fail('"text" must be a string')
    raw_spans = obj.get("spans", [])
    if not isinstance(raw_spans, list):
        raise fail('"spans" must be a list')
    spans = tuple(_parse_span(raw, i, len(text), fail) for i, raw in enumerate(raw_spans))
    example_id = obj.get("id", str(line_no))
    if not isinstance(example_id, str | int) or isinstance(example_id, bool):
        raise fail('"id" must be a string')
    language = obj.get("language")
    if language is not None and not isinstance(language, str):
        raise fail('"language" must be a string or null')
    tags = obj.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise fail('"tags" must be a list of strings')
    return Example(str(example_id), text, spans, language, tuple(tags))


def _parse_span(
    raw: Any, index: int, text_len: int, fail: Callable[[str], DatasetError]
) -> GoldSpan:
    if not isinstance(raw, dict):
        raise fail(f"span {index} must be an object")
    start, end, label = raw.get("start"), raw.get("end"), raw.get("label")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise fail(f'span {index}: "start" and "end" must be integers')
    if not isinstance(label, str) or not label:
        raise fail(f'span {index}: "label" must be a non-empty string')
    if start >= end:
        raise fail(f"span {index}: empty or reversed offsets {start}..{end}")
    if start < 0 or end > text_len:
        raise fail(f"span {index}: offsets {start}..{end} outside the text (length {text_len})")
    return GoldSpan(start, end, label)


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class _Pred:
    label: str
    start: int
    end: int


def _as_pred(finding: FindingLike | Mapping[str, Any]) -> _Pred:
    """Accept a `Finding` (or anything with the same attributes) or its `to_dict()` form."""
    if isinstance(finding, Mapping):
        return _Pred(str(finding["entity_type"]), int(finding["start"]), int(finding["end"]))
    return _Pred(finding.entity_type, finding.start, finding.end)


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def is_boundary_accurate(gold: GoldSpan, start: int, end: int) -> bool:
    """True when [start, end) covers >= 90 % of `gold` and spills over it by <= 20 % of it."""
    length = gold.end - gold.start
    inside = _overlap(gold.start, gold.end, start, end)
    spill = (end - start) - inside
    (cov_num, cov_den), (spill_num, spill_den) = EXACT_MIN_COVERAGE, EXACT_MAX_SPILL
    return inside * cov_den >= cov_num * length and spill * spill_den <= spill_num * length


# --------------------------------------------------------------------------- report


@dataclass
class Rate:
    """`hit` out of `total`; `rate` is None when there is nothing to measure."""

    total: int = 0
    hit: int = 0

    @property
    def rate(self) -> float | None:
        return self.hit / self.total if self.total else None

    def add(self, hit: bool) -> None:
        self.total += 1
        self.hit += int(hit)

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "hit": self.hit, "rate": _round(self.rate)}


@dataclass
class EntityStats:
    """Counts for one label; `predicted`/`true_pos` count findings over all examples."""

    support: int = 0
    found: int = 0
    exact: int = 0
    predicted: int = 0
    true_pos: int = 0

    @property
    def recall(self) -> float | None:
        return self.found / self.support if self.support else None

    @property
    def exact_recall(self) -> float | None:
        return self.exact / self.support if self.support else None

    @property
    def precision(self) -> float | None:
        return self.true_pos / self.predicted if self.predicted else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "support": self.support,
            "found": self.found,
            "exact": self.exact,
            "recall": _round(self.recall),
            "exact_recall": _round(self.exact_recall),
            "predicted": self.predicted,
            "true_pos": self.true_pos,
            "precision": _round(self.precision),
        }


@dataclass
class EvalReport:
    """Everything `evaluate` measures. Rates are None when their denominator is zero.

    `groups` are recalls over gold spans matching the project targets: ``structured``,
    ``secrets``, ``health``, ``person_en``/``person_fr`` (by example language), ``addresses``
    (LOCATION), ``obfuscated`` and ``documents`` (spans of examples with those tags).
    `tags` holds the recall over the spans of the examples carrying each tag.
    `precision` counts findings in examples that have at least one gold span; clean examples
    (no gold span) are measured by `clean_texts_flagged` instead.
    """

    examples: int = 0
    entities: dict[str, EntityStats] = field(default_factory=dict)
    tags: dict[str, Rate] = field(default_factory=dict)
    groups: dict[str, Rate] = field(default_factory=dict)
    exact_groups: dict[str, Rate] = field(default_factory=dict)
    precision: Rate = field(default_factory=Rate)
    clean_texts: int = 0
    clean_texts_flagged: int = 0

    @property
    def clean_share_without_findings(self) -> float | None:
        if not self.clean_texts:
            return None
        return (self.clean_texts - self.clean_texts_flagged) / self.clean_texts

    @property
    def recall(self) -> Rate:
        return Rate(
            sum(s.support for s in self.entities.values()),
            sum(s.found for s in self.entities.values()),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "recall": self.recall.to_dict(),
            "precision": self.precision.to_dict(),
            "clean_texts": self.clean_texts,
            "clean_texts_flagged": self.clean_texts_flagged,
            "clean_share_without_findings": _round(self.clean_share_without_findings),
            "groups": {name: rate.to_dict() for name, rate in sorted(self.groups.items())},
            "exact_groups": {
                name: rate.to_dict() for name, rate in sorted(self.exact_groups.items())
            },
            "entities": {name: s.to_dict() for name, s in sorted(self.entities.items())},
            "tags": {name: rate.to_dict() for name, rate in sorted(self.tags.items())},
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def span_groups(label: str, example: Example) -> list[str]:
    """The target groups a gold span of `label` in `example` counts towards."""
    groups: list[str] = []
    if label in STRUCTURED_LABELS:
        groups.append("structured")
    elif label == "SECRET":
        groups.append("secrets")
    elif label == "HEALTH":
        groups.append("health")
    elif label == "LOCATION":
        groups.append("addresses")
    elif label == "PERSON":
        lang = (example.language or "").lower()[:2]
        if lang in ("en", "fr"):
            groups.append(f"person_{lang}")
    if "obfuscated" in example.tags:
        groups.append("obfuscated")
    if "document" in example.tags:
        groups.append("documents")
    return groups


def evaluate(
    examples: Sequence[Example],
    findings_per_example: Sequence[Iterable[FindingLike | Mapping[str, Any]]],
) -> EvalReport:
    """Match findings to gold spans example by example (rules in the module docstring)."""
    if len(examples) != len(findings_per_example):
        raise ValueError(
            f"{len(examples)} examples but {len(findings_per_example)} lists of findings"
        )
    report = EvalReport(examples=len(examples))
    entities: defaultdict[str, EntityStats] = defaultdict(EntityStats)
    tags: defaultdict[str, Rate] = defaultdict(Rate)
    groups: defaultdict[str, Rate] = defaultdict(Rate)
    exact_groups: defaultdict[str, Rate] = defaultdict(Rate)

    for example, findings in zip(examples, findings_per_example, strict=True):
        preds = [_as_pred(f) for f in findings]
        for gold in example.spans:
            same = [p for p in preds if p.label == gold.label]
            found = any(_overlap(gold.start, gold.end, p.start, p.end) for p in same)
            exact = any(is_boundary_accurate(gold, p.start, p.end) for p in same)
            stats = entities[gold.label]
            stats.support += 1
            stats.found += int(found)
            stats.exact += int(exact)
            for tag in example.tags:
                tags[tag].add(found)
            for group in span_groups(gold.label, example):
                groups[group].add(found)
                exact_groups[group].add(exact)
        for pred in preds:
            true_pos = any(
                g.label == pred.label and _overlap(g.start, g.end, pred.start, pred.end)
                for g in example.spans
            )
            entities[pred.label].predicted += 1
            entities[pred.label].true_pos += int(true_pos)
            if example.spans:
                report.precision.add(true_pos)
        if not example.spans:
            report.clean_texts += 1
            report.clean_texts_flagged += int(bool(preds))

    report.entities = dict(entities)
    report.tags = dict(tags)
    report.groups = dict(groups)
    report.exact_groups = dict(exact_groups)
    return report
