"""`privacy-guard policy check|test|explain`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from privacy_guard.catalog import check_catalog
from privacy_guard.commands.common import ConfigOption, fail, load_snapshot, sources
from privacy_guard.detect import Detector
from privacy_guard.errors import Issue, PolicyTestError, PrivacyGuardError
from privacy_guard.policy.decision import ACCESS_LABELS, Decision, decide
from privacy_guard.policy.detectors import DetectorPool
from privacy_guard.policy.load import check_policies
from privacy_guard.policy.model import Action, Mode, Operator, Policy
from privacy_guard.policy.store import Snapshot
from privacy_guard.policy.testing import CaseResult, case_files, load_cases, run_cases

app = typer.Typer(
    name="policy",
    help="Validate, test and explain team policies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DirArgument = Annotated[
    Path | None,
    typer.Argument(
        metavar="[DIR]",
        help="Folder of policy files (default: the config's `policies:`, else the shipped ones).",
    ),
]


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


@app.command("check")
def check_command(directory: DirArgument = None, config: ConfigOption = None) -> None:
    """Validate every policy, the catalog and the policy test files; list every problem."""
    src = sources(config, directory)
    out = _console()
    catalog, issues = check_catalog(src.models)
    policies = None
    cases = 0
    if catalog is not None:
        policies, found = check_policies(src.policies, catalog)
        issues += found
    if catalog is not None and policies is not None:
        try:
            cases = len(load_cases(case_files(src.policies), policies, catalog))
        except PolicyTestError as error:
            issues += error.issues
    if issues:
        _print_issues(out, issues)
        if catalog is None:
            out.print("The policies are checked once the catalog is valid.")
        files = len({issue.file for issue in issues})
        out.print(f"[red]{len(issues)} problem(s) in {files} file(s)[/red]")
        raise typer.Exit(1)
    assert catalog is not None and policies is not None
    for team in policies.teams():
        policy = policies.get(team)
        parents = f" (extends {' → '.join(policy.chain[1:])})" if len(policy.chain) > 1 else ""
        out.print(
            f"[green]ok[/green]  {escape(policy.source)}  {team}{parents}  {policy.hash[:19]}"
        )
    out.print(
        f"[green]{len(policies.teams())} policies, {len(catalog)} catalog models, "
        f"{cases} test cases: no problems[/green]"
    )


def _print_issues(out: Console, issues: list[Issue]) -> None:
    for issue in sorted(issues, key=lambda i: (i.file, i.line, i.column)):
        out.print(
            f"{escape(issue.file)}:{issue.line}:{issue.column}: [red]{escape(issue.message)}[/red]"
        )
        if issue.hint:
            out.print(f"  hint: {escape(issue.hint)}")


@app.command("test")
def test_command(
    directory: DirArgument = None,
    config: ConfigOption = None,
    run: Annotated[
        str | None, typer.Option("--run", help="Only the cases whose name contains this text.")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show each decision's message.")
    ] = False,
) -> None:
    """Run the policy test cases (DIR/tests/*.yaml): a line per case, a diff per failure."""
    snapshot = load_snapshot(config, directory)
    src = sources(config, directory)
    out = _console()
    files = case_files(src.policies)
    try:
        cases = load_cases(files, snapshot.policies, snapshot.catalog)
    except PolicyTestError as error:
        _print_issues(out, list(error.issues))
        raise typer.Exit(2) from None
    if run:
        cases = [case for case in cases if run.lower() in case.name.lower()]
    if not cases:
        raise fail(f"no test cases found in {src.policies or 'the shipped policies'}/tests")
    pool = DetectorPool()
    failed = 0
    for case in cases:
        started = time.perf_counter()
        (result,) = run_cases([case], snapshot.policies, snapshot.catalog, pool)
        elapsed = (time.perf_counter() - started) * 1000
        failed += not result.passed
        _print_result(out, result, elapsed, verbose)
    out.print("-" * 80)
    passed = len(cases) - failed
    out.print(f"[green]PASS: {passed}/{len(cases)}[/green]")
    if failed:
        out.print(f"[red]FAIL: {failed}/{len(cases)}[/red]")
        raise typer.Exit(1)


def _print_result(out: Console, result: CaseResult, elapsed: float, verbose: bool) -> None:
    case = result.case
    status = "[green]PASS[/green]" if result.passed else "[red]FAIL[/red]"
    out.print(
        f"{escape(case.location)}: {escape(case.name)} ({case.team} → {case.model}): "
        f"{status} ({elapsed:.0f}ms)"
    )
    if not result.passed:
        for line in result.diff():
            colour = {"-": "red", "+": "green"}.get(line[:1])
            shown = escape(line)
            out.print(f"    [{colour}]{shown}[/{colour}]" if colour else f"    {shown}")
    if verbose and result.decision is not None:
        out.print(f"    {escape(result.decision.message)}")


_WHAT_ACTIONS_DO = {
    Action.ALLOW: "The prompt is sent unchanged to {target}.",
    Action.REDACT: "The prompt is sent to {target} with the values above replaced.",
    Action.REROUTE: "The prompt is sent to the local model {target} instead of {requested}.",
    Action.BLOCK: "Nothing is sent. The caller gets an error (HTTP 403) naming the entity types "
    "and the rule, never the values.",
}
_OPERATORS = {
    Operator.PLACEHOLDER: "replaced by a placeholder, restored in the reply",
    Operator.MASK: "replaced by its type, [{entity}]",
    Operator.HASH: "replaced by a keyed hash token: the same value gives the same token",
    Operator.DROP: "removed",
}


@app.command("explain")
def explain_command(
    text: Annotated[
        str | None, typer.Argument(help="The prompt; '-' or nothing reads standard input.")
    ] = None,
    model: Annotated[str, typer.Option("--model", "-m", help="The requested catalog model.")] = "",
    team: Annotated[str, typer.Option("--team", "-t", help="The calling team.")] = "default",
    config: ConfigOption = None,
    language: Annotated[str | None, typer.Option(help="Force the language (en, fr, ...).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
) -> None:
    """Show what a team's policy does with a prompt sent to a model, and why."""
    if not model:
        raise fail("give the requested model with --model (see `privacy-guard policy check`)")
    snapshot = load_snapshot(config)
    try:
        policy = snapshot.policy(team)
        target = snapshot.model(model)
    except PrivacyGuardError as error:
        raise fail(str(error)) from None
    if text is None or text == "-":
        if text is None and sys.stdin.isatty():
            raise fail("give the prompt as TEXT, or '-' for standard input")
        try:
            text = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise fail(f"standard input is not valid UTF-8 (byte {error.start})") from None
    try:
        detector = Detector(snapshot.detector_config(team))
        findings = detector.scan(text, language)
    except PrivacyGuardError as error:
        raise fail(str(error), 1) from None
    decision = decide(findings, policy, target)
    if as_json:
        typer.echo(json.dumps(decision.to_dict(), ensure_ascii=False))
        return
    _explain(_console(), text, policy, snapshot, decision)


def _explain(
    out: Console, text: str, policy: Policy, snapshot: Snapshot, decision: Decision
) -> None:
    target = snapshot.model(decision.requested_model or "")
    chain = f", extends {' → '.join(policy.chain[1:])}" if len(policy.chain) > 1 else ""
    mode = policy.mode.value
    out.print(
        f"[bold]Team[/bold] {policy.team}: policy {escape(policy.source)}{chain}, {mode} mode"
    )
    leaves = (
        "stays on the organisation's infrastructure"
        if target.is_local
        else "leaves the organisation"
    )
    out.print(
        f"[bold]Model[/bold] {target.name}: {ACCESS_LABELS[target.access]}, jurisdiction "
        f"{escape(target.jurisdiction)}; a prompt sent there {leaves}."
    )
    if policy.allowed_models is not None and not policy.allows(target.name):
        out.print(f"  {target.name} is not among the team's allowed models.")
    out.print()
    if not decision.findings:
        out.print("No personal data or secrets found.")
    else:
        out.print(f"[bold]Found {len(decision.findings)} item(s), judged for {target.name}:[/bold]")
        rules = {rule.id: rule for rule in policy.rules}
        for number, item in enumerate(decision.findings, start=1):
            value = _preview(text[item.start : item.end], item.entity_type)
            what = item.action.value
            if item.operator is not None:
                what += f" ({_OPERATORS[item.operator].format(entity=item.entity_type)})"
            out.print(
                f'  {number}. {item.entity_type} [dim]"{escape(value)}"[/dim] '
                f"(score {item.score:.2f}) → [bold]{escape(what)}[/bold]"
            )
            rule = rules.get(item.rule or "")
            if rule is None:
                out.print("     no rule applies to it for this destination: allowed")
            else:
                why = f": {rule.description}" if rule.description else ""
                out.print(f"     rule {rule.id} ({escape(rule.source)}){escape(why)}")
    out.print()
    colour = {"allow": "green", "redact": "yellow", "reroute": "cyan", "block": "red"}
    action = decision.action.value
    out.print(f"[bold]Decision: [{colour[action]}]{action.upper()}[/{colour[action]}][/bold]")
    out.print(f"  {escape(decision.message)}")
    requested = decision.requested_model or ""
    does = _WHAT_ACTIONS_DO[decision.action].format(
        target=decision.target_model or requested, requested=requested
    )
    if decision.mode is Mode.MONITOR:
        does = (
            f"Monitor mode: the prompt is sent unchanged to {requested}; the decision is "
            "only recorded."
        )
    out.print(f"  {does}")
    if decision.action is Action.REROUTE and decision.target_model != requested:
        target = decision.target_model
        if decision.redactions:
            names = ", ".join(sorted({r.entity_type for r in decision.redactions}))
            out.print(f"  The rules for {target} still redact {names} on the way.")
        else:
            out.print(f"  {target} gets the prompt as written: no rule redacts anything for it.")


def _preview(value: str, entity_type: str) -> str:
    flat = " ".join(value.split())
    if entity_type == "SECRET":  # enough to recognise it; not enough to use it
        return flat[:6] + "…"
    return flat if len(flat) <= 40 else flat[:37] + "…"
