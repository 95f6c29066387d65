"""Prometheus metrics, written out in the text exposition format (version 0.0.4) by hand.

A few counters and histograms do not justify a dependency. Label values are team names, routes,
actions, catalog model names, entity types, status codes and error codes: all come from the
configuration or from us, never from a request's content, so no personal data can reach a label.
Metrics are per process: with several workers, each has its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

LabelValues = tuple[str, ...]

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(names: Sequence[str], values: LabelValues, extra: str = "") -> str:
    pairs = [f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        pairs.append(extra)
    return "{" + ",".join(pairs) + "}" if pairs else ""


def _number(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return repr(value)


class Counter:
    def __init__(self, name: str, help: str, labels: Sequence[str]) -> None:
        self.name, self.help, self.label_names = name, help, tuple(labels)
        self._values: dict[LabelValues, float] = {}
        self._lock = threading.Lock()

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        with self._lock:
            self._values[labels] = self._values.get(labels, 0.0) + amount

    def value(self, *labels: str) -> float:
        return self._values.get(labels, 0.0)

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} counter"
        with self._lock:
            items = sorted(self._values.items())
        for labels, value in items:
            yield f"{self.name}{_labels(self.label_names, labels)} {_number(value)}"


class Histogram:
    def __init__(
        self,
        name: str,
        help: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = LATENCY_BUCKETS,
    ) -> None:
        self.name, self.help, self.label_names = name, help, tuple(labels)
        self.buckets = tuple(sorted(buckets))
        self._series: dict[LabelValues, list[float]] = {}  # bucket counts..., sum, count
        self._lock = threading.Lock()

    def observe(self, value: float, *labels: str) -> None:
        with self._lock:
            series = self._series.get(labels)
            if series is None:
                series = self._series[labels] = [0.0] * (len(self.buckets) + 2)
            for i, bound in enumerate(self.buckets):
                if value <= bound:
                    series[i] += 1
            series[-2] += value
            series[-1] += 1

    def count(self, *labels: str) -> int:
        series = self._series.get(labels)
        return int(series[-1]) if series else 0

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} histogram"
        with self._lock:
            items = sorted((k, list(v)) for k, v in self._series.items())
        for labels, series in items:
            for i, bound in enumerate(self.buckets):
                le = f'le="{_number(bound)}"'
                yield f"{self.name}_bucket{_labels(self.label_names, labels, le)} {int(series[i])}"
            inf = _labels(self.label_names, labels, 'le="+Inf"')
            yield f"{self.name}_bucket{inf} {int(series[-1])}"
            yield f"{self.name}_sum{_labels(self.label_names, labels)} {series[-2]!r}"
            yield f"{self.name}_count{_labels(self.label_names, labels)} {int(series[-1])}"


class GatewayMetrics:
    def __init__(self) -> None:
        self.requests = Counter(
            "privacy_guard_requests_total",
            "LLM requests answered, by team, route, action taken, model that served it and status.",
            ("team", "route", "action", "target", "status"),
        )
        self.findings = Counter(
            "privacy_guard_findings_total",
            "Personal data and secrets found in requests, by entity type.",
            ("entity_type",),
        )
        self.errors = Counter(
            "privacy_guard_errors_total",
            "Requests answered with an error, by error code.",
            ("code",),
        )
        self.detection_seconds = Histogram(
            "privacy_guard_detection_seconds", "Time spent detecting personal data per request."
        )
        self.upstream_seconds = Histogram(
            "privacy_guard_upstream_seconds",
            "Time from sending a request upstream to its full answer (streams: to the last chunk).",
            ("target",),
        )
        self.request_seconds = Histogram(
            "privacy_guard_request_seconds", "Total time per LLM request.", ("route",)
        )
        self._all = (
            self.requests,
            self.findings,
            self.errors,
            self.detection_seconds,
            self.upstream_seconds,
            self.request_seconds,
        )

    def render(self) -> str:
        return "\n".join(line for metric in self._all for line in metric.render()) + "\n"


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
