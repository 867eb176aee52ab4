"""Helpers shared by the file imports (attendance, master data).

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
import time
import zipfile
from datetime import date, datetime
from typing import Any, Optional

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


def read_csv(data: bytes, errors: list[str], warnings: list[str]) -> list[tuple[int, list[Any]]]:
    """(line number, cells) of a CSV in UTF-8 (BOM or not) or Windows-1252; `,` `;` or tab."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; the key columns are ASCII.
        text = data.decode("cp1252", errors="replace")
        warnings.append("Berkas bukan UTF-8; dibaca sebagai Windows-1252.")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as err:
        errors.append(f"Berkas CSV tidak dapat dibaca (baris {reader.line_num}): {err}.")
        return []


def open_xlsx(data: bytes, errors: list[str]):
    """An openpyxl read-only workbook (the caller closes it), or None with the reason."""
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


def sheet_table(sheet, max_rows: int) -> list[tuple[int, list[Any]]]:
    """(row number, cells) of a sheet, at most max_rows + 2 rows (enough to say "too big")."""
    table = []
    for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        table.append((index, list(values)))
        if index > max_rows + 1:
            break
    return table


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
    error (up to PREVIEW_MAX_ERROR_ROWS). Returns (shown, hidden rows, hidden error rows)."""
    shown = rows[:PREVIEW_FIRST_ROWS]
    later_errors = [r for r in rows[PREVIEW_FIRST_ROWS:] if r.errors]
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

