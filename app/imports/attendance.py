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
from typing import Any, Collection, Iterable, Mapping, Optional, Sequence

from app.domain.calendar import DAY_NAMES_ID, WORKDAY_OPTIONS, is_working_day
from app.imports.common import (
    DATE_FORMATS_LABEL, DEFAULT_LIMITS, CsvSource, SheetSource, TableSource, UploadLimits, as_text as _as_text,
    file_kind, find_sheet, is_blank as _is_blank, normalise_header, open_xlsx, parse_date, parse_nip as _parse_nip,
    size_problem,
)

SHEET_NAME = "Kehadiran"
STATUSES = ("HADIR", "IZIN", "SAKIT", "CUTI", "DL", "TK")
REQUIRED_COLUMNS = ("NIP", "TANGGAL", "STATUS", "TERLAMBAT_MENIT", "PULANG_CEPAT_MENIT")
OPTIONAL_COLUMNS = ("KETERANGAN",)
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
MAX_MINUTES = 1440  # a day; more than that is not a measurement
MAX_NOTE = 200

MONTHS_ID = ("", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
             "Oktober", "November", "Desember")


# --------------------------------------------------------------------------- results
@dataclass(slots=True)
class ParsedRow:
    line: int  # row number in the file (header = 1)
    nip: Optional[str] = None
    date: Optional[date] = None
    status: Optional[str] = None
    minutes_late: Optional[int] = None
    minutes_early: Optional[int] = None
    note: str = ""
    # The containers are created only for rows that need them (a list per row of a large file
    # costs allocation and garbage-collector time): add messages with error() / warn().
    raw: Optional[Mapping[str, str]] = None  # cells as text, kept only for rows with errors
    errors: Sequence[str] = ()
    warnings: Sequence[str] = ()  # shown in the preview; the row is imported

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, message: str) -> None:
        self.errors = [*self.errors, message]

    def warn(self, message: str) -> None:
        self.warnings = [*self.warnings, message]


@dataclass
class ParsedFile:
    filename: str
    kind: str = ""  # "csv" or "xlsx"
    errors: list[str] = field(default_factory=list)  # file-level: nothing can be read row by row
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)


@dataclass
class OpdCount:
    name: str
    rows: int


@dataclass
class Preview:
    year: int
    month: int
    filename: str
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    # filled by the service for the page
    names: dict[str, str] = field(default_factory=dict)  # nip -> name (in scope only)
    replace_month: bool = False  # the importer chose to replace the whole month
    inserted: int = 0  # rows of the file on a day without a stored row
    replaced_rows: int = 0  # stored rows on the same (employee, date) as a row of the file
    deleted_rows: int = 0  # month replace: stored rows of the file's employees on other days
    deleted_by_opd: list[OpdCount] = field(default_factory=list)

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
            "warnings": sum(1 for r in self.rows if r.warnings),
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
def parse_attendance(filename: str, data: bytes, limits: UploadLimits = DEFAULT_LIMITS) -> ParsedFile:
    """Read a CSV or XLSX attendance file (see the module docstring) within `limits`:
    nothing beyond the header's known columns and the row cap is read."""
    parsed = ParsedFile(filename=filename or "")
    parsed.kind = file_kind(filename, data, parsed.errors)
    if not parsed.kind:
        return parsed
    problem = size_problem(data, limits)
    if problem:
        parsed.errors.append(problem)
        return parsed
    if parsed.kind == "csv":
        _read_source(CsvSource(data, parsed.errors, parsed.warnings, "Berkas CSV", limits.max_rows, limits), parsed)
        return parsed
    wb = open_xlsx(data, parsed.errors, limits)
    if wb is None:
        return parsed
    try:
        sheet = find_sheet(wb, SHEET_NAME)
        if sheet is None:
            found = ", ".join(f'"{n}"' for n in wb.sheetnames) or "(tidak ada)"
            parsed.errors.append(
                f'Lembar (sheet) "{SHEET_NAME}" tidak ditemukan. Lembar yang ada: {found}. '
                f'Gunakan templat atau ganti nama lembar data menjadi "{SHEET_NAME}".')
            return parsed
        _read_source(SheetSource(sheet, parsed.errors, f"Lembar {SHEET_NAME}", limits.max_rows, limits), parsed)
    finally:
        wb.close()
    return parsed


