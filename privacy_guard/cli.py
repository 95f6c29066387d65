"""The `privacy-guard` command."""

from __future__ import annotations

import typer

from privacy_guard.commands.audit import app as audit_app
from privacy_guard.commands.demo import demo_command
from privacy_guard.commands.keys import app as keys_app
from privacy_guard.commands.policy import app as policy_app
from privacy_guard.commands.scan import eval_command, scan_command
from privacy_guard.commands.serve import serve_command

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
app.command("serve")(serve_command)
app.command("demo")(demo_command)
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")


def main() -> None:
    app()
