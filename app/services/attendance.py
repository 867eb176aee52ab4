"""Attendance import (kehadiran): preview, then import a month all or nothing.

Rules (also in docs/attendance-import.md):
- BKD/Admin may import any employee; an Operator OPD only the employees of their own OPD.
  A row outside the importer's scope is an error of that row, like an unknown NIP.
- Nothing is written unless every row of the file is valid (`Preview.ok`).
- The confirmation never trusts the preview: the stored file is parsed and validated again.
- Replacement: an import replaces exactly the (employee, date) pairs of the file: a stored
  row on such a day is replaced, every other stored row stays (other days, other employees,
  other OPD). Replacing the whole month is a separate, explicit choice (`replace_month`): it
  also deletes the file's employees' stored rows on the month's other days; the preview
  counts them per OPD and the confirmation must carry the choice and that count
  (`expected_deleted`), or nothing is written. An operator never touches another OPD's rows.
- Rows on a day that is not a working day of the employee's unit (weekend of a 5/6-day unit,
  holiday) are imported with a warning in the preview: they deduct nothing.
- The month must have a period opened by BKD and not closed (a closed month is frozen).
- Every accepted file leaves an AttendanceImport row and an audit event with the counts.

The functions flush but do not commit: the caller commits (one transaction) or rolls back.
"""
from __future__ import annotations

from calendar import monthrange
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping, Optional

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.imports.attendance import MONTHS_ID, OpdCount, Preview, parse_attendance, validate_rows
from app.imports.common import UploadLimits
from app.services import Conflict, Forbidden, ValidationFailed

CHUNK = 500  # ids per IN (...) list (SQLite's variable limit, PostgreSQL's plan size)

MSG_NO_RIGHT = "Anda tidak berwenang mengimpor data kehadiran."
MSG_NO_PERIOD = "Periode {label} belum dibuka oleh BKD; data kehadiran belum dapat diimpor."
MSG_CLOSED = "Periode {label} sudah ditutup; data kehadiran bulan tersebut dibekukan."
MSG_INVALID = "Berkas kehadiran masih mengandung kesalahan; tidak ada data yang diimpor."
MSG_MONTH_UNCONFIRMED = ("Penggantian seluruh bulan harus dikonfirmasi dengan jumlah baris yang akan dihapus; "
                         "tidak ada data yang diimpor.")
MSG_MONTH_CHANGED = ("Jumlah baris lama yang akan dihapus berubah sejak pratinjau ({shown} menjadi {now}); "
                     "tidak ada data yang diimpor. Periksa pratinjau yang baru lalu konfirmasi lagi.")
DEFAULT_MAX_ROWS = 100_000  # one import: about 4,500 employees x 22 days; larger OPD import in parts


def upload_limits(config: Optional[Mapping[str, Any]] = None) -> UploadLimits:
    """The attendance import's bounds: ATTENDANCE_MAX_BYTES, ATTENDANCE_MAX_ROWS and the shared
    UPLOAD_* keys of the app config (app.imports.common.UploadLimits)."""
    if config is None:
        from flask import current_app

        config = current_app.config
    return UploadLimits.from_config(config, "ATTENDANCE", max_rows=DEFAULT_MAX_ROWS)


class ImportRefused(ValidationFailed):
    """The file is not valid; `preview` names each bad row and reason."""

    def __init__(self, preview: Preview):
        super().__init__({"file": preview.all_messages() or [MSG_INVALID]})
        self.preview = preview


@dataclass
class EmployeeRef:
    id: int
    nip: str
    name: str
    opd_id: Optional[int]
    opd_name: str = ""
    workdays_per_week: Optional[int] = None


@dataclass
class ImportResult:
    import_id: int
    rows: int
    employees: int
    inserted: int
    replaced_rows: int
    deleted_rows: int
    replace_month: bool
    preview: Preview

    def summary(self) -> str:
        """What the import did, exactly (the page's message)."""
        text = (f"Kehadiran {self.preview.month_label} diimpor untuk {self.employees} pegawai: {self.inserted} baris "
                f"baru ditambahkan, {self.replaced_rows} baris lama diganti pada tanggal yang sama")
        if self.replace_month:
            by_opd = "; ".join(f"{c.name} {c.rows}" for c in self.preview.deleted_by_opd)
            return text + (f", {self.deleted_rows} baris lama pada tanggal lain dihapus (ganti seluruh bulan"
                           + (f": {by_opd}" if by_opd else "") + ").")
        return text + ", 0 baris dihapus (data tanggal lain tidak berubah)."


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def check_importer(actor) -> None:
    """BKD/Admin, or an Operator OPD with an OPD."""
    if actor.is_bkd:
        return
    if "Operator OPD" in actor.roles and actor.opd_id is not None:
        return
    raise Forbidden(MSG_NO_RIGHT)


