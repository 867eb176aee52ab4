"""Matriks peran hasil of an OPD as an Excel sheet: one row per node of the cascade, depth first
(goal, the head's RHK, the RHK intervening in it, ...), then the employees without an SKP.
Input: an app.domain.cascade.Cascade (built by app.services.cascade); no queries here."""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

import xlsxwriter

from app.domain import cascade as dom
from app.reports.common import CODE, INT, TEXT, Column, ReportMeta, SheetWriter, set_properties, workbook_options

KIND_LABELS = {dom.CITY_GOAL: "Tujuan Kota", dom.OPD_GOAL: "Tujuan OPD", dom.RHK: "RHK",
               dom.OUTSIDE_RHK: "RHK atasan di luar OPD", dom.GROUP: "Kelompok"}


def columns() -> list[Column]:
    return [Column("No", INT, 5), Column("Tingkat", INT, 7), Column("Jenis", TEXT, 12),
            Column("Tujuan / Rencana Hasil Kerja", TEXT, 50), Column("Mengintervensi", TEXT, 36),
            Column("Pegawai", TEXT, 26), Column("NIP", CODE, 20), Column("Jabatan", TEXT, 26),
            Column("Status SKP", TEXT, 13), Column("Berlaku", TEXT, 9), Column("Jumlah Indikator", INT, 10, total=True),
            Column("Celah", TEXT, 40)]


def _rows(cascade: dom.Cascade):
    n = 0
    for root in cascade.roots:
        stack = [(0, root, "")]
        while stack:
            depth, node, above = stack.pop()
            n += 1
            label = node.label
            if node.code:
                label = f"{node.code} {label}"
            if node.rhk is not None:
                kind = f"{KIND_LABELS[node.kind]} {'Utama' if node.rhk.kind == 'UTAMA' else 'Tambahan'}"
                if node.context:
                    kind += " (konteks)"
                person = node.person
                yield [n, depth + 1, kind, ("  " * min(depth, 6)) + label, above, person.name, person.nip,
                       person.position, node.status_label, "Ya" if node.in_force else "Belum",
                       node.rhk.indicators, "; ".join(node.gap_labels)]
            else:
                yield [n, depth + 1, KIND_LABELS[node.kind], ("  " * min(depth, 6)) + label, above, None, None,
                       None, None, None, None, None]
            for child in reversed(node.children):
                stack.append((depth + 1, child, label if node.kind != dom.GROUP else ""))
    for person in cascade.no_skp:
        n += 1
        yield [n, None, "Pegawai", "", "", person.name, person.nip, person.position, "Belum ada", None, None,
               dom.GAP_LABELS[dom.NO_SKP]]


def build(target, cascade: dom.Cascade, meta: ReportMeta, *, tmpdir: Optional[str] = None) -> int:
    cols = columns()
    wb = xlsxwriter.Workbook(target, workbook_options(False, tmpdir))
    try:
        set_properties(wb, meta)
        meta = replace(meta, subtitle_lines=list(meta.subtitle_lines) + [
            "Celah: " + ", ".join(f"{dom.GAP_LABELS[k]} {cascade.counts[k]}" for k in dom.GAP_KINDS)])
        sheet = SheetWriter(wb, "Matriks Peran Hasil", cols, meta, wrap_cols=(3, 4, 5, 7, 11))
        n = sheet.write_rows(_rows(cascade))
        sheet.totals("JUMLAH", label_col=3)
        sheet.finish()
    finally:
        wb.close()
    return n
