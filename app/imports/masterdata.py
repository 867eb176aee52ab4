"""Master data files (data induk) in the layout of a personnel (SIMPEG) export.

Pure (no Flask, no database): `parse_masterdata(filename, data, kind)` reads

- an XLSX workbook with up to three sheets "Unit", "Jabatan", "Pegawai" (any may be absent
  or empty; other sheets such as "Petunjuk" are ignored), or
- a single CSV holding one kind of row (`kind` = "Unit", "Jabatan" or "Pegawai", or None to
  recognise it from the header),

into rows of typed values. Problems of the file or of a sheet header (unknown or missing
columns, wrong format) are file-level errors; problems of one cell go to that row's errors.
Checks against the database and across rows (duplicates, unknown codes, cycles, scope) are
done by app.services.master_import.

Row numbers are the ones the user sees in the spreadsheet (header = row 1). Messages are in
Indonesian. Columns are documented for operators in docs/master-data-import.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from app.domain.golongan import PNS_GOLONGAN, PPPK_GOLONGAN
from app.domain.nip import EMPLOYEE_KINDS
from app.domain.positions import ESELONS, POSITION_KINDS
from app.imports.common import (
    Row, as_text, file_kind, find_sheet, is_blank, map_header, normalise_header, open_xlsx, parse_date, parse_nip,
    read_csv, read_rows, sheet_table,
)

UNIT_KIND_CODES = ("OPD", "BIDANG", "SEKSI", "UPT", "KECAMATAN", "KELURAHAN", "PUSKESMAS", "SEKOLAH")
SHEETS = ("Unit", "Jabatan", "Pegawai")
# Required columns must be in the header (their cells may still be blank where the rule
# allows); optional columns may be left out: then existing rows keep their value and new
# rows take the default (see docs/master-data-import.md).
REQUIRED = {
    "Unit": ("KODE_UNIT", "NAMA_UNIT", "JENIS", "KODE_INDUK"),
    "Jabatan": ("KODE_UNIT", "NAMA_JABATAN", "JENIS_JABATAN"),
    "Pegawai": ("NIP", "NAMA", "JENIS_PEGAWAI", "GOLONGAN", "KODE_UNIT"),
}
OPTIONAL = {
    "Unit": ("HARI_KERJA", "AKTIF"),
    # KELAS_JABATAN is BKD's: an operator leaves it out (or unchanged, or empty for a new position).
    "Jabatan": ("JENJANG", "ESELON", "KELAS_JABATAN", "KODE_UNIT_ATASAN", "NAMA_JABATAN_ATASAN"),
    # PNS/CPNS: sex and birth date follow from the NIP when left out or empty.
    "Pegawai": ("GELAR_DEPAN", "GELAR_BELAKANG", "JENIS_KELAMIN", "TANGGAL_LAHIR", "NAMA_JABATAN", "BANK",
                "NO_REKENING", "AKTIF"),
}
# The column order of the templates (the order of a SIMPEG export).
COLUMNS = {
    "Unit": ("KODE_UNIT", "NAMA_UNIT", "JENIS", "KODE_INDUK", "HARI_KERJA", "AKTIF"),
    "Jabatan": ("KODE_UNIT", "NAMA_JABATAN", "JENIS_JABATAN", "JENJANG", "ESELON", "KELAS_JABATAN",
                "KODE_UNIT_ATASAN", "NAMA_JABATAN_ATASAN"),
    "Pegawai": ("NIP", "NAMA", "GELAR_DEPAN", "GELAR_BELAKANG", "JENIS_KELAMIN", "TANGGAL_LAHIR",
                "JENIS_PEGAWAI", "GOLONGAN", "KODE_UNIT", "NAMA_JABATAN", "BANK", "NO_REKENING", "AKTIF"),
}
# Text lengths are the service validator's rule (app.services.masterdata.validate), the same
# for the panel, the API and this import; a reference longer than any stored value (KODE_INDUK,
# NAMA_JABATAN_ATASAN) matches nothing and is named as unknown.
MAX_ROWS = 50_000  # per sheet: the whole city has about 10,000 employees
TRUE_WORDS = {"Y", "YA", "1", "TRUE", "AKTIF", "BENAR"}
FALSE_WORDS = {"T", "N", "TIDAK", "0", "FALSE", "NONAKTIF", "TIDAK AKTIF", "SALAH"}

_PNS_GOL = {code.upper(): code for code, _ in PNS_GOLONGAN}
_PPPK_GOL = {code.upper(): code for code in PPPK_GOLONGAN}
_ESELON = {e.upper().replace(".", ""): e for e in ESELONS}


# --------------------------------------------------------------------------- results
@dataclass
class Sheet:
    name: str
    columns: list[str] = field(default_factory=list)  # known columns present, file order
    rows: list[Row] = field(default_factory=list)


@dataclass
class ParsedWorkbook:
    filename: str
    kind: str = ""  # "csv" or "xlsx"
    errors: list[str] = field(default_factory=list)  # file-level: nothing is imported
    warnings: list[str] = field(default_factory=list)
    sheets: dict[str, Sheet] = field(default_factory=dict)  # only the sheets present, in SHEETS order

    def rows(self, name: str) -> list[Row]:
        sheet = self.sheets.get(name)
        return sheet.rows if sheet else []


# --------------------------------------------------------------------------- parsing
def detect_kind(header: list[str]) -> Optional[str]:
    names = set(header)
    if "NIP" in names:
        return "Pegawai"
    if "NAMA_JABATAN" in names and "JENIS_JABATAN" in names:
        return "Jabatan"
    if "NAMA_UNIT" in names or "KODE_INDUK" in names:
        return "Unit"
    return None


def parse_masterdata(filename: str, data: bytes, kind: Optional[str] = None) -> ParsedWorkbook:
    """Read an XLSX workbook (three sheets) or a CSV of one kind (see the module docstring)."""
    parsed = ParsedWorkbook(filename=filename or "")
    parsed.kind = file_kind(filename, data, parsed.errors)
    if parsed.kind == "xlsx":
        _read_workbook(data, parsed)
    elif parsed.kind == "csv":
        table = read_csv(data, parsed.errors, parsed.warnings, max_rows=MAX_ROWS)  # bounded: app.imports.common
        if not parsed.errors:
            if kind is None:
                header = next((cells for _, cells in table if any(not is_blank(c) for c in cells)), [])
                kind = detect_kind([normalise_header(c) for c in header])
                if kind is None:
                    parsed.errors.append("Jenis data CSV tidak dapat dikenali dari baris judul; pilih jenis data "
                                         "(Unit, Jabatan atau Pegawai) pada formulir unggah.")
            elif kind not in SHEETS:
                parsed.errors.append("Jenis data harus Unit, Jabatan atau Pegawai.")
            if not parsed.errors:
                _read_table(kind, table, parsed, label=f"Berkas CSV ({kind})")
    if not parsed.errors and not any(s.rows for s in parsed.sheets.values()):
        parsed.errors.append("Berkas tidak berisi baris data (lembar Unit, Jabatan dan Pegawai kosong).")
    return parsed


def _read_workbook(data: bytes, parsed: ParsedWorkbook) -> None:
    wb = open_xlsx(data, parsed.errors)
    if wb is None:
        return
    try:
        found = {name: find_sheet(wb, name) for name in SHEETS}
        if not any(found.values()):
            present = ", ".join(f'"{n}"' for n in wb.sheetnames) or "(tidak ada)"
            parsed.errors.append(
                f'Lembar (sheet) "Unit", "Jabatan" atau "Pegawai" tidak ditemukan. Lembar yang ada: {present}. '
                "Gunakan templat impor data induk.")
            return
        for name in SHEETS:
            if found[name] is not None:
                # bounded reading (declared dimension, rows, columns, cell length): app.imports.common
                before = len(parsed.errors)
                table = sheet_table(found[name], MAX_ROWS, parsed.errors, label=f"Lembar {name}")
                if len(parsed.errors) > before:
                    return
                _read_table(name, table, parsed, label=f"Lembar {name}")
    finally:
        wb.close()


def _read_table(kind: str, table: list[tuple[int, list[Any]]], parsed: ParsedWorkbook, label: str) -> None:
    start = next((i for i, (_, cells) in enumerate(table) if any(not is_blank(c) for c in cells)), None)
    if start is None:
        return  # an empty sheet: nothing of this kind
    header_line, header_cells = table[start]
    names = [normalise_header(c) for c in header_cells]
    positions, duplicated, unknown = map_header(names, set(COLUMNS[kind]))
    where = f"{label}, baris judul (baris {header_line})"
    if duplicated:
        parsed.errors.append(f"{where}: kolom ganda " + ", ".join(sorted(set(duplicated))) + ".")
    missing = [c for c in REQUIRED[kind] if c not in positions]
    if missing:
        parsed.errors.append(f"{where}: kolom wajib tidak ada: " + ", ".join(missing) + ".")
    if unknown:
        parsed.errors.append(f"{where}: kolom tidak dikenal: " + ", ".join(unknown) + ". Kolom yang berlaku: "
                             + ", ".join(COLUMNS[kind]) + ".")
    sheet = Sheet(name=kind, columns=[n for n in names if n in positions])
    parsed.sheets[kind] = sheet
    if missing or unknown or duplicated:
        return
    data_rows = table[start + 1:]
    if sum(1 for _, cells in data_rows if any(not is_blank(c) for c in cells)) > MAX_ROWS:
        parsed.errors.append(f"{label}: lebih dari {MAX_ROWS:,} baris data.".replace(",", "."))
        return
    sheet.rows.extend(read_rows(data_rows, positions, kind, _READERS[kind]))
    # SHEETS order, whatever the order of reading
    parsed.sheets = {n: parsed.sheets[n] for n in SHEETS if n in parsed.sheets}


# --------------------------------------------------------------------------- cells
def _fail(row: Row, column: str, message: str) -> None:
    row.bad.add(column)
    row.error(message)


def _code(cell: dict, column: str, row: Row, required: bool) -> None:
    """A code kept as text: a decimal number cell (2.10 -> 2.1) has lost its spelling."""
    if column not in cell:
        return
    value = cell[column]
    if is_blank(value):
        if required:
            _fail(row, column, f"{column} kosong.")
        row.values[column] = None
        return
    if isinstance(value, float) and not value.is_integer():
        _fail(row, column, f"{column} tersimpan sebagai angka di Excel ({as_text(value)}); format kolom sebagai "
                           "Teks lalu ketik ulang kodenya.")
        return
    _text(cell, column, row, required)


def _text(cell: dict, column: str, row: Row, required: bool = False) -> None:
    if column not in cell:
        return
    text = re.sub(r"\s+", " ", as_text(cell[column])).strip()
    if not text:
        if required:
            _fail(row, column, f"{column} kosong.")
        row.values[column] = None
        return
    row.values[column] = text


def _choice(cell: dict, column: str, row: Row, choices, required: bool = True, label: str = "") -> None:
    if column not in cell:
        return
    value = cell[column]
    if is_blank(value):
        if required:
            _fail(row, column, f"{column} kosong.")
        row.values[column] = None
        return
    text = re.sub(r"[\s\-]+", "_", as_text(value).upper())
    if text not in choices:
        _fail(row, column, f"{column} tidak dikenal: {as_text(value)} (pilihan: {label or ', '.join(choices)}).")
        return
    row.values[column] = text


def _integer(cell: dict, column: str, row: Row, required: bool, allowed=None) -> None:
    if column not in cell:
        return
    value = cell[column]
    if is_blank(value):
        if required:
            _fail(row, column, f"{column} kosong.")
        row.values[column] = None
        return
    number = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+([.,]0+)?\s*", value):
        number = int(re.split(r"[.,]", value.strip())[0])
    if number is None:
        _fail(row, column, f"{column} harus bilangan bulat: {as_text(value)}.")
        return
    if allowed is not None and number not in allowed:
        _fail(row, column, f"{column} harus " + " atau ".join(str(a) for a in allowed) + f": {number}.")
        return
    row.values[column] = number


def _flag(cell: dict, column: str, row: Row) -> None:
    if column not in cell:
        return
    value = cell[column]
    if is_blank(value):
        row.values[column] = True  # a blank AKTIF means active
        return
    if isinstance(value, bool):
        row.values[column] = value
        return
    text = as_text(value).upper()
    if text in TRUE_WORDS:
        row.values[column] = True
    elif text in FALSE_WORDS:
        row.values[column] = False
    else:
        _fail(row, column, f"{column} harus Y (aktif) atau T (tidak aktif): {as_text(value)}.")


def _account(cell: dict, column: str, row: Row) -> None:
    if column not in cell:
        return
    value = cell[column]
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool) and len(str(value)) > 15):
        _fail(row, column, f"{column} tersimpan sebagai angka di Excel sehingga angka nol di depan atau digit "
                           "terakhir dapat hilang; format kolom sebagai Teks lalu ketik ulang.")
        return
    if isinstance(value, str):
        value = value.strip().lstrip("'").replace(" ", "").replace("-", "").replace(".", "")
        cell = {column: value}
    _text(cell, column, row)
    text = row.values.get(column)
    if text and not (text.isdigit() and text.isascii()):
        _fail(row, column, f"{column} hanya boleh berisi angka: {text}.")
        row.values.pop(column, None)


# --------------------------------------------------------------------------- sheets
def _read_unit(cell: dict, row: Row) -> None:
    _code(cell, "KODE_UNIT", row, True)
    _text(cell, "NAMA_UNIT", row, True)
    _choice(cell, "JENIS", row, UNIT_KIND_CODES)
    _code(cell, "KODE_INDUK", row, False)
    _integer(cell, "HARI_KERJA", row, False, allowed=(5, 6))  # blank: stored value, or 5 for a new unit
    _flag(cell, "AKTIF", row)


def _read_position(cell: dict, row: Row) -> None:
    _code(cell, "KODE_UNIT", row, True)
    _text(cell, "NAMA_JABATAN", row, True)
    _choice(cell, "JENIS_JABATAN", row, POSITION_KINDS)
    _text(cell, "JENJANG", row)
    if row.get("JENJANG"):
        row.values["JENJANG"] = " ".join(w.capitalize() for w in row.values["JENJANG"].split(" "))
    if "ESELON" in cell:
        value = cell["ESELON"]
        if is_blank(value) or as_text(value) in ("-", "0"):
            row.values["ESELON"] = None
        else:
            key = re.sub(r"[\s./]", "", as_text(value)).upper()
            row.values["ESELON"] = _ESELON.get(key, as_text(value))  # an unknown one: the validator names it
    _integer(cell, "KELAS_JABATAN", row, False)  # empty: not set yet (BKD sets it)
    _code(cell, "KODE_UNIT_ATASAN", row, False)
    _text(cell, "NAMA_JABATAN_ATASAN", row)
    if row.get("KODE_UNIT_ATASAN") and not row.get("NAMA_JABATAN_ATASAN") and "KODE_UNIT_ATASAN" not in row.bad:
        _fail(row, "NAMA_JABATAN_ATASAN", "KODE_UNIT_ATASAN diisi tetapi NAMA_JABATAN_ATASAN kosong.")


def _golongan(cell: dict, row: Row) -> None:
    value = cell.get("GOLONGAN")
    if is_blank(value):
        _fail(row, "GOLONGAN", "GOLONGAN kosong.")
        return
    text = as_text(value).replace(" ", "").upper()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        _fail(row, "GOLONGAN", f"GOLONGAN harus berupa kode seperti III/a (PNS) atau IX (PPPK): {as_text(value)}.")
        return
    # PNS "III/a", "III/A", "III-a"; PPPK "IX". The validator checks it fits the kind.
    row.values["GOLONGAN"] = _PNS_GOL.get(text.replace("-", "/").replace(".", "/"), _PPPK_GOL.get(text, as_text(value)))


def _read_employee(cell: dict, row: Row) -> None:
    nip = parse_nip(cell.get("NIP"), row.errors)
    if nip is None:
        row.bad.add("NIP")
    row.values["NIP"] = nip
    _text(cell, "NAMA", row, True)
    _text(cell, "GELAR_DEPAN", row)
    _text(cell, "GELAR_BELAKANG", row)
    # Empty sex or birth date: taken from a PNS/CPNS NIP, else "wajib diisi" (the service validator).
    _choice(cell, "JENIS_KELAMIN", row, ("L", "P"), required=False, label="L atau P")
    before = len(row.errors)
    row.values["TANGGAL_LAHIR"] = parse_date(cell.get("TANGGAL_LAHIR"), row.errors, "TANGGAL_LAHIR", required=False)
    if len(row.errors) > before:
        row.bad.add("TANGGAL_LAHIR")
    _choice(cell, "JENIS_PEGAWAI", row, EMPLOYEE_KINDS)
    _golongan(cell, row)
    _code(cell, "KODE_UNIT", row, True)
    _text(cell, "NAMA_JABATAN", row)
    _text(cell, "BANK", row)
    _account(cell, "NO_REKENING", row)
    _flag(cell, "AKTIF", row)


_READERS = {"Unit": _read_unit, "Jabatan": _read_position, "Pegawai": _read_employee}


def name_key(name: Optional[str]) -> str:
    """Positions are matched by name without regard to case or repeated spaces."""
    return re.sub(r"\s+", " ", (name or "")).strip().casefold()
