"""The package as built: the shipped policies and catalog go into it once, and it runs on them.

setup.py's `build_py` lays the package out exactly as a wheel carries it; the built copy is then
run as a separate process, so nothing is read from the repository's own `policies/`/`models/`.
(`pip wheel` itself needs its build requirements from the network: checked by hand, see README.)
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHIPPED_DIRS = ("policies", "models")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _shipped_files() -> dict[str, Path]:
    return {
        path.relative_to(REPO).as_posix(): path
        for folder in SHIPPED_DIRS
        for path in sorted((REPO / folder).rglob("*.yaml"))
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lib = tmp_path_factory.mktemp("build") / "lib"
    subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(lib)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return lib


def _run_built(lib: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVACY_GUARD")}
    env["PYTHONPATH"] = str(lib)  # ahead of the editable install's finder
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_shipped_files_exist_once_in_the_repository() -> None:
    shipped = _shipped_files()
    assert any(name.startswith("policies/tests/") for name in shipped)
    assert any(name.startswith("models/") for name in shipped)
    assert not (REPO / "privacy_guard" / "defaults").exists()
    digests = {_digest(path) for path in shipped.values()}
    inside = [
        path
        for path in (REPO / "privacy_guard").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and _digest(path) in digests
    ]
    assert inside == []


def test_the_built_package_carries_every_shipped_file(built: Path) -> None:
    carried = {
        path.relative_to(built / "privacy_guard" / "_shipped").as_posix(): path
        for path in (built / "privacy_guard" / "_shipped").rglob("*")
        if path.is_file()
    }
    shipped = _shipped_files()
    assert sorted(carried) == sorted(shipped)
    for name, path in shipped.items():
        assert _digest(carried[name]) == _digest(path), name
    assert (built / "privacy_guard" / "detect" / "data" / "first_names.txt").is_file()


def test_the_built_package_runs_on_its_own_copy(built: Path, tmp_path: Path) -> None:
    where = _run_built(
        built, tmp_path, "-c", "import privacy_guard.shipped as s; print(s.SHIPPED_POLICIES)"
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()) == built / "privacy_guard" / "_shipped" / "policies"

    check = _run_built(built, tmp_path, "-m", "privacy_guard", "policy", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "ok  <shipped>/policies/engineering.yaml" in check.stdout
    assert "no problems" in check.stdout

    scan = _run_built(
        built,
        tmp_path,
        "-m",
        "privacy_guard",
        "scan",
        "--team",
        "engineering",
        "Write to jane.roe@example.org about the invoice",
    )
    assert scan.returncode == 0, scan.stdout + scan.stderr
    assert "EMAIL_ADDRESS" in scan.stdout
    assert "rule engineering." in scan.stdout


def test_version_names_the_package_and_its_distribution() -> None:
    import importlib.metadata

    import privacy_guard

    shown = subprocess.run(
        [sys.executable, "-m", "privacy_guard", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == (
        f"privacy-guard {privacy_guard.__version__} (distribution llm-privacy-guard)"
    )
    # The installed metadata takes its version from the package: one place to change it.
    assert importlib.metadata.version("llm-privacy-guard") == privacy_guard.__version__


# `pip install privacy-guard` (a bare name, not a path or a wheel file) fetches another project.
_FOREIGN_INSTALL = re.compile(r"pip install[^\n]*?(?<![/\w.-])privacy[-_]guard(?![-_\w./])")


def test_no_install_instruction_fetches_the_foreign_distribution() -> None:
    texts = [
        REPO / "README.md",
        *(REPO / "docs").rglob("*.md"),
        *(path for folder in ("examples", "privacy_guard", "scripts") for path in
          (REPO / folder).rglob("*.py")),
    ]
    offending = [
        f"{path.relative_to(REPO)}: {line.strip()}"
        for path in texts
        for line in path.read_text(encoding="utf-8").splitlines()
        if _FOREIGN_INSTALL.search(line) and "never" not in line.lower()
    ]
    assert offending == []
    assert _FOREIGN_INSTALL.search("pip install privacy-guard fastapi")
    assert not _FOREIGN_INSTALL.search("pip install /path/to/privacy-guard fastapi")
