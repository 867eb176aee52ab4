"""The planning half of the performance cycle (PermenPAN-RB 6/2022, design section 9):
strategic goals (the Wali Kota's and each OPD's Renstra goals), SKP tahunan with its Rencana
Hasil Kerja (RHK) and indicators, the realisation per period, and the follow-up (tindak lanjut):
rules, decisions, potential assessments and predikat imported from BKN e-Kinerja.

Workflow, cascade and follow-up rules live in app.domain.skp / app.domain.followup."""
from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from flask_appbuilder import Model

from app.models.audit import utcnow

SKP_STATUSES = ("DRAFT", "SUBMITTED", "APPROVED", "RETURNED")
RHK_KINDS = ("UTAMA", "TAMBAHAN")
INDICATOR_ASPECTS = ("KUANTITAS", "KUALITAS", "WAKTU", "BIAYA")
FOLLOWUP_KINDS = ("REWARD", "DEVELOPMENT", "SANCTION")
FOLLOWUP_DECISIONS = ("ACCEPTED", "DECLINED")


class StrategicGoal(Model):
    """A goal for a year: the Wali Kota's (unit_id NULL, from the RPJMD) or an OPD's (Renstra),
    which names the city goal it serves. The OPD head's RHK name these."""

    __tablename__ = "strategic_goal"
    __table_args__ = (
        UniqueConstraint("year", "unit_id", "code", name="uq_goal_year_unit_code"),
        Index("ix_goal_year_unit", "year", "unit_id"),
        Index("ix_goal_parent", "parent_id"),
    )

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    unit_id = Column(Integer, ForeignKey("unit.id"), nullable=True)  # NULL: the city's goal
    parent_id = Column(Integer, ForeignKey("strategic_goal.id"), nullable=True)
    code = Column(String(30), nullable=False)
    name = Column(Text, nullable=False)
    indicator = Column(Text, nullable=True)
    created_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    unit = relationship("Unit")
    parent = relationship("StrategicGoal", remote_side=[id])
    created_by = relationship("User")

    def __repr__(self) -> str:
        return f"{self.code} {self.name}" if self.name else (self.code or "")


