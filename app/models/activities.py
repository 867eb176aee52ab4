"""Activity catalog (uraian tugas). Daily activities come with the workflow issue."""
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import relationship

from flask_appbuilder import Model

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
