"""A deployment's own Presidio recognizers, named in the config, run inside our detector."""

from __future__ import annotations

import pytest

from privacy_guard.config import DeploymentConfig
from privacy_guard.detect.config import DetectorConfig
from privacy_guard.detect.engine import Detector
from privacy_guard.detect.presidio_adapter import PresidioPluginError, load_plugins
from privacy_guard.errors import ConfigError
from privacy_guard.policy.store import Sources

BADGE = "tests.support.presidio_plugin:BadgeRecognizer"
PROJECT = "tests.support.presidio_plugin:ProjectRecognizer"


def detector(*plugins: str) -> Detector:
    return Detector(DetectorConfig(ner=False, cache_size=0, presidio_recognizers=plugins))


def found(text: str, d: Detector) -> list[tuple[str, str]]:
    return [(f.entity_type, text[f.start : f.end]) for f in d.scan(text)]


def test_a_pattern_recognizer_from_the_config_runs_with_its_validation() -> None:
    d = detector(BADGE)
    # 1+2+3+4+5+6 = 21, a multiple of 7: valid; 1+2+3+4+5+7 = 22: the plug-in rejects it.
    assert ("ACME_BADGE", "BDG-123456") in found("Badge BDG-123456 at the gate", d)
    assert not [e for e, _ in found("Badge BDG-123457 at the gate", d) if e == "ACME_BADGE"]


def test_offsets_are_mapped_back_to_the_callers_text() -> None:
    d = detector(BADGE, PROJECT)
    # Zero-width spaces and a full-width dash are removed / folded before recognizers run.
    text = "\u200b\u200bBadge BDG\uff0d123456 for Kest\u200brel, ok"
    findings = {f.entity_type: text[f.start : f.end] for f in d.scan(text)}
    assert findings["ACME_BADGE"] == "BDG\uff0d123456"
    assert findings["ACME_PROJECT"] == "Kest\u200brel"


def test_a_plain_entity_recognizer_works_too_and_builtins_still_run() -> None:
    d = detector(PROJECT)
    got = found("Kestrel ships Friday, mail ana.berger@example.org", d)
    assert ("ACME_PROJECT", "Kestrel") in got
    assert ("EMAIL_ADDRESS", "ana.berger@example.org") in got


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("tests.support.presidio_plugin", "expected 'package.module:ClassName'"),
        ("tests.support.no_such_module:X", "cannot be imported"),
        ("tests.support.presidio_plugin:Missing", "cannot be imported"),
        ("tests.support.presidio_plugin:NotARecognizer", "is not a presidio_analyzer"),
    ],
)
def test_a_bad_reference_is_a_typed_config_error(reference: str, message: str) -> None:
    with pytest.raises(PresidioPluginError, match=message) as caught:
        load_plugins([reference])
    assert isinstance(caught.value, ConfigError)


def test_the_deployment_config_carries_the_plugins_to_the_detector() -> None:
    config = DeploymentConfig.model_validate({"detector": {"presidio_recognizers": [BADGE]}})
    sources = Sources.from_config(config)
    assert sources.detector.presidio_recognizers == (BADGE,)
    d = Detector(sources.detector)
    assert ("ACME_BADGE", "BDG-000007") in found("BDG-000007", d)
