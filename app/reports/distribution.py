"""Distribusi predikat kinerja per OPD against the organisation predikat set by BKD: counts and
shares of each employee predikat, the number rated and the violated distribution rules.
Input: DistributionRow objects of app.services.evaluation.distribution_report()."""
from __future__ import annotations

from typing import Iterable, Optional

import xlsxwriter

from app.domain.predikat import PREDIKAT_LABELS, PREDIKAT_ORDER
from app.reports.common import INT, PCT, TEXT, Column, ReportMeta, SheetWriter, set_properties, workbook_options

TITLE = "DISTRIBUSI PREDIKAT KINERJA PEGAWAI PER OPD"


def columns() -> list[Column]:
    cols = [Column("No", INT, 5), Column("Kode", TEXT, 8), Column("OPD", TEXT, 32),
            Column("Predikat Organisasi", TEXT, 14)]
    for code in PREDIKAT_ORDER:
        cols.append(Column(f"{PREDIKAT_LABELS[code]} (n)", INT, 9, total=True))
        cols.append(Column(f"{PREDIKAT_LABELS[code]} (%)", PCT, 9))
    cols += [Column("Jumlah Dinilai", INT, 9, total=True), Column("Jumlah Pelanggaran", INT, 10, total=True),
             Column("Pelanggaran Distribusi", TEXT, 60)]
    return cols


def _values(rows: Iterable):
    for n, row in enumerate(rows, start=1):
        values = [n, row.opd_code, row.opd_name, row.org_predikat_label or "Belum ditetapkan"]
        for code in PREDIKAT_ORDER:
            values.append(row.counts.get(code, 0))
            values.append(float(row.percent(code)))
        values.append(row.total)
        values.append(len(row.violations))
        if not row.org_predikat:
            text = "Predikat organisasi belum ditetapkan."
        elif row.violations:
            text = "\n".join(f"{v.rule}: {v.message}" for v in row.violations)
        elif row.total == 0:
            text = "Belum ada pegawai yang dinilai."
        else:
            text = "Sesuai ketentuan distribusi."
        values.append(text)
        yield values


def build(target, rows: Iterable, meta: ReportMeta, *, constant_memory: bool = False,
          tmpdir: Optional[str] = None) -> int:
    cols = columns()
    wb = xlsxwriter.Workbook(target, workbook_options(constant_memory, tmpdir))
    try:
        set_properties(wb, meta)
        sheet = SheetWriter(wb, "Distribusi Predikat", cols, meta, wrap_cols=(2, len(cols) - 1))
        n = sheet.write_rows(_values(rows))
        sheet.totals("JUMLAH", label_col=2)
        sheet.finish()
    finally:
        wb.close()
    return n
