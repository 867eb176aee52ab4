"""Exchange with BKN e-Kinerja (issue 12 item 6, layouts in docs/bkn-exchange.md).

- Export: each employee's SKP of a year (one row per indicator) and the periodic predikat, as
  one xlsx with the sheets "SKP" and "Predikat", for an OPD or the whole city within the
  user's scope (app.security.followup_scope_clause: Admin, BKD and Auditor the city, an
  Operator OPD their own OPD). Written row by row (xlsxwriter constant_memory).
- Import: the predikat of a BKN e-Kinerja export matched by NIP into BknPredikat, BKD only,
  through the upload -> preview (every row checked) -> all-or-nothing confirm flow the other
  imports use (app.views.imports.ImportFlowView)."""
from __future__ import annotations

import tempfile
from collections import defaultdict
from typing import Any, Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from app.domain import predikat as PR
from app.domain import skp as SK
from app.domain.skp import to_id, to_year
from app.extensions import db
from app.services import Forbidden, NotFound, ValidationFailed
from app.services.audit import add_event
from app.services.followup import ACTION_LABELS, ImportRefused, Preview  # the shared import preview

__all__ = ["ACTION_LABELS", "ImportRefused", "Preview", "can_export", "can_import", "export_xlsx", "opd_choices",
           "preview_import", "import_predikat", "stored_predikat"]

MSG_NO_EXPORT = "Anda tidak berwenang mengekspor data SKP dan predikat ke BKN e-Kinerja."
MSG_NO_IMPORT = "Hanya BKD yang dapat mengimpor predikat dari BKN e-Kinerja."
MSG_YEAR = "Tahun tidak valid: isi tahun antara 2000 dan 2100."
MSG_OPD = "OPD tidak ditemukan atau di luar cakupan Anda."
MSG_NO_ROWS = "Berkas tidak berisi baris data."

SKP_COLUMNS = ("NIP", "NAMA", "TAHUN", "JENIS_RHK", "NO_RHK", "RHK", "RHK_ATASAN_DIINTERVENSI", "ASPEK",
               "INDIKATOR", "TARGET", "SATUAN", "STATUS_SKP")
PREDIKAT_COLUMNS = ("NIP", "NAMA", "TAHUN", "BULAN", "RATING_HASIL_KERJA", "RATING_PERILAKU", "PREDIKAT")


def _scope(column):
    from app.security import followup_scope_clause

    return followup_scope_clause(column)


def _city_wide() -> bool:
    from app.models import Employee

    return _scope(Employee.id) is None


def can_export(actor) -> bool:
    from app.security import current_login, operator_opd_id, role_names

    roles = role_names(current_login())
    return bool(roles & {"Admin", "BKD", "Auditor"}) or ("Operator OPD" in roles and operator_opd_id() is not None)


def can_import(actor) -> bool:
    return actor.is_bkd


def opd_choices(actor) -> list[tuple[int, str]]:
    """The OPD the user may export (every OPD city-wide, else their own)."""
    from app.models import Unit
    from app.security import operator_opd_id

    stmt = select(Unit.id, Unit.name).where(Unit.opd_id == Unit.id, Unit.active.is_(True))
    if not _city_wide():  # not city-wide: the operator's OPD only
        stmt = stmt.where(Unit.id == operator_opd_id())
    return [(r.id, r.name) for r in db.session.execute(stmt.order_by(Unit.name, Unit.id))]


def parse_year(raw: Any) -> int:
    from app.services.organisation import today_local

    if raw is None or str(raw).strip() == "":
        return today_local().year
    year = to_year(raw)
    if year is None:
        raise ValidationFailed({"tahun": [MSG_YEAR]})
    return year


def _employees(opd_id: Optional[int]):
    """Employee ids in scope (and in the OPD when one is chosen), as a subquery condition."""
    from app.models import Employee, Unit

    stmt = select(Employee.id)
    clause = _scope(Employee.id)
    if clause is not None:
        stmt = stmt.where(clause)
    if opd_id is not None:
        stmt = stmt.where(Employee.unit_id.in_(select(Unit.id).where(Unit.opd_id == opd_id)))
    return stmt


def _check_export(actor, opd_arg: Any) -> Optional[int]:
    if not can_export(actor):
        raise Forbidden(MSG_NO_EXPORT)
    if opd_arg is None or str(opd_arg).strip() == "":
        if _city_wide():
            return None  # the whole city
        from app.security import operator_opd_id

        return operator_opd_id()
    opd_id = to_id(str(opd_arg))
    if opd_id is None or opd_id not in {i for i, _ in opd_choices(actor)}:
        raise NotFound(MSG_OPD)
    return opd_id


