"""Attendance import (kehadiran): preview, then import a month all or nothing.

Rules (also in docs/attendance-import.md):
- BKD/Admin may import any employee; an Operator OPD only the employees of their own OPD.
  A row outside the importer's scope is an error of that row, like an unknown NIP.
- Nothing is written unless every row of the file is valid (`Preview.ok`).
- The confirmation never trusts the preview: the stored file is parsed and validated again.
- Replacement: importing a month replaces that month's attendance of exactly the employees
  present in the file (every day of the month, also days the new file leaves out). Other
  employees' rows are untouched, so BKD may import OPD by OPD and an operator never touches
  rows outside their OPD. An employee left out of a re-import keeps the old rows.
- The month must have a period opened by BKD and not closed (a closed month is frozen).
- Every accepted file leaves an AttendanceImport row and an audit event with the counts.

The functions flush but do not commit: the caller commits (one transaction) or rolls back.
"""
from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import Optional

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.imports.attendance import MONTHS_ID, Preview, parse_attendance, validate_rows
from app.services import Conflict, Forbidden, ValidationFailed

CHUNK = 500  # ids per IN (...) list (SQLite's variable limit, PostgreSQL's plan size)

MSG_NO_RIGHT = "Anda tidak berwenang mengimpor data kehadiran."
MSG_NO_PERIOD = "Periode {label} belum dibuka oleh BKD; data kehadiran belum dapat diimpor."
MSG_CLOSED = "Periode {label} sudah ditutup; data kehadiran bulan tersebut dibekukan."
MSG_INVALID = "Berkas kehadiran masih mengandung kesalahan; tidak ada data yang diimpor."


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


@dataclass
class ImportResult:
    import_id: int
    rows: int
    employees: int
    replaced_rows: int
    preview: Preview


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
    from app.models import Employee, Unit

    found: dict[str, EmployeeRef] = {}
    for part in _chunks(sorted(nips)):
        rows = db.session.execute(
            select(Employee.id, Employee.nip, Employee.name, Unit.opd_id)
            .join(Unit, Unit.id == Employee.unit_id)
            .where(Employee.nip.in_(part))
        ).all()
        for r in rows:
            found[r.nip] = EmployeeRef(r.id, r.nip, r.name, r.opd_id)
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


def _existing_rows(employee_ids: list[int], first: date, last: date) -> int:
    from app.models import Attendance

    total = 0
    for part in _chunks(employee_ids):
        total += db.session.scalar(
            select(func.count()).select_from(Attendance)
            .where(Attendance.employee_id.in_(part), Attendance.date.between(first, last))
        ) or 0
    return total


def _validated(year: int, month: int, filename: str, data: bytes, actor, lock: bool = False
               ) -> tuple[Preview, dict[str, EmployeeRef]]:
    check_importer(actor)
    if not (2000 <= int(year) <= 2100) or not (1 <= int(month) <= 12):
        raise ValidationFailed({"month": ["Tahun atau bulan impor tidak valid."]})
    parsed = parse_attendance(filename, data)
    employees = load_employees({r.nip for r in parsed.rows if r.nip})
    allowed = allowed_ids(actor, employees)
    preview = validate_rows(parsed, year, month, employees, allowed)
    problem = period_problem(year, month, lock=lock)
    if problem:
        preview.file_errors.insert(0, problem)
    preview.names = {nip: e.name for nip, e in employees.items() if allowed is None or e.id in allowed}
    return preview, employees


def preview_import(year: int, month: int, filename: str, data: bytes, actor) -> Preview:
    """Parse and validate; nothing is written. `replaced_rows` counts the rows an import
    would replace (existing rows of the file's employees in the month)."""
    preview, employees = _validated(year, month, filename, data, actor)
    if preview.ok:
        ids = sorted({employees[r.nip].id for r in preview.rows})
        preview.replaced_rows = _existing_rows(ids, *month_bounds(year, month))
    return preview


def import_month(year: int, month: int, filename: str, data: bytes, actor) -> ImportResult:
    """Validate again, then replace the month for the file's employees in one transaction.
    Raises ImportRefused (with the preview) when any row or the file is not valid."""
    from app.models import Attendance, AttendanceImport
    from app.security import employees_of_opd
    from app.services.audit import add_event

    preview, employees = _validated(year, month, filename, data, actor, lock=True)
    if not preview.ok:
        raise ImportRefused(preview)
    first, last = month_bounds(year, month)
    ids = sorted({employees[r.nip].id for r in preview.rows})
    try:
        replaced = 0
        for part in _chunks(ids):
            stmt = delete(Attendance).where(Attendance.employee_id.in_(part), Attendance.date.between(first, last))
            if not actor.is_bkd:  # belt and braces: an operator never touches another OPD's rows
                stmt = stmt.where(Attendance.employee_id.in_(employees_of_opd(actor.opd_id)))
            replaced += db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount or 0
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
        add_event(db.session, "AttendanceImport", record.id, "IMPORT", after={
            "year": year, "month": month, "filename": record.filename, "rows": len(values),
            "employees": len(ids), "replaced_rows": replaced, "by_status": counts["by_status"],
        }, detail=f"Impor kehadiran {preview.month_label}: {len(values)} baris, {len(ids)} pegawai, "
                  f"{replaced} baris lama diganti")
        record.rows = len(values)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("Data kehadiran bulan ini berubah saat impor berjalan (impor lain?). "
                       "Tidak ada data yang diimpor; coba lagi.") from None
    except Exception:
        db.session.rollback()
        raise
    preview.replaced_rows = replaced
    return ImportResult(import_id=record.id, rows=len(values), employees=len(ids), replaced_rows=replaced,
                        preview=preview)
