"""Attendance, TPP tables, sanctions, periodic evaluations, organisation predikat and the
monthly recap (one row per employee per period, frozen when the period closes)."""
from sqlalchemy import (
    CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import relationship

from flask_appbuilder import Model

from app.models.audit import utcnow

ATTENDANCE_STATUS_LABELS = {
    "HADIR": "Hadir", "IZIN": "Izin", "SAKIT": "Sakit", "CUTI": "Cuti", "DL": "Dinas Luar", "TK": "Tanpa Keterangan",
}


class AttendanceImport(Model):
    """One accepted attendance file for a month (re-importing the month replaces it)."""

    __tablename__ = "attendance_import"

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    month = Column(Integer, nullable=False)
    filename = Column(String(255), nullable=False)
    rows = Column(Integer, nullable=False)
    imported_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    imported_at = Column(DateTime, nullable=False, default=utcnow)

    imported_by = relationship("User")


class Attendance(Model):
    """A day of attendance from the city's attendance system. minutes_late / minutes_early
    NULL means that check-in / check-out has no record."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("employee_id", "date", name="uq_attendance_employee_date"),
        CheckConstraint("status IN ('HADIR','IZIN','SAKIT','CUTI','DL','TK')", name="ck_attendance_status"),
        CheckConstraint("minutes_late IS NULL OR minutes_late >= 0", name="ck_attendance_late"),
        CheckConstraint("minutes_early IS NULL OR minutes_early >= 0", name="ck_attendance_early"),
        Index("ix_attendance_date_id", "date", "id"),  # the list's order: date DESC, id DESC
        # The month's target-reducing days (CUTI/SAKIT/DL): a few percent of the rows.
        Index("ix_attendance_status_date", "status", "date", "employee_id"),
    )

    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer, ForeignKey("employee.id"), nullable=False)
    date = Column(Date, nullable=False)
    status = Column(String(5), nullable=False)
    minutes_late = Column(Integer, nullable=True)
    minutes_early = Column(Integer, nullable=True)
    import_id = Column(Integer, ForeignKey("attendance_import.id", ondelete="SET NULL"), nullable=True)

    employee = relationship("Employee")


class TppRate(Model):
    """TPP amount of a kelas jabatan for a year (kept by BKD)."""

    __tablename__ = "tpp_rate"
    __table_args__ = (
        UniqueConstraint("year", "kelas_jabatan", name="uq_tpp_rate_year_kelas"),
        CheckConstraint("kelas_jabatan BETWEEN 1 AND 17", name="ck_tpp_rate_kelas"),
        CheckConstraint("amount >= 0", name="ck_tpp_rate_amount"),
    )

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    kelas_jabatan = Column(Integer, nullable=False)
    amount = Column(Integer, nullable=False)  # whole rupiah per month


class Sanction(Model):
    """A disciplinary sanction cutting the TPP by a percentage while it is active."""

    __tablename__ = "sanction"
    __table_args__ = (
        CheckConstraint("percent > 0 AND percent <= 100", name="ck_sanction_percent"),
        CheckConstraint("valid_to >= valid_from", name="ck_sanction_dates"),
        Index("ix_sanction_employee", "employee_id", "valid_from"),
    )

    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer, ForeignKey("employee.id"), nullable=False)
    percent = Column(Numeric(5, 2), nullable=False)
    valid_from = Column(Date, nullable=False)
    valid_to = Column(Date, nullable=False)
    reason = Column(String(300), nullable=False)

    employee = relationship("Employee")


class Evaluation(Model):
    """Periodic evaluation (PermenPAN-RB 6/2022) of an employee by the superior."""

    __tablename__ = "evaluation"
    __table_args__ = (
        UniqueConstraint("employee_id", "period_id", name="uq_evaluation_employee_period"),
        Index("ix_evaluation_period", "period_id"),
    )

    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer, ForeignKey("employee.id"), nullable=False)
    period_id = Column(Integer, ForeignKey("period.id"), nullable=False)
    work_score = Column(Numeric(5, 2), nullable=True)  # evidence shown to the superior
    suggested_hasil_kerja = Column(String(10), nullable=True)
    rating_hasil_kerja = Column(String(10), nullable=False)
    rating_perilaku = Column(String(10), nullable=False)
    perilaku_values = Column(Text, nullable=True)  # JSON: BerAKHLAK value -> rating
    predikat = Column(String(20), nullable=False)
    note = Column(Text, nullable=True)
    evaluator_id = Column(Integer, ForeignKey("employee.id"), nullable=True)
    evaluated_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    evaluated_at = Column(DateTime, nullable=False, default=utcnow)

    employee = relationship("Employee", foreign_keys=[employee_id])
    evaluator = relationship("Employee", foreign_keys=[evaluator_id])
    period = relationship("Period")
    evaluated_by = relationship("User")


class OrgPredikat(Model):
    """BKD's organisation predikat of an OPD for a period (distribution check)."""

    __tablename__ = "org_predikat"
    __table_args__ = (UniqueConstraint("unit_id", "period_id", name="uq_org_predikat_unit_period"),)

    id = Column(Integer, primary_key=True)
    unit_id = Column(Integer, ForeignKey("unit.id"), nullable=False)
    period_id = Column(Integer, ForeignKey("period.id"), nullable=False)
    predikat = Column(String(20), nullable=False)
    set_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    set_at = Column(DateTime, nullable=False, default=utcnow)

    unit = relationship("Unit")
    period = relationship("Period")
    set_by = relationship("User")


class Recap(Model):
    """Monthly recap: every input and output of the score and TPP of one employee, with
    snapshots of position, kelas, golongan and unit. Immutable once the period is closed."""

    __tablename__ = "recap"
    __table_args__ = (
        UniqueConstraint("period_id", "employee_id", name="uq_recap_period_employee"),
        Index("ix_recap_period_opd", "period_id", "opd_id"),
        Index("ix_recap_employee_period", "employee_id", "period_id"),  # scope by employee
        Index("ix_recap_name", "name", "id"),  # the list's order
    )

    id = Column(Integer, primary_key=True)
    period_id = Column(Integer, ForeignKey("period.id"), nullable=False)
    employee_id = Column(Integer, ForeignKey("employee.id"), nullable=False)
    # snapshots
    nip = Column(String(18), nullable=False)
    name = Column(String(250), nullable=False)
    unit_id = Column(Integer, ForeignKey("unit.id"), nullable=False)
    opd_id = Column(Integer, ForeignKey("unit.id"), nullable=False)
    unit_name = Column(String(200), nullable=False)
    position_name = Column(String(200), nullable=True)
    position_kind = Column(String(20), nullable=True)
    kelas_jabatan = Column(Integer, nullable=True)
    employee_kind = Column(String(4), nullable=False)
    golongan = Column(String(6), nullable=False)
    bank_account = Column(String(30), nullable=True)
    workdays_per_week = Column(Integer, nullable=False)
    # score
    calendar_working_days = Column(Integer, nullable=False)
    reduced_days = Column(Integer, nullable=False)
    working_days = Column(Integer, nullable=False)
    target_minutes = Column(Integer, nullable=False)
    recognised_minutes = Column(Integer, nullable=False)
    work_score = Column(Numeric(5, 2), nullable=False)
    predikat = Column(String(20), nullable=True)
    # TPP
    deduction_pct = Column(Numeric(6, 2), nullable=False)
    sanction_pct = Column(Numeric(5, 2), nullable=False)
    base_tpp = Column(Integer, nullable=False)
    performance_part = Column(Integer, nullable=False)
    discipline_part = Column(Integer, nullable=False)
    gross = Column(Integer, nullable=False)
    tax = Column(Integer, nullable=False)
    health = Column(Integer, nullable=False)
    net = Column(Integer, nullable=False)
    params = Column(Text, nullable=False)  # JSON of the parameters used
    computed_at = Column(DateTime, nullable=False, default=utcnow)

    period = relationship("Period")
    employee = relationship("Employee", foreign_keys=[employee_id])
    unit = relationship("Unit", foreign_keys=[unit_id])
    opd = relationship("Unit", foreign_keys=[opd_id])
