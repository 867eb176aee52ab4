"""Attendance files (kehadiran) from the city's attendance system: CSV or XLSX.

Two steps, both pure (no Flask, no database):

- `parse_attendance(filename, data)` reads the file into rows of typed values; problems of
  the file as a whole (format, sheet, missing columns) go to `ParsedFile.errors`, problems
  of one cell to that row's `errors`.
- `validate_rows(parsed, year, month, employees_by_nip, allowed_employee_ids)` checks the
  rows against the chosen month and the employees the importer may reach, and returns a
  `Preview` whose `ok` is true only when there is no error at all.

Row numbers are the ones the user sees in the spreadsheet or text editor: the header is
row 1, the first data row is row 2. Messages are in Indonesian (they are shown as is).
Columns are documented for operators in docs/attendance-import.md.
"""
from __future__ import annotations

import re
from calendar import monthrange
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping, Optional

from app.imports.common import (
    DATE_FORMATS_LABEL, as_text as _as_text, file_kind, find_sheet, is_blank as _is_blank, normalise_header,
    open_xlsx, parse_date, parse_nip as _parse_nip, read_csv, sheet_table,
)

SHEET_NAME = "Kehadiran"
STATUSES = ("HADIR", "IZIN", "SAKIT", "CUTI", "DL", "TK")
REQUIRED_COLUMNS = ("NIP", "TANGGAL", "STATUS", "TERLAMBAT_MENIT", "PULANG_CEPAT_MENIT")
OPTIONAL_COLUMNS = ("KETERANGAN",)
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
MAX_MINUTES = 1440  # a day; more than that is not a measurement
MAX_ROWS = 400_000  # 10,000 employees x 31 days with room to spare
MAX_NOTE = 200

MONTHS_ID = ("", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
             "Oktober", "November", "Desember")


# --------------------------------------------------------------------------- results
@dataclass
class ParsedRow:
    line: int  # row number in the file (header = 1)
    nip: Optional[str] = None
    date: Optional[date] = None
    status: Optional[str] = None
    minutes_late: Optional[int] = None
    minutes_early: Optional[int] = None
    note: str = ""
    raw: dict[str, str] = field(default_factory=dict)  # the cells as text, for the preview
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedFile:
    filename: str
    kind: str = ""  # "csv" or "xlsx"
    errors: list[str] = field(default_factory=list)  # file-level: nothing can be read row by row
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)


