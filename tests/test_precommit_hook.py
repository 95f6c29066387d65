"""The shipped pre-commit hook, run by pre-commit itself on `git commit` in a scratch repository.

The hook's definition is read from this repository's `.pre-commit-hooks.yaml` and used as a
`repo: local` hook, so nothing is cloned or installed: only `language` differs (`system`, the
installed command, instead of `python`, for which pre-commit would build a fresh environment
from the network). Everything else — entry, arguments, file types, serial — is the shipped one.
"""

from __future__ import annotations

import os
import secrets
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from faker import Faker

REPO = Path(__file__).resolve().parent.parent
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
COMMAND = Path(sys.executable).parent / "privacy-guard"

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None, reason="git is not installed"
)


def _shipped_hook() -> dict[str, object]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "privacy-guard"]
    return hook


def _local_config() -> str:
    hook = dict(_shipped_hook())
    entry = str(hook["entry"])
    assert entry.startswith("privacy-guard ")
    hook["entry"] = str(COMMAND) + entry.removeprefix("privacy-guard")
    hook["language"] = "system"
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]})


def _git(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def _planted_key() -> str:
    """A synthetic key in OpenAI's project-key format: random, never a real credential."""
    alphabet = string.ascii_letters + string.digits
    return "sk-proj-" + "".join(secrets.choice(alphabet) for _ in range(48))


def test_the_hook_fails_a_commit_with_a_secret_and_passes_a_clean_one(tmp_path: Path) -> None:
    assert PRE_COMMIT.exists(), "pre-commit is in the dev extra"
    work = tmp_path / "project"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRIVACY_GUARD", "GIT_"))}
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-cache"),
        HOME=str(tmp_path),  # no user's git or pre-commit settings
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.org",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.org",
    )
    assert _git(work, env, "init", "-q").returncode == 0
    (work / ".pre-commit-config.yaml").write_text(_local_config(), encoding="utf-8")
    installed = subprocess.run(
        [str(PRE_COMMIT), "install"], cwd=work, env=env, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    key = _planted_key()
    settings = work / "settings.py"
    settings.write_text(
        f'"""Settings."""\n\nTIMEOUT = 30\nAPI_KEY = "{key}"\n', encoding="utf-8"
    )
    _git(work, env, "add", ".pre-commit-config.yaml", "settings.py")
    refused = _git(work, env, "commit", "-q", "-m", "settings")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "privacy-guard (personal data and secrets)" in output and "Failed" in output
    assert "settings.py:4:12: SECRET default.secrets-never-leave" in output
    assert "settings.py: BLOCK" in output
    assert key not in output  # the gate's log never repeats what it caught
    assert _git(work, env, "rev-parse", "--verify", "HEAD").returncode != 0  # nothing committed

    # Personal data alone is redacted on the way out, not blocked: the commit goes through.
    settings.write_text(
        f'"""Settings. Owner: {Faker().email()}"""\n\nTIMEOUT = 30\n', encoding="utf-8"
    )
    _git(work, env, "add", "settings.py")
    accepted = _git(work, env, "commit", "-q", "-m", "settings")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "Passed" in accepted.stdout + accepted.stderr
    assert _git(work, env, "rev-parse", "--verify", "HEAD").returncode == 0
