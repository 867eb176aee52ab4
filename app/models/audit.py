"""Audit log: who did what to which row, when (UTC), before and after.

Refusals of anonymous clients are aggregated per address, kind and minute (`bucket`, `count`),
so no unauthenticated client can grow the table without bound."""
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, Index, Integer, String, Text

from flask_appbuilder import Model


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class AuditLog(Model):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_at", "at"),
        Index("ix_audit_entity", "entity", "entity_id"),
        Index("ix_audit_user", "user_id", "at"),
        # One row per (minute, address, kind) of anonymous refusals; NULL for every other row.
        Index("ux_audit_bucket", "bucket", unique=True),
    )

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)  # naive UTC
    user_id = Column(Integer, nullable=True)
    username = Column(String(100), nullable=True)
    entity = Column(String(50), nullable=False)
    entity_id = Column(String(50), nullable=True)
    action = Column(String(30), nullable=False)
    before = Column(Text, nullable=True)  # JSON
    after = Column(Text, nullable=True)  # JSON
    detail = Column(String(500), nullable=True)
    ip = Column(String(45), nullable=True)
    # Anonymous refusals are aggregated: `count` requests of one address, one kind, one minute.
    count = Column(Integer, nullable=False, default=1, server_default="1")
    bucket = Column(String(120), nullable=True)