def export_xlsx(actor, year_arg: Any, opd_arg: Any = None):
    """(file object at 0, download name): the SKP and predikat of the year for the OPD (or the
    whole city) in scope. Forbidden/NotFound/ValidationFailed before anything is written."""
    import xlsxwriter

    from app.models import Employee, Evaluation, Period, Rhk, RhkIndicator, Skp, Unit
    from app.reports.common import workbook_options
    from app.security import rhk_in_force_clause

    year = parse_year(year_arg)
    opd_id = _check_export(actor, opd_arg)
    people = _employees(opd_id)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb = xlsxwriter.Workbook(out, workbook_options(constant_memory=True))
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    code = wb.add_format({"num_format": "@"})
    number = wb.add_format({"num_format": "#,##0.##"})

    def sheet(name: str, columns):
        ws = wb.add_worksheet(name)
        for c, title in enumerate(columns):
            ws.write_string(0, c, title, bold)
        ws.set_column(0, 0, 21)
        ws.set_column(1, 1, 30)
        ws.freeze_panes(1, 0)
        return ws

    ws = sheet("SKP", SKP_COLUMNS)
    ws.set_column(5, 6, 50)
    ws.set_column(8, 8, 45)
    parent = aliased(Rhk)
    stmt = (select(Employee.nip, Employee.name, Employee.front_title, Employee.back_title, Skp.year, Skp.status,
                   Rhk.kind, Rhk.number, Rhk.name.label("rhk"), parent.name.label("parent"), RhkIndicator.aspect,
                   RhkIndicator.name.label("indicator"), RhkIndicator.target_value, RhkIndicator.target_unit)
            .join(Employee, Employee.id == Skp.employee_id)
            .join(Rhk, Rhk.skp_id == Skp.id).join(RhkIndicator, RhkIndicator.rhk_id == Rhk.id)
            .outerjoin(parent, parent.id == Rhk.parent_id)
            .outerjoin(Unit, Unit.id == Skp.opd_id)
            .where(Skp.year == year, Skp.employee_id.in_(people), Rhk.active.is_(True),
                   or_(Skp.approved_revision.is_(None), rhk_in_force_clause()))
            .order_by(Unit.code, Employee.nip, Rhk.kind.desc(), Rhk.number, Rhk.id, RhkIndicator.number,
                      RhkIndicator.id))
    from app.services.recap import full_name

    r = 0
    for r, row in enumerate(db.session.execute(stmt.execution_options(yield_per=2000)), start=1):
        ws.write_string(r, 0, row.nip, code)
        ws.write_string(r, 1, full_name(row.name, row.front_title, row.back_title))
        ws.write_number(r, 2, row.year)
        ws.write_string(r, 3, SK.KIND_LABELS.get(row.kind, row.kind))
        ws.write_number(r, 4, row.number)
        ws.write_string(r, 5, row.rhk)
        ws.write_string(r, 6, row.parent or "")
        ws.write_string(r, 7, SK.ASPECT_LABELS.get(row.aspect, row.aspect))
        ws.write_string(r, 8, row.indicator)
        ws.write_number(r, 9, float(row.target_value), number)
        ws.write_string(r, 10, row.target_unit)
        ws.write_string(r, 11, SK.status_label(row.status))
    skp_rows = r

    ws = sheet("Predikat", PREDIKAT_COLUMNS)
    stmt = (select(Employee.nip, Employee.name, Employee.front_title, Employee.back_title, Period.year, Period.month,
                   Evaluation.rating_hasil_kerja, Evaluation.rating_perilaku, Evaluation.predikat)
            .join(Employee, Employee.id == Evaluation.employee_id).join(Period, Period.id == Evaluation.period_id)
            .join(Unit, Unit.id == Employee.unit_id)
            .where(Period.year == year, Evaluation.employee_id.in_(people))
            .order_by(Unit.code, Employee.nip, Period.month))
    r = 0
    for r, row in enumerate(db.session.execute(stmt.execution_options(yield_per=2000)), start=1):
        ws.write_string(r, 0, row.nip, code)
        ws.write_string(r, 1, full_name(row.name, row.front_title, row.back_title))
        ws.write_number(r, 2, row.year)
        ws.write_number(r, 3, row.month)
        ws.write_string(r, 4, PR.RATING_LABELS.get(row.rating_hasil_kerja, row.rating_hasil_kerja))
        ws.write_string(r, 5, PR.RATING_LABELS.get(row.rating_perilaku, row.rating_perilaku))
        ws.write_string(r, 6, PR.PREDIKAT_LABELS.get(row.predikat, row.predikat))
    wb.close()
    out.seek(0)
    where = "kota" if opd_id is None else f"opd-{opd_id}"
    add_event(db.session, "BknPredikat", None, "EXPORT", after={
        "year": year, "opd_id": opd_id, "skp_rows": skp_rows, "predikat_rows": r})
    return out, f"bkn-ekinerja-{year}-{where}.xlsx"