class Skp(Model):
    """SKP tahunan of an employee. An approved SKP changes only through a revision (status back
    to DRAFT with revision + 1) that the superior approves again; each approval is kept in
    skp_history. Snapshots of the position and unit at creation; superior at submission."""

    __tablename__ = "skp"
    __table_args__ = (
        UniqueConstraint("employee_id", "year", name="uq_skp_employee_year"),
        CheckConstraint("status IN ('DRAFT','SUBMITTED','APPROVED','RETURNED')", name="ck_skp_status"),
        CheckConstraint("revision >= 1", name="ck_skp_revision"),
        Index("ix_skp_superior_status", "superior_id", "status"),
        Index("ix_skp_year_opd", "year", "opd_id"),
    )

    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer, ForeignKey("employee.id"), nullable=False)
    year = Column(Integer, nullable=False)
    status = Column(String(10), nullable=False, default="DRAFT")
    revision = Column(Integer, nullable=False, default=1)
    # Latest approved revision (NULL until the first approval): the plan in force.
    approved_revision = Column(Integer, nullable=True)
    position_id = Column(Integer, ForeignKey("position.id"), nullable=True)
    unit_id = Column(Integer, ForeignKey("unit.id"), nullable=False)
    opd_id = Column(Integer, ForeignKey("unit.id"), nullable=False)
    superior_id = Column(Integer, ForeignKey("employee.id"), nullable=True)  # pejabat penilai at submission
    submitted_at = Column(DateTime, nullable=True)
    decided_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    decided_at = Column(DateTime, nullable=True)
    decision_note = Column(Text, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    version = Column(Integer, nullable=False, default=1)

    employee = relationship("Employee", foreign_keys=[employee_id])
    position = relationship("Position")
    unit = relationship("Unit", foreign_keys=[unit_id])
    opd = relationship("Unit", foreign_keys=[opd_id])
    superior = relationship("Employee", foreign_keys=[superior_id])
    decided_by = relationship("User")
    rhks = relationship("Rhk", back_populates="skp", order_by="(Rhk.kind.desc(), Rhk.number, Rhk.id)")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"SKP {self.year} {self.employee.full_name if self.employee else ''}".strip()


class SkpHistory(Model):
    """Every approval of an SKP (revision, who, when, and the approved plan as JSON)."""

    __tablename__ = "skp_history"
    __table_args__ = (UniqueConstraint("skp_id", "revision", name="uq_skp_history_revision"),)

    id = Column(Integer, primary_key=True)
    skp_id = Column(Integer, ForeignKey("skp.id", ondelete="CASCADE"), nullable=False)
    revision = Column(Integer, nullable=False)
    approved_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    approved_at = Column(DateTime, nullable=False, default=utcnow)
    snapshot = Column(Text, nullable=False)  # JSON: RHK and indicators as approved

    skp = relationship("Skp")
    approved_by = relationship("User")


class Rhk(Model):
    """Rencana Hasil Kerja. Below the OPD head it intervenes in (cascades from) an RHK of the
    superior's SKP (parent_id); the head's RHK names an OPD goal (goal_id)."""

    __tablename__ = "rhk"
    __table_args__ = (
        CheckConstraint("kind IN ('UTAMA','TAMBAHAN')", name="ck_rhk_kind"),
        Index("ix_rhk_skp", "skp_id"),
        Index("ix_rhk_parent", "parent_id"),
        Index("ix_rhk_goal", "goal_id"),
    )

    id = Column(Integer, primary_key=True)
    skp_id = Column(Integer, ForeignKey("skp.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(10), nullable=False, default="UTAMA")
    number = Column(Integer, nullable=False, default=1)
    name = Column(Text, nullable=False)
    parent_id = Column(Integer, ForeignKey("rhk.id"), nullable=True)
    goal_id = Column(Integer, ForeignKey("strategic_goal.id"), nullable=True)
    # The SKP revision at which this RHK was last approved (NULL: never approved yet).
    approved_revision = Column(Integer, nullable=True)
    active = Column(Boolean, nullable=False, default=True)

    skp = relationship("Skp", back_populates="rhks")
    parent = relationship("Rhk", remote_side=[id])
    goal = relationship("StrategicGoal")
    indicators = relationship("RhkIndicator", back_populates="rhk", order_by="RhkIndicator.number",
                              cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return self.name or ""


class RhkIndicator(Model):
    __tablename__ = "rhk_indicator"
    __table_args__ = (
        CheckConstraint("aspect IN ('KUANTITAS','KUALITAS','WAKTU','BIAYA')", name="ck_indicator_aspect"),
        CheckConstraint("target_value >= 0", name="ck_indicator_target"),
        Index("ix_indicator_rhk", "rhk_id"),
    )

    id = Column(Integer, primary_key=True)
    rhk_id = Column(Integer, ForeignKey("rhk.id", ondelete="CASCADE"), nullable=False)
    number = Column(Integer, nullable=False, default=1)
    aspect = Column(String(10), nullable=False)
    name = Column(Text, nullable=False)
    target_value = Column(Numeric(14, 2), nullable=False)
    target_unit = Column(String(50), nullable=False)

    rhk = relationship("Rhk", back_populates="indicators")

    def __repr__(self) -> str:
        return self.name or ""


class RhkRealisation(Model):
    """The employee's realisation of an indicator in a period: value, note and evidence,
    shown to the superior next to the linked approved work in the periodic evaluation."""

    __tablename__ = "rhk_realisation"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period_id", name="uq_realisation_indicator_period"),
        Index("ix_realisation_period", "period_id"),
    )

    id = Column(Integer, primary_key=True)
    indicator_id = Column(Integer, ForeignKey("rhk_indicator.id", ondelete="CASCADE"), nullable=False)
    period_id = Column(Integer, ForeignKey("period.id"), nullable=False)
    value = Column(Numeric(14, 2), nullable=True)
    note = Column(Text, nullable=True)
    evidence_file = Column(String(255), nullable=True)  # stored name in UPLOAD_FOLDER
    evidence_name = Column(String(255), nullable=True)
    evidence_link = Column(String(500), nullable=True)
    updated_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    indicator = relationship("RhkIndicator")
    period = relationship("Period")
    updated_by = relationship("User")


class FollowupRule(Model):
    """A rule BKD sets for a year: the predikat (JSON list) held for `min_periods` periods
    running makes an employee a candidate for a reward, development or sanction."""

    __tablename__ = "followup_rule"
    __table_args__ = (
        CheckConstraint("kind IN ('REWARD','DEVELOPMENT','SANCTION')", name="ck_followup_rule_kind"),
        CheckConstraint("min_periods BETWEEN 1 AND 24", name="ck_followup_rule_periods"),
        UniqueConstraint("year", "code", name="uq_followup_rule_year_code"),
    )

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    code = Column(String(30), nullable=False)
    name = Column(String(200), nullable=False)
    kind = Column(String(12), nullable=False)
    predikat = Column(Text, nullable=False)  # JSON list of predikat codes
    min_periods = Column(Integer, nullable=False, default=2)
    action = Column(String(300), nullable=False)  # what follows (e.g. "Penghargaan Wali Kota")
    active = Column(Boolean, nullable=False, default=True)

    def __repr__(self) -> str:
        return f"{self.year} {self.name}"


class FollowupDecision(Model):
    """BKD's decision on a candidate of a rule (recorded and audited)."""

    __tablename__ = "followup_decision"
    __table_args__ = (
        CheckConstraint("decision IN ('ACCEPTED','DECLINED')", name="ck_followup_decision"),
        UniqueConstraint("rule_id", "employee_id", "period_id", name="uq_followup_decision"),
        Index("ix_followup_decision_employee", "employee_id"),
    )

    id = Column(Integer, primary_key=True)
    rule_id = Column(Integer, ForeignKey("followup_rule.id"), nullable=False)
    employee_id = Column(Integer, ForeignKey("employee.id"), nullable=False)
    period_id = Column(Integer, ForeignKey("period.id"), nullable=False)  # last period of the streak
    decision = Column(String(10), nullable=False)
    note = Column(Text, nullable=False)
    decided_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    decided_at = Column(DateTime, nullable=False, default=utcnow)

    rule = relationship("FollowupRule")
    employee = relationship("Employee")
    period = relationship("Period")
    decided_by = relationship("User")


class PotentialAssessment(Model):
    """An employee's potential (assessment centre / uji kompetensi) score, 0–100, per year:
    the second axis of the talent box. Entered or imported by BKD."""

    __tablename__ = "potential_assessment"
    __table_args__ = (
        UniqueConstraint("employee_id", "year", name="uq_potential_employee_year"),
        CheckConstraint("score >= 0 AND score <= 100", name="ck_potential_score"),
    )

    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer, ForeignKey("employee.id"), nullable=False)
    year = Column(Integer, nullable=False)
    score = Column(Numeric(5, 2), nullable=False)
    assessed_on = Column(Date, nullable=True)
    source = Column(String(200), nullable=True)
    entered_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    entered_at = Column(DateTime, nullable=False, default=utcnow)

    employee = relationship("Employee")
    entered_by = relationship("User")


class BknPredikat(Model):
    """A predikat imported from a BKN e-Kinerja export (matched by NIP). month NULL: yearly."""

    __tablename__ = "bkn_predikat"
    __table_args__ = (
        UniqueConstraint("employee_id", "year", "month", name="uq_bkn_predikat_employee_period"),
        CheckConstraint("month IS NULL OR month BETWEEN 1 AND 12", name="ck_bkn_predikat_month"),
    )

    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer, ForeignKey("employee.id"), nullable=False)
    year = Column(Integer, nullable=False)
    month = Column(Integer, nullable=True)
    predikat = Column(String(20), nullable=False)
    filename = Column(String(255), nullable=False)
    imported_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    imported_at = Column(DateTime, nullable=False, default=utcnow)

    employee = relationship("Employee")
    imported_by = relationship("User")
