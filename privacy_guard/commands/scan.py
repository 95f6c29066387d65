"""`privacy-guard scan` and `privacy-guard eval`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from privacy_guard.catalog import Access
from privacy_guard.commands.common import ConfigOption, load_snapshot
from privacy_guard.commands.scan_files import scan_files
from privacy_guard.detect import Detector, Finding
from privacy_guard.errors import PrivacyGuardError
from privacy_guard.policy import DEFAULT_TEAM, Action, Decision, decide

_BATCH = 32
_COLOURS = {
    "PERSON": "bold magenta",
    "LOCATION": "bold green",
    "HEALTH": "bold red",
    "SECRET": "bold white on red",
    "EMAIL_ADDRESS": "bold cyan",
    "PHONE_NUMBER": "bold cyan",
}


def _fail(message: str, code: int = 2) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _fail(f"{what} is not valid UTF-8 (byte {error.start}); pass UTF-8 text") from None


def scan_command(
    arguments: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="TEXT|PATH",
            help="Text to scan ('-' or nothing reads standard input); with --files, the files.",
            show_default=False,
        ),
    ] = None,
    files: Annotated[
        bool,
        typer.Option(
            "--files",
            help="The arguments are files: a `path:line:col: ENTITY rule` line per finding "
            "(never the value) and the policy's decision for each file.",
        ),
    ] = False,
    fail_on: Annotated[
        Action | None,
        typer.Option(
            "--fail-on",
            metavar="ACTION",
            help="Exit 1 when the policy's decision (for a text, a line of --jsonl, or any "
            "file) is ACTION or more restrictive: allow < redact < reroute < block.",
            case_sensitive=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    jsonl: Annotated[
        str | None,
        typer.Option(
            "--jsonl",
            metavar="FILE|-",
            help='Scan many texts: lines {"id", "text", optional "language"}; a line out each.',
        ),
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Force the language (en, fr, ...) instead of detecting it.")
    ] = None,
    team: Annotated[
        str | None,
        typer.Option(help="Judge with this team's policy (default: the `default` policy)."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(help="Decide for this catalog model (default: the worst case, a SaaS API)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Find personal data and secrets in a text, offline, and what the team's policy does."""
    snapshot = load_snapshot(config)
    try:
        policy = snapshot.policy(team or DEFAULT_TEAM)
        target = snapshot.model(model) if model else Access.SAAS_API
        detector = Detector(snapshot.detector_config(team or DEFAULT_TEAM))
    except PrivacyGuardError as error:
        raise _fail(str(error)) from None

    def judge(findings: list[Finding]) -> Decision:
        return decide(findings, policy, target)

    def gate(decision: Decision) -> bool:
        return fail_on is not None and decision.action.rank >= fail_on.rank

    if files:
        if not arguments:
            raise _fail("--files needs at least one PATH")
        outcome = scan_files(arguments, detector, language, judge, fail_on, as_json)
        raise typer.Exit(2 if outcome.unreadable else 1 if outcome.failed else 0)
    if arguments and len(arguments) > 1:
        raise _fail(f"give one TEXT (quote it), not {len(arguments)} words; or --files PATH...")
    text = arguments[0] if arguments else None
    if jsonl is not None:
        stream = sys.stdin.buffer if jsonl == "-" else _open(jsonl)
        failed = _scan_jsonl(detector, stream, language, judge, gate)
        raise typer.Exit(1 if failed else 0)
    if text is None or text == "-":
        if text is None and sys.stdin.isatty():
            raise _fail("give a TEXT argument, '-' for standard input, or --jsonl FILE")
        text = _decode(sys.stdin.buffer.read(), "standard input")
    try:
        findings = detector.scan(text, language)
    except PrivacyGuardError as error:
        raise _fail(str(error), 1) from None
    detected = findings[0].language if findings else (language or "")
    decision = judge(findings)
    if as_json:
        payload = {
            "length": len(text),
            "language": detected or None,
            "findings": [f.to_dict() for f in findings],
            "decision": decision.to_dict(),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
    else:
        _print_findings(text, findings)
        _print_decision(decision)
    if gate(decision):
        raise typer.Exit(1)


def _open(path: str) -> BinaryIO:
    try:
        return Path(path).open("rb")
    except OSError as error:
        raise _fail(f"cannot read {path}: {error.strerror}") from None


def _scan_jsonl(
    detector: Detector,
    stream: BinaryIO,
    language: str | None,
    judge: Callable[[list[Finding]], Decision],
    gate: Callable[[Decision], bool],
) -> bool:
    """Scan line by line in small batches, printing results in input order as they are ready.

    True when a line was bad or its decision reached --fail-on."""
    err = Console(stderr=True)
    failed = False
    batch: list[tuple[int, object, str, str | None]] = []

    def flush() -> None:
        if not batch:
            return
        nonlocal failed
        results = detector.scan_many([b[2] for b in batch], [b[3] for b in batch])
        for (_, item_id, _, _), findings in zip(batch, results, strict=True):
            decision = judge(findings)
            failed = failed or gate(decision)
            line = {
                "id": item_id,
                "findings": [f.to_dict() for f in findings],
                "decision": decision.to_dict(),
            }
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        batch.clear()

    with _progress(err) as advance:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            parsed = _parse_line(raw, number)
            if isinstance(parsed, str):
                flush()
                failed = True
                err.print(f"[red]line {number}:[/red] {parsed}", highlight=False)
                sys.stdout.write(json.dumps({"id": None, "line": number, "error": parsed}) + "\n")
            else:
                item_id, item_text, item_language = parsed
                batch.append((number, item_id, item_text, item_language or language))
                if len(batch) >= _BATCH:
                    flush()
            advance()
        flush()
    return failed


def _parse_line(raw: bytes, number: int) -> tuple[object, str, str | None] | str:
    """The line's (id, text, language), or a message saying what is wrong with it."""
    try:
        item = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        return f"not valid UTF-8 (byte {error.start})"
    except json.JSONDecodeError as error:
        return f"not valid JSON ({error.msg} at column {error.colno})"
    if not isinstance(item, dict):
        return f"expected a JSON object, got {type(item).__name__}"
    text = item.get("text")
    if not isinstance(text, str):
        return '"text" is missing or not a string'
    language = item.get("language")
    if language is not None and not isinstance(language, str):
        return '"language" must be a string'
    return item.get("id", number), text, language


class _progress:
    """A progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._bar = None

    def __enter__(self) -> typer.Callable[[], None]:  # type: ignore[name-defined]
        if not self._console.is_terminal:
            return lambda: None
        from rich.progress import Progress, SpinnerColumn, TextColumn

        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.completed} lines scanned"),
            console=self._console,
            transient=True,
        )
        self._bar.start()
        task = self._bar.add_task("scan", total=None)
        return lambda: self._bar.advance(task)  # type: ignore[union-attr]

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _print_findings(text: str, findings: list[Finding]) -> None:
    console = Console()
    highlighted = Text(text)
    for f in findings:
        highlighted.stylize(_COLOURS.get(f.entity_type, "bold yellow"), f.start, f.end)
    console.print(highlighted)
    if not findings:
        console.print("[green]No personal data or secrets found.[/green]")
        return
    table = Table(title=f"{len(findings)} finding(s)")
    for column in ("entity", "start", "end", "score", "value"):
        table.add_column(column)
    for f in findings:
        table.add_row(
            f.entity_type,
            str(f.start),
            str(f.end),
            f"{f.score:.2f}",
            _preview(text[f.start : f.end]),
        )
    console.print(table)


def _print_decision(decision: Decision) -> None:
    colour = {"allow": "green", "redact": "yellow", "reroute": "cyan", "block": "red"}
    action = decision.action.value
    where = decision.requested_model or f"any {decision.destination.value} model"
    Console(soft_wrap=True, highlight=False).print(
        f"Policy {decision.policy_id}, to {where}: "
        f"[bold {colour[action]}]{action.upper()}[/bold {colour[action]}] — "
        f"{escape(decision.message)}"
    )


def _preview(value: str) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= 60 else flat[:57] + "…"


def eval_command(
    dataset: Annotated[Path, typer.Argument(help='JSONL lines {"text", "spans": [...]}')],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Measure recall and precision per entity type on a labelled data set."""
    from privacy_guard.evaluate import DatasetError, evaluate, load_dataset

    try:
        examples = load_dataset(dataset)
    except (DatasetError, OSError) as error:
        raise _fail(str(error)) from None
    detector = Detector()
    findings: list[list[Finding]] = []
    for chunk in _chunks(examples, 64):
        findings.extend(detector.scan_many([e.text for e in chunk], [e.language for e in chunk]))
    report = evaluate(examples, findings)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    _print_report(report)


def _chunks(items: list, size: int) -> Iterator[list]:  # type: ignore[type-arg]
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _print_report(report: object) -> None:
    from privacy_guard.commands.eval_view import print_report

    print_report(report)
