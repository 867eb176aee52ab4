"""Printable A4 documents of the performance cycle (issue 12 item 4, PermenPAN-RB 6/2022 layout):
the SKP (Sasaran Kinerja Pegawai) and the periodic evaluation (Evaluasi Kinerja Pegawai), with
the signature blocks of the employee, the pejabat penilai and (evaluation) the atasan pejabat
penilai.

Plain functions: `skp_pdf(SkpDoc)` and `evaluation_pdf(EvaluationDoc)` return the PDF bytes
from plain data gathered by app.services.documents; no database, no Flask. ReportLab with its
built-in Helvetica (a PDF standard font: nothing is fetched or embedded at run time). Long text
wraps inside the table cells, tables split across pages with their header row repeated, every
page carries "Halaman n dari m"; an SKP that is not approved carries the watermark
"DRAF — BELUM DISETUJUI" on every page.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Optional
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

GOVERNMENT = "PEMERINTAH KOTA MALANG"
PLACE = "Malang"
DRAFT_MARK = "DRAF — BELUM DISETUJUI"
MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
GRID = colors.HexColor("#444444")
HEAD_BG = colors.HexColor("#e6e6e6")


# --------------------------------------------------------------------------- plain data
@dataclass
class Person:
    """Identity lines of a block (empty strings print as dotted lines)."""
    name: str = ""
    nip: str = ""
    pangkat: str = ""
    jabatan: str = ""
    unit: str = ""


@dataclass
class IndicatorRow:
    aspect: str
    name: str
    target: str
    realisation: str = ""
    achievement: str = ""
    note: str = ""


@dataclass
class RhkRow:
    number: str
    parent: str  # the superior's RHK intervened in (or the OPD goal for the OPD head)
    name: str
    indicators: list[IndicatorRow] = field(default_factory=list)
    work: str = ""  # linked approved work of the period (evaluation)


@dataclass
class SkpDoc:
    year: int
    period_text: str  # "1 Januari – 31 Desember 2027"
    opd: str
    employee: Person
    evaluator: Person
    utama: list[RhkRow]
    tambahan: list[RhkRow]
    approved: bool
    status_text: str
    revision: int
    signed_on: str  # "30 November 2026"


@dataclass
class EvaluationDoc:
    period_label: str  # "November 2026"
    period_text: str  # "1 November – 30 November 2026"
    opd: str
    employee: Person
    evaluator: Person
    evaluator_superior: Person
    utama: Optional[list[RhkRow]]  # None: no approved SKP of the year (ratings only)
    tambahan: Optional[list[RhkRow]]
    non_skp_work: str
    rating_hasil_kerja: str
    rating_perilaku: str
    perilaku: list[tuple[str, str]]  # (BerAKHLAK value, rating label)
    predikat: str
    note: str
    work_score: str
    signed_on: str


# --------------------------------------------------------------------------- styles and helpers
def _style(name: str, size: float = 8.5, bold: bool = False, align=TA_LEFT, leading: float = 0) -> ParagraphStyle:
    return ParagraphStyle(name, fontName="Helvetica-Bold" if bold else "Helvetica", fontSize=size,
                          leading=leading or size * 1.22, alignment=align)


BODY = _style("body")
BOLD = _style("bold", bold=True)
SMALL = _style("small", 7.5)
HEAD = _style("head", 8, bold=True, align=TA_CENTER)
TITLE = _style("title", 13, bold=True, align=TA_CENTER, leading=17)
SUBTITLE = _style("subtitle", 10, bold=True, align=TA_CENTER, leading=13)
CENTER = _style("center", 9, align=TA_CENTER, leading=12)
SECTION = _style("section", 9.5, bold=True, leading=13)
SIGN = _style("sign", 9, align=TA_CENTER, leading=12)
SIGN_NAME = _style("signname", 9, bold=True, align=TA_CENTER, leading=12)
DRAFT_LABEL = ParagraphStyle("draft", parent=SUBTITLE, textColor=colors.HexColor("#b00020"))


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A wrapping paragraph of plain text (escaped; line breaks kept)."""
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def _or_dots(text: str) -> str:
    return text or "…………………………………"


class _NumberedCanvas(rl_canvas.Canvas):
    """Draws "Halaman n dari m", the footer and (drafts) the watermark once the page count is
    known: pages are kept until save()."""

    watermark: Optional[str] = None
    footer: str = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # noqa: N802 (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        self.saveState()
        if self.watermark:
            self.setFillColor(colors.Color(0.75, 0.0, 0.1, alpha=0.16))
            self.setFont("Helvetica-Bold", 46)
            self.translate(A4[0] / 2, A4[1] / 2)
            self.rotate(45)
            self.drawCentredString(0, 0, self.watermark)
            self.rotate(-45)
            self.translate(-A4[0] / 2, -A4[1] / 2)
        self.setFillColor(colors.HexColor("#555555"))
        self.setFont("Helvetica", 7.5)
        self.drawString(MARGIN, 9 * mm, self.footer)
        self.drawRightString(A4[0] - MARGIN, 9 * mm, f"Halaman {self._pageNumber} dari {total}")
        self.restoreState()


