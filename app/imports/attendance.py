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

import csv
import io
import re
import zipfile
from calendar import monthrange
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping, Optional

SHEET_NAME = "Kehadiran"
STATUSES = ("HADIR", "IZIN", "SAKIT", "CUTI", "DL", "TK")
REQUIRED_COLUMNS = ("NIP", "TANGGAL", "STATUS", "TERLAMBAT_MENIT", "PULANG_CEPAT_MENIT")
OPTIONAL_COLUMNS = ("KETERANGAN",)
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
DATE_FORMATS_LABEL = "YYYY-MM-DD, DD-MM-YYYY atau DD/MM/YYYY"
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
def normalise_header(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\ufeff", "").strip().upper()
    return re.sub(r"[\s\-\.]+", "_", text).strip("_")


def parse_attendance(filename: str, data: bytes) -> ParsedFile:
    """Read a CSV or XLSX attendance file (see the module docstring)."""
    parsed = ParsedFile(filename=filename or "")
    name = (filename or "").lower()
    if not data:
        parsed.errors.append("Berkas kosong.")
        return parsed
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        parsed.errors.append("Format Excel lama (.xls) tidak didukung. Simpan sebagai .xlsx atau CSV.")
        return parsed
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        parsed.kind = "xlsx"
        table = _read_xlsx(data, parsed)
    elif name.endswith(".csv") or name.endswith(".txt") or not name:
        parsed.kind = "csv"
        table = _read_csv(data, parsed)
    else:
        parsed.errors.append("Jenis berkas tidak dikenali. Unggah berkas .csv atau .xlsx.")
        return parsed
    if parsed.errors:
        return parsed
    _read_table(table, parsed)
    return parsed


def _read_csv(data: bytes, parsed: ParsedFile) -> list[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; the key columns are ASCII.
        text = data.decode("cp1252", errors="replace")
        parsed.warnings.append("Berkas bukan UTF-8; dibaca sebagai Windows-1252.")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as err:
        parsed.errors.append(f"Berkas CSV tidak dapat dibaca (baris {reader.line_num}): {err}.")
        return []


def _read_xlsx(data: bytes, parsed: ParsedFile) -> list[tuple[int, list[Any]]]:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl is in requirements.txt
        parsed.errors.append("Pembacaan XLSX tidak tersedia di server ini; unggah CSV.")
        return []
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as err:
        parsed.errors.append(f"Berkas bukan XLSX yang valid ({type(err).__name__}).")
        return []
    except Exception as err:  # openpyxl raises assorted errors on damaged files
        parsed.errors.append(f"Berkas XLSX rusak atau tidak dapat dibaca ({type(err).__name__}).")
        return []
    try:
        sheet = next((wb[n] for n in wb.sheetnames if n.strip().lower() == SHEET_NAME.lower()), None)
        if sheet is None:
            found = ", ".join(f'"{n}"' for n in wb.sheetnames) or "(tidak ada)"
            parsed.errors.append(
                f'Lembar (sheet) "{SHEET_NAME}" tidak ditemukan. Lembar yang ada: {found}. '
                f'Gunakan templat atau ganti nama lembar data menjadi "{SHEET_NAME}".')
            return []
        table = []
        for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            table.append((index, list(values)))
            if index > MAX_ROWS + 1:
                break
        return table
    finally:
        wb.close()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


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


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return str(int(value))
    return str(value).strip()


_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE]\+?\d+$")


def _parse_nip(value: Any, errors: list[str]) -> Optional[str]:
    if _is_blank(value):
        errors.append("NIP kosong.")
        return None
    if isinstance(value, bool):
        errors.append("NIP tidak valid.")
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        # An 18-digit number does not fit a double: Excel has already lost the last digits.
        errors.append("NIP tersimpan sebagai angka di Excel sehingga digit terakhirnya hilang; "
                      "format kolom NIP sebagai Teks lalu ketik ulang NIP.")
        return None
    else:
        text = str(value).strip().lstrip("'").replace(" ", "")
        if _SCIENTIFIC.match(text):
            errors.append(f"NIP tertulis dalam format ilmiah ({text}); simpan kolom NIP sebagai Teks.")
            return None
    if not text.isdigit() or len(text) != 18 or not text.isascii():
        errors.append(f"NIP harus 18 angka: {text}.")
        return None
    return text


def _parse_date(value: Any, errors: list[str]) -> Optional[date]:
    if _is_blank(value):
        errors.append("TANGGAL kosong.")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A date cell without a date format arrives as its Excel serial number.
        if 20000 <= value <= 80000 and float(value).is_integer():
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date()
        errors.append(f"TANGGAL tidak dikenali: {_as_text(value)} (gunakan {DATE_FORMATS_LABEL}).")
        return None
    text = str(value).strip()
    if " " in text and re.match(r"^\S+ 00:00(:00)?$", text):
        text = text.split(" ")[0]  # "2026-11-02 00:00:00" from a spreadsheet export
    shape = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[-/](\d{1,2})[-/](\d{4})", text)
    if shape is None:
        errors.append(f"TANGGAL tidak dikenali: {text} (gunakan {DATE_FORMATS_LABEL}).")
        return None
    if shape.group(1):
        y, m, d = int(shape.group(1)), int(shape.group(2)), int(shape.group(3))
    else:
        if "-" in text and "/" in text:
            errors.append(f"TANGGAL tidak dikenali: {text} (gunakan {DATE_FORMATS_LABEL}).")
            return None
        d, m, y = int(shape.group(4)), int(shape.group(5)), int(shape.group(6))
    try:
        return date(y, m, d)
    except ValueError:
        errors.append(f"Tanggal tidak mungkin: {text} (tanggal atau bulan di luar kalender).")
        return None


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
