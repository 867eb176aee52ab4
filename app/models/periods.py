"""Holiday calendar and monthly periods."""
from sqlalchemy import CheckConstraint, Column, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import relationship

from flask_appbuilder import Model

HOLIDAY_KINDS = {"LIBUR_NASIONAL": "Libur Nasional", "CUTI_BERSAMA": "Cuti Bersama", "LIBUR_DAERAH": "Libur Daerah"}
PERIOD_STATES = {"OPEN": "Terbuka", "CLOSED": "Ditutup"}
MONTH_NAMES = (
    "", "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)


class Holiday(Model):
    __tablename__ = "holiday"

    id = Column(Integer, primary_key=True)
    date = Column(Date, nullable=False, unique=True)
    name = Column(String(150), nullable=False)
    kind = Column(String(20), nullable=False, default="LIBUR_NASIONAL")

    def __repr__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.name}"


class Period(Model):
    __tablename__ = "period"
    __table_args__ = (
        UniqueConstraint("year", "month", name="uq_period_year_month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_period_month"),
        CheckConstraint("state IN ('OPEN', 'CLOSED')", name="ck_period_state"),
    )

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    month = Column(Integer, nullable=False)
    state = Column(String(10), nullable=False, default="OPEN")
    closed_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)
    closed_at = Column(DateTime, nullable=True)

    closed_by = relationship("User")

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.month]} {self.year}"

    def __repr__(self) -> str:
        return self.label
