"""`privacy-guard audit verify|checkpoint|proof|consistency|verify-proof|show|export|report`,
and for a fleet's PostgreSQL store `audit init-db` and `audit migrate`.

`verify` and `verify-proof` take the public key file from the officer (`--pubkey`), never from
the log. The log is found through `--log` (a SQLite file or a postgresql:// URL), else the
config's `audit.url`, else its `audit.path`.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from privacy_guard.audit.keys import PROMPT_DOMAIN, load_hmac_key, load_keyring
from privacy_guard.audit.proofs import (
    consistency_bundle,
    inclusion_bundle,
    tlog_proof,
    verify_bundle,
)
from privacy_guard.audit.query import RecordFilter, csv_header, csv_line, jsonl_line, select
from privacy_guard.audit.store import AuditStore
from privacy_guard.audit.stores import configured_target, is_url, open_store
from privacy_guard.audit.verify import verify_log
from privacy_guard.commands.common import ConfigOption, fail
from privacy_guard.commands.keys import audit_settings
from privacy_guard.errors import PrivacyGuardError

app = typer.Typer(
    name="audit",
    help="Verify, inspect and prove the signed audit log.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

LogOption = Annotated[
    str | None,
    typer.Option(
        "--log",
        metavar="PATH|URL",
        help="The audit log: a SQLite file or a postgresql:// URL (default: the config's "
        "audit.url, else audit.path).",
    ),
]
PubkeyOption = Annotated[
    Path,
    typer.Option(
        "--pubkey",
        metavar="FILE",
        help="Your copy of the log's public key file (`privacy-guard keys export`); never "
        "taken from the log.",
    ),
]
OutOption = Annotated[
    Path | None, typer.Option("--out", metavar="FILE", help="Write here, not to stdout.")
]


def _log_target(config: Path | None, log: str | None) -> str | Path:
    if log is None:
        return configured_target(audit_settings(config))
    return log if is_url(log) else Path(log)


@contextmanager
def _reader(config: Path | None, log: str | None) -> Iterator[AuditStore]:
    try:
        target = _log_target(config, log)
        # A URL's password comes from the config's password_env (or libpq's PGPASSWORD).
        settings = audit_settings(config) if is_url(target) else None
        store = open_store(target, settings=settings, readonly=True)
    except PrivacyGuardError as error:
        raise fail(str(error), 1) from None
    try:
        yield store
    except PrivacyGuardError as error:
        raise fail(str(error), 1) from None
    finally:
        store.close()


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read the {what} {path}: {type(error).__name__}", 2) from None


def _emit(text: str, out_file: Path | None) -> None:
    if out_file is not None:
        out_file.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@app.command("verify")
def verify_command(
    pubkey: PubkeyOption,
    log: LogOption = None,
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoint",
            metavar="FILE",
            help="A checkpoint you kept earlier (`audit checkpoint`); repeatable. Reveals a "
            "truncated tail or a rewritten history.",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Records after the last checkpoint are a problem."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON report on stdout.")] = False,
    config: ConfigOption = None,
) -> None:
    """Verify the log: every hash, root and signature, against your public keys.

    Prints each problem with its reason code and the record indices it affects, then a summary.

    Exit 0 only when the log is valid. The reason codes: README, "For compliance officers".
    """
    try:
        keyring = load_keyring(pubkey)
    except PrivacyGuardError as error:
        raise fail(str(error), 2) from None
    kept = [(str(path), _read_text(path, "checkpoint")) for path in checkpoint or ()]
    with _reader(config, log) as store, _progress() as progress:
        report = verify_log(store, keyring, kept=kept, strict=strict, progress=progress)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        out = Console(highlight=False, soft_wrap=True)
        for problem in report.problems:
            out.print(f"[red]{escape(str(problem))}[/red]")
            out.print(f"  what to do: {escape(problem.action)}")
        for note in report.notes:
            out.print(f"note: {escape(note)}")
        colour = "green" if report.valid else "red"
        out.print(f"[{colour}]{escape(report.summary())}[/{colour}]")
    raise typer.Exit(0 if report.valid else 1)


@contextmanager
def _progress() -> Iterator[Any]:
    """A progress bar on stderr for long runs, when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("verifying"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} records"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("verify", total=1)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@app.command("checkpoint")
