"""Shared layout of every Excel report (design section 5).

A report sheet is laid out top to bottom, in row order (so that the same code works in
xlsxwriter's constant-memory mode, which accepts rows only in increasing order):

    row 0  PEMERINTAH KOTA MALANG
    row 1  report title
    row 2  OPD: <name> | Seluruh OPD
    row 3  Periode: November 2026
    row 4  Dicetak: 27-11-2026 14:05 WIB
    row 5  SEMENTARA — periode belum ditutup (only while the period is OPEN; also the print header)
    row 6  header row (bold, bordered, wrapped, repeated on every printed page, frozen below)
    row 7… data rows (autofilter over header + data)
    then   totals row: =SUM(...) formulas over exactly the data rows, each with its computed value
    then   signature block: "Malang, 27 November 2026", "Kepala <OPD>", name and NIP (or blanks)

Print setup: A4 (paper 9), landscape, fit to one page wide, header row repeated.
NIPs and bank accounts are written as text (write_string), numbers as numbers with formats:
rupiah "#,##0", percentages "0.00", counts and minutes "#,##0".

The builders take plain rows (tuples from a column select) and metadata; they never query.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable, Optional, Sequence

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

CITY = "PEMERINTAH KOTA MALANG"
ALL_OPD = "Seluruh OPD"
MONTHS_ID = ("", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
             "Oktober", "November", "Desember")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER_ROW = 6
FIRST_DATA_ROW = HEADER_ROW + 1

# Column kinds -> (write method name, format key)
TEXT = "text"  # write_string, plain text
CODE = "code"  # write_string, text format "@" (NIP, bank account: never a number)
INT = "int"  # write_number "#,##0"
RUPIAH = "rupiah"  # write_number "#,##0"
PCT = "pct"  # write_number "0.00"
DATE = "date"  # preformatted text dd-mm-yyyy (sortable as text would not be; kept as text for WYSIWYG)
DEC = "dec"  # write_number "#,##0.00"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT
    width: float = 12
    total: bool = False  # a SUM formula in the totals row
    key: str = ""  # name other columns' formulas use for this column
    # An Excel formula written in every data row, with {key} for the cell of another column in
    # the same row (e.g. "=MAX(0,{gross}-{tax})"); the row's value is stored as its cached result.
    formula: str = ""


@dataclass
class Signatory:
    title: str  # "Kepala Dinas Kesehatan"
    name: str = ""
    nip: str = ""


@dataclass
class ReportMeta:
    title: str
    opd_name: str  # "Dinas Kesehatan" or ALL_OPD
    period_label: str  # "November 2026"
    printed_at: datetime  # WIB, naive
    signed_on: date  # WIB date of the signature
    signatory: Signatory
    subtitle_lines: list[str] = field(default_factory=list)  # extra lines under the header (e.g. employee)
    left_signatory: Optional[Signatory] = None  # activity report: the employee
    provisional: bool = False  # the period is not closed yet: the figures may still change


PROVISIONAL = "SEMENTARA — periode belum ditutup"
PROVISIONAL_FILE_TAG = "SEMENTARA-periode-belum-ditutup"


def period_label(year: int, month: int) -> str:
    return f"{MONTHS_ID[month]} {year}"


def printed_label(when: datetime) -> str:
    return f"Dicetak: {when:%d-%m-%Y %H:%M} WIB"


def long_date(d: date) -> str:
    return f"{d.day} {MONTHS_ID[d.month]} {d.year}"


class Formats:
    """Every format of a workbook, created once (no per-cell format lookups)."""

    def __init__(self, wb):
        add = wb.add_format
        base = {"font_name": "Arial", "font_size": 9, "valign": "top"}
        cell = dict(base, border=1)
        self.city = add(dict(base, bold=True, font_size=12))
        self.title = add(dict(base, bold=True, font_size=11))
        self.meta = add(base)
        self.header = add(dict(cell, bold=True, bg_color="#D9E1F2", align="center", valign="vcenter", text_wrap=True))
        self.by_kind = {
            TEXT: add(cell),
            CODE: add(dict(cell, num_format="@")),
            INT: add(dict(cell, num_format="#,##0")),
            RUPIAH: add(dict(cell, num_format="#,##0")),
            PCT: add(dict(cell, num_format="0.00")),
            DEC: add(dict(cell, num_format="#,##0.00")),
            DATE: add(dict(cell, align="center")),
        }
        self.wrap = add(dict(cell, text_wrap=True))
        tot = dict(cell, bold=True, bg_color="#F2F2F2")
        self.total_label = add(tot)
        self.total_by_kind = {
            TEXT: add(tot),
            CODE: add(tot),
            INT: add(dict(tot, num_format="#,##0")),
            RUPIAH: add(dict(tot, num_format="#,##0")),
            PCT: add(dict(tot, num_format="0.00")),
            DEC: add(dict(tot, num_format="#,##0.00")),
            DATE: add(tot),
        }
        self.provisional = add(dict(base, bold=True, font_size=11, font_color="#C00000"))
        self.sign = add(base)
        self.sign_name = add(dict(base, bold=True, underline=1))


_NUMERIC = {INT, RUPIAH, PCT, DEC}


class SheetWriter:
    """Writes one report sheet in row order; see the module docstring for the layout."""

    def __init__(self, wb, sheet_name: str, columns: Sequence[Column], meta: ReportMeta, wrap_cols: Iterable[int] = ()):
        self.wb = wb
        self.ws = wb.add_worksheet(sheet_name[:31])
        self.columns = list(columns)
        self.meta = meta
        self.fmt = Formats(wb)
        self.row = FIRST_DATA_ROW
        self.ncols = len(self.columns)
        self.sums = [0] * self.ncols
        wrap = set(wrap_cols)
        # Precomputed writer per column: (bound method, format); numbers go through write_number.
        self._plan: list[tuple[Callable, Any, bool]] = []
        letters = {c.key: xl_col_to_name(i) for i, c in enumerate(self.columns) if c.key}
        for i, c in enumerate(self.columns):
            numeric = c.kind in _NUMERIC
            method = self.ws.write_number if numeric else self.ws.write_string
            if c.formula:
                method = self._formula_writer(c.formula, letters)
            f = self.fmt.wrap if (i in wrap and c.kind == TEXT) else self.fmt.by_kind[c.kind]
            self._plan.append((method, f, numeric))
        self._total_cols = [i for i, c in enumerate(self.columns) if c.total]
        self._setup()

    def _formula_writer(self, template: str, letters: dict[str, str]) -> Callable:
        """write(row, col, cached value, format) of a per-row formula column."""
        text = template.replace("{", "{{").replace("}", "}}")
        for key, letter in letters.items():
            text = text.replace("{{" + key + "}}", letter + "{row}")
        write = self.ws.write_formula

        def write_row_formula(r, col, value, f):
            write(r, col, text.format(row=r + 1), f, value)

        return write_row_formula

    # ------------------------------------------------------------------ layout
    def _setup(self) -> None:
        ws, f, meta = self.ws, self.fmt, self.meta
        for i, c in enumerate(self.columns):
            ws.set_column(i, i, c.width)
        ws.set_paper(9)  # A4
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(HEADER_ROW)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer("&L&8" + meta.title.replace("&", "&&") + "&R&8Halaman &P dari &N")
        if meta.provisional:
            ws.set_header("&C&B" + PROVISIONAL)
        ws.freeze_panes(FIRST_DATA_ROW, 0)
        ws.write_string(0, 0, CITY, f.city)
        ws.write_string(1, 0, meta.title, f.title)
        lines = [f"OPD: {meta.opd_name}", f"Periode: {meta.period_label}", printed_label(meta.printed_at)]
        extra = meta.subtitle_lines[:3]
        for k, line in enumerate(lines):
            ws.write_string(2 + k, 0, line, f.meta)
            if k < len(extra):
                # Extra lines (the employee of an activity report) to the right, same rows: row order kept
                # for constant-memory mode.
                ws.write_string(2 + k, min(3, self.ncols - 1), extra[k], f.meta)
        if meta.provisional:
            ws.write_string(HEADER_ROW - 1, 0, PROVISIONAL, f.provisional)
        ws.set_row(HEADER_ROW, 30)
        for i, c in enumerate(self.columns):
            ws.write_string(HEADER_ROW, i, c.title, f.header)

    # ------------------------------------------------------------------ data
    def write_rows(self, rows: Iterable[Sequence[Any]]) -> int:
        """Write data rows (values already converted: str for text, int/float for numbers,
        None for empty) and add the SUM columns up. Returns the number of rows written."""
        plan = self._plan
        total_cols = self._total_cols
        sums = self.sums
        r = self.row
        blank = self.ws.write_blank
        for values in rows:
            for col, value in enumerate(values):
                method, f, _ = plan[col]
                if value is None or value == "":
                    blank(r, col, None, f)
                else:
                    method(r, col, value, f)
            for col in total_cols:
                v = values[col]
                if v is not None:
                    sums[col] += v
            r += 1
        n = r - self.row
        self.row = r
        self._data_end = r
        return n

    _data_end = FIRST_DATA_ROW

    @property
    def data_rows(self) -> int:
        return self._data_end - FIRST_DATA_ROW

    def totals(self, label: str = "JUMLAH", label_col: int = 0) -> Optional[int]:
        """Totals row: =SUM over exactly the data rows for each `total` column, with the
        computed value stored for readers that do not recalculate. Returns its row index."""
        ws, f = self.ws, self.fmt
        r = self.row
        last = self._data_end - 1
        for i, c in enumerate(self.columns):
            if i == label_col:
                ws.write_string(r, i, label, f.total_label)
            elif c.total:
                tf = f.total_by_kind[c.kind]
                if self.data_rows:
                    rng = f"{xl_rowcol_to_cell(FIRST_DATA_ROW, i)}:{xl_rowcol_to_cell(last, i)}"
                    value = self.sums[i]
                    ws.write_formula(r, i, f"=SUM({rng})", tf, float(value) if not isinstance(value, int) else value)
                else:
                    ws.write_number(r, i, 0, tf)
            else:
                ws.write_blank(r, i, None, f.total_label)
        self.row = r + 1
        return r

    def finish(self) -> None:
        """Autofilter over header and data, then the signature block."""
        last = max(self._data_end - 1, HEADER_ROW)
        self.ws.autofilter(HEADER_ROW, 0, last, self.ncols - 1)
        self.signature()

    def signature(self) -> None:
        ws, f, meta = self.ws, self.fmt, self.meta
        col = max(self.ncols - 4, 1)
        r = self.row + 2
        ws.write_string(r, col, f"Malang, {long_date(meta.signed_on)}", f.sign)
        left = meta.left_signatory
        if left is not None:
            ws.write_string(r + 1, 1, left.title, f.sign)
        ws.write_string(r + 1, col, meta.signatory.title, f.sign)
        # r+2..r+4 left empty for the signature itself
        if left is not None:
            ws.write_string(r + 5, 1, left.name or "(.................................................)",
                            f.sign_name if left.name else f.sign)
        sig = meta.signatory
        ws.write_string(r + 5, col, sig.name or "(.................................................)",
                        f.sign_name if sig.name else f.sign)
        if left is not None:
            ws.write_string(r + 6, 1, f"NIP {left.nip}" if left.nip else "NIP ...............................",
                            f.sign)
        ws.write_string(r + 6, col, f"NIP {sig.nip}" if sig.nip else "NIP ...............................", f.sign)
        self.row = r + 7


def workbook_options(constant_memory: bool, tmpdir: Optional[str] = None) -> dict:
    opts: dict[str, Any] = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    if constant_memory:
        opts.update({"constant_memory": True, "in_memory": False})
        if tmpdir:
            opts["tmpdir"] = tmpdir
    else:
        opts["in_memory"] = True
    return opts


def set_properties(wb, meta: ReportMeta) -> None:
    wb.set_properties({"title": meta.title, "subject": f"{meta.opd_name} — {meta.period_label}",
                       "company": "Pemerintah Kota Malang", "author": "e-Kinerja Kota Malang"})