# --------------------------------------------------------------------------- import
def preview_import(filename: str, data: bytes, actor) -> Preview:
    """Parse and check every row (nothing is written)."""
    from app.imports.bkn import parse_bkn_predikat
    from app.models import BknPredikat, Employee

    if not can_import(actor):
        raise Forbidden(MSG_NO_IMPORT)
    parsed = parse_bkn_predikat(filename, data)
    years = sorted({r.get("TAHUN") for r in parsed.rows if r.get("TAHUN")})
    preview = Preview(filename=filename, year=", ".join(map(str, years)) or "-", file_errors=parsed.errors,
                      warnings=parsed.warnings, columns=parsed.columns, rows_=parsed.rows)
    if parsed.errors:
        return preview
    if not parsed.rows:
        preview.file_errors.append(MSG_NO_ROWS)
        return preview
    nips = sorted({r.get("NIP") for r in parsed.rows if r.get("NIP")})
    found: dict[str, int] = {}
    for part in (nips[i:i + 500] for i in range(0, len(nips), 500)):
        stmt = select(Employee.nip, Employee.id).where(Employee.nip.in_(part))
        clause = _scope(Employee.id)
        found.update(dict(db.session.execute(stmt if clause is None else stmt.where(clause)).all()))
    stored = {(p.employee_id, p.year, p.month): p for p in db.session.scalars(select(BknPredikat).where(
        BknPredikat.employee_id.in_(list(found.values()) or [0]), BknPredikat.year.in_(years or [0])))}
    lines: dict[tuple, list[int]] = defaultdict(list)
    for row in parsed.rows:
        if row.get("NIP") and row.get("TAHUN"):
            lines[(row.get("NIP"), row.get("TAHUN"), row.get("BULAN"))].append(row.line)
    for row in parsed.rows:
        nip, year, month = row.get("NIP"), row.get("TAHUN"), row.get("BULAN")
        key = (nip, year, month)
        if nip and year and len(lines[key]) > 1:
            others = ", ".join(str(n) for n in lines[key] if n != row.line)
            row.error(f"NIP {nip} {'tahun ' + str(year) if month is None else f'bulan {month}/{year}'} ganda: "
                      f"juga ada di baris {others}.")
        if nip and nip not in found and "NIP" not in row.bad:
            row.error(f"NIP {nip} tidak terdaftar sebagai pegawai.")
        if row.errors:
            continue
        emp = found[nip]
        row.plan = {"employee_id": emp, "year": year, "month": month, "predikat": row.get("PREDIKAT")}
        old = stored.get((emp, year, month))
        row.action = "baru" if old is None else ("tetap" if old.predikat == row.get("PREDIKAT") else "ubah")
    return preview


def import_predikat(filename: str, data: bytes, actor):
    """All or nothing: the stored file is checked again; any error -> ImportRefused."""
    from app.models import BknPredikat

    preview = preview_import(filename, data, actor)
    if not preview.ok:
        raise ImportRefused(preview)
    counts = {"baru": 0, "ubah": 0, "tetap": 0}
    plans = [r.plan for r in preview.rows() if r.action != "tetap"]
    for row in preview.rows():
        counts[row.action] += 1
    keys = {(p["employee_id"], p["year"], p["month"]) for p in plans}
    existing = {}
    if keys:
        existing = {(p.employee_id, p.year, p.month): p for p in db.session.scalars(select(BknPredikat).where(
            BknPredikat.employee_id.in_({k[0] for k in keys}), BknPredikat.year.in_({k[1] for k in keys})))}
    for p in plans:
        item = existing.get((p["employee_id"], p["year"], p["month"]))
        if item is None:
            db.session.add(BknPredikat(**p, filename=filename[:255], imported_by_id=actor.user_id))
        else:
            item.predikat, item.filename, item.imported_by_id = p["predikat"], filename[:255], actor.user_id
    db.session.flush()
    add_event(db.session, "BknPredikat", None, "IMPORT", after={"filename": filename, **counts})
    return counts


def stored_predikat(actor, year: int, limit: int = 200) -> list:
    """The latest imported predikat of the year in scope (for the page)."""
    from app.models import BknPredikat, Employee

    stmt = (select(BknPredikat, Employee).join(Employee, Employee.id == BknPredikat.employee_id)
            .where(BknPredikat.year == year).order_by(Employee.nip, BknPredikat.month.is_(None), BknPredikat.month)
            .limit(limit))
    clause = _scope(BknPredikat.employee_id)
    return list(db.session.execute(stmt if clause is None else stmt.where(clause)).all())
