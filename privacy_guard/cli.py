"""The `privacy-guard` command."""

from __future__ import annotations

import typer

from privacy_guard import __version__
from privacy_guard.commands.audit import app as audit_app
from privacy_guard.commands.demo import demo_command
from privacy_guard.commands.keys import app as keys_app
from privacy_guard.commands.policy import app as policy_app
from privacy_guard.commands.scan import eval_command, scan_command
from privacy_guard.commands.serve import serve_command

DISTRIBUTION = "llm-privacy-guard"


def _flags_take_no_value() -> None:
    """Help shows no value type after a flag (`--json`, not `--json <bool>`).

    typer (0.29) labels every option with its type, flags included, which reads as if
    `--json` took a value; it has no setting for this, so its label is dropped for flags here.
    """
    from typer.core import TyperOption

    labelled = getattr(TyperOption, "display_type_rich", None)
    if labelled is None or getattr(labelled, "_flags_unlabelled", False):
        return

    def display_type_rich(self: TyperOption, ctx: typer.Context) -> str | None:
        if self.is_flag and not self.count:
            return None
        return labelled(self, ctx)

    display_type_rich._flags_unlabelled = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_flags_take_no_value()

app = typer.Typer(
    name="privacy-guard",
    help="Privacy gateway and data-loss-prevention filter for LLM traffic.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        # The running package's own version, whichever way it was installed (or none: a checkout
        # on PYTHONPATH); the distribution is llm-privacy-guard, see pyproject.toml.
        typer.echo(f"privacy-guard {__version__} (distribution {DISTRIBUTION})")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """Privacy gateway and data-loss-prevention filter for LLM traffic."""


app.command("scan", no_args_is_help=False)(scan_command)
app.command("eval")(eval_command)
app.add_typer(policy_app, name="policy")
app.command("serve")(serve_command)
app.command("demo")(demo_command)
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")


def main() -> None:
    app()
