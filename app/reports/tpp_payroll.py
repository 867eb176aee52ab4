"""Daftar pembayaran TPP: one row per employee sorted by kelas jabatan (highest first), then name;
base, performance and discipline parts, deduction %, gross, tax, health contribution, net and
the bank account (as text). Rows in the order of SELECT_FIELDS (app.services.reports)."""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

import xlsxwriter

from app.reports.common import (
    CODE, INT, PCT, RUPIAH, TEXT, Column, ReportMeta, SheetWriter, set_properties, workbook_options,
)

TITLE = "DAFTAR PEMBAYARAN TAMBAHAN PENGHASILAN PEGAWAI (TPP)"
SELECT_FIELDS = ("nip", "name", "opd_name", "position_name", "kelas_jabatan", "golongan", "base_tpp",
                 "performance_part", "discipline_part", "deduction_pct", "gross", "tax", "health", "net",
                 "bank_account")


def columns(city: bool) -> list[Column]:
    cols = [Column("No", INT, 5), Column("NIP", CODE, 20), Column("Nama", TEXT, 28)]
    if city:
        cols.append(Column("OPD", TEXT, 24))
    cols += [
        Column("Jabatan", TEXT, 26), Column("Kelas", INT, 6), Column("Gol.", TEXT, 6),
        Column("TPP Dasar", RUPIAH, 13, total=True), Column("Bagian Kinerja", RUPIAH, 13, total=True),
        Column("Bagian Disiplin", RUPIAH, 13, total=True), Column("Potongan Disiplin (%)", PCT, 10),
        Column("Bruto", RUPIAH, 13, total=True), Column("PPh 21", RUPIAH, 12, total=True),
        Column("Iuran BPJS Kesehatan", RUPIAH, 12, total=True), Column("Netto Diterima", RUPIAH, 13, total=True),
        Column("Nomor Rekening", CODE, 18),
    ]
    return cols


def _values(rows: Iterable[Sequence], city: bool):
    n = 0
    for nip, name, opd, pos, kelas, gol, base, perf, disc, ded, gross, tax, health, net, acct in rows:
        n += 1
        ded = None if ded is None else float(ded)
        if city:
            yield (n, nip, name, opd, pos, kelas, gol, base, perf, disc, ded, gross, tax, health, net, acct)
        else:
            yield (n, nip, name, pos, kelas, gol, base, perf, disc, ded, gross, tax, health, net, acct)


def build(target, rows: Iterable[Sequence], meta: ReportMeta, *, city: bool = False, constant_memory: bool = False,
          tmpdir: Optional[str] = None) -> int:
    wb = xlsxwriter.Workbook(target, workbook_options(constant_memory, tmpdir))
    try:
        set_properties(wb, meta)
        sheet = SheetWriter(wb, "Daftar TPP", columns(city), meta)
        n = sheet.write_rows(_values(rows, city))
        sheet.totals("JUMLAH", label_col=2)
        sheet.finish()
    finally:
        wb.close()
    return n
