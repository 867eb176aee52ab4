"""Helpers shared by the file imports (attendance, master data, BKN predikat, potential).

Pure cell/table helpers (no Flask, no database): header names, blank and text cells, NIPs
and dates that survived Excel, CSV decoding and XLSX opening. `UploadStore` keeps an
uploaded file server-side between the preview and the confirmation (it needs the app).

Messages are in Indonesian (they are shown as is).
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import struct
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional

DATE_FORMATS_LABEL = "YYYY-MM-DD, DD-MM-YYYY atau DD/MM/YYYY"
_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE]\+?\d+$")
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MSG_XLS = "Format Excel lama (.xls) tidak didukung. Simpan sebagai .xlsx atau CSV."


# --------------------------------------------------------------------------- cells
def normalise_header(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\ufeff", "").strip().upper()
    return re.sub(r"[\s\-\.]+", "_", text).strip("_")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return str(int(value))
    return str(value).strip()


def parse_nip(value: Any, errors: list[str]) -> Optional[str]:
    """An 18-digit NIP kept as text; a number cell that lost digits is refused."""
    if is_blank(value):
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


def parse_date(value: Any, errors: list[str], column: str = "TANGGAL", required: bool = True) -> Optional[date]:
    """A date cell, an Excel serial number or text in one of DATE_FORMATS_LABEL."""
    if is_blank(value):
        if required:
            errors.append(f"{column} kosong.")
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
        errors.append(f"{column} tidak dikenali: {as_text(value)} (gunakan {DATE_FORMATS_LABEL}).")
        return None
    text = str(value).strip()
    if " " in text and re.match(r"^\S+ 00:00(:00)?$", text):
        text = text.split(" ")[0]  # "2026-11-02 00:00:00" from a spreadsheet export
    shape = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[-/](\d{1,2})[-/](\d{4})", text)
    if shape is None:
        errors.append(f"{column} tidak dikenali: {text} (gunakan {DATE_FORMATS_LABEL}).")
        return None
    if shape.group(1):
        y, m, d = int(shape.group(1)), int(shape.group(2)), int(shape.group(3))
    else:
        if "-" in text and "/" in text:
            errors.append(f"{column} tidak dikenali: {text} (gunakan {DATE_FORMATS_LABEL}).")
            return None
        d, m, y = int(shape.group(4)), int(shape.group(5)), int(shape.group(6))
    try:
        return date(y, m, d)
    except ValueError:
        errors.append(f"Tanggal tidak mungkin: {text} (tanggal atau bulan di luar kalender).")
        return None


# --------------------------------------------------------------------------- files
def file_kind(filename: str, data: bytes, errors: list[str]) -> str:
    """"csv", "xlsx" or "" (with the reason in errors)."""
    name = (filename or "").lower()
    if not data:
        errors.append("Berkas kosong.")
        return ""
    if name.endswith(".xls") or data[:8] == XLS_MAGIC:
        errors.append(MSG_XLS)
        return ""
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return "xlsx"
    if name.endswith(".csv") or name.endswith(".txt") or not name:
        return "csv"
    errors.append("Jenis berkas tidak dikenali. Unggah berkas .csv atau .xlsx.")
    return ""


# --------------------------------------------------------------------------- bounded reading
@dataclass(frozen=True)
class UploadLimits:
    """What one upload may cost. Every import reads through these bounds before and while
    parsing, so that no file (a declared sheet of XFD1048576, a zip bomb, a million CSV
    lines, a cell of megabytes) costs more than a bounded amount of memory and time."""

    max_bytes: int = 20 * 1024 * 1024  # the uploaded file itself
    max_rows: int = 100_000  # data rows of one sheet or CSV (header not counted)
    max_columns: int = 50  # declared sheet width and header width
    max_cell_chars: int = 2_000  # one cell's text
    max_uncompressed: int = 128 * 1024 * 1024  # XLSX: all zip entries together, uncompressed
    max_loaded_parts: int = 24 * 1024 * 1024  # XLSX: entries read whole (shared strings, styles, ...)
    max_ratio: int = 100  # XLSX: uncompressed / compressed size of one entry (above 1 MiB)
    max_entries: int = 500  # XLSX: zip entries

    # config key -> field; `<PREFIX>_MAX_BYTES` and `<PREFIX>_MAX_ROWS` are per import
    SHARED_KEYS = {
        "UPLOAD_MAX_COLUMNS": "max_columns", "UPLOAD_MAX_CELL_CHARS": "max_cell_chars",
        "UPLOAD_MAX_UNCOMPRESSED_BYTES": "max_uncompressed", "UPLOAD_MAX_LOADED_PART_BYTES": "max_loaded_parts",
        "UPLOAD_MAX_ZIP_RATIO": "max_ratio", "UPLOAD_MAX_ZIP_ENTRIES": "max_entries",
    }

    @classmethod
    def from_config(cls, config: Mapping[str, Any], prefix: str, **defaults: int) -> "UploadLimits":
        """Limits from the app config: `<prefix>_MAX_BYTES`, `<prefix>_MAX_ROWS` and the shared
        `UPLOAD_*` keys; `defaults` (field=value) apply where the config says nothing."""
        values = dict(defaults)
        for key, name in (((f"{prefix}_MAX_BYTES", "max_bytes"), (f"{prefix}_MAX_ROWS", "max_rows"))
                          + tuple(cls.SHARED_KEYS.items())):
            if config.get(key) is not None:
                values[name] = int(config[key])
        return cls(**values)


DEFAULT_LIMITS = UploadLimits()


def app_limits(prefix: str, **defaults: int) -> UploadLimits:
    """UploadLimits.from_config() of the running app (the defaults outside an app context):
    for callers that do not pass their limits (the master-data import)."""
    try:
        from flask import current_app, has_app_context
    except ImportError:  # pragma: no cover - Flask is a requirement of the app
        return UploadLimits(**defaults)
    return UploadLimits.from_config(current_app.config, prefix, **defaults) if has_app_context() else (
        UploadLimits(**defaults))
_LARGE_ENTRY = 1024 * 1024  # the ratio applies to entries above this size
_XLSX_MAIN_TYPES = (b"spreadsheetml.sheet.main+xml", b"spreadsheetml.template.main+xml",
                    b"ms-excel.sheet.macroEnabled.main+xml")
MSG_NOT_XLSX = "Berkas bukan XLSX yang valid (bukan buku kerja Excel). Simpan ulang sebagai .xlsx atau CSV."


def format_size(n: int) -> str:
    """Bytes for messages: "4.001 byte", "8 KB", "2,5 MB", "20 MB"."""
    if n >= 1024 * 1024:
        mb = n / (1024 * 1024)
        return f"{mb:.0f} MB" if mb >= 10 or mb.is_integer() else f"{mb:.1f} MB".replace(".", ",")
    if n % 1024 == 0 or n >= 10 * 1024:
        return f"{n // 1024} KB"
    return f"{_num(n)} byte"


def _num(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def size_problem(data: bytes, limits: UploadLimits = DEFAULT_LIMITS) -> Optional[str]:
    if len(data) > limits.max_bytes:
        return f"Berkas terlalu besar ({format_size(len(data))}; paling besar {format_size(limits.max_bytes)})."
    return None


def xlsx_container_problem(data: bytes, limits: UploadLimits = DEFAULT_LIMITS) -> Optional[str]:
    """Why the zip container of an XLSX must not be opened, or None: not a zip, not a
    workbook, too many entries, too much uncompressed data, a suspicious compression ratio.
    Only the zip directory and [Content_Types].xml are read (sizes come from the directory;
    Python's zipfile never returns more bytes than an entry declares)."""
    # The entry count from the end-of-central-directory record, before the directory is read.
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if eocd < 0 or len(data) < eocd + 22:
        return MSG_NOT_XLSX
    declared_entries = struct.unpack("<H", data[eocd + 10:eocd + 12])[0]
    if declared_entries > limits.max_entries:
        return (f"Berkas XLSX berisi terlalu banyak bagian ({_num(declared_entries)}; paling banyak "
                f"{_num(limits.max_entries)}). Simpan ulang berkas dari Excel.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error):
        return MSG_NOT_XLSX
    if len(infos) > limits.max_entries:
        return (f"Berkas XLSX berisi terlalu banyak bagian ({_num(len(infos))}; paling banyak "
                f"{_num(limits.max_entries)}). Simpan ulang berkas dari Excel.")
    total = loaded = 0
    for info in infos:
        total += info.file_size
        if not info.filename.startswith("xl/worksheets/"):
            loaded += info.file_size
        if info.file_size > _LARGE_ENTRY and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            return (f"Berkas XLSX ditolak: bagian {info.filename} dimampatkan secara tidak wajar "
                    f"({format_size(info.file_size)} dari {format_size(max(info.compress_size, 1))}; "
                    "kemungkinan zip bomb).")
    if total > limits.max_uncompressed:
        return (f"Berkas XLSX terlalu besar setelah dibuka ({format_size(total)}; paling besar "
                f"{format_size(limits.max_uncompressed)}). Bagi data menjadi beberapa berkas.")
    if loaded > limits.max_loaded_parts:
        return (f"Berkas XLSX berisi teks atau gaya terlalu besar ({format_size(loaded)} di luar lembar data; paling "
                f"besar {format_size(limits.max_loaded_parts)}). Simpan ulang hanya data yang diperlukan.")
    try:
        with archive.open("[Content_Types].xml") as fh:
            types = fh.read(1024 * 1024)
    except (KeyError, zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return MSG_NOT_XLSX
    if not any(t in types for t in _XLSX_MAIN_TYPES):
        return MSG_NOT_XLSX
    return None


def open_xlsx(data: bytes, errors: list[str], limits: Optional[UploadLimits] = None):
    """An openpyxl read-only workbook (the caller closes it), or None with the reason. The
    container is checked first (size, zip bomb, entries, workbook content type). Without
    `limits`, those of the master-data import (MASTER_IMPORT_* and UPLOAD_* settings)."""
    limits = limits or app_limits("MASTER_IMPORT")
    problem = size_problem(data, limits) or xlsx_container_problem(data, limits)
    if problem:
        errors.append(problem)
        return None
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl is in requirements.txt
        errors.append("Pembacaan XLSX tidak tersedia di server ini; unggah CSV.")
        return None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as err:
        errors.append(f"Berkas bukan XLSX yang valid ({type(err).__name__}).")
    except Exception as err:  # openpyxl raises assorted errors on damaged files
        errors.append(f"Berkas XLSX rusak atau tidak dapat dibaca ({type(err).__name__}).")
    return None


def find_sheet(wb, name: str):
    """The sheet called `name` (case and surrounding spaces ignored), or None."""
    return next((wb[n] for n in wb.sheetnames if n.strip().lower() == name.lower()), None)


class TableSource:
    """The rows of one sheet or CSV, read in streaming mode within `limits`.

    `header()` returns the first non-blank row (line, cells); `rows(width)` then yields the
    non-blank data rows below it as (line, cells) with only the first `width` cells. A bound
    that is passed appends its reason to `errors` and ends the reading; callers check
    `errors` (or `failed`) afterwards. Line numbers are those of the spreadsheet (1-based).
    """

    def __init__(self, errors: list[str], label: str, max_rows: int, limits: UploadLimits):
        self.errors, self.label, self.max_rows, self.limits = errors, label, max_rows, limits
        self.header_line: Optional[int] = None
        self.failed = False

    def fail(self, message: str) -> None:
        self.failed = True
        self.errors.append(message)

    def _lines(self, first: int, width: int):  # (line, cells) from line `first`, blank ones included
        raise NotImplementedError

    def _too_long(self, line: int, cells) -> bool:
        for i, value in enumerate(cells):
            if isinstance(value, str) and len(value) > self.limits.max_cell_chars:
                self.fail(f"{self.label}: sel baris {line} kolom {i + 1} terlalu panjang ({_num(len(value))} "
                          f"karakter; paling banyak {_num(self.limits.max_cell_chars)}).")
                return True
        return False

    def _row_cap(self) -> int:
        """The last line that may hold data."""
        return (self.header_line or 1) + self.max_rows

    def _too_many_rows(self) -> None:
        self.fail(f"{self.label}: lebih dari {_num(self.max_rows)} baris data (ada data atau baris melewati baris "
                  f"{_num(self._row_cap())}). Bagi data menjadi beberapa berkas.")

    def header(self) -> Optional[tuple[int, list[Any]]]:
        if self.failed:
            return None
        cap = self.limits.max_columns
        for line, cells in self._lines(1, cap + 1):
            if self.failed:
                return None
            if line > self._row_cap():
                self._too_many_rows()
                return None
            if all(is_blank(c) for c in cells):
                continue
            if len(cells) > cap and any(not is_blank(c) for c in cells[cap:]):
                self.fail(f"{self.label}: baris judul (baris {line}) memiliki lebih dari {cap} kolom.")
                return None
            if self._too_long(line, cells):
                return None
            self.header_line = line
            return line, list(cells[:cap])
        return None

    def rows(self, width: int) -> Iterator[tuple[int, Any]]:
        """Non-blank data rows as (line, cells); cells is a sequence of exactly `width` values."""
        if self.failed or self.header_line is None:
            return
        cap, max_chars, width = self._row_cap(), self.limits.max_cell_chars, max(1, width)
        for line, cells in self._lines(self.header_line + 1, width):
            if self.failed:
                return
            if line > cap:
                self._too_many_rows()
                return
            blank = True
            for value in cells:  # one pass: blank row? a cell too long?
                if value is None:
                    continue
                if type(value) is str:
                    if len(value) > max_chars:
                        self._too_long(line, cells)
                        return
                    if blank and value.strip():
                        blank = False
                else:
                    blank = False
            if blank:
                continue
            yield line, cells if len(cells) == width else (list(cells) + [None] * (width - len(cells)))


class SheetSource(TableSource):
    """A sheet of an openpyxl read-only workbook. The declared dimension (<dimension ref>) is
    checked first; rows are read with iter_rows(max_row=..., max_col=..., values_only=True),
    so that a declared XFD column never pads the rows, and reading stops past the row cap
    (openpyxl fills skipped rows, so the line number is the real row of the data)."""

    def __init__(self, sheet, errors: list[str], label: str, max_rows: int,
                 limits: UploadLimits = DEFAULT_LIMITS):
        super().__init__(errors, label, max_rows, limits)
        self.sheet = sheet
        max_row, max_col = getattr(sheet, "max_row", None), getattr(sheet, "max_column", None)
        if (max_col or 0) > limits.max_columns or (max_row or 0) > max_rows + 1:
            self.fail(f"{label}: ukuran lembar yang tercatat di berkas terlalu besar ({_num(max_row or 0)} baris x "
                      f"{_num(max_col or 0)} kolom; paling banyak {_num(max_rows + 1)} baris termasuk judul dan "
                      f"{limits.max_columns} kolom). Salin hanya data yang diperlukan ke lembar baru.")

    def _lines(self, first: int, width: int):
        last = self._row_cap() + 1  # one row past the cap: enough to say "too many"
        if first > last:
            return
        rows = self.sheet.iter_rows(min_row=first, max_row=last, max_col=width, values_only=True)
        yield from enumerate(rows, start=first)


class CsvSource(TableSource):
    """A CSV in UTF-8 (BOM or not) or Windows-1252, `,` `;` or tab, parsed line by line.
    The number of lines is checked before parsing (a count over the bytes)."""

    def __init__(self, data: bytes, errors: list[str], warnings: list[str], label: str, max_rows: int,
                 limits: UploadLimits = DEFAULT_LIMITS):
        super().__init__(errors, label, max_rows, limits)
        self.text = ""
        problem = size_problem(data, limits)
        if problem:
            self.fail(problem)
            return
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            self.fail("Berkas teks UTF-16 (\"Unicode Text\") tidak didukung. Simpan sebagai \"CSV UTF-8\" atau .xlsx.")
            return
        if b"\x00" in data:
            self.fail("Berkas bukan CSV (berisi data biner). Unggah berkas .csv atau .xlsx.")
            return
        # Lines are counted and measured over the bytes before anything is parsed.
        max_line = limits.max_cell_chars + limits.max_columns * 200
        filled = 0
        for number, raw in enumerate(io.BytesIO(data), start=1):
            if len(raw) > max_line:
                self.fail(f"{label}: baris {number} terlalu panjang ({_num(len(raw))} karakter; paling banyak "
                          f"{_num(max_line)}). Periksa isi sel yang sangat panjang.")
                return
            if raw.strip():
                filled += 1
                if filled > max_rows + 1:
                    self.fail(f"{label}: lebih dari {_num(max_rows)} baris data. Bagi data menjadi beberapa berkas.")
                    return
        try:
            self.text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Excel on Windows saves "CSV" in the ANSI code page; the key columns are ASCII.
            self.text = data.decode("cp1252", errors="replace")
            warnings.append("Berkas bukan UTF-8; dibaca sebagai Windows-1252.")
        first = next((ln for ln in io.StringIO(self.text) if ln.strip()), "")[:100_000]
        counts = {d: first.count(d) for d in (";", ",", "\t")}
        self.delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","

    def _lines(self, first: int, width: int):
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        try:
            for cells in reader:
                line = reader.line_num
                if line >= first:
                    yield line, cells[:width] if len(cells) > width else cells
        except csv.Error as err:
            reason = "sel terlalu panjang" if "field larger" in str(err) else "tanda kutip atau pemisah tidak sesuai"
            self.fail(f"Berkas CSV tidak dapat dibaca (baris {reader.line_num}): {reason}.")


def sheet_table(sheet, max_rows: int, errors: Optional[list[str]] = None, label: str = "Lembar",
                limits: Optional[UploadLimits] = None) -> list[tuple[int, list[Any]]]:
    """(row number, cells) of the non-blank rows of a sheet, header first, read through
    SheetSource (declared dimension, row cap, column cap, cell length). Problems go to
    `errors` (a list the caller checks); the table is then empty or cut short."""
    limits = limits or app_limits("MASTER_IMPORT")
    return _table(SheetSource(sheet, errors if errors is not None else [], label, max_rows, limits))


def read_csv(data: bytes, errors: list[str], warnings: list[str], max_rows: int = DEFAULT_LIMITS.max_rows,
             label: str = "Berkas CSV", limits: Optional[UploadLimits] = None) -> list[tuple[int, list[Any]]]:
    """(line number, cells) of the non-blank rows of a CSV, header first, through CsvSource."""
    return _table(CsvSource(data, errors, warnings, label, max_rows, limits or app_limits("MASTER_IMPORT")))


def _table(source: TableSource) -> list[tuple[int, list[Any]]]:
    head = source.header()
    if head is None:
        return []
    width = max((i + 1 for i, c in enumerate(head[1]) if not is_blank(c)), default=1)
    return [head] + [(line, list(cells)) for line, cells in source.rows(width)]


# --------------------------------------------------------------------------- stored uploads
class UploadStore:
    """An uploaded file kept server-side between preview and confirmation.

    Files are instance/<subdir>/<user id>-<random token>.{bin,json} (the config key
    overrides the folder); only the token travels in the form, and a token only opens the
    uploads of the user who made it. Leftovers older than `max_age` go at the next store.
    """

    TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

    def __init__(self, config_key: str, subdir: str, max_age: int = 24 * 3600):
        self.config_key, self.subdir, self.max_age = config_key, subdir, max_age

    def folder(self) -> str:
        from flask import current_app

        path = current_app.config.get(self.config_key) or os.path.join(current_app.instance_path, self.subdir)
        os.makedirs(path, exist_ok=True)
        return path

    def paths(self, user_id, token: str) -> tuple[str, str]:
        base = os.path.join(self.folder(), f"{int(user_id)}-{token}")
        return base + ".bin", base + ".json"

    def purge_old(self) -> None:
        folder = self.folder()
        limit = time.time() - self.max_age
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            try:
                if os.path.isfile(path) and os.path.getmtime(path) < limit:
                    os.remove(path)
            except OSError:  # pragma: no cover - removed by a concurrent request
                pass

    def store(self, user_id, meta: dict, data: bytes) -> str:
        self.purge_old()
        token = secrets.token_urlsafe(24)
        data_path, meta_path = self.paths(user_id, token)
        with open(data_path, "wb") as fh:
            fh.write(data)
        with open(meta_path, "w", encoding="utf-8") as fh:
            json.dump({**meta, "size": len(data)}, fh)
        return token

    def _valid(self, user_id, token) -> bool:
        return user_id is not None and bool(token) and bool(self.TOKEN.match(token))

    def load(self, user_id, token: str):
        """(meta, data) of this user's stored upload, or None (unknown, expired, other user)."""
        if not self._valid(user_id, token):
            return None
        data_path, meta_path = self.paths(user_id, token)
        if not (os.path.isfile(data_path) and os.path.isfile(meta_path)):
            return None
        with open(meta_path, encoding="utf-8") as fh:
            meta = json.load(fh)
        with open(data_path, "rb") as fh:
            data = fh.read()
        return meta, data

    def discard(self, user_id, token: str) -> None:
        if not self._valid(user_id, token):
            return
        for path in self.paths(user_id, token):
            try:
                os.remove(path)
            except FileNotFoundError:
                pass


# --------------------------------------------------------------------------- preview and templates
PREVIEW_FIRST_ROWS = 200
PREVIEW_MAX_ERROR_ROWS = 5000  # beyond that the page says how many more


def preview_slice(rows: list) -> tuple[list, int, int]:
    """The rows a preview page shows: the first PREVIEW_FIRST_ROWS and every later row with an
    error or a warning (up to PREVIEW_MAX_ERROR_ROWS). Returns (shown, hidden rows, hidden
    error rows)."""
    shown = rows[:PREVIEW_FIRST_ROWS]
    later_errors = [r for r in rows[PREVIEW_FIRST_ROWS:] if r.errors or getattr(r, "warnings", None)]
    hidden_errors = max(0, len(later_errors) - PREVIEW_MAX_ERROR_ROWS)
    shown = shown + later_errors[:PREVIEW_MAX_ERROR_ROWS]
    return shown, len(rows) - len(shown), hidden_errors


def csv_template(header: list, rows: list[list]) -> bytes:
    """A CSV template as Excel opens it (UTF-8 with BOM, CRLF)."""
    import csv
    import io

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for values in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v for v in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def map_header(names: list[str], columns) -> tuple[dict[str, int], list[str], list[str]]:
    """Normalised header names -> (column name -> index, duplicated names, unknown names);
    blank cells are skipped, the first of duplicated names counts."""
    positions: dict[str, int] = {}
    duplicated, unknown = [], []
    for i, name in enumerate(names):
        if not name:
            continue
        if name in positions:
            duplicated.append(name)
        elif name not in columns:
            unknown.append(name)
        else:
            positions[name] = i
    return positions, duplicated, unknown


def header_positions(table: list[tuple[int, list[Any]]], columns, required, errors: list[str]) -> dict[str, int]:
    """Column name -> index from the header row (table[0]) of a simple import: duplicated,
    missing required and unknown columns are reported in `errors` (Indonesian)."""
    header_line, header = table[0]
    positions, duplicated, unknown = map_header([normalise_header(c) for c in header], columns)
    where = f"Baris judul (baris {header_line})"
    allowed = "Kolom yang berlaku: " + ", ".join(columns) + "."
    missing = [c for c in required if c not in positions]
    if duplicated:
        errors.append(f"{where}: kolom ganda " + ", ".join(sorted(set(duplicated))) + ".")
    if missing:
        errors.append(f"{where}: kolom wajib tidak ada: " + ", ".join(missing) + ". " + allowed)
    if unknown:
        errors.append(f"{where}: kolom tidak dikenal: " + ", ".join(unknown) + ". " + allowed)
    return positions


def named_sheet_table(data: bytes, name: str, max_rows: int, errors: list[str]) -> list[tuple[int, list[Any]]]:
    """The rows of the sheet `name` (else the first sheet) of an XLSX workbook; [] with `errors`
    filled when the workbook cannot be read or has no sheet."""
    wb = open_xlsx(data, errors)
    if wb is None:
        return []
    try:
        sheet = find_sheet(wb, name) or (wb[wb.sheetnames[0]] if wb.sheetnames else None)
        if sheet is None:
            errors.append("Berkas XLSX tidak berisi lembar.")
            return []
        return sheet_table(sheet, max_rows, errors, label=f"Lembar {sheet.title}")
    finally:
        wb.close()


# --------------------------------------------------------------------------- rows of a simple import
@dataclass
class Row:
    """One data row of a master data, BKN predikat or potential import: typed values, the cells
    as text for the preview and the row's own problems (nothing of it is imported when any)."""

    sheet: str
    line: int  # row number in the sheet (header = 1)
    values: dict[str, Any] = field(default_factory=dict)  # typed values of the columns present
    raw: dict[str, str] = field(default_factory=dict)  # the cells as text, for the preview
    errors: list[str] = field(default_factory=list)
    bad: set = field(default_factory=set)  # columns whose cell could not be read
    action: str = ""  # filled by the service: "baru", "ubah", "tetap"
    plan: dict = field(default_factory=dict)  # filled by the service: what the import writes

    @property
    def ok(self) -> bool:
        return not self.errors

    def given(self, column: str) -> bool:
        """The column is in the file (an optional column left out keeps the old value)."""
        return column in self.values

    def get(self, column: str, default: Any = None) -> Any:
        return self.values.get(column, default)

    def error(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)


@dataclass
class ParsedTable:
    """A file of one table (one sheet or a CSV): file-level errors (nothing is imported),
    warnings, the known columns present (file order) and the data rows."""

    filename: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


RowReader = Callable[[dict, Row], None]


def read_rows(data_rows: Iterable[tuple[int, list[Any]]], positions: Mapping[str, int], sheet: str,
              reader: RowReader) -> list[Row]:
    """The Row of each non-blank line: the cells by column name (`positions`, a short line's
    missing cells are None), as text for the preview, then `reader(cell, row)` fills the typed
    values and the row's errors."""
    rows = []
    for line, cells in data_rows:
        if all(is_blank(c) for c in cells):
            continue
        row = Row(sheet=sheet, line=line)
        cell = {c: (cells[i] if i < len(cells) else None) for c, i in positions.items()}
        row.raw = {c: as_text(v) for c, v in cell.items()}
        reader(cell, row)
        rows.append(row)
    return rows


def read_row_nip(cell: dict, row: Row) -> None:
    """The NIP column of a simple import; its problems are named "NIP: ..." on the row."""
    problems: list[str] = []
    row.values["NIP"] = parse_nip(cell["NIP"], problems)
    for m in problems:
        row.bad.add("NIP")
        row.error(f"NIP: {m}")


def parse_table_file(filename: str, data: bytes, *, sheet: str, columns, required, max_rows: int,
                     reader: RowReader, empty_message: str, csv_refused: Optional[str] = None) -> ParsedTable:
    """A file of one table: the sheet `sheet` (else the first sheet) of an XLSX workbook, or a
    CSV unless `csv_refused` says why not. Header row first (any order, case free, checked
    against `columns` / `required`), then one Row per non-blank line through `reader`."""
    parsed = ParsedTable(filename=filename or "")
    kind = file_kind(filename, data, parsed.errors)
    table: list[tuple[int, list[Any]]] = []
    if kind == "csv" and csv_refused:
        parsed.errors.append(csv_refused)
    elif kind == "xlsx":
        table = named_sheet_table(data, sheet, max_rows, parsed.errors)
    elif kind == "csv":
        table = read_csv(data, parsed.errors, parsed.warnings, max_rows=max_rows)
    if parsed.errors:
        return parsed
    if not table:
        parsed.errors.append(empty_message)
        return parsed
    positions = header_positions(table, columns, required, parsed.errors)
    if parsed.errors:
        return parsed
    parsed.columns = [n for n in (normalise_header(c) for c in table[0][1]) if n in positions]
    parsed.rows = read_rows(table[1:], positions, sheet, reader)
    return parsed
