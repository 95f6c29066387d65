"""The `privacy-guard` command."""

from __future__ import annotations

import typer

from privacy_guard.commands.policy import app as policy_app
from privacy_guard.commands.scan import eval_command, scan_command

app = typer.Typer(
    name="privacy-guard",
    help="Privacy gateway and data-loss-prevention filter for LLM traffic.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("scan", no_args_is_help=False)(scan_command)
app.command("eval")(eval_command)
app.add_typer(policy_app, name="policy")


def main() -> None:
    app()