def checkpoint_command(
    log: LogOption = None,
    sign: Annotated[
        bool,
        typer.Option(
            "--sign",
            help="First sign a checkpoint covering every record (needs the signing key).",
        ),
    ] = False,
    out_file: OutOption = None,
    config: ConfigOption = None,
) -> None:
    """Print the latest signed checkpoint, for officers to keep and witnesses to cosign."""
    if sign:
        from privacy_guard.audit import open_audit_log

        settings = audit_settings(config)
        if log is not None:
            settings = settings.model_copy(
                update={"url": log} if is_url(log) else {"path": Path(log), "url": None}
            )
        try:
            with open_audit_log(settings) as audit:
                latest = audit.checkpoint()
        except PrivacyGuardError as error:
            raise fail(str(error), 1) from None
        _emit(latest.note, out_file)
        return
    with _reader(config, log) as store:
        latest = store.latest_checkpoint()
    if latest is None:
        raise fail("the log has no checkpoint yet (`audit checkpoint --sign` makes one)", 1)
    _emit(latest.note, out_file)


@app.command("proof")
def proof_command(
    index: Annotated[int, typer.Argument(min=0, help="The record's index.")],
    log: LogOption = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint", metavar="FILE", help="Prove against this checkpoint you kept."
        ),
    ] = None,
    out_file: OutOption = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="json, or tlog-proof (C2SP c2sp.org/tlog-proof, the record in its `extra` "
            "line), which standard transparency-log tools read.",
        ),
    ] = "json",
    config: ConfigOption = None,
) -> None:
    """Print an inclusion proof of one record, with its checkpoint, as JSON or a tlog-proof.

    An officer checks it offline with `audit verify-proof FILE --pubkey KEYS`.
    """
    if fmt not in ("json", "tlog-proof"):
        raise fail("--format is json or tlog-proof")
    with _reader(config, log) as store:
        if checkpoint is not None:
            note = _read_text(checkpoint, "checkpoint")
        else:
            covering = [c for c in store.checkpoints() if c.size > index]
            if not covering:
                raise fail(
                    f"record {index} is not covered by a checkpoint yet "
                    "(`audit checkpoint --sign` makes one)",
                    1,
                )
            note = covering[-1].note
        bundle = inclusion_bundle(store, index, note)
    text = tlog_proof(bundle) if fmt == "tlog-proof" else json.dumps(bundle, indent=2) + "\n"
    _emit(text, out_file)


@app.command("consistency")
def consistency_command(
    old: Annotated[Path, typer.Argument(metavar="OLD_CHECKPOINT", help="A checkpoint you kept.")],
    log: LogOption = None,
    new: Annotated[
        Path | None,
        typer.Option("--to", metavar="FILE", help="The newer checkpoint (default: the latest)."),
    ] = None,
    out_file: OutOption = None,
    config: ConfigOption = None,
) -> None:
    """Print a consistency proof from a checkpoint you kept to a newer one, as JSON.

    It shows that the log only grew in between. Check it with `audit verify-proof`.
    """
    old_note = _read_text(old, "checkpoint")
    with _reader(config, log) as store:
        if new is not None:
            new_note = _read_text(new, "checkpoint")
        else:
            latest = store.latest_checkpoint()
            if latest is None:
                raise fail("the log has no checkpoint yet", 1)
            new_note = latest.note
        bundle = consistency_bundle(store, old_note, new_note)
    _emit(json.dumps(bundle, indent=2) + "\n", out_file)


