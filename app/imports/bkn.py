"""A BKN e-Kinerja export of predikat (docs/bkn-exchange.md). Pure (no Flask, no database):
`parse_bkn_predikat(filename, data)` reads the sheet "Predikat" (else the first sheet) of an
XLSX workbook through the bounded readers of app.imports.common. Columns (header row, any
order, case free):

    NIP (required, 18 digits as text), TAHUN (required), BULAN (1-12, empty = yearly),
    PREDIKAT (required: BKN's words or this system's codes), NAMA (optional, ignored)

Checks against the database (NIP known and in scope, duplicates) are done by
app.services.bkn.preview_import."""
from __future__ import annotations

from app.domain import bkn as dom
from app.imports.common import ParsedTable, Row, as_text, parse_table_file, read_row_nip

COLUMNS = ("NIP", "NAMA", "TAHUN", "BULAN", "PREDIKAT")
REQUIRED = ("NIP", "TAHUN", "PREDIKAT")
SHEET = "Predikat"
MAX_ROWS = 200_000  # about 10,000 employees x 13 predikat a year


def parse_bkn_predikat(filename: str, data: bytes) -> ParsedTable:
    return parse_table_file(filename, data, sheet=SHEET, columns=COLUMNS, required=REQUIRED, max_rows=MAX_ROWS,
                            reader=_read_row, csv_refused="Berkas ekspor BKN e-Kinerja harus berformat .xlsx.",
                            empty_message="Berkas kosong: tidak ada baris judul (NIP, TAHUN, BULAN, PREDIKAT).")


def _read_row(cell: dict, row: Row) -> None:
    read_row_nip(cell, row)
    year, problem = dom.parse_year(cell["TAHUN"])
    row.values["TAHUN"] = year
    month, problem_month = dom.parse_month(cell.get("BULAN"))
    row.values["BULAN"] = month
    code = dom.predikat_code(as_text(cell["PREDIKAT"]))
    row.values["PREDIKAT"] = code
    for m in (problem, problem_month, None if code else dom.MSG_PREDIKAT.format(value=as_text(cell["PREDIKAT"]))):
        if m:
            row.error(m)
