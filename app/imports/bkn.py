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
from app.imports.common import as_text, file_kind, header_positions, is_blank, named_sheet_table, parse_nip
from app.imports.masterdata import Row
from app.imports.potential import ParsedFile  # the same shape: errors, warnings, columns, rows

COLUMNS = ("NIP", "NAMA", "TAHUN", "BULAN", "PREDIKAT")
REQUIRED = ("NIP", "TAHUN", "PREDIKAT")
SHEET = "Predikat"
MAX_ROWS = 200_000  # about 10,000 employees x 13 predikat a year


def parse_bkn_predikat(filename: str, data: bytes) -> ParsedFile:
    parsed = ParsedFile(filename=filename or "")
    kind = file_kind(filename, data, parsed.errors)
    if parsed.errors:
        return parsed
    if kind != "xlsx":
        parsed.errors.append("Berkas ekspor BKN e-Kinerja harus berformat .xlsx.")
        return parsed
    table = named_sheet_table(data, SHEET, MAX_ROWS, parsed.errors)
    if parsed.errors:
        return parsed
    if not table:
        parsed.errors.append("Berkas kosong: tidak ada baris judul (NIP, TAHUN, BULAN, PREDIKAT).")
        return parsed
    positions = header_positions(table, COLUMNS, REQUIRED, parsed.errors)
    if parsed.errors:
        return parsed
    parsed.columns = [c for c in COLUMNS if c in positions]
    for line, cells in table[1:]:
        if all(is_blank(c) for c in cells):
            continue
        row = Row(sheet=SHEET, line=line)
        cell = {c: (cells[i] if i < len(cells) else None) for c, i in positions.items()}
        row.raw = {c: as_text(v) for c, v in cell.items()}
        problems: list[str] = []
        row.values["NIP"] = parse_nip(cell["NIP"], problems)
        for m in problems:
            row.bad.add("NIP")
            row.error(f"NIP: {m}")
        year, problem = dom.parse_year(cell["TAHUN"])
        row.values["TAHUN"] = year
        month, problem_month = dom.parse_month(cell.get("BULAN"))
        row.values["BULAN"] = month
        code = dom.predikat_code(as_text(cell["PREDIKAT"]))
        row.values["PREDIKAT"] = code
        for m in (problem, problem_month,
                  None if code else dom.MSG_PREDIKAT.format(value=as_text(cell["PREDIKAT"]))):
            if m:
                row.error(m)
        parsed.rows.append(row)
    return parsed