@app.command("verify-proof")
def verify_proof_command(
    proof: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A file from `audit proof` (JSON or tlog-proof) or `audit consistency`.",
        ),
    ],
    pubkey: PubkeyOption,
    config: ConfigOption = None,
) -> None:
    """Check a proof file offline, with your public key file only.

    `--config` is accepted like everywhere else, and not needed: nothing of the gateway's is used.
    """
    del config
    try:
        keyring = load_keyring(pubkey)
        result = verify_bundle(_read_text(proof, "proof file"), keyring)
    except PrivacyGuardError as error:
        Console(highlight=False, soft_wrap=True).print(f"[red]invalid: {escape(str(error))}[/red]")
        raise typer.Exit(1) from None
    cp = result.checkpoint
    out = Console(highlight=False, soft_wrap=True)
    if result.kind == "inclusion":
        assert result.record is not None
        record = result.record
        out.print(
            f"[green]valid[/green]: record {record['index']:,} ({record.get('type')}, "
            f"{record.get('time')}) is in log {escape(cp.origin)} of {cp.size:,} records "
            f"({result.proof_hashes} proof hashes)"
        )
        typer.echo(json.dumps(record, indent=2, sort_keys=True))
    else:
        assert result.old_checkpoint is not None
        out.print(
            f"[green]valid[/green]: log {escape(cp.origin)} of {result.old_checkpoint.size:,} "
            f"records is a prefix of its {cp.size:,} records ({result.proof_hashes} proof hashes)"
        )


def _when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise fail(
            f"{option}: not an ISO date or time (e.g. 2026-05-01 or 2026-05-01T12:00)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _filter(
    team: str | None,
    action: str | None,
    entity: str | None,
    record_type: str | None,
    request_id: str | None,
    since: str | None,
    until: str | None,
    prompt_from: Path | None,
    hmac_key: Path | None,
    config: Path | None,
) -> RecordFilter:
    hmacs = None
    if prompt_from is not None:
        text = sys.stdin.read() if str(prompt_from) == "-" else _read_text(prompt_from, "file")
        key_path = hmac_key or audit_settings(config).hmac_key
        if key_path is None:
            raise fail("--prompt-from needs the HMAC key (--hmac-key or the config)")
        try:
            key = load_hmac_key(key_path)
        except PrivacyGuardError as error:
            raise fail(str(error)) from None
        # A text read from a file usually ends with a newline the prompt did not have.
        variants = {text, text.rstrip("\n")}
        hmacs = frozenset(key.digest(PROMPT_DOMAIN, variant) for variant in variants)
    return RecordFilter(
        team=team,
        action=action,
        entity=entity,
        record_type=record_type,
        request_id=request_id,
        since=_when(since, "--since"),
        until=_when(until, "--until"),
        prompt_hmacs=hmacs,
    )


Team = Annotated[str | None, typer.Option("--team", help="Only this team's records.")]
Action = Annotated[
    str | None, typer.Option("--action", help="allow, redact, reroute, block or error.")
]
Entity = Annotated[
    str | None, typer.Option("--entity", help="Only decisions that found this entity type.")
]
RecordType = Annotated[str | None, typer.Option("--type", help="decision, outcome or heartbeat.")]
RequestId = Annotated[str | None, typer.Option("--request-id", help="One request's records.")]
Since = Annotated[str | None, typer.Option("--since", help="From this UTC date/time (ISO).")]
Until = Annotated[str | None, typer.Option("--until", help="Before this UTC date/time (ISO).")]
PromptFrom = Annotated[
    Path | None,
    typer.Option(
        "--prompt-from",
        metavar="FILE|-",
        help="Only decisions on exactly this text (matched by its keyed HMAC; needs the HMAC key).",
    ),
]
HmacKeyOption = Annotated[
    Path | None,
    typer.Option("--hmac-key", metavar="FILE", help="HMAC key for --prompt-from."),
]


