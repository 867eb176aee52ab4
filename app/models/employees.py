"""Employees (pegawai) and superior overrides (Plt, vacancies, special lines)."""
from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, UniqueConstraint,
)
from sqlalchemy.orm import relationship

from flask_appbuilder import Model

SEX_LABELS = {"L": "Laki-laki", "P": "Perempuan"}


class Employee(Model):
    __tablename__ = "employee"
    __table_args__ = (
        CheckConstraint("sex IN ('L', 'P')", name="ck_employee_sex"),
        CheckConstraint("kind IN ('PNS', 'CPNS', 'PPPK')", name="ck_employee_kind"),
        Index("ix_employee_unit", "unit_id"),
        Index("ix_employee_position", "position_id"),
        Index("ix_employee_superior", "superior_id"),
        Index("ix_employee_name", "name"),
    )

    id = Column(Integer, primary_key=True)
    nip = Column(String(18), nullable=False, unique=True)
    name = Column(String(150), nullable=False)
    front_title = Column(String(50), nullable=True)
    back_title = Column(String(80), nullable=True)
    sex = Column(String(1), nullable=False)
    birth_date = Column(Date, nullable=False)
    kind = Column(String(4), nullable=False)
    golongan = Column(String(6), nullable=False)
    position_id = Column(Integer, ForeignKey("position.id"), nullable=True)
    unit_id = Column(Integer, ForeignKey("unit.id"), nullable=False)
    bank_name = Column(String(60), nullable=True)
    bank_account = Column(String(30), nullable=True)
    active = Column(Boolean, nullable=False, default=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True, unique=True)
    # Current superior, resolved by app.services.organisation (cache of the domain rule,
    # refreshed after every change of positions, employees or overrides, and daily).
    superior_id = Column(Integer, ForeignKey("employee.id"), nullable=True)

    position = relationship("Position", foreign_keys=[position_id])
    unit = relationship("Unit", foreign_keys=[unit_id])
    user = relationship("User", foreign_keys=[user_id])
    superior = relationship("Employee", remote_side=[id], foreign_keys=[superior_id])

    @property
    def full_name(self) -> str:
        name = self.name or ""
        if self.front_title:
            name = f"{self.front_title} {name}"
        if self.back_title:
            name = f"{name}, {self.back_title}"
        return name

    def __repr__(self) -> str:
        return f"{self.nip} - {self.full_name}"


class SuperiorOverride(Model):
    """An explicit superior for an employee between two dates (Plt, vacancy, teacher lines)."""

    __tablename__ = "superior_override"
    __table_args__ = (
        CheckConstraint("employee_id <> superior_id", name="ck_override_not_self"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ck_override_dates"),
        Index("ix_override_employee", "employee_id", "valid_from"),
        Index("ix_override_superior", "superior_id"),
    )

    id = Column(Integer, primary_key=True)
    employee_id = Column(Integer, ForeignKey("employee.id"), nullable=False)
    superior_id = Column(Integer, ForeignKey("employee.id"), nullable=False)
    valid_from = Column(Date, nullable=False)
    valid_to = Column(Date, nullable=True)
    reason = Column(String(200), nullable=False)

    employee = relationship("Employee", foreign_keys=[employee_id])
    superior = relationship("Employee", foreign_keys=[superior_id])

    def __repr__(self) -> str:
        return f"{self.employee} → {self.superior}"
