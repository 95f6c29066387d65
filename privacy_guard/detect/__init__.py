"""Detection of personal data and secrets: `Detector().scan(text)` → findings."""

from privacy_guard.detect.config import DenyRule, DetectorConfig
from privacy_guard.detect.engine import Detector
from privacy_guard.detect.types import Finding

__all__ = ["DenyRule", "Detector", "DetectorConfig", "Finding"]