def load_employees(nips: set[str]) -> dict[str, EmployeeRef]:
    from sqlalchemy.orm import aliased

    from app.models import Employee, Unit

    opd = aliased(Unit)
    found: dict[str, EmployeeRef] = {}
    for part in _chunks(sorted(nips)):
        rows = db.session.execute(
            select(Employee.id, Employee.nip, Employee.name, Unit.opd_id, opd.name.label("opd_name"),
                   Unit.workdays_per_week)
            .join(Unit, Unit.id == Employee.unit_id)
            .outerjoin(opd, opd.id == Unit.opd_id)
            .where(Employee.nip.in_(part))
        ).all()
        for r in rows:
            found[r.nip] = EmployeeRef(r.id, r.nip, r.name, r.opd_id, r.opd_name or "", r.workdays_per_week)
    return found


def allowed_ids(actor, employees: dict[str, EmployeeRef]) -> Optional[set[int]]:
    """Employees of the file the importer may reach; None = all (BKD)."""
    if actor.is_bkd:
        return None
    return {e.id for e in employees.values() if actor.opd_id is not None and e.opd_id == actor.opd_id}


def period_problem(year: int, month: int, lock: bool = False) -> Optional[str]:
    """Why the month cannot take attendance, or None. `lock` holds the period row until the
    end of the transaction (PostgreSQL), so two imports of a month, or an import and the
    closing of the period, do not interleave."""
    from app.models import Period

    q = select(Period.state).where(Period.year == year, Period.month == month)
    if lock:
        q = q.with_for_update()
    state = db.session.scalar(q)
    label = f"{MONTHS_ID[month]} {year}"
    if state is None:
        return MSG_NO_PERIOD.format(label=label)
    if state == "CLOSED":
        return MSG_CLOSED.format(label=label)
    return None


@dataclass
class Plan:
    """What an import of a validated file does to the stored rows."""

    replaced_ids: list[int]  # stored rows on a (employee, date) of the file
    deleted_ids: list[int]  # month replace only: the file's employees' rows on other days
    deleted_by_opd: list[OpdCount]
    inserted: int  # rows of the file on a day without a stored row


def _plan(preview: Preview, employees: dict[str, EmployeeRef], replace_month: bool) -> Plan:
    from app.models import Attendance

    first, last = month_bounds(preview.year, preview.month)
    pairs = {(employees[r.nip].id, r.date) for r in preview.rows}
    ids = sorted({employee_id for employee_id, _ in pairs})
    opd_of = {e.id: e.opd_name or "(tanpa OPD)" for e in employees.values()}
    replaced, deleted, by_opd = [], [], Counter()
    for part in _chunks(ids):
        stored = db.session.execute(
            select(Attendance.id, Attendance.employee_id, Attendance.date)
            .where(Attendance.employee_id.in_(part), Attendance.date.between(first, last))
        ).all()
        for row in stored:
            if (row.employee_id, row.date) in pairs:
                replaced.append(row.id)
            elif replace_month:
                deleted.append(row.id)
                by_opd[opd_of[row.employee_id]] += 1
    return Plan(replaced_ids=replaced, deleted_ids=deleted,
                deleted_by_opd=[OpdCount(name, n) for name, n in sorted(by_opd.items())],
                inserted=len(pairs) - len(replaced))


def _validated(year: int, month: int, filename: str, data: bytes, actor, lock: bool = False,
               limits: Optional[UploadLimits] = None) -> tuple[Preview, dict[str, EmployeeRef]]:
    from app.services.calendar import holidays_between

    check_importer(actor)
    if not (2000 <= int(year) <= 2100) or not (1 <= int(month) <= 12):
        raise ValidationFailed({"month": ["Tahun atau bulan impor tidak valid."]})
    parsed = parse_attendance(filename, data, limits or upload_limits())
    employees = load_employees({r.nip for r in parsed.rows if r.nip})
    allowed = allowed_ids(actor, employees)
    preview = validate_rows(parsed, year, month, employees, allowed, holidays_between(*month_bounds(year, month)))
    problem = period_problem(year, month, lock=lock)
    if problem:
        preview.file_errors.insert(0, problem)
    preview.names = {nip: e.name for nip, e in employees.items() if allowed is None or e.id in allowed}
    return preview, employees


