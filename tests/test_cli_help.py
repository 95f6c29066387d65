"""Every command's help, as a user reads it."""

from __future__ import annotations

from collections.abc import Iterator

import typer
from typer.testing import CliRunner

from privacy_guard.cli import app

runner = CliRunner()


def _command_paths(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    # typer's own copy of click, so no isinstance(click.Group): a group has subcommands.
    for name, sub in getattr(command, "commands", {}).items():
        yield from _command_paths(sub, (*path, name))


def test_no_flag_is_shown_as_taking_a_value() -> None:
    paths = list(_command_paths(typer.main.get_command(app)))
    assert ("scan",) in paths and ("audit", "show") in paths
    for path in paths:
        shown = runner.invoke(app, [*path, "--help"], terminal_width=120)
        assert shown.exit_code == 0, (path, shown.output)
        assert "<bool>" not in shown.output, path
        assert "--help" in shown.output
    scan = runner.invoke(app, ["scan", "--help"], terminal_width=120).output
    assert "--json " in scan and "--files " in scan
    assert "<str>" in scan  # options that do take a value keep their type
