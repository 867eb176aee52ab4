"""Laporan aktivitas harian of one employee for one month: the daily log with statuses and the
superior's decisions. Rows in the order of SELECT_FIELDS (app.services.reports)."""
from __future__ import annotations

import math
from datetime import timedelta
from typing import Iterable, Optional, Sequence

import xlsxwriter

from app.domain.workflow import STATUS_LABELS
from app.reports.common import (
    DATE, DEC, INT, TEXT, Column, ReportMeta, SheetWriter, set_properties, workbook_options,
)

TITLE = "LAPORAN AKTIVITAS HARIAN PEGAWAI"
SELECT_FIELDS = ("date", "start_time", "end_time", "description", "volume", "output_unit", "claimed_minutes",
                 "recognised_minutes", "status", "superior_name", "decision_note", "decided_at")
WIB = timedelta(hours=7)

COLUMNS = [
    Column("No", INT, 5), Column("Tanggal", DATE, 11), Column("Jam", TEXT, 12), Column("Uraian Aktivitas", TEXT, 45),
    Column("Volume", DEC, 8, total=True), Column("Satuan", TEXT, 10), Column("Menit", INT, 8, total=True),
    Column("Menit Diakui", INT, 9, total=True), Column("Status", TEXT, 12), Column("Atasan", TEXT, 24),
    Column("Catatan Keputusan", TEXT, 30), Column("Diputuskan (WIB)", TEXT, 16),
]


CELL_TEXT_MAX = 32767  # Excel's limit of one cell


def _number(value) -> Optional[float]:
    """A finite number for a numeric cell; anything else (NaN, infinity, text a legacy row
    may hold) is left blank instead of failing the whole report."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return None
    return number if math.isfinite(number) else None


def _text(value) -> Optional[str]:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= CELL_TEXT_MAX else text[:CELL_TEXT_MAX - 1] + "…"


def _values(rows: Iterable[Sequence]):
    n = 0
    for day, start, end, desc, vol, unit, minutes, rec, status, superior, note, decided in rows:
        n += 1
        hours = f"{start:%H:%M}–{end:%H:%M}" if start and end else (f"{start:%H:%M}" if start else None)
        yield (n, f"{day:%d-%m-%Y}" if day else None, hours, _text(desc), _number(vol), _text(unit),
               _number(minutes), _number(rec), STATUS_LABELS.get(status, _text(status)), _text(superior),
               _text(note), f"{decided + WIB:%d-%m-%Y %H:%M}" if decided else None)


def build(target, rows: Iterable[Sequence], meta: ReportMeta, *, constant_memory: bool = False,
          tmpdir: Optional[str] = None) -> int:
    wb = xlsxwriter.Workbook(target, workbook_options(constant_memory, tmpdir))
    try:
        set_properties(wb, meta)
        sheet = SheetWriter(wb, "Aktivitas Harian", COLUMNS, meta, wrap_cols=(3, 10))
        n = sheet.write_rows(_values(rows))
        sheet.totals("JUMLAH", label_col=3)
        sheet.finish()
    finally:
        wb.close()
    return n