def _read_source(source: TableSource, parsed: ParsedFile) -> None:
    # The header is the first non-empty row (normally row 1).
    head = source.header()
    if source.failed:
        return
    if head is None:
        parsed.errors.append("Berkas tidak berisi data (baris judul kolom tidak ditemukan).")
        return
    header_line, header_cells = head
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
    wanted = {c: positions[c] for c in ALL_COLUMNS if c in positions}
    width = max(wanted.values()) + 1  # only the columns the import uses are read
    i_nip, i_date, i_status, i_late, i_early = (wanted[c] for c in REQUIRED_COLUMNS)
    i_note = wanted.get("KETERANGAN")

    errors: list[str] = []  # this row's problems; handed to the row only when there are some
    for line, cells in source.rows(width):  # cells has exactly `width` values
        row = ParsedRow(line=line)
        row.nip = _parse_nip(cells[i_nip], errors)
        row.date = _parse_date(cells[i_date], errors)
        row.status = _parse_status(cells[i_status], errors)
        row.minutes_late = _parse_minutes(cells[i_late], "TERLAMBAT_MENIT", errors)
        row.minutes_early = _parse_minutes(cells[i_early], "PULANG_CEPAT_MENIT", errors)
        if i_note is not None and cells[i_note] is not None:
            row.note = _as_text(cells[i_note])[:MAX_NOTE]
        if errors:
            row.errors, errors = errors, []
            row.raw = {c: _as_text(cells[i])[:MAX_NOTE] for c, i in wanted.items()}
        parsed.rows.append(row)
    if source.failed:
        parsed.rows = []
        return
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
                  allowed_employee_ids: Optional[Iterable[int]], holidays: Collection[date] = ()) -> Preview:
    """Check the parsed rows against the month and the employees (the rows are annotated in
    place and become the preview's rows).

    `employees_by_nip` maps a NIP to an employee id or an object with `.id` (and, for the
    working-day warning, `.workdays_per_week` of the employee's unit); `allowed_employee_ids`
    is the set the importer may reach (None = every employee); `holidays` the month's
    holidays. A row on a day that is not a working day of the employee's unit is imported
    with a warning: it deducts nothing.
    """
    preview = Preview(year=year, month=month, filename=parsed.filename,
                      file_errors=list(parsed.errors), warnings=list(parsed.warnings))
    if not (1 <= month <= 12) or not (2000 <= year <= 2100):
        preview.file_errors.append("Tahun atau bulan impor tidak valid.")
        return preview
    allowed = None if allowed_employee_ids is None else set(allowed_employee_ids)
    first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    label = f"{MONTHS_ID[month]} {year}"
    holidays = frozenset(holidays)
    first_of: dict[tuple[str, date], ParsedRow] = {}
    doubles: dict[tuple[str, date], list[ParsedRow]] = defaultdict(list)
    for row in parsed.rows:
        emp = None
        if row.nip is not None:
            emp = employees_by_nip.get(row.nip)
            emp_id = getattr(emp, "id", emp)
            if emp is None:
                row.error(f"NIP tidak dikenal: {row.nip} (tidak ada pegawai dengan NIP ini).")
            elif allowed is not None and emp_id not in allowed:
                row.error(f"NIP {row.nip} bukan pegawai dalam cakupan Anda (OPD lain).")
                emp = None
        if row.date is not None and not (first <= row.date <= last):
            row.error(f"Tanggal {row.date.strftime('%d-%m-%Y')} di luar bulan impor ({label}).")
        elif row.date is not None and emp is not None:
            _flag_non_working_day(row, getattr(emp, "workdays_per_week", None), holidays)
        if row.status is not None and row.status != "HADIR" and (
                row.minutes_late is not None or row.minutes_early is not None):
            row.error(f"Menit terlambat/pulang cepat hanya boleh diisi untuk status HADIR "
                              f"(status baris ini {row.status}).")
        if row.nip is not None and row.date is not None:
            key = (row.nip, row.date)
            if key in first_of:
                if not doubles[key]:
                    doubles[key].append(first_of[key])
                doubles[key].append(row)
            else:
                first_of[key] = row
    preview.rows = parsed.rows
    for (nip, day), rows in doubles.items():
        lines = [r.line for r in rows]
        for r in rows:
            others = ", ".join(str(n) for n in lines if n != r.line)
            r.error(f"Hari ganda: NIP {nip} tanggal {day.strftime('%d-%m-%Y')} juga ada di baris {others}.")
    for row in preview.rows:  # the cells as text, for the rows the page shows with their errors
        if row.errors and row.raw is None:
            row.raw = {"NIP": row.nip or "", "TANGGAL": row.date.isoformat() if row.date else "",
                       "STATUS": row.status or ""}
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append("Berkas tidak berisi baris data.")
    return preview


def _flag_non_working_day(row: ParsedRow, workdays_per_week: Optional[int], holidays: frozenset) -> None:
    if workdays_per_week not in WORKDAY_OPTIONS:
        return
    if is_working_day(row.date, workdays_per_week, holidays):
        return
    day = f"{DAY_NAMES_ID[row.date.weekday()]} {row.date.strftime('%d-%m-%Y')}"
    reason = "hari libur" if row.date in holidays and row.date.weekday() < workdays_per_week else (
        f"di luar {workdays_per_week} hari kerja unit pegawai")
    row.warn(f"{day} bukan hari kerja ({reason}); baris ini disimpan tetapi tidak mengurangi apa pun.")
