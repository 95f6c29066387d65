"""A running process picks up changed policies and catalog atomically; bad versions are refused."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from privacy_guard.detect.types import Finding
from privacy_guard.errors import PolicyError, UnknownTeamError
from privacy_guard.policy import Action
from privacy_guard.policy.store import PolicyStore, Snapshot, Sources

DEFAULT = """team: default
rules:
  - id: names
    entities: [PERSON]
    destinations: [remote]
    action: {action}
"""
PERSON = [Finding("PERSON", 0, 5, 0.9, "en")]


def _write(path: Path, text: str) -> None:
    # A new mtime even on file systems with coarse timestamps.
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


@pytest.fixture
def store(tmp_path: Path) -> PolicyStore:
    (tmp_path / "policies").mkdir()
    (tmp_path / "models").mkdir()
    _write(tmp_path / "policies" / "default.yaml", DEFAULT.format(action="redact"))
    return PolicyStore(Sources(policies=tmp_path / "policies", models=(tmp_path / "models",)))


def _action(snapshot: Snapshot, model: str = "gpt-4o-mini") -> Action:
    return snapshot.decide(PERSON, "default", model).action


def test_reload_puts_a_changed_policy_in_force(store: PolicyStore, tmp_path: Path) -> None:
    old = store.snapshot
    assert _action(old) is Action.REDACT
    _write(tmp_path / "policies" / "default.yaml", DEFAULT.format(action="block"))
    assert store.reload() is True
    assert _action(store.snapshot) is Action.BLOCK
    assert store.snapshot.version != old.version
    assert _action(old) is Action.REDACT  # a request holding the old snapshot is unaffected


def test_an_invalid_version_keeps_the_old_one_and_is_logged(
    store: PolicyStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = store.snapshot
    _write(tmp_path / "policies" / "default.yaml", DEFAULT.format(action="obliterate"))
    with caplog.at_level(logging.ERROR, logger="privacy_guard.policy"):
        assert store.reload() is False
    assert store.snapshot is before
    (record,) = caplog.records
    assert f"version {before.version} stays in force" in record.getMessage()
    assert "default.yaml:6:13: rules[0].action" in record.getMessage()


def test_a_new_team_file_and_a_new_catalog_entry_are_picked_up(
    store: PolicyStore, tmp_path: Path
) -> None:
    _write(
        tmp_path / "models" / "box.yaml",
        "models:\n  - {name: box, litellm_model: openai/x, access: local, jurisdiction: here}\n",
    )
    _write(
        tmp_path / "policies" / "ops.yaml",
        "team: ops\nextends: default\nallowed_models: [box]\nreroute_to: box\n",
    )
    assert store.reload()
    snapshot = store.snapshot
    assert snapshot.model("box").is_local
    assert snapshot.decide(PERSON, "ops", "gpt-4o").action is Action.BLOCK  # not allowed
    assert snapshot.decide(PERSON, "ops", "box").action is Action.ALLOW


def test_a_catalog_change_that_breaks_a_policy_is_refused(
    store: PolicyStore, tmp_path: Path
) -> None:
    box = "models:\n  - {name: box, litellm_model: openai/x, access: local, jurisdiction: here}\n"
    _write(tmp_path / "models" / "box.yaml", box)
    _write(tmp_path / "policies" / "ops.yaml", "team: ops\nreroute_to: box\n")
    assert store.reload()
    (tmp_path / "models" / "box.yaml").unlink()
    assert store.reload() is False
    assert store.snapshot.model("box").name == "box"


def test_the_watcher_reloads_on_change_and_survives_bad_versions(
    store: PolicyStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reloaded = threading.Event()
    store.on_reload(lambda snapshot: reloaded.set())
    watcher = store.watch(interval=0.05)
    try:
        _write(tmp_path / "policies" / "default.yaml", DEFAULT.format(action="reroute"))
        assert reloaded.wait(10), "the change was not picked up"
        assert _action(store.snapshot) is Action.BLOCK  # reroute without a target: block
        reloaded.clear()
        good = store.snapshot
        with caplog.at_level(logging.ERROR, logger="privacy_guard.policy"):
            _write(tmp_path / "policies" / "default.yaml", "team: default\nrules: [\n")
            deadline = time.monotonic() + 10
            while not caplog.records and time.monotonic() < deadline:
                time.sleep(0.05)
        assert caplog.records, "the invalid version was not reported"
        assert store.snapshot is good
        # Retried only when the files change again, not on every poll.
        time.sleep(0.3)
        assert len(caplog.records) == 1
        _write(tmp_path / "policies" / "default.yaml", DEFAULT.format(action="allow"))
        assert reloaded.wait(10)
        assert _action(store.snapshot) is Action.ALLOW
    finally:
        watcher.stop()
    assert not watcher.is_alive()


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
def test_sighup_reloads(store: PolicyStore, tmp_path: Path) -> None:
    reloaded = threading.Event()
    store.on_reload(lambda snapshot: reloaded.set())
    previous = signal.getsignal(signal.SIGHUP)
    try:
        assert store.install_sighup()
        _write(tmp_path / "policies" / "default.yaml", DEFAULT.format(action="block"))
        os.kill(os.getpid(), signal.SIGHUP)
        assert reloaded.wait(10)
        assert _action(store.snapshot) is Action.BLOCK
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_readers_always_see_a_whole_version(store: PolicyStore, tmp_path: Path) -> None:
    seen: set[tuple[str, Action]] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            snapshot = store.snapshot
            seen.add((snapshot.version, _action(snapshot)))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        versions = {}
        for action in ("block", "redact", "block", "allow"):
            _write(tmp_path / "policies" / "default.yaml", DEFAULT.format(action=action))
            assert store.reload()
            versions[store.snapshot.version] = Action(action)
    finally:
        stop.set()
        reader.join()
    assert seen and all(versions.get(version, action) is action for version, action in seen)


def test_the_initial_load_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "default.yaml").write_text("team: default\nmode: maybe\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"default\.yaml:2:7"):
        PolicyStore(Sources(policies=tmp_path))


def test_unknown_team_and_detector_configs(store: PolicyStore, tmp_path: Path) -> None:
    with pytest.raises(UnknownTeamError):
        store.snapshot.policy("sales")
    configured = PolicyStore(Sources(policies=tmp_path / "policies", teams=("sales",)))
    assert configured.snapshot.policy("sales").team == "default"
    assert configured.detector("sales") is configured.detector("default")
