"""README samples that show a command's output are what the command prints.

When a shipped policy changes, its hash changes: update the README's `policy check` sample
(run `privacy-guard policy check` with no config and paste its output).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _sample(command: str) -> list[str]:
    """The lines after `$ <command>` in a README code block, up to the block's end."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(rf"^\$ {re.escape(command)}\n(.*?)^```", readme, re.MULTILINE | re.DOTALL)
    assert found, f"no sample of `{command}` in the README"
    return found.group(1).rstrip("\n").splitlines()


def test_policy_check_sample_is_what_the_command_prints(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVACY_GUARD")}
    done = subprocess.run(
        [sys.executable, "-m", "privacy_guard", "policy", "check"],
        cwd=tmp_path,  # no privacy-guard.yaml: the shipped policies
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert _sample("privacy-guard policy check") == done.stdout.rstrip("\n").splitlines()