@app.command("show")
def show_command(
    log: LogOption = None,
    team: Team = None,
    action: Action = None,
    entity: Entity = None,
    record_type: RecordType = None,
    request_id: RequestId = None,
    since: Since = None,
    until: Until = None,
    prompt_from: PromptFrom = None,
    hmac_key: HmacKeyOption = None,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="The most recent N matches (0: all).")
    ] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format jsonl.")] = False,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="table, or jsonl (each record exactly as stored, one per line).",
        ),
    ] = "table",
    config: ConfigOption = None,
) -> None:
    """List records (the most recent matches), filtered by team, action, entity type, time.

    On a terminal the table fits its width; written to a file or a pipe, every value is whole.
    """
    if fmt not in ("table", "jsonl"):
        raise fail("--format is table or jsonl")
    filt = _filter(
        team, action, entity, record_type, request_id, since, until, prompt_from, hmac_key, config
    )
    with _reader(config, log) as store:
        records = deque(select(store, filt), maxlen=limit or None)
    if as_json or fmt == "jsonl":
        for record in records:
            typer.echo(jsonl_line(record))
        return
    table = Table(show_edge=False, pad_edge=False)
    for column in ("index", "time (UTC)", "type", "team", "action", "model", "entities", "request"):
        table.add_column(column, no_wrap=column in ("index", "time (UTC)"))
    for r in records:
        entities = ", ".join(f"{k}×{v}" for k, v in sorted((r.get("entities") or {}).items()))
        if r["type"] == "outcome":
            entities = f"status {r.get('upstream_status')}, {r.get('latency_us', 0) / 1000:.1f} ms"
        action_text = r.get("effective_action") or ""
        if r.get("action") and r.get("action") != action_text:
            action_text = f"{r['action']} ({action_text})"
        table.add_row(
            f"{r['index']:,}",
            r["time"][:23].replace("T", " "),
            r["type"],
            r.get("team") or "",
            action_text,
            r.get("routed_model") or "",
            entities,
            r.get("request_id") or "",
        )
    out = Console(highlight=False)
    if not out.is_terminal:
        # Not a terminal (a file, a pipe): rich would assume 80 columns and cut values ("deci…").
        out = Console(highlight=False, width=100_000)
    out.print(table)
    out.print(f"{len(records):,} record(s)")


@app.command("export")
def export_command(
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    log: LogOption = None,
    out_file: OutOption = None,
    team: Team = None,
    action: Action = None,
    entity: Entity = None,
    record_type: RecordType = None,
    since: Since = None,
    until: Until = None,
    config: ConfigOption = None,
) -> None:
    """Export records as JSON lines (exactly as stored, one per line) or CSV."""
    if fmt not in ("jsonl", "csv"):
        raise fail("--format is jsonl or csv")
    filt = _filter(team, action, entity, record_type, None, since, until, None, None, config)
    with _reader(config, log) as store:
        out = out_file.open("w", encoding="utf-8", newline="") if out_file else sys.stdout
        try:
            if fmt == "csv":
                out.write(csv_header())
            for record in select(store, filt):
                out.write(csv_line(record) if fmt == "csv" else jsonl_line(record) + "\n")
        finally:
            if out_file:
                out.close()


@app.command("report")
def report_command(
    pubkey: PubkeyOption,
    log: LogOption = None,
    out_file: Annotated[
        Path,
        typer.Option("--out", metavar="FILE", help="The HTML file to write (e.g. report.html)."),
    ] = Path("audit-report.html"),
    team: Team = None,
    since: Since = None,
    until: Until = None,
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoint",
            metavar="FILE",
            help="A checkpoint you kept earlier, verified with the log; repeatable.",
        ),
    ] = None,
    latest: Annotated[
        int,
        typer.Option("--latest", min=0, help="How many of the newest decisions the table lists."),
    ] = 500,
    config: ConfigOption = None,
) -> None:
    """Write an offline HTML report: the verification result, then charts and a table.

    One self-contained file (inline SVG charts, no external request). The verification covers
    the whole log; --team, --since and --until select the decisions shown. Exit 0 when the log
    is valid, 1 when it is not (the report is written either way, problems first).
    """
    from privacy_guard.audit.report import build_report
    from privacy_guard.audit.report_html import render_html

    try:
        keyring = load_keyring(pubkey)
    except PrivacyGuardError as error:
        raise fail(str(error), 2) from None
    filt = _filter(team, None, None, None, None, since, until, None, None, config)
    kept = [(str(path), _read_text(path, "checkpoint")) for path in checkpoint or ()]
    with _reader(config, log) as store, _progress() as progress:
        report = build_report(
            store, keyring, filt=filt, kept=kept, latest=latest, progress=progress
        )
    try:
        out_file.write_text(render_html(report), encoding="utf-8")
    except OSError as error:
        raise fail(f"cannot write {out_file}: {type(error).__name__}", 2) from None
    v = report.verification
    colour = "green" if v.valid else "red"
    Console(highlight=False, soft_wrap=True, stderr=True).print(
        f"[{colour}]{escape(v.summary)}[/{colour}]; {report.decisions:,} decision(s) in the "
        f"report: {escape(str(out_file))}"
    )
    raise typer.Exit(0 if v.valid else 1)


