"""JSON log lines carry our fields only, as plain text, whoever else filters or logs."""

from __future__ import annotations

import json
import logging

from privacy_guard.gateway.logs import JsonFormatter


def _record(name: str, message: str = "hello", **extra: object) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.INFO, __file__, 1, message, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_foreign_loggers_extras_and_colours_are_dropped() -> None:
    # What uvicorn logs at start-up: the message, and a copy with ANSI colours for its console.
    record = _record(
        "uvicorn.error",
        "Uvicorn running on http://127.0.0.1:8080 (Press CTRL+C to quit)",
        color_message="Uvicorn running on \x1b[1mhttp://127.0.0.1:8080\x1b[0m (Press CTRL+C)",
    )
    line = json.loads(JsonFormatter().format(record))
    assert set(line) == {"ts", "level", "logger", "message"}
    assert line["message"].startswith("Uvicorn running on http://127.0.0.1:8080")


def test_ansi_sequences_in_a_message_are_removed() -> None:
    record = _record("LiteLLM", "\x1b[92mrequest sent\x1b[0m \x1b[2Kdone")
    assert json.loads(JsonFormatter().format(record))["message"] == "request sent done"


def test_litellm_s_marker_is_not_a_field_of_our_records() -> None:
    from litellm._logging import SecretRedactionFilter

    ours = _record("privacy_guard.gateway", "request", request_id="pg-1", status=200)
    SecretRedactionFilter().filter(ours)  # stamps the record, as on any handler it guards
    assert hasattr(ours, "litellm_redacted")  # what the formatter must not print
    line = json.loads(JsonFormatter().format(ours))
    assert line == {
        "ts": line["ts"],
        "level": "info",
        "logger": "privacy_guard.gateway",
        "message": "request",
        "request_id": "pg-1",
        "status": 200,
    }
    assert "object at 0x" not in JsonFormatter().format(ours)
