"""The gateway's small parts on their own: team keys, metrics text, JSON logs, field checks."""

from __future__ import annotations

import hashlib
import json
import logging

import pytest

from privacy_guard.config import TeamEntry
from privacy_guard.detect import Finding
from privacy_guard.errors import ConfigError
from privacy_guard.gateway.auth import TeamKeys, bearer_key, key_sha256
from privacy_guard.gateway.core import _redactions_by_path
from privacy_guard.gateway.errors import BadRequest, Unauthenticated
from privacy_guard.gateway.logs import JsonFormatter
from privacy_guard.gateway.metrics import GatewayMetrics
from privacy_guard.gateway.params import check_fields, extra_segments
from privacy_guard.payloads import Route
from privacy_guard.policy import Action, FindingAction


def _keys() -> TeamKeys:
    return TeamKeys(
        [
            TeamEntry(name="eng", key_sha256=key_sha256("sk-eng")),
            TeamEntry(name="hr", key_env="HR_KEY"),
        ],
        environ={"HR_KEY": "sk-hr"},
    )


def test_team_keys_by_digest_and_by_environment_variable() -> None:
    keys = _keys()
    assert keys.authenticate("Bearer sk-eng", "10.0.0.1").team == "eng"
    assert keys.authenticate("bearer  sk-hr ", "10.0.0.1").team == "hr"
    assert "sk-eng" not in repr(keys.authenticate("Bearer sk-eng", None))
    with pytest.raises(Unauthenticated) as caught:
        keys.authenticate("Bearer sk-other", "127.0.0.1")
    assert caught.value.code == "invalid_api_key"
    with pytest.raises(Unauthenticated) as caught:
        keys.authenticate("Basic abc", "127.0.0.1")
    assert caught.value.code == "missing_api_key"


def test_a_key_variable_that_is_not_set_stops_the_start_up() -> None:
    with pytest.raises(ConfigError, match="HR_KEY"):
        TeamKeys([TeamEntry(name="hr", key_env="HR_KEY")], environ={})


def test_local_only_mode_serves_loopback_clients_only() -> None:
    keys = TeamKeys([])
    assert keys.authenticate(None, "127.0.0.1").team == "default"
    assert keys.authenticate("Bearer whatever", "::1").team == "default"
    with pytest.raises(Unauthenticated) as caught:
        keys.authenticate("Bearer whatever", "192.168.1.20")
    assert caught.value.code == "no_teams_configured"
    with pytest.raises(Unauthenticated):
        keys.authenticate(None, None)


def test_bearer_parsing() -> None:
    assert bearer_key("Bearer abc") == "abc"
    assert bearer_key("Bearer ") is None and bearer_key(None) is None
    assert key_sha256("test") == hashlib.sha256(b"test").hexdigest()


def test_metrics_exposition_format() -> None:
    metrics = GatewayMetrics()
    metrics.requests.inc("eng", "/v1/chat/completions", "redact", "gpt-4o", "200")
    metrics.detection_seconds.observe(0.003)
    metrics.upstream_seconds.observe(0.2, 'we"ird\nname')
    text = metrics.render()
    assert (
        'privacy_guard_requests_total{team="eng",route="/v1/chat/completions",action="redact",'
        'target="gpt-4o",status="200"} 1'
    ) in text
    assert 'privacy_guard_detection_seconds_bucket{le="0.005"} 1' in text
    assert 'privacy_guard_detection_seconds_bucket{le="0.001"} 0' in text
    assert 'privacy_guard_detection_seconds_bucket{le="+Inf"} 1' in text
    assert "privacy_guard_detection_seconds_count 1" in text
    assert 'target="we\\"ird\\nname"' in text
    assert text.endswith("\n")


def test_json_logs_describe_exceptions_without_their_message() -> None:
    try:
        raise ValueError("Jean Dupont is in this message")
    except ValueError:
        record = logging.LogRecord(
            "privacy_guard.gateway", logging.ERROR, __file__, 1, "boom", (), None
        )
        import sys

        record.exc_info = sys.exc_info()
    record.request_id = "pg-1"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "boom" and line["request_id"] == "pg-1"
    assert line["exception"].startswith("ValueError at test_gateway_units.py:")
    assert "Dupont" not in json.dumps(line)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", "hot"),
        ("top_p", True),
        ("max_tokens", 1.5),
        ("tool_choice", "Jean Dupont"),
        ("logit_bias", {"abc": 1}),
        ("notes", "x"),
    ],
)
def test_fields_that_may_not_leave_as_they_are(field: str, value: object) -> None:
    with pytest.raises(BadRequest):
        check_fields(Route.CHAT, {"model": "m", "messages": [], field: value})


def test_settings_and_free_text_fields() -> None:
    check_fields(
        Route.CHAT,
        {
            "model": "m",
            "messages": [],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "logit_bias": {"50256": -100},
            "stream_options": {"include_usage": True},
            "safety_identifier": "jean@example.fr",
        },
    )
    segments = list(
        extra_segments({"web_search_options": {"user_location": {"approximate": {"city": "Lyon"}}}})
    )
    assert [(s.path, s.text) for s in segments] == [
        (("web_search_options", "user_location", "approximate", "city"), "Lyon")
    ]


def test_redactions_map_back_to_their_segments_even_when_equal() -> None:
    same = Finding("PERSON", 0, 4, 0.9, "en")
    flat = [(("a",), same), (("b",), Finding("EMAIL_ADDRESS", 0, 3, 0.9, "en")), (("c",), same)]

    def judged(finding: Finding) -> FindingAction:
        return FindingAction(
            finding.entity_type, finding.start, finding.end, finding.score, Action.REDACT, None, "r"
        )

    persons = [judged(same), judged(same)]
    assert _redactions_by_path(flat, persons) == {("a",): [persons[0]], ("c",): [persons[1]]}
    with pytest.raises(RuntimeError):
        _redactions_by_path(flat[:1], persons)