UrlArgument = Annotated[
    str, typer.Argument(metavar="URL", help="postgresql://user@host:port/db (libpq parameters ok).")
]


def _pg_url(url: str) -> str:
    if not is_url(url):
        raise fail("the database is named by a postgresql:// URL", 2)
    return url


@app.command("init-db")
def init_db_command(
    url: Annotated[
        str | None, typer.Argument(metavar="[URL]", help="The database to set up.")
    ] = None,
    print_sql: Annotated[
        bool,
        typer.Option("--print-sql", help="Print the schema and the roles' SQL; change nothing."),
    ] = False,
    gateway_role: Annotated[
        str, typer.Option("--gateway-role", help="The gateways' role (INSERT and SELECT).")
    ] = "audit_gateway",
    officer_role: Annotated[
        str, typer.Option("--officer-role", help="The officers' role (SELECT only).")
    ] = "audit_officer",
    config: ConfigOption = None,
) -> None:
    """Create (or migrate) a fleet's PostgreSQL audit schema, as the database owner.

    With --print-sql, print the schema and the grants for the gateway and officer roles, for a
    database administrator to review and run (`psql -f`). Without it, apply the migrations to
    URL; the roles' SQL is printed for you to run, since role management is the site's own.
    """
    from privacy_guard.audit.postgres_store import PostgresStore, roles_sql, schema_sql

    roles = roles_sql(gateway_role, officer_role)
    if print_sql:
        typer.echo("-- privacy-guard audit schema (run as the owner of the tables)")
        typer.echo(schema_sql())
        typer.echo("-- the fleet's roles and grants")
        typer.echo(roles, nl=False)
        return
    if url is None:
        raise fail("give the database URL (or --print-sql)", 2)
    settings = audit_settings(config) if config is not None else None
    try:
        from privacy_guard.audit.stores import password_from

        store = PostgresStore(_pg_url(url), password=password_from(settings), migrate=False)
    except PrivacyGuardError as error:
        if "holds no privacy-guard audit log" not in str(error):
            raise fail(str(error), 1) from None
        store = None
    try:
        if store is None:
            store = PostgresStore(url, password=password_from(settings))
            typer.echo(f"created the audit schema (version {store.schema_version()})")
        else:
            applied = store.migrate()
            typer.echo(
                f"applied migrations {applied}" if applied else "the audit schema is up to date"
            )
    except PrivacyGuardError as error:
        raise fail(str(error), 1) from None
    finally:
        if store is not None:
            store.close()
    typer.echo("roles and grants to run as an administrator (`audit init-db --print-sql`):")
    typer.echo(roles, nl=False)


@app.command("migrate")
def migrate_command(
    source: Annotated[Path, typer.Argument(metavar="SQLITE_PATH", help="The SQLite audit log.")],
    url: UrlArgument,
    config: ConfigOption = None,
) -> None:
    """Copy a SQLite audit log into an empty PostgreSQL store, index for index.

    Every record keeps its index and exact bytes, every checkpoint its signed note, so the
    checkpoints officers kept before the move verify against the PostgreSQL log. Stop the
    gateway first; verify the copy with `audit verify --log URL --checkpoint <kept>`.
    """
    from privacy_guard.audit.postgres_store import PostgresStore
    from privacy_guard.audit.sqlite_store import SqliteStore
    from privacy_guard.audit.stores import password_from

    settings = audit_settings(config) if config is not None else None
    try:
        reader = SqliteStore(source, readonly=True)
    except PrivacyGuardError as error:
        raise fail(str(error), 1) from None
    try:
        target = PostgresStore(_pg_url(url), password=password_from(settings))
        try:
            copied = target.import_log(reader)
            checkpoints = len(target.checkpoints())
        finally:
            target.close()
    except PrivacyGuardError as error:
        raise fail(str(error), 1) from None
    finally:
        reader.close()
    typer.echo(f"copied {copied:,} records and {checkpoints:,} checkpoints to {redact(url)}")


def redact(url: str) -> str:
    from privacy_guard.audit.postgres_store import redacted_url

    return redacted_url(url)
