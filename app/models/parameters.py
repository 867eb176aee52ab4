"""Parameters per year (never constants in code): one row per year and key, value as JSON.
Definitions, defaults and validation live in app.domain.parameters."""
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from flask_appbuilder import Model

from app.models.audit import utcnow


class Parameter(Model):
    __tablename__ = "parameter"
    __table_args__ = (UniqueConstraint("year", "key", name="uq_parameter_year_key"),)

    id = Column(Integer, primary_key=True)
    year = Column(Integer, nullable=False)
    key = Column(String(60), nullable=False)
    value = Column(Text, nullable=False)  # JSON
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)

    updated_by = relationship("User")

    def __repr__(self) -> str:
        return f"{self.year} {self.key}"
