"""Columns of pasted tables whose header says what they hold: names, cities, addresses.

NER reads prose; in `Mendès;Stéphane;Lyon` it sees no sentence. A CSV or TSV header ("nom;prénom",
"full_name", "city", "Vorname") says what the cells are, so each non-empty cell under a
person column is a PERSON and each cell under a place column is a LOCATION (a person's city in
a table of people is where that person lives).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from privacy_guard.detect.types import Span

_DELIMITERS = (";", ",", "\t", "|")
_PERSON_HEADERS = re.compile(
    r"^(?:name|full[ _-]?name|first[ _-]?name|last[ _-]?name|firstname|lastname|surname"
    r"|given[ _-]?name|family[ _-]?name|nom|prénom|prenom|nom[ _-]complet|nom[ _-]prénom"
    r"|employee|employee[ _-]?name|employé|customer[ _-]?name|client|contact|contact[ _-]?name"
    r"|patient|patient[ _-]?name|holder|titulaire|vorname|nachname|nome|cognome|person)$",
    re.IGNORECASE,
)
_PLACE_HEADERS = re.compile(
    r"^(?:city|town|ville|commune|localité|ort|wohnort|città|home[ _-]?town|residence"
    r"|résidence|domicile|address|adresse|street|rue|strasse|straße|indirizzo)$",
    re.IGNORECASE,
)
_CELL = re.compile(r"^[^\W\d_][\w'’.\- ]{0,60}$")
_ADDRESS_CELL = re.compile(r"^[\w'’.\- ]{2,80}$")
_MAX_ROWS = 10_000


def table_spans(text: str) -> Iterator[Span]:
    """PERSON and LOCATION spans for the cells under recognised headers of every table."""
    if not any(d in text for d in _DELIMITERS):
        return
    lines = list(_lines(text))
    index = 0
    while index < len(lines):
        _, line = lines[index]
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


def _header(line: str) -> tuple[str | None, dict[int, str]]:
    for delimiter in _DELIMITERS:
        if line.count(delimiter) < 1:
            continue
        columns: dict[int, str] = {}
        cells = [c.strip().strip("\"'") for c in line.split(delimiter)]
        for i, cell in enumerate(cells):
            if _PERSON_HEADERS.match(cell):
                columns[i] = "PERSON"
            elif _PLACE_HEADERS.match(cell):
                columns[i] = "LOCATION"
        # A header names columns; a row where every cell is a header word is no data.
        if columns and len(columns) < len(cells):
            return delimiter, columns
    return None, {}


def _cells(row_start: int, row: str, delimiter: str, columns: dict[int, str]) -> Iterator[Span]:
    position = 0
    for index, cell in enumerate(row.split(delimiter)):
        entity = columns.get(index)
        if entity is not None:
            stripped = cell.strip().strip("\"'")
            shape = _CELL if entity == "PERSON" else _ADDRESS_CELL
            if stripped and shape.match(stripped):
                start = row_start + position + cell.index(stripped)
                yield Span(entity, start, start + len(stripped), 0.8, 3)
        position += len(cell) + 1


class TableRecognizer:
    name = "table_columns"
    entities = ("PERSON", "LOCATION")

    def find(self, text: str, language: str) -> Iterator[Span]:
        return table_spans(text)


RECOGNIZERS = [TableRecognizer()]
