"""Daftar pembayaran TPP: one row per employee sorted by kelas jabatan (highest first), then name;
base, performance and discipline parts, deduction %, the CPNS factor and the disciplinary
sanction %, gross, tax, health contribution, net and the bank account (as text). Rows in the
order of SELECT_FIELDS (app.services.reports).

Every row can be checked in the file (app.domain.tpp):
    Bruto  = ROUND((Bagian Kinerja + Bagian Disiplin) × Faktor CPNS % × (100 − Hukuman %) / 10000, 0)
    Netto  = MAX(0, Bruto − PPh 21 − Iuran)
both written as Excel formulas of the shown cells, each with the stored amount as its cached
value (Excel's ROUND rounds halves away from zero: half up for these non-negative amounts, as
app.domain.money.round_rupiah)."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Optional, Sequence

import xlsxwriter

from app.reports.common import (
    CODE, INT, PCT, RUPIAH, TEXT, Column, ReportMeta, SheetWriter, set_properties, workbook_options,
)

TITLE = "DAFTAR PEMBAYARAN TAMBAHAN PENGHASILAN PEGAWAI (TPP)"
SELECT_FIELDS = ("nip", "name", "opd_name", "position_name", "kelas_jabatan", "golongan", "employee_kind",
                 "base_tpp", "performance_part", "discipline_part", "deduction_pct", "sanction_pct", "gross",
                 "tax", "health", "net", "bank_account")
CPNS = "CPNS"
GROSS_FORMULA = "=ROUND(({perf}+{disc})*{factor}*(100-{sanction})/10000,0)"
NET_FORMULA = "=MAX(0,{gross}-{tax}-{health})"


def columns(city: bool) -> list[Column]:
    cols = [Column("No", INT, 5), Column("NIP", CODE, 20), Column("Nama", TEXT, 28)]
    if city:
        cols.append(Column("OPD", TEXT, 24))
    cols += [
        Column("Jabatan", TEXT, 26), Column("Kelas", INT, 6), Column("Gol.", TEXT, 6), Column("Jenis", TEXT, 6),
        Column("TPP Dasar", RUPIAH, 13, total=True),
        Column("Bagian Kinerja", RUPIAH, 13, total=True, key="perf"),
        Column("Potongan Disiplin (%)", PCT, 10),
        Column("Bagian Disiplin", RUPIAH, 13, total=True, key="disc"),
        Column("Faktor CPNS (%)", PCT, 8, key="factor"),
        Column("Hukuman Disiplin (%)", PCT, 9, key="sanction"),
        Column("Bruto", RUPIAH, 13, total=True, key="gross", formula=GROSS_FORMULA),
        Column("PPh 21", RUPIAH, 12, total=True, key="tax"),
        Column("Iuran BPJS Kesehatan", RUPIAH, 12, total=True, key="health"),
        Column("Netto Diterima", RUPIAH, 13, total=True, formula=NET_FORMULA),
        Column("Nomor Rekening", CODE, 18),
    ]
    return cols


def _values(rows: Iterable[Sequence], city: bool, cpns_factor: Decimal):
    cpns_pct = float(cpns_factor * 100)
    n = 0
    for nip, name, opd, pos, kelas, gol, kind, base, perf, disc, ded, sanction, gross, tax, health, net, acct in rows:
        n += 1
        ded = None if ded is None else float(ded)
        factor = cpns_pct if kind == CPNS else 100.0
        sanction = 0.0 if sanction is None else float(sanction)
        tail = (kelas, gol, kind, base, perf, ded, disc, factor, sanction, gross, tax, health, net, acct)
        yield ((n, nip, name, opd, pos) if city else (n, nip, name, pos)) + tail


def build(target, rows: Iterable[Sequence], meta: ReportMeta, *, city: bool = False, constant_memory: bool = False,
          tmpdir: Optional[str] = None, cpns_factor: Decimal = Decimal("0.80")) -> int:
    """Write the workbook; `cpns_factor` is the period's parameter (the recap rows' params)."""
    wb = xlsxwriter.Workbook(target, workbook_options(constant_memory, tmpdir))
    try:
        set_properties(wb, meta)
        sheet = SheetWriter(wb, "Daftar TPP", columns(city), meta)
        n = sheet.write_rows(_values(rows, city, cpns_factor))
        sheet.totals("JUMLAH", label_col=2)
        sheet.finish()
    finally:
        wb.close()
    return n
