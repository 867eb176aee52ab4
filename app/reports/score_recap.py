"""Rekapitulasi capaian kinerja bulanan: one row per employee (per OPD or the whole city).

Rows come from `app.services.reports.recap_select()` as tuples in the order of SELECT_FIELDS;
the whole-city file is written in constant-memory mode straight from the streamed result.
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

import xlsxwriter

from app.domain.predikat import PREDIKAT_LABELS
from app.reports.common import CODE, INT, PCT, TEXT, Column, ReportMeta, SheetWriter, set_properties, workbook_options

TITLE = "REKAPITULASI CAPAIAN KINERJA PEGAWAI"
# Order of the values in each input row (see app.services.reports.recap_select).
SELECT_FIELDS = ("nip", "name", "opd_name", "unit_name", "position_name", "kelas_jabatan", "working_days",
                 "target_minutes", "recognised_minutes", "work_score", "predikat")


def columns(city: bool) -> list[Column]:
    cols = [Column("No", INT, 5), Column("NIP", CODE, 20), Column("Nama", TEXT, 30)]
    if city:
        cols.append(Column("OPD", TEXT, 28))
    cols += [
        Column("Unit Kerja", TEXT, 26), Column("Jabatan", TEXT, 30), Column("Kelas Jabatan", INT, 8),
        Column("Hari Kerja", INT, 8), Column("Target (menit)", INT, 11, total=True),
        Column("Menit Diakui", INT, 11, total=True), Column("Capaian Kinerja (%)", PCT, 11),
        Column("Predikat", TEXT, 16),
    ]
    return cols


def _values(rows: Iterable[Sequence], city: bool):
    labels = PREDIKAT_LABELS
    n = 0
    if city:
        for nip, name, opd, unit, pos, kelas, wd, target, rec, score, pred in rows:
            n += 1
            yield (n, nip, name, opd, unit, pos, kelas, wd, target, rec,
                   None if score is None else float(score), labels.get(pred, pred) if pred else None)
    else:
        for nip, name, _opd, unit, pos, kelas, wd, target, rec, score, pred in rows:
            n += 1
            yield (n, nip, name, unit, pos, kelas, wd, target, rec,
                   None if score is None else float(score), labels.get(pred, pred) if pred else None)


def build(target, rows: Iterable[Sequence], meta: ReportMeta, *, city: bool = False, constant_memory: bool = False,
          tmpdir: Optional[str] = None) -> int:
    """Write the workbook to `target` (path or binary file); returns the number of employees."""
    wb = xlsxwriter.Workbook(target, workbook_options(constant_memory, tmpdir))
    try:
        set_properties(wb, meta)
        sheet = SheetWriter(wb, "Rekap Kinerja", columns(city), meta, wrap_cols=())
        n = sheet.write_rows(_values(rows, city))
        sheet.totals("JUMLAH", label_col=2)
        sheet.finish()
    finally:
        wb.close()
    return n
