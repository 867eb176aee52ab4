"""Potential assessment files (nilai potensi / hasil asesmen) for the talent box.

Pure (no Flask, no database): `parse_potential(filename, data)` reads the first sheet of an
XLSX workbook (or the sheet called "Potensi") or a CSV into rows of typed values, through the
bounded readers of app.imports.common. Columns (header row, any order, case free):

    NIP (required, 18 digits as text), NILAI (required, 0-100), TANGGAL_ASESMEN (optional,
    a date), SUMBER (optional text), NAMA (optional, ignored: for the reader of the file)

The year is chosen on the upload form. Checks against the database (NIP known, duplicates,
the value rule) are done by app.services.followup.preview_import.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.imports.common import (
    as_text, file_kind, header_positions, is_blank, named_sheet_table, normalise_header, parse_date, parse_nip,
    read_csv,
)
from app.imports.masterdata import Row

COLUMNS = ("NIP", "NAMA", "NILAI", "TANGGAL_ASESMEN", "SUMBER")
REQUIRED = ("NIP", "NILAI")
SHEET = "Potensi"
MAX_ROWS = 20_000  # the city has about 10,000 employees


@dataclass
class ParsedFile:
    filename: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


def parse_potential(filename: str, data: bytes) -> ParsedFile:
    parsed = ParsedFile(filename=filename or "")
    kind = file_kind(filename, data, parsed.errors)
    table: list[tuple[int, list[Any]]] = []
    if kind == "xlsx":
        table = named_sheet_table(data, SHEET, MAX_ROWS, parsed.errors)
    elif kind == "csv":
        table = read_csv(data, parsed.errors, parsed.warnings, max_rows=MAX_ROWS)
    if parsed.errors:
        return parsed
    if not table:
        parsed.errors.append("Berkas kosong: tidak ada baris judul (NIP, NILAI, ...).")
        return parsed
    positions = header_positions(table, COLUMNS, REQUIRED, parsed.errors)
    names = [normalise_header(c) for c in table[0][1]]
    if parsed.errors:
        return parsed
    parsed.columns = [n for n in names if n in positions]
    for line, cells in table[1:]:
        if all(is_blank(c) for c in cells):
            continue
        row = Row(sheet=SHEET, line=line)
        cell = {c: (cells[i] if i < len(cells) else None) for c, i in positions.items()}
        row.raw = {c: as_text(v) for c, v in cell.items()}
        problems: list[str] = []
        row.values["NIP"] = parse_nip(cell["NIP"], problems)
        if problems:
            row.bad.add("NIP")
            for m in problems:
                row.error(f"NIP: {m}")
        value = cell["NILAI"]
        row.values["NILAI"] = value if isinstance(value, (int, float)) and not isinstance(value, bool) else (
            as_text(value))
        if "TANGGAL_ASESMEN" in cell:
            problems = []
            row.values["TANGGAL_ASESMEN"] = parse_date(cell["TANGGAL_ASESMEN"], problems, "TANGGAL_ASESMEN",
                                                       required=False)
            if problems:
                row.bad.add("TANGGAL_ASESMEN")
                for m in problems:
                    row.error(m)
        if "SUMBER" in cell:
            row.values["SUMBER"] = as_text(cell["SUMBER"]) or None
        parsed.rows.append(row)
    return parsed