def _fill(preview: Preview, plan: Plan, replace_month: bool) -> None:
    preview.replace_month = replace_month
    preview.inserted = plan.inserted
    preview.replaced_rows = len(plan.replaced_ids)
    preview.deleted_rows = len(plan.deleted_ids)
    preview.deleted_by_opd = plan.deleted_by_opd


def preview_import(year: int, month: int, filename: str, data: bytes, actor, replace_month: bool = False,
                   limits: Optional[UploadLimits] = None) -> Preview:
    """Parse and validate; nothing is written. For a valid file the preview counts the rows
    the import would insert, replace (same employee and date) and, with `replace_month`,
    delete (the file's employees' rows on the month's other days, per OPD)."""
    preview, employees = _validated(year, month, filename, data, actor, limits=limits)
    preview.replace_month = replace_month
    if preview.ok:
        _fill(preview, _plan(preview, employees, replace_month), replace_month)
    return preview


def import_month(year: int, month: int, filename: str, data: bytes, actor, replace_month: bool = False,
                 expected_deleted: Optional[int] = None, limits: Optional[UploadLimits] = None) -> ImportResult:
    """Validate again, then write in one transaction: replace the file's (employee, date)
    pairs and, with `replace_month`, delete the file's employees' rows on the month's other
    days — exactly `expected_deleted` of them (the count the preview showed), or nothing is
    written. Raises ImportRefused (with the preview) when any row or the file is not valid."""
    from app.models import Attendance, AttendanceImport
    from app.security import employees_of_opd
    from app.services.audit import add_event

    if replace_month and expected_deleted is None:
        raise ValidationFailed({"replace_month": [MSG_MONTH_UNCONFIRMED]})
    preview, employees = _validated(year, month, filename, data, actor, lock=True, limits=limits)
    if not preview.ok:
        raise ImportRefused(preview)
    plan = _plan(preview, employees, replace_month)
    if replace_month and len(plan.deleted_ids) != expected_deleted:
        raise Conflict(MSG_MONTH_CHANGED.format(shown=expected_deleted, now=len(plan.deleted_ids)))
    _fill(preview, plan, replace_month)
    ids = sorted({employees[r.nip].id for r in preview.rows})
    try:
        removed = 0
        for part in _chunks(plan.replaced_ids + plan.deleted_ids):
            stmt = delete(Attendance).where(Attendance.id.in_(part))
            if not actor.is_bkd:  # belt and braces: an operator never touches another OPD's rows
                stmt = stmt.where(Attendance.employee_id.in_(employees_of_opd(actor.opd_id)))
            removed += db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount or 0
        if removed != len(plan.replaced_ids) + len(plan.deleted_ids):
            raise IntegrityError("attendance changed during the import", None, Exception())
        record = AttendanceImport(year=year, month=month, filename=(filename or "kehadiran")[:255], rows=0,
                                  imported_by_id=actor.user_id)
        db.session.add(record)
        db.session.flush()
        values = [
            dict(employee_id=employees[r.nip].id, date=r.date, status=r.status, minutes_late=r.minutes_late,
                 minutes_early=r.minutes_early, import_id=record.id)
            for r in preview.rows
        ]
        for part in _chunks(values, 5000):
            db.session.execute(insert(Attendance), part)
        counts = preview.counts
        mode = "BULAN" if replace_month else "TANGGAL"
        add_event(db.session, "AttendanceImport", record.id, "IMPORT", after={
            "year": year, "month": month, "filename": record.filename, "mode": mode, "rows": len(values),
            "employees": len(ids), "inserted": plan.inserted, "replaced_rows": len(plan.replaced_ids),
            "deleted_rows": len(plan.deleted_ids),
            "deleted_by_opd": {c.name: c.rows for c in plan.deleted_by_opd},
            "non_working_day_rows": counts["warnings"], "by_status": counts["by_status"],
        }, detail=f"Impor kehadiran {preview.month_label} ({'ganti seluruh bulan' if replace_month else 'per tanggal'})"
                  ": "
                  f"{len(values)} baris, {len(ids)} pegawai, {plan.inserted} baru, {len(plan.replaced_ids)} diganti, "
                  f"{len(plan.deleted_ids)} dihapus")
        record.rows = len(values)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("Data kehadiran bulan ini berubah saat impor berjalan (impor lain?). "
                       "Tidak ada data yang diimpor; coba lagi.") from None
    except Exception:
        db.session.rollback()
        raise
    return ImportResult(import_id=record.id, rows=len(values), employees=len(ids), inserted=plan.inserted,
                        replaced_rows=len(plan.replaced_ids), deleted_rows=len(plan.deleted_ids),
                        replace_month=replace_month, preview=preview)
