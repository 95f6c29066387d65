"""Name columns of pasted tables: a CSV or TSV whose header says which columns hold names.

NER reads prose; in `Mendès;Stéphane;stephane@…` it sees no sentence. The header ("nom;prénom",
"full_name", "Vorname") says what the cells are, so each non-empty cell under it is a PERSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_DELIMITERS = (";", ",", "\t", "|")
_NAME_HEADERS = re.compile(
    r"^(?:name|full[ _-]?name|first[ _-]?name|last[ _-]?name|firstname|lastname|surname"
    r"|given[ _-]?name|family[ _-]?name|nom|prénom|prenom|nom[ _-]complet|nom[ _-]prénom"
    r"|employee|employee[ _-]?name|employé|customer[ _-]?name|client|contact|contact[ _-]?name"
    r"|patient|patient[ _-]?name|holder|titulaire|vorname|nachname|nome|cognome|person)$",
    re.IGNORECASE,
)
_CELL = re.compile(r"^[^\W\d_][\w'’.\- ]{0,60}$")
_MAX_ROWS = 10_000


def name_columns(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each cell under a name header, for every table found in `text`."""
    if not any(d in text for d in _DELIMITERS):
        return
    lines = list(_lines(text))
    index = 0
    while index < len(lines):
        start, line = lines[index]
        delimiter, columns = _header(line)
        index += 1
        if delimiter is None:
            continue
        width = line.count(delimiter) + 1
        rows = 0
        while index < len(lines) and rows < _MAX_ROWS:
            row_start, row = lines[index]
            if row.count(delimiter) + 1 != width:
                break
            yield from _cells(row_start, row, delimiter, columns)
            index += 1
            rows += 1


def _lines(text: str) -> Iterator[tuple[int, str]]:
    position = 0
    for line in text.splitlines(keepends=True):
        yield position, line.rstrip("\r\n")
        position += len(line)


def _header(line: str) -> tuple[str | None, set[int]]:
    for delimiter in _DELIMITERS:
        if line.count(delimiter) < 1:
            continue
        cells = [c.strip().strip("\"'") for c in line.split(delimiter)]
        columns = {i for i, cell in enumerate(cells) if _NAME_HEADERS.match(cell)}
        if columns and len(columns) < len(cells):
            return delimiter, columns
    return None, set()


def _cells(
    row_start: int, row: str, delimiter: str, columns: set[int]
) -> Iterator[tuple[int, int]]:
    position = 0
    for index, cell in enumerate(row.split(delimiter)):
        if index in columns:
            stripped = cell.strip().strip("\"'")
            if stripped and _CELL.match(stripped):
                offset = cell.index(stripped)
                yield row_start + position + offset, row_start + position + offset + len(stripped)
        position += len(cell) + 1
