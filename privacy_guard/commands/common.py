"""What several commands share: error exits and loading the deployment's policies and catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from privacy_guard.config import find_config, load_config
from privacy_guard.errors import PrivacyGuardError
from privacy_guard.policy.store import Snapshot, Sources

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Deployment config (default: $PRIVACY_GUARD_CONFIG, ./privacy-guard.yaml, "
        "else the shipped defaults).",
    ),
]


def fail(message: str, code: int = 2) -> typer.Exit:
    console = Console(stderr=True, soft_wrap=True, highlight=False)
    console.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


def sources(config: Path | None, policies: Path | None = None) -> Sources:
    """Where to read from: the config's folders, `policies` overriding its policy folder."""
    try:
        deployment = load_config(find_config(config))
    except PrivacyGuardError as error:
        raise fail(str(error)) from None
    return Sources.from_config(deployment, policies=policies)


def load_snapshot(config: Path | None, policies: Path | None = None) -> Snapshot:
    """The catalog and policies in force; exits with every problem listed when invalid."""
    try:
        return sources(config, policies).load()
    except PrivacyGuardError as error:
        raise fail(
            f"invalid policies or catalog (run `privacy-guard policy check`):\n{error}"
        ) from None
