"""Matching rules and metrics of privacy_guard.evaluate, and the shape of the dev set."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from privacy_guard.evaluate import (
    DatasetError,
    EvalReport,
    Example,
    GoldSpan,
    evaluate,
    is_boundary_accurate,
    load_dataset,
)

DEVSET = Path(__file__).parent / "data" / "devset.jsonl"
ALL_LABELS = {
    "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "CREDIT_CARD", "IP_ADDRESS", "FR_NIR",
    "FR_SIREN", "FR_SIRET", "EU_VAT", "CH_AHV", "CH_UID", "US_SSN", "SECRET", "PERSON",
    "LOCATION", "HEALTH",
    # issue 11: European national identifiers, wallets, MAC addresses
    "UK_NHS", "UK_NINO", "IT_FISCAL_CODE", "IT_VAT_CODE", "ES_NIF", "ES_NIE", "PL_PESEL",
    "FI_PERSONAL_IDENTITY_CODE", "SE_PERSONNUMMER", "DE_TAX_ID", "DE_SOCIAL_SECURITY",
    "DE_ID_CARD", "DE_PASSPORT", "AT_SVNR", "BE_NATIONAL_NUMBER", "NL_BSN", "LI_PEID",
    "LU_NATIONAL_ID", "CRYPTO", "MAC_ADDRESS",
}  # fmt: skip


@dataclass(frozen=True)
class F:
    """A stand-in for privacy_guard.Finding (evaluate only reads these three fields)."""

    entity_type: str
    start: int
    end: int


def ex(text: str, *spans: tuple[int, int, str], language: str = "en", tags: tuple[str, ...] = ()):
    return Example("x", text, tuple(GoldSpan(*s) for s in spans), language, tags)


# ------------------------------------------------------------------------------- matching


def test_overlap_with_same_label_counts_as_found() -> None:
    example = ex("mail jean@example.fr now", (5, 20, "EMAIL_ADDRESS"))
    report = evaluate([example], [[F("EMAIL_ADDRESS", 10, 25)]])
    stats = report.entities["EMAIL_ADDRESS"]
    assert (stats.support, stats.found, stats.exact) == (1, 1, 0)
    assert (stats.predicted, stats.true_pos) == (1, 1)
    assert stats.recall == 1.0 and stats.precision == 1.0


def test_touching_but_not_overlapping_is_a_miss_and_a_false_positive() -> None:
    example = ex("0612345678 x", (0, 10, "PHONE_NUMBER"))
    report = evaluate([example], [[F("PHONE_NUMBER", 10, 12)]])
    assert report.entities["PHONE_NUMBER"].found == 0
    assert report.entities["PHONE_NUMBER"].true_pos == 0
    assert report.precision.rate == 0.0


def test_wrong_label_is_a_miss_and_a_false_positive() -> None:
    example = ex("SIRET 73282932000074", (6, 20, "FR_SIRET"))
    report = evaluate([example], [[F("FR_SIREN", 6, 15)]])
    assert report.entities["FR_SIRET"].recall == 0.0
    assert report.entities["FR_SIREN"].support == 0
    assert report.entities["FR_SIREN"].precision == 0.0
    assert report.entities["FR_SIREN"].recall is None


def test_unknown_types_are_false_positives() -> None:
    example = ex("Call Anna on Monday", (5, 9, "PERSON"))
    report = evaluate([example], [[F("PERSON", 5, 9), F("DATE_TIME", 13, 19)]])
    assert report.entities["DATE_TIME"].predicted == 1
    assert report.entities["DATE_TIME"].true_pos == 0
    assert (report.precision.hit, report.precision.total) == (1, 2)


@pytest.mark.parametrize(
    ("start", "end", "exact"),
    [
        (100, 200, True),  # identical
        (110, 200, True),  # covers exactly 90 %
        (111, 200, False),  # covers 89 %
        (80, 200, True),  # spills 20 %
        (79, 200, False),  # spills 21 %
        (95, 210, True),  # 5 + 10 spill
        (100, 150, False),
    ],
)
def test_boundary_accuracy(start: int, end: int, exact: bool) -> None:
    assert is_boundary_accurate(GoldSpan(100, 200, "X"), start, end) is exact


def test_one_long_finding_can_find_two_gold_spans_but_is_exact_for_neither() -> None:
    text = "Jean Dupont, 12 rue des Lilas"
    example = ex(text, (0, 11, "PERSON"), (13, 29, "PERSON"))
    report = evaluate([example], [[F("PERSON", 0, 29)]])
    stats = report.entities["PERSON"]
    assert (stats.support, stats.found, stats.exact, stats.predicted, stats.true_pos) == (
        2, 2, 0, 1, 1,
    )  # fmt: skip


def test_findings_may_be_dicts() -> None:
    example = ex("ip 10.0.0.1", (3, 11, "IP_ADDRESS"))
    finding = {"entity_type": "IP_ADDRESS", "start": 3, "end": 11, "score": 0.9}
    report = evaluate([example], [[finding]])
    assert report.entities["IP_ADDRESS"].exact == 1


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="2 examples but 1"):
        evaluate([ex("a"), ex("b")], [[]])


# ------------------------------------------------------------------------------- report


def _mixed_report() -> EvalReport:
    examples = [
        ex("Anna Meier", (0, 10, "PERSON"), language="en", tags=("lang:en",)),
        ex("Jean Roux", (0, 9, "PERSON"), language="fr", tags=("lang:fr", "document")),
        ex("x 0612345678", (2, 12, "PHONE_NUMBER"), language="fr", tags=("obfuscated",)),
        ex("key sk-abc", (4, 10, "SECRET")),
        ex("sous dialyse", (5, 12, "HEALTH"), language="fr"),
        ex("at 1 Main St", (3, 12, "LOCATION")),
        ex("haiku about Geneva"),
        ex("version 2.14.3"),
    ]
    findings = [
        [F("PERSON", 0, 10)],
        [],
        [F("PHONE_NUMBER", 2, 12)],
        [F("SECRET", 4, 10), F("URL", 0, 3)],
        [F("HEALTH", 5, 12)],
        [],
        [F("LOCATION", 12, 18)],
        [],
    ]
    return evaluate(examples, findings)


def test_groups_tags_and_clean_texts() -> None:
    report = _mixed_report()
    rate = {name: (r.hit, r.total) for name, r in report.groups.items()}
    assert rate == {
        "person_en": (1, 1),
        "person_fr": (0, 1),
        "documents": (0, 1),
        "structured": (1, 1),
        "obfuscated": (1, 1),
        "secrets": (1, 1),
        "health": (1, 1),
        "addresses": (0, 1),
    }
    assert report.exact_groups["structured"].rate == 1.0
    assert (report.tags["lang:fr"].hit, report.tags["lang:fr"].total) == (0, 1)
    assert report.tags["obfuscated"].rate == 1.0
    assert (report.clean_texts, report.clean_texts_flagged) == (2, 1)
    assert report.clean_share_without_findings == 0.5
    # the clean text's LOCATION finding does not count in precision, the URL does
    assert (report.precision.hit, report.precision.total) == (4, 5)
    assert report.entities["LOCATION"].predicted == 1
    assert (report.recall.hit, report.recall.total) == (4, 6)


def test_to_dict_is_json_serialisable() -> None:
    data = json.loads(json.dumps(_mixed_report().to_dict()))
    assert data["examples"] == 8
    assert data["entities"]["PERSON"] == {
        "support": 2, "found": 1, "exact": 1, "recall": 0.5, "exact_recall": 0.5,
        "predicted": 1, "true_pos": 1, "precision": 1.0,
    }  # fmt: skip
    assert data["groups"]["person_fr"]["rate"] == 0.0
    assert data["clean_share_without_findings"] == 0.5
    assert data["entities"]["URL"]["recall"] is None


def test_empty_report() -> None:
    report = evaluate([], [])
    assert report.precision.rate is None
    assert report.clean_share_without_findings is None
    assert report.to_dict()["recall"]["rate"] is None


# ------------------------------------------------------------------------------- loading


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_dataset_reads_optional_fields(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        json.dumps({"text": "hi Anna", "spans": [{"start": 3, "end": 7, "label": "PERSON"}]}),
        "",
        json.dumps({"id": "b", "text": "ok", "spans": [], "language": "fr", "tags": ["t"]}),
    )
    first, second = load_dataset(path)
    assert first == Example("1", "hi Anna", (GoldSpan(3, 7, "PERSON"),), None, ())
    assert second == Example("b", "ok", (), "fr", ("t",))


SECRET_TEXT = "my password is hunter2"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"text": "' + SECRET_TEXT + '", "spans": [', "invalid JSON"),
        ('["' + SECRET_TEXT + '"]', "expected a JSON object"),
        ('{"spans": []}', '"text" must be a string'),
        ('{"text": "' + SECRET_TEXT + '", "spans": {}}', '"spans" must be a list'),
        ('{"text": "' + SECRET_TEXT + '", "spans": [{"start": 15, "end": 99, "label": "SECRET"}]}',
         "span 0: offsets 15..99 outside the text (length 22)"),
        ('{"text": "' + SECRET_TEXT + '", "spans": [{"start": 5, "end": 5, "label": "SECRET"}]}',
         "span 0: empty or reversed offsets 5..5"),
        ('{"text": "' + SECRET_TEXT + '", "spans": [{"start": "1", "end": 5, "label": "X"}]}',
         '"start" and "end" must be integers'),
        ('{"text": "' + SECRET_TEXT + '", "spans": [{"start": 1, "end": 5}]}',
         '"label" must be a non-empty string'),
        ('{"text": "' + SECRET_TEXT + '", "tags": "x"}', '"tags" must be a list of strings'),
        ('{"text": "' + SECRET_TEXT + '", "language": 3}', '"language" must be a string'),
    ],
)  # fmt: skip
def test_load_dataset_errors_name_the_line_not_the_text(
    tmp_path: Path, line: str, problem: str
) -> None:
    path = _write(tmp_path, '{"text": "fine", "spans": []}', line)
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    message = str(info.value)
    assert message.startswith("line 2: ")
    assert problem in message
    assert "hunter2" not in message


def test_load_dataset_rejects_duplicate_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"id": "a", "text": "x"}', '{"id": "a", "text": "y"}')
    with pytest.raises(DatasetError, match="line 2: duplicate id"):
        load_dataset(path)


def test_load_dataset_missing_file_and_bad_utf8(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot read"):
        load_dataset(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"text": "caf\xe9"}\n')
    with pytest.raises(DatasetError, match="not valid UTF-8"):
        load_dataset(bad)


# ------------------------------------------------------------------------------- dev set


@pytest.fixture(scope="module")
def devset() -> list[Example]:
    return load_dataset(DEVSET)


def test_devset_covers_every_entity_type(devset: list[Example]) -> None:
    counts = Counter(span.label for example in devset for span in example.spans)
    assert set(counts) == ALL_LABELS
    assert all(n >= 30 for n in counts.values()), counts
    assert 1500 <= len(devset) <= 3500
    assert DEVSET.stat().st_size < 2_000_000


def test_devset_spans_are_clean_values(devset: list[Example]) -> None:
    for example in devset:
        previous_end = 0
        for span in sorted(example.spans, key=lambda s: s.start):
            value = example.text[span.start : span.end]
            assert value.strip() == value != "", (example.id, span)
            assert span.start >= previous_end, (example.id, "overlapping gold spans")
            previous_end = span.end
            if "obfuscated" not in example.tags:
                assert "\u200b" not in value and "\u00ad" not in value, example.id


def test_devset_has_enough_clean_texts_and_variety(devset: list[Example]) -> None:
    clean = [e for e in devset if not e.spans]
    assert len(clean) >= 0.25 * len(devset)
    tags = Counter(tag for example in devset for tag in example.tags)
    for tag in ("obfuscated", "document", "lang:en", "lang:fr", "lang:mixed", "lang:de", "lang:it"):
        assert tags[tag] >= 20, tag
    # The identifiers of issue 11 come in their countries' languages too.
    assert {"en", "fr", "de", "it"} <= {e.language for e in devset} <= {
        "en", "fr", "de", "it", "es", "pl", "fi", "sv", "nl"
    }  # fmt: skip
    assert len({e.text for e in devset}) > 0.95 * len(devset)
