"""`privacy-guard scan --files PATH...`: files judged one by one, for CI and pre-commit.

Each finding is printed as `path:line:col: ENTITY rule` — the format editors and CI annotations
read — and never with its value: a gate's log must not copy the personal data it caught. Each
file gets the decision the team's policy would take for it sent as one prompt.
"""

from __future__ import annotations

import bisect
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from privacy_guard.detect import Detector, Finding
from privacy_guard.errors import PrivacyGuardError
from privacy_guard.policy import Action, Decision

_BATCH = 16  # files per detector call: spaCy is faster on batches


@dataclass(frozen=True)
class FileText:
    path: str
    text: str
    line_starts: tuple[int, ...]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of a character offset."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1


@dataclass(frozen=True)
class FilesOutcome:
    failed: bool  # a decision at or above --fail-on
    unreadable: bool  # a path that could not be read


@dataclass(frozen=True)
class Skipped:
    """A path not scanned, and why; `error` when it is a failure rather than a choice."""

    path: str
    reason: str
    error: bool


def read_file(path: str) -> FileText | Skipped:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return Skipped(path, f"cannot read: {error.strerror or error}", error=True)
    if b"\0" in data:
        return Skipped(path, "skipped: binary (contains NUL bytes)", error=False)
    # Text that is not UTF-8 (Latin-1, say) is scanned anyway, undecodable bytes read as U+FFFD:
    # it can hold secrets too. Offsets stay per character.
    text = data.decode("utf-8", errors="replace")
    starts = [0]
    starts.extend(i + 1 for i, char in enumerate(text) if char == "\n")
    return FileText(path, text, tuple(starts))


def scan_files(
    paths: Sequence[str],
    detector: Detector,
    language: str | None,
    judge: Callable[[list[Finding]], Decision],
    fail_on: Action | None,
    as_json: bool,
) -> FilesOutcome:
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    out = Console(soft_wrap=True, highlight=False)
    failed = unreadable = False
    readable: list[FileText] = []
    for path in paths:
        found = read_file(path)
        if isinstance(found, Skipped):
            unreadable = unreadable or found.error
            style = "red" if found.error else "dim"
            err.print(f"[{style}]{escape(found.path)}: {escape(found.reason)}[/{style}]")
        else:
            readable.append(found)
    for start in range(0, len(readable), _BATCH):
        batch = readable[start : start + _BATCH]
        try:
            results = detector.scan_many([f.text for f in batch], [language] * len(batch))
        except PrivacyGuardError as error:
            err.print(f"[red]error:[/red] {escape(str(error))}")
            return FilesOutcome(failed=True, unreadable=unreadable)
        for file, findings in zip(batch, results, strict=True):
            decision = judge(findings)
            if fail_on is not None and decision.action.rank >= fail_on.rank:
                failed = True
            if as_json:
                sys.stdout.write(json.dumps(_as_dict(file, decision), ensure_ascii=False) + "\n")
            else:
                _print(out, file, decision)
    sys.stdout.flush()
    return FilesOutcome(failed=failed, unreadable=unreadable)


def _print(out: Console, file: FileText, decision: Decision) -> None:
    for judged in decision.findings:
        line, column = file.position(judged.start)
        out.print(
            f"{escape(file.path)}:{line}:{column}: {judged.entity_type} {judged.rule or '-'}"
        )
    out.print(f"{escape(file.path)}: {decision.action.value.upper()} — {escape(decision.message)}")


def _as_dict(file: FileText, decision: Decision) -> dict[str, object]:
    """The decision as `scan --json` gives it, its findings with their line and column."""
    payload = decision.to_dict()
    findings = []
    for judged in decision.findings:
        line, column = file.position(judged.start)
        findings.append({**judged.to_dict(), "line": line, "column": column})
    payload["findings"] = findings
    return {"path": file.path, "decision": payload}
