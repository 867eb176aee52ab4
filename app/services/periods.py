"""Monthly periods: BKD opens a month, closes it after it has ended (data frozen) and may
reopen it with a reason. Every change is audited (action OPEN/CLOSE/REOPEN with the note).
Before closing, ``close_summary`` shows per OPD what is being frozen and what is still missing.

The caller commits; each function flushes so the audit row is written with the change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import select

from app.extensions import db
from app.services import Forbidden, ValidationFailed
from app.services.organisation import today_local

MSG_FORBIDDEN = "Hanya BKD atau Admin yang dapat membuka, menutup atau membuka kembali periode."
MSG_NOT_ENDED = "Periode belum berakhir; tutup setelah akhir bulan."
MSG_ALREADY_CLOSED = "Periode ini sudah ditutup."
MSG_NOT_CLOSED = "Periode ini tidak sedang ditutup; hanya periode yang ditutup yang dapat dibuka kembali."
MSG_REASON_REQUIRED = "Alasan membuka kembali periode wajib diisi."


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _require_bkd(actor) -> None:
    if actor is None or not actor.is_bkd:
        raise Forbidden(MSG_FORBIDDEN)


def first_day_after(year: int, month: int) -> date:
    """The first day of the month after (year, month)."""
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def get_period(year: int, month: int):
    from app.models import Period

    return db.session.scalar(select(Period).where(Period.year == year, Period.month == month))


def open_period(year: int, month: int, actor):
    """The Period of (year, month), created OPEN if missing (BKD/Admin only)."""
    from app.models import Period

    _require_bkd(actor)
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = ["Tahun harus antara 2000 dan 2100."]
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        errors["month"] = ["Bulan harus 1 sampai 12."]
    if errors:
        raise ValidationFailed(errors)
    period = get_period(year, month)
    if period is not None:
        return period
    period = Period(year=year, month=month, state="OPEN")
    period._audit_action = "OPEN"
    db.session.add(period)
    db.session.flush()
    return period


def close_period(period, actor, note: Optional[str] = None) -> None:
    """OPEN -> CLOSED once the month has ended; activities of the month are frozen."""
    _require_bkd(actor)
    if period.state == "CLOSED":
        raise ValidationFailed({"state": [MSG_ALREADY_CLOSED]})
    if today_local() < first_day_after(period.year, period.month):
        raise ValidationFailed({"state": [MSG_NOT_ENDED]})
    from app.services.recap import recompute_period

    recompute_period(period.year, period.month, actor)  # the frozen recap is the final one
    period.state = "CLOSED"
    period.closed_by_id = actor.user_id
    period.closed_at = _utcnow()
    period._audit_action = "CLOSE"
    period._audit_detail = (note or "").strip() or None
    db.session.flush()


def reopen_period(period, actor, reason: Optional[str]) -> None:
    """CLOSED -> OPEN with a required reason (audited)."""
    _require_bkd(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [MSG_REASON_REQUIRED]})
    if period.state != "CLOSED":
        raise ValidationFailed({"state": [MSG_NOT_CLOSED]})
    period.state = "OPEN"
    period.closed_by_id = None
    period.closed_at = None
    period._audit_action = "REOPEN"
    period._audit_detail = reason
    db.session.flush()


# --------------------------------------------------------------------------- before closing
@dataclass
class OpdCloseRow:
    """What closing the month freezes for one OPD (employees counted in the OPD of their unit)."""

    opd_id: int
    code: str
    name: str
    employees: int = 0  # active employees
    with_minutes: int = 0  # of them, with approved minutes in the month
    waiting: int = 0  # activities of the month still SUBMITTED (awaiting a decision)
    evaluated: int = 0  # active employees with a periodic evaluation of the period
    with_attendance: int = 0  # active employees with imported attendance in the month
    org_predikat: Optional[str] = None
    violations: list = field(default_factory=list)  # app.domain.distribution.Violation

    @property
    def without_minutes(self) -> int:
        return self.employees - self.with_minutes

    @property
    def without_evaluation(self) -> int:
        return self.employees - self.evaluated

    @property
    def org_predikat_label(self) -> str:
        from app.domain.distribution import ORG_PREDIKAT_LABELS

        return ORG_PREDIKAT_LABELS.get(self.org_predikat, self.org_predikat or "")

    @property
    def attendance_imported(self) -> bool:
        return self.with_attendance > 0

    @property
    def warnings(self) -> list[str]:
        """Indonesian sentences for everything still missing (empty: nothing missing)."""
        out = []
        if not self.employees:
            return out
        if self.without_minutes:
            out.append(f"{self.without_minutes} pegawai tanpa menit kerja yang disetujui")
        if self.waiting:
            out.append(f"{self.waiting} aktivitas masih menunggu keputusan atasan")
        if self.without_evaluation:
            out.append(f"{self.without_evaluation} pegawai belum dinilai")
        if not self.org_predikat:
            out.append("predikat organisasi belum ditetapkan")
        if self.violations:
            out.append(f"{len(self.violations)} pelanggaran distribusi predikat")
        if not self.attendance_imported:
            out.append("kehadiran belum diimpor")
        elif self.with_attendance < self.employees:
            out.append(f"kehadiran {self.employees - self.with_attendance} pegawai belum diimpor")
        return out


@dataclass
class CloseSummary:
    period: Any
    rows: list[OpdCloseRow]
    imports: list  # (file name, rows, imported at) of the month's attendance imports

    @property
    def totals(self) -> dict[str, int]:
        keys = ("employees", "without_minutes", "waiting", "without_evaluation", "with_attendance")
        out = {k: sum(getattr(r, k) for r in self.rows) for k in keys}
        out["violations"] = sum(len(r.violations) for r in self.rows)
        return out

    @property
    def incomplete(self) -> list[OpdCloseRow]:
        return [r for r in self.rows if r.warnings]


def attendance_per_opd_query(first, last, opd_id: Optional[int] = None):
    """Active employees with imported attendance between `first` and `last`, per OPD (select of
    opd_id, count, still to be grouped by Unit.opd_id); one OPD with `opd_id`."""
    from sqlalchemy import distinct, func

    from app.models import Attendance, Employee, Unit

    q = (select(Unit.opd_id, func.count(distinct(Attendance.employee_id))).select_from(Attendance)
         .join(Employee, Employee.id == Attendance.employee_id).join(Unit, Unit.id == Employee.unit_id)
         .where(Attendance.date.between(first, last), Employee.active.is_(True)))
    return q.where(Unit.opd_id == opd_id) if opd_id is not None else q


def close_summary(period) -> CloseSummary:
    """Per OPD, what closing `period` would freeze: employees, those without approved minutes,
    activities awaiting a decision, missing evaluations, distribution violations
    (app.domain.distribution through the evaluation service) and imported attendance. A fixed
    number of grouped statements, whatever the number of employees."""
    from sqlalchemy import distinct, func

    from app.models import Activity, AttendanceImport, Employee, Evaluation, Unit
    from app.services.evaluation import distribution_report
    from app.services.recap import month_bounds

    session = db.session
    first, last = month_bounds(period.year, period.month)
    rows: dict[int, OpdCloseRow] = {}
    for d in distribution_report(period):
        rows[d.opd_id] = OpdCloseRow(d.opd_id, d.opd_code, d.opd_name, org_predikat=d.org_predikat,
                                     violations=list(d.violations))

    def per_opd(q, attr: str) -> None:
        for opd_id, n in session.execute(q.group_by(Unit.opd_id)):
            if opd_id in rows:
                setattr(rows[opd_id], attr, int(n or 0))

    active = (Employee.active.is_(True),)
    per_opd(select(Unit.opd_id, func.count(Employee.id)).join(Unit, Unit.id == Employee.unit_id).where(*active),
            "employees")
    in_month = Activity.date.between(first, last)
    per_opd(select(Unit.opd_id, func.count(distinct(Activity.employee_id))).select_from(Activity)
            .join(Employee, Employee.id == Activity.employee_id).join(Unit, Unit.id == Employee.unit_id)
            .where(Activity.status == "APPROVED", in_month, *active), "with_minutes")
    per_opd(select(Unit.opd_id, func.count(Activity.id)).select_from(Activity)
            .join(Employee, Employee.id == Activity.employee_id).join(Unit, Unit.id == Employee.unit_id)
            .where(Activity.status == "SUBMITTED", in_month), "waiting")
    per_opd(select(Unit.opd_id, func.count(Evaluation.id)).select_from(Evaluation)
            .join(Employee, Employee.id == Evaluation.employee_id).join(Unit, Unit.id == Employee.unit_id)
            .where(Evaluation.period_id == period.id, *active), "evaluated")
    per_opd(attendance_per_opd_query(first, last), "with_attendance")
    imports = session.execute(
        select(AttendanceImport.filename, AttendanceImport.rows, AttendanceImport.imported_at)
        .where(AttendanceImport.year == period.year, AttendanceImport.month == period.month)
        .order_by(AttendanceImport.imported_at.desc())).all()
    return CloseSummary(period, list(rows.values()), [tuple(i) for i in imports])
