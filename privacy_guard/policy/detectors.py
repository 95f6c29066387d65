"""One Detector per distinct detector configuration, kept across policy reloads."""

from __future__ import annotations

import threading

from privacy_guard.detect import Detector, DetectorConfig


class DetectorPool:
    """Teams whose policies need the same detector settings share one Detector.

    Detectors outlive policy reloads, so a reload that leaves a team's allow and deny lists
    alone does not throw away its loaded pipelines and cached results.
    """

    def __init__(self) -> None:
        self._detectors: dict[DetectorConfig, Detector] = {}
        self._lock = threading.Lock()

    def get(self, config: DetectorConfig) -> Detector:
        found = self._detectors.get(config)
        if found is not None:
            return found
        with self._lock:
            found = self._detectors.get(config)
            if found is None:
                found = self._detectors[config] = Detector(config)
        return found

    def retain(self, configs: set[DetectorConfig]) -> None:
        """Forget the detectors no current policy uses any more."""
        with self._lock:
            for config in [c for c in self._detectors if c not in configs]:
                del self._detectors[config]

    def __len__(self) -> int:
        return len(self._detectors)
