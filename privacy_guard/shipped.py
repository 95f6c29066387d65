"""Where the shipped catalog (`models/`) and policies (`policies/`) are.

The one copy of each lives at the top of the repository, where a reader sees it first. A wheel
carries them inside the package as `privacy_guard/_shipped/` (setup.py maps the folders there);
a source checkout or an editable install reads them from the repository root.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# How a shipped file is named in messages and decisions: one name whether the package runs from
# a wheel or a checkout, and never mistaken for a deployment's own `policies/` folder.
SHIPPED_PREFIX = "<shipped>"


def _shipped(name: str) -> Path:
    inside = _PACKAGE / "_shipped" / name  # an installed wheel
    return inside if inside.is_dir() else _PACKAGE.parent / name  # a checkout


SHIPPED_POLICIES = _shipped("policies")
SHIPPED_MODELS = _shipped("models")


def shipped_name(path: Path) -> str | None:
    """`<shipped>/policies/default.yaml` for a shipped file, None for any other."""
    resolved = path.resolve()
    for root in (SHIPPED_POLICIES, SHIPPED_MODELS):
        if resolved.is_relative_to(root):
            return f"{SHIPPED_PREFIX}/{root.name}/{resolved.relative_to(root).as_posix()}"
    return None