@dataclass
class Preview:
    year: int
    month: int
    filename: str
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    # filled by the service for the page: nip -> name, rows that will be replaced
    names: dict[str, str] = field(default_factory=dict)
    replaced_rows: int = 0

    @property
    def error_rows(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def counts(self) -> dict[str, Any]:
        errors = sum(1 for r in self.rows if r.errors)
        return {
            "rows": len(self.rows),
            "valid": len(self.rows) - errors,
            "errors": errors,
            "employees": len({r.nip for r in self.rows if r.nip}),
            "by_status": dict(Counter(r.status for r in self.rows if r.status in STATUSES)),
        }

    @property
    def month_label(self) -> str:
        return f"{MONTHS_ID[self.month]} {self.year}" if 1 <= self.month <= 12 else f"{self.month}/{self.year}"

    def all_messages(self, limit: int = 50) -> list[str]:
        """File errors then 'Baris n: reason' lines (for a flash or an API answer)."""
        out = list(self.file_errors)
        for row in self.rows:
            for reason in row.errors:
                out.append(f"Baris {row.line}: {reason}")
        if len(out) > limit:
            out = out[:limit] + [f"... dan {len(out) - limit} kesalahan lain."]
        return out


# --------------------------------------------------------------------------- parsing
def parse_attendance(filename: str, data: bytes) -> ParsedFile:
    """Read a CSV or XLSX attendance file (see the module docstring)."""
    parsed = ParsedFile(filename=filename or "")
    parsed.kind = file_kind(filename, data, parsed.errors)
    if not parsed.kind:
        return parsed
    table = _read_xlsx(data, parsed) if parsed.kind == "xlsx" else read_csv(data, parsed.errors, parsed.warnings)
    if parsed.errors:
        return parsed
    _read_table(table, parsed)
    return parsed


def _read_xlsx(data: bytes, parsed: ParsedFile) -> list[tuple[int, list[Any]]]:
    wb = open_xlsx(data, parsed.errors)
    if wb is None:
        return []
    try:
        sheet = find_sheet(wb, SHEET_NAME)
        if sheet is None:
            found = ", ".join(f'"{n}"' for n in wb.sheetnames) or "(tidak ada)"
            parsed.errors.append(
                f'Lembar (sheet) "{SHEET_NAME}" tidak ditemukan. Lembar yang ada: {found}. '
                f'Gunakan templat atau ganti nama lembar data menjadi "{SHEET_NAME}".')
            return []
        return sheet_table(sheet, MAX_ROWS)
    finally:
        wb.close()


def _read_table(table: list[tuple[int, list[Any]]], parsed: ParsedFile) -> None:
    # The header is the first non-empty row (normally row 1).
    start = next((i for i, (_, cells) in enumerate(table) if any(not _is_blank(c) for c in cells)), None)
    if start is None:
        parsed.errors.append("Berkas tidak berisi data (baris judul kolom tidak ditemukan).")
        return
    header_line, header_cells = table[start]
    names = [normalise_header(c) for c in header_cells]
    positions: dict[str, int] = {}
    duplicated = []
    for i, name in enumerate(names):
        if not name:
            continue
        if name in positions:
            duplicated.append(name)
        else:
            positions[name] = i
    if duplicated:
        parsed.errors.append("Kolom ganda pada baris judul: " + ", ".join(sorted(set(duplicated))) + ".")
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        parsed.errors.append(
            f"Kolom wajib tidak ada pada baris judul (baris {header_line}): " + ", ".join(missing)
            + ". Kolom yang diperlukan: " + ", ".join(REQUIRED_COLUMNS) + " (KETERANGAN boleh ada).")
    ignored = [n for n in positions if n not in ALL_COLUMNS]
    if ignored:
        parsed.warnings.append("Kolom diabaikan: " + ", ".join(ignored) + ".")
    parsed.columns = [n for n in names if n]
    if parsed.errors:
        return
    data_rows = table[start + 1:]
    if sum(1 for _, cells in data_rows if any(not _is_blank(c) for c in cells)) > MAX_ROWS:
        parsed.errors.append(f"Berkas terlalu besar: lebih dari {MAX_ROWS:,} baris data. Bagi per OPD.".replace(",", "."))
        return

    def cell(cells: list[Any], column: str) -> Any:
        i = positions.get(column)
        return cells[i] if i is not None and i < len(cells) else None

    for line, cells in data_rows:
        if all(_is_blank(c) for c in cells):
            continue
        row = ParsedRow(line=line)
        row.raw = {c: _as_text(cell(cells, c)) for c in ALL_COLUMNS}
        row.nip = _parse_nip(cell(cells, "NIP"), row.errors)
        row.date = _parse_date(cell(cells, "TANGGAL"), row.errors)
        row.status = _parse_status(cell(cells, "STATUS"), row.errors)
        row.minutes_late = _parse_minutes(cell(cells, "TERLAMBAT_MENIT"), "TERLAMBAT_MENIT", row.errors)
        row.minutes_early = _parse_minutes(cell(cells, "PULANG_CEPAT_MENIT"), "PULANG_CEPAT_MENIT", row.errors)
        row.note = _as_text(cell(cells, "KETERANGAN"))[:MAX_NOTE]
        parsed.rows.append(row)
    if not parsed.rows:
        parsed.errors.append("Berkas tidak berisi baris data di bawah baris judul.")


def _parse_date(value: Any, errors: list[str]) -> Optional[date]:
    return parse_date(value, errors, "TANGGAL")


def _parse_status(value: Any, errors: list[str]) -> Optional[str]:
    if _is_blank(value):
        errors.append("STATUS kosong.")
        return None
    text = str(value).strip().upper()
    if text not in STATUSES:
        errors.append(f"STATUS tidak dikenal: {str(value).strip()} (pilihan: {', '.join(STATUSES)}).")
        return None
    return text


def _parse_minutes(value: Any, column: str, errors: list[str]) -> Optional[int]:
    if _is_blank(value):
        return None  # no record of that check
    number: Optional[int] = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        number = int(value) if value.is_integer() else None
    else:
        text = str(value).strip()
        if re.fullmatch(r"[+-]?\d+", text):
            number = int(text)
        elif re.fullmatch(r"[+-]?\d+[.,]0+", text):
            number = int(re.split(r"[.,]", text)[0])
    if number is None:
        errors.append(f"{column} harus bilangan bulat menit: {_as_text(value)}.")
        return None
    if number < 0:
        errors.append(f"{column} tidak boleh negatif: {number}.")
        return None
    if number > MAX_MINUTES:
        errors.append(f"{column} tidak masuk akal: {number} menit (lebih dari sehari).")
        return None
    return number


# --------------------------------------------------------------------------- validation
def validate_rows(parsed: ParsedFile, year: int, month: int, employees_by_nip: Mapping[str, Any],
                  allowed_employee_ids: Optional[Iterable[int]]) -> Preview:
    """Check the parsed rows against the month and the employees.

    `employees_by_nip` maps a NIP to an employee id (or an object with `.id`);
    `allowed_employee_ids` is the set the importer may reach (None = every employee).
    """
    preview = Preview(year=year, month=month, filename=parsed.filename,
                      file_errors=list(parsed.errors), warnings=list(parsed.warnings))
    if not (1 <= month <= 12) or not (2000 <= year <= 2100):
        preview.file_errors.append("Tahun atau bulan impor tidak valid.")
        return preview
    allowed = None if allowed_employee_ids is None else set(allowed_employee_ids)
    first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    label = f"{MONTHS_ID[month]} {year}"
    seen: dict[tuple[str, date], list[ParsedRow]] = defaultdict(list)
    for src in parsed.rows:
        row = ParsedRow(line=src.line, nip=src.nip, date=src.date, status=src.status,
                        minutes_late=src.minutes_late, minutes_early=src.minutes_early, note=src.note,
                        raw=dict(src.raw), errors=list(src.errors))
        if row.nip is not None:
            emp = employees_by_nip.get(row.nip)
            emp_id = getattr(emp, "id", emp)
            if emp is None:
                row.errors.append(f"NIP tidak dikenal: {row.nip} (tidak ada pegawai dengan NIP ini).")
            elif allowed is not None and emp_id not in allowed:
                row.errors.append(f"NIP {row.nip} bukan pegawai dalam cakupan Anda (OPD lain).")
        if row.date is not None and not (first <= row.date <= last):
            row.errors.append(f"Tanggal {row.date.strftime('%d-%m-%Y')} di luar bulan impor ({label}).")
        if row.status is not None and row.status != "HADIR" and (
                row.minutes_late is not None or row.minutes_early is not None):
            row.errors.append(f"Menit terlambat/pulang cepat hanya boleh diisi untuk status HADIR "
                              f"(status baris ini {row.status}).")
        if row.nip is not None and row.date is not None:
            seen[(row.nip, row.date)].append(row)
        preview.rows.append(row)
    for (nip, day), rows in seen.items():
        if len(rows) > 1:
            lines = [r.line for r in rows]
            for r in rows:
                others = ", ".join(str(n) for n in lines if n != r.line)
                r.errors.append(f"Hari ganda: NIP {nip} tanggal {day.strftime('%d-%m-%Y')} juga ada di baris {others}.")
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append("Berkas tidak berisi baris data.")
    return preview
