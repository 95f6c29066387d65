"""`privacy-guard demo`: an allowed, a redacted, a rerouted and a blocked request, on loopback."""

from __future__ import annotations

import logging
import sys
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from privacy_guard.errors import PrivacyGuardError


def demo_command(
    keep_running: Annotated[
        bool,
        typer.Option(
            "--keep-running", help="Keep the demo gateway up afterwards, to try it yourself."
        ),
    ] = False,
    port: Annotated[int, typer.Option(help="Gateway port (default: any free port).")] = 0,
) -> None:
    """Walk through the four outcomes with a built-in echo model; no provider, no API key."""
    from privacy_guard.demo import ECHO_LABEL, running_demo, try_it_lines, walk_through

    out = Console(highlight=False, soft_wrap=True)
    logging.getLogger("privacy_guard").setLevel(logging.ERROR)  # the walk-through is the output
    out.print("[bold]privacy-guard demo[/bold]: everything runs on 127.0.0.1.")
    out.print(
        escape(
            f"The 'model' is a built-in echo model: it answers {ECHO_LABEL!r} + your prompt, so "
            "you can see what it received.\n'demo-saas-echo' is declared as a SaaS API (remote); "
            "'demo-local-echo' as self-hosted.\nLoading the detection pipelines…"
        )
    )
    try:
        with running_demo(port) as stack:
            results = walk_through(stack, lambda line: out.print(escape(line)))
            out.print(
                "\nPersonal data was replaced by placeholders before leaving and put back in the "
                "reply;\nthe code name stayed on the local model; the secret never left."
            )
            if keep_running:
                out.print(f"\nGateway: {stack.base_url}   key: {stack.key}   (Ctrl-C to stop)")
                out.print("Try it (models: demo-saas-echo, remote; demo-local-echo, self-hosted):")
                for line in try_it_lines(stack):
                    out.print(escape(line), overflow="ignore", crop=False)
                sys.stdout.flush()  # seen at once when the output is a pipe or a file
                try:
                    while True:
                        time.sleep(3600)
                except KeyboardInterrupt:
                    pass
    except PrivacyGuardError as error:
        out.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(2) from None
    expected = {"allowed": "allow", "redacted": "redact", "rerouted": "reroute", "blocked": "block"}
    wrong = [r.name for r in results if not r.decision.startswith(expected[r.name])]
    if wrong:
        out.print(f"[red]unexpected outcome for: {', '.join(wrong)}[/red]")
        raise typer.Exit(1)
