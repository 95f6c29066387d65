"""The policies and catalog in force, swapped atomically when their files change.

A request takes `store.snapshot` once and uses that snapshot throughout, so it never sees half
of an old policy and half of a new one. `reload()` validates everything before swapping; an
invalid new version leaves the old one in force and is logged (file, line, message: never any
prompt data, which the store never sees).
"""

from __future__ import annotations

import hashlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from privacy_guard.catalog import SHIPPED_MODELS, Catalog, ModelTarget, catalog_files, load_catalog
from privacy_guard.config import DeploymentConfig
from privacy_guard.detect import Detector, DetectorConfig, Finding
from privacy_guard.errors import ConfigError, UnknownTeamError
from privacy_guard.policy.decision import Decision, decide
from privacy_guard.policy.detectors import DetectorPool
from privacy_guard.policy.load import PolicySet, load_policies, policy_files
from privacy_guard.policy.model import Policy

log = logging.getLogger("privacy_guard.policy")


@dataclass(frozen=True)
class Sources:
    """Where policies and catalog entries are read from."""

    policies: Path | None = None  # None: the shipped policies
    models: tuple[Path, ...] = ()  # added to the shipped catalog
    teams: tuple[str, ...] = ()  # teams of the deployment config (they may have no policy file)
    detector: DetectorConfig = field(default_factory=DetectorConfig)

    @classmethod
    def from_config(cls, config: DeploymentConfig, *, policies: Path | None = None) -> Sources:
        base = DetectorConfig()
        detector = DetectorConfig(
            en_model=config.detector.en_model or base.en_model,
            fr_model=config.detector.fr_model or base.fr_model,
            presidio_recognizers=config.detector.presidio_recognizers,
        )
        return cls(
            policies=policies or config.policies,
            models=(config.models,) if config.models else (),
            teams=tuple(config.team_names()),
            detector=detector,
        )

    def files(self) -> list[Path]:
        """Every file a snapshot is built from (what a watcher has to watch)."""
        found = [*catalog_files(SHIPPED_MODELS)]
        for path in self.models:
            if path.exists():
                found += catalog_files(path)
        if self.policies is None or self.policies.is_dir():
            found += policy_files(self.policies)
        return found

    def stamp(self) -> tuple[tuple[str, int, int], ...]:
        """Changes when a file is added, removed or rewritten."""
        stamps = []
        for path in self.files():
            try:
                info = path.stat()
            except OSError:
                continue
            stamps.append((str(path), info.st_mtime_ns, info.st_size))
        if self.policies is not None and not self.policies.is_dir():
            stamps.append((str(self.policies), -1, -1))
        return tuple(stamps)

    def load(self) -> Snapshot:
        """Read and validate everything; raises ConfigError (CatalogError, PolicyError)."""
        catalog = load_catalog(self.models)
        policies = load_policies(self.policies, catalog)
        return Snapshot(catalog, policies, self.teams, self.detector)


@dataclass(frozen=True)
class Snapshot:
    """One consistent version of the catalog and every team policy."""

    catalog: Catalog
    policies: PolicySet
    teams: tuple[str, ...] = ()
    detector_base: DetectorConfig = field(default_factory=DetectorConfig)
    loaded_at: float = field(default_factory=time.time, compare=False)

    @property
    def version(self) -> str:
        """A short content hash: equal when policies and catalog are equal."""
        digest = hashlib.sha256()
        for name in sorted(self.policies.teams()):
            digest.update(f"{name}={self.policies.get(name).hash};".encode())
        for target in self.catalog:
            digest.update(repr(sorted(target.to_dict().items())).encode())
        return digest.hexdigest()[:12]

    def known_teams(self) -> list[str]:
        return sorted({*self.policies.teams(), *self.teams})

    def policy(self, team: str) -> Policy:
        """The team's policy; a configured team without a file of its own gets `default`."""
        if team not in self.policies and team not in self.teams:
            raise UnknownTeamError(team, self.known_teams())
        return self.policies.get(team)

    def model(self, name: str) -> ModelTarget:
        return self.catalog.get(name)

    def detector_config(self, team: str) -> DetectorConfig:
        return self.policy(team).detector_config(self.detector_base)

    def decide(self, findings: Sequence[Finding], team: str, model: str) -> Decision:
        return decide(findings, self.policy(team), self.model(model))


class PolicyStore:
    """Holds the snapshot in force. Construction fails if the initial files are invalid."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self.detectors = DetectorPool()
        self._attempted = sources.stamp()  # the files as last read, whether valid or not
        self._snapshot = sources.load()
        self._reload_lock = threading.Lock()
        self._listeners: list[Callable[[Snapshot], None]] = []

    @classmethod
    def from_config(cls, config: DeploymentConfig) -> PolicyStore:
        return cls(Sources.from_config(config))

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def detector(self, team: str, snapshot: Snapshot | None = None) -> Detector:
        return self.detectors.get((snapshot or self._snapshot).detector_config(team))

    def on_reload(self, listener: Callable[[Snapshot], None]) -> None:
        """Call `listener(new_snapshot)` after each successful reload."""
        self._listeners.append(listener)

    def reload(self) -> bool:
        """Load the files again; True if a new version is in force, False if the old one stays."""
        with self._reload_lock:
            self._attempted = self.sources.stamp()
            try:
                fresh = self.sources.load()
            except ConfigError as error:
                log.error(
                    "policy reload rejected, version %s stays in force:\n%s",
                    self._snapshot.version,
                    error,
                )
                return False
            old = self._snapshot
            self._snapshot = fresh  # one reference assignment: readers see old or new, whole
            self.detectors.retain({fresh.detector_config(team) for team in fresh.policies.teams()})
        if fresh.version != old.version:
            log.info("policy version %s in force (was %s)", fresh.version, old.version)
        for listener in self._listeners:
            listener(fresh)
        return True

    def reload_if_changed(self) -> bool | None:
        """Reload if the files differ from when they were last read; None if they do not."""
        if self.sources.stamp() == self._attempted:
            return None
        return self.reload()

    def watch(self, interval: float = 2.0) -> PolicyWatcher:
        """Start a daemon thread that reloads when the files change."""
        watcher = PolicyWatcher(self, interval)
        watcher.start()
        return watcher

    def install_sighup(self) -> bool:
        """Reload on SIGHUP (from the main thread; False where the platform has no SIGHUP)."""
        if not hasattr(signal, "SIGHUP"):
            return False

        def handler(signum: int, frame: object) -> None:
            # Not in the handler itself: it may interrupt a thread holding the reload lock.
            threading.Thread(target=self.reload, name="policy-sighup", daemon=True).start()

        signal.signal(signal.SIGHUP, handler)
        return True


class PolicyWatcher(threading.Thread):
    """Polls file times and sizes; reloads once a change has been stable for one interval.

    Waiting for a quiet interval means an editor's half-written save is not loaded first.
    """

    def __init__(self, store: PolicyStore, interval: float) -> None:
        super().__init__(name="policy-watcher", daemon=True)
        self._store = store
        self._interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        seen = self._store.sources.stamp()
        pending = True  # files may have changed between loading and starting to watch
        while not self._stop_event.wait(self._interval):
            try:
                current = self._store.sources.stamp()
                if current != seen:
                    seen, pending = current, True
                elif pending:
                    pending = False
                    self._store.reload_if_changed()
            except Exception:  # the watcher must outlive any surprise; the old policy stays
                log.exception("policy watcher error")

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop_event.set()
        self.join(timeout)