def _build(story: list, title: str, footer: str, watermark: Optional[str] = None) -> bytes:
    canvas_class = type("DocumentCanvas", (_NumberedCanvas,), {"watermark": watermark, "footer": footer})
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=title, author="e-Kinerja Kota Malang",
                            creator="e-Kinerja Kota Malang")
    doc.build(story, canvasmaker=canvas_class)
    return out.getvalue()


def _heading(title: str, period_text: str, opd: str) -> list:
    return [
        _p(GOVERNMENT, SUBTITLE),
        _p(title, TITLE),
        _p(opd.upper(), CENTER) if opd else Spacer(1, 0),
        _p(f"PERIODE PENILAIAN: {period_text.upper()}", CENTER),
        Spacer(1, 4 * mm),
    ]


def _identity(left_title: str, left: Person, right_title: str, right: Person) -> Table:
    """The two identity blocks side by side (No, label, value twice), as in the official form."""
    labels = ("Nama", "NIP", "Pangkat/Gol.", "Jabatan", "Unit Kerja")
    rows = [[_p("No", HEAD), _p(left_title, HEAD), "", _p("No", HEAD), _p(right_title, HEAD), ""]]
    for i, label in enumerate(labels):
        key = ("name", "nip", "pangkat", "jabatan", "unit")[i]
        rows.append([_p(str(i + 1), BODY), _p(label), _p(getattr(left, key) or "-"),
                     _p(str(i + 1), BODY), _p(label), _p(getattr(right, key) or "-")])
    table = Table(rows, colWidths=[8 * mm, 22 * mm, 60 * mm, 8 * mm, 22 * mm, 60 * mm])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("SPAN", (1, 0), (2, 0)), ("SPAN", (4, 0), (5, 0)),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def _rhk_table(rows: list[RhkRow], header: list[str], widths: list[float], cells) -> Table:
    """One table row per indicator; the RHK's own cells on its first indicator only, with no line
    between the indicators of one RHK (reads as merged cells yet splits cleanly across pages)."""
    data = [[_p(h, HEAD) for h in header]]
    style = [
        ("BOX", (0, 0), (-1, -1), 0.5, GRID),
        ("INNERGRID", (0, 0), (-1, 0), 0.5, GRID),
        ("LINEAFTER", (0, 0), (-2, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for rhk in rows:
        style.append(("LINEABOVE", (0, len(data)), (-1, len(data)), 0.5, GRID))
        for i, ind in enumerate(rhk.indicators or [IndicatorRow("-", "(belum ada indikator)", "-")]):
            tail = cells(rhk, ind)
            lead = len(header) - len(tail)
            if i:
                style.append(("LINEABOVE", (lead, len(data)), (-1, len(data)), 0.25, colors.HexColor("#bbbbbb")))
            data.append((_rhk_cells(rhk, lead) if i == 0 else [""] * lead) + tail)
    table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1)
    table.setStyle(TableStyle(style))
    return table


def _identity_and_heading(employee: Person, evaluator: Person) -> list:
    return [_identity("PEGAWAI YANG DINILAI", employee, "PEJABAT PENILAI KINERJA", evaluator), Spacer(1, 5 * mm),
            _p("HASIL KERJA", SECTION)]


def _work_sections(utama: list[RhkRow], tambahan: list[RhkRow], header, widths, cells) -> list:
    """"A. Utama" and "B. Tambahan", each its table (or a line saying there is none)."""
    out = []
    for title, rows in (("A. Utama", utama), ("B. Tambahan", tambahan)):
        out += [Spacer(1, 2 * mm), _p(title, BOLD), Spacer(1, 1 * mm)]
        out.append(_rhk_table(rows, header, widths, cells) if rows else
                   _p("Tidak ada rencana hasil kerja " + title[3:].lower() + ".", BODY))
    return out


def _rhk_cells(rhk: RhkRow, count: int) -> list:
    """No, RHK atasan yang diintervensi, RHK (and, in the evaluation, the linked work)."""
    cells = [_p(rhk.number, BODY), _p(rhk.parent or "-"), _p(rhk.name)]
    if count > 3:
        cells.append(_p(rhk.work or "-", SMALL))
    return cells


def _skp_indicator_cells(rhk: RhkRow, ind: IndicatorRow) -> list:
    return [_p(ind.aspect, SMALL), _p(ind.name), _p(ind.target)]


def _evaluation_indicator_cells(rhk: RhkRow, ind: IndicatorRow) -> list:
    realisation = ind.realisation or "-"
    if ind.note:
        realisation = f"{realisation}\nCatatan: {ind.note}"
    return [_p(ind.aspect, SMALL), _p(ind.name), _p(ind.target), _p(realisation), _p(ind.achievement or "-")]


def _signatures(signed_on: str, left: tuple[str, Person], right: tuple[str, Person],
                below: Optional[tuple[str, Person]] = None) -> KeepTogether:
    """Signature blocks: the employee left, the pejabat penilai right under place and date, the
    atasan pejabat penilai centred below."""
    def block(role: str, person: Person, dated: bool) -> list:
        return [_p(f"{PLACE}, {signed_on}" if dated else "\u00a0", SIGN), _p(role, SIGN), Spacer(1, 17 * mm),
                _p(_or_dots(person.name), SIGN_NAME), _p(f"NIP. {person.nip}" if person.nip else "NIP. -", SIGN)]

    half = WIDTH / 2
    rows = [[block(left[0], left[1], False), block(right[0], right[1], True)]]
    table = Table(rows, colWidths=[half, half])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    parts = [Spacer(1, 6 * mm), table]
    if below is not None:
        lower = Table([[block(below[0], below[1], False)]], colWidths=[half])
        parts += [Spacer(1, 4 * mm), lower]
    return KeepTogether(parts)


# --------------------------------------------------------------------------- SKP
SKP_HEADER = ["No", "Rencana Hasil Kerja Pimpinan yang Diintervensi", "Rencana Hasil Kerja", "Aspek",
              "Indikator Kinerja Individu", "Target"]
SKP_WIDTHS = [8 * mm, 46 * mm, 50 * mm, 18 * mm, 40 * mm, 18 * mm]


def skp_pdf(doc: SkpDoc) -> bytes:
    """The SKP as an A4 PDF."""
    story = _heading("SASARAN KINERJA PEGAWAI", doc.period_text, doc.opd)
    if not doc.approved:
        story.insert(2, _p(f"{DRAFT_MARK} (status: {doc.status_text})", DRAFT_LABEL))
    story += _identity_and_heading(doc.employee, doc.evaluator)
    story += _work_sections(doc.utama, doc.tambahan, SKP_HEADER, SKP_WIDTHS, _skp_indicator_cells)
    story.append(_signatures(doc.signed_on, ("Pegawai yang Dinilai", doc.employee),
                             ("Pejabat Penilai Kinerja", doc.evaluator)))
    footer = f"SKP {doc.year} — {doc.employee.name} — NIP {doc.employee.nip} — revisi {doc.revision}"
    return _build(story, f"SKP {doc.year} {doc.employee.name}", footer, None if doc.approved else DRAFT_MARK)


# --------------------------------------------------------------------------- periodic evaluation
EVAL_HEADER = ["No", "Rencana Hasil Kerja Pimpinan yang Diintervensi", "Rencana Hasil Kerja", "Pekerjaan Terkait",
               "Aspek", "Indikator Kinerja Individu", "Target", "Realisasi", "Capaian"]
EVAL_WIDTHS = [7 * mm, 26 * mm, 32 * mm, 18 * mm, 14 * mm, 27 * mm, 17 * mm, 22 * mm, 17 * mm]


def _ratings_table(doc: EvaluationDoc) -> Table:
    rows = [[_p("Rating Hasil Kerja", BOLD), _p(doc.rating_hasil_kerja)]]
    if doc.work_score:
        rows.append([_p("Capaian kinerja (bukti)", BODY), _p(doc.work_score)])
    rows.append([_p("Rating Perilaku Kerja", BOLD), _p(doc.rating_perilaku)])
    for value, rating in doc.perilaku:
        rows.append([_p("\u00a0" * 6 + value, BODY), _p(rating)])
    rows.append([_p("PREDIKAT KINERJA PEGAWAI", BOLD), _p(doc.predikat, BOLD)])
    if doc.note:
        rows.append([_p("Catatan Pejabat Penilai", BODY), _p(doc.note)])
    table = Table(rows, colWidths=[65 * mm, WIDTH - 65 * mm], splitInRow=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, len(rows) - (2 if doc.note else 1)), (-1, len(rows) - (2 if doc.note else 1)), HEAD_BG),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def evaluation_pdf(doc: EvaluationDoc) -> bytes:
    """The periodic evaluation as an A4 PDF."""
    story = _heading(f"EVALUASI KINERJA PEGAWAI PERIODE {doc.period_label.upper()}", doc.period_text, doc.opd)
    story += _identity_and_heading(doc.employee, doc.evaluator)
    if doc.utama is None:
        story.append(_p("SKP tahun ini belum disetujui: realisasi per rencana hasil kerja tidak tersedia; "
                        "penilaian di bawah ini adalah rating pejabat penilai.", BODY))
    else:
        story += _work_sections(doc.utama, doc.tambahan or [], EVAL_HEADER, EVAL_WIDTHS, _evaluation_indicator_cells)
        if doc.non_skp_work:
            story.append(Spacer(1, 1 * mm))
            story.append(_p(f"Pekerjaan di luar SKP: {doc.non_skp_work}", SMALL))
    story.append(Spacer(1, 5 * mm))
    story.append(KeepTogether([_p("PENILAIAN", SECTION), Spacer(1, 1 * mm), _ratings_table(doc)]))
    story.append(_signatures(doc.signed_on, ("Pegawai yang Dinilai", doc.employee),
                             ("Pejabat Penilai Kinerja", doc.evaluator),
                             ("Atasan Pejabat Penilai Kinerja", doc.evaluator_superior)))
    footer = f"Evaluasi kinerja {doc.period_label} — {doc.employee.name} — NIP {doc.employee.nip}"
    return _build(story, f"Evaluasi Kinerja {doc.period_label} {doc.employee.name}", footer)
