"""Structured JSON logs, one object a line, without prompt text.

The gateway logs what happened to a request (ids, team, route, action, target model, status,
latencies, entity counts, error codes) and never a body, a header value or an exception message
it did not write itself: an unexpected exception is logged as its type and code location only
(`describe`), since its message may quote the data it choked on.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from pathlib import Path
from typing import Any

log = logging.getLogger("privacy_guard.gateway")

# Attributes every LogRecord has; anything else was passed with `extra=` and is a field.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# Only our own loggers' `extra=` fields are kept: other libraries add theirs for their own
# formatters (uvicorn a `color_message` with ANSI escapes, litellm a `litellm_redacted` marker
# object it stamps on every record it filters, ours included).
_OURS = "privacy_guard"
_PLAIN = (str, int, float, bool, type(None), list, dict)
# Terminal colour and cursor sequences (CSI), which some libraries put in the message itself.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "message", ...our extra fields}`, all plain text.

    Tracebacks are reduced to the exception type and where it was raised: a traceback's last
    line repeats the exception's message, which may hold data.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": _ANSI.sub("", record.getMessage()),
        }
        if record.name == _OURS or record.name.startswith(_OURS + "."):
            for key, value in vars(record).items():
                if key not in _STANDARD and not key.startswith("_") and isinstance(value, _PLAIN):
                    entry.setdefault(key, value)
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = describe(record.exc_info[1])
        return json.dumps(entry, ensure_ascii=False, default=str)


def describe(error: BaseException) -> str:
    """`KeyError at payloads.py:123`: enough to find the bug, nothing from the data."""
    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ else []
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}{where}"


def configure_json_logging(level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` (also uvicorn's `log_config`): every logger as JSON lines
    on standard error. uvicorn's access log shows the method and path, never a body."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level.upper(), "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True},
        },
    }
