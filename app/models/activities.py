"""Activity catalog (uraian tugas). Daily activities come with the workflow issue."""
from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Table, Text, Time,
)
from sqlalchemy.orm import relationship

from flask_appbuilder import Model

from app.models.audit import utcnow

catalog_allowed_kind = Table(
    "catalog_allowed_kind",
    Model.metadata,
    Column("catalog_id", Integer, ForeignKey("activity_catalog.id", ondelete="CASCADE"), primary_key=True),
    Column("kind_code", String(20), ForeignKey("position_kind.code"), primary_key=True),
)

catalog_allowed_position = Table(
    "catalog_allowed_position",
    Model.metadata,
    Column("catalog_id", Integer, ForeignKey("activity_catalog.id", ondelete="CASCADE"), primary_key=True),
    Column("position_id", Integer, ForeignKey("position.id", ondelete="CASCADE"), primary_key=True),
)


class ActivityCatalog(Model):
    __tablename__ = "activity_catalog"
    __table_args__ = (CheckConstraint("norm_minutes > 0", name="ck_catalog_norm"),)

    id = Column(Integer, primary_key=True)
    code = Column(String(30), nullable=False, unique=True)
    description = Column(Text, nullable=False)
    output_unit = Column(String(50), nullable=False)
    norm_minutes = Column(Integer, nullable=False)
    active = Column(Boolean, nullable=False, default=True)

    allowed_kinds = relationship("PositionKind", secondary=catalog_allowed_kind)
    allowed_positions = relationship("Position", secondary=catalog_allowed_position)

    def __repr__(self) -> str:
        return f"{self.code} - {self.description}"


class Activity(Model):
    """A daily activity (aktivitas harian) and its approval state."""

    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("status IN ('DRAFT','SUBMITTED','APPROVED','RETURNED','REJECTED')", name="ck_activity_status"),
        CheckConstraint("claimed_minutes >= 0", name="ck_activity_minutes"),
        # The superior's queue: superior + status + date; the employee's month: employee + date.
        Index("ix_activity_superior_status_date", "superior_id", "status", "date"),
        Index("ix_activity_escalation_status_due", "escalation_id", "status", "review_due"),
        Index("ix_activity_employee_date", "employee_id", "date"),
        Index("ix_activity_status_due", "status", "review_due"),
        Index("ix_activity_date_status", "date", "status"),
        Index("ix_activity_date_id", "date", "id"),  # the lists' order: date DESC, id DESC
    )

    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer, ForeignKey("employee.id"), nullable=False)
    date = Column(Date, nullable=False)
    catalog_id = Column(Integer, ForeignKey("activity_catalog.id"), nullable=True)
    description = Column(Text, nullable=False)
    volume = Column(Numeric(8, 2), nullable=False, default=1)
    start_time = Column(Time, nullable=True)
    end_time = Column(Time, nullable=True)
    claimed_minutes = Column(Integer, nullable=False, default=0)
    recognised_minutes = Column(Integer, nullable=True)
    evidence_file = Column(String(255), nullable=True)  # stored name in UPLOAD_FOLDER
    evidence_name = Column(String(255), nullable=True)  # original file name
    evidence_link = Column(String(500), nullable=True)
    status = Column(String(10), nullable=False, default="DRAFT")
    submitted_at = Column(DateTime, nullable=True)  # UTC
    review_due = Column(Date, nullable=True)  # last working day for the superior's decision
    superior_id = Column(Integer, ForeignKey("employee.id"), nullable=True)  # snapshot at submission
    escalation_id = Column(Integer, ForeignKey("employee.id"), nullable=True)  # superior's superior
    decided_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    decided_at = Column(DateTime, nullable=True)  # UTC
    decision_note = Column(Text, nullable=True)
    entered_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    # The RHK of the employee's approved SKP this work realises (NULL: non-SKP work).
    rhk_id = Column(Integer, ForeignKey("rhk.id"), nullable=True, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    version = Column(Integer, nullable=False, default=1)

    employee = relationship("Employee", foreign_keys=[employee_id])
    catalog = relationship("ActivityCatalog")
    superior = relationship("Employee", foreign_keys=[superior_id])
    escalation = relationship("Employee", foreign_keys=[escalation_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    rhk = relationship("Rhk")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"{self.date} {self.description[:40] if self.description else ''}"


class SubmitException(Model):
    """BKD lets an employee (or a whole unit) submit activities after the deadline."""

    __tablename__ = "submit_exception"
    __table_args__ = (
        CheckConstraint("date_to >= date_from", name="ck_exception_dates"),
        CheckConstraint("employee_id IS NOT NULL OR unit_id IS NOT NULL", name="ck_exception_target"),
    )

    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer, ForeignKey("employee.id"), nullable=True)
    unit_id = Column(Integer, ForeignKey("unit.id"), nullable=True)
    date_from = Column(Date, nullable=False)  # activity dates covered
    date_to = Column(Date, nullable=False)
    open_until = Column(Date, nullable=False)  # last day the late submission is accepted
    reason = Column(String(300), nullable=False)

    employee = relationship("Employee")
    unit = relationship("Unit")

    def __repr__(self) -> str:
        return f"Pengecualian {self.date_from}–{self.date_to}"
