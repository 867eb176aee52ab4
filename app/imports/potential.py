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

from app.imports.common import ParsedTable, Row, as_text, parse_date, parse_table_file, read_row_nip

COLUMNS = ("NIP", "NAMA", "NILAI", "TANGGAL_ASESMEN", "SUMBER")
REQUIRED = ("NIP", "NILAI")
SHEET = "Potensi"
MAX_ROWS = 20_000  # the city has about 10,000 employees


def parse_potential(filename: str, data: bytes) -> ParsedTable:
    return parse_table_file(filename, data, sheet=SHEET, columns=COLUMNS, required=REQUIRED, max_rows=MAX_ROWS,
                            reader=_read_row, empty_message="Berkas kosong: tidak ada baris judul (NIP, NILAI, ...).")


def _read_row(cell: dict, row: Row) -> None:
    read_row_nip(cell, row)
    value = cell["NILAI"]
    row.values["NILAI"] = value if isinstance(value, (int, float)) and not isinstance(value, bool) else (
        as_text(value))
    if "TANGGAL_ASESMEN" in cell:
        problems: list[str] = []
        row.values["TANGGAL_ASESMEN"] = parse_date(cell["TANGGAL_ASESMEN"], problems, "TANGGAL_ASESMEN",
                                                   required=False)
        if problems:
            row.bad.add("TANGGAL_ASESMEN")
            for m in problems:
                row.error(m)
    if "SUMBER" in cell:
        row.values["SUMBER"] = as_text(cell["SUMBER"]) or None
