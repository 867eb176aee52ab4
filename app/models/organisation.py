"""Organisation: units (the OPD tree), position kinds and positions (jabatan)."""
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Index, Integer, String
from sqlalchemy.orm import relationship

from flask_appbuilder import Model

# Unit kinds; the top of each tree (no parent) is an OPD or a kecamatan.
UNIT_KINDS = {
    "OPD": "OPD (Dinas/Badan/Sekretariat)",
    "BIDANG": "Bidang/Bagian",
    "SEKSI": "Seksi/Subbidang/Subbagian",
    "UPT": "UPT",
    "KECAMATAN": "Kecamatan",
    "KELURAHAN": "Kelurahan",
    "PUSKESMAS": "Puskesmas",
    "SEKOLAH": "Sekolah",
}
TOP_UNIT_KINDS = ("OPD", "KECAMATAN")


class Unit(Model):
    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint("workdays_per_week IN (5, 6)", name="ck_unit_workdays"),
        Index("ix_unit_opd", "opd_id"),
        Index("ix_unit_parent", "parent_id"),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(30), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    kind = Column(String(20), nullable=False)
    parent_id = Column(Integer, ForeignKey("unit.id"), nullable=True)
    # The OPD (root of the tree) this unit belongs to; kept by the service layer.
    opd_id = Column(Integer, ForeignKey("unit.id"), nullable=True)
    workdays_per_week = Column(Integer, nullable=False, default=5)
    active = Column(Boolean, nullable=False, default=True)

    parent = relationship("Unit", remote_side=[id], foreign_keys=[parent_id])
    opd = relationship("Unit", remote_side=[id], foreign_keys=[opd_id], post_update=True)

    def __repr__(self) -> str:
        return self.name or ""

    @property
    def kind_label(self) -> str:
        return UNIT_KINDS.get(self.kind, self.kind or "")


class PositionKind(Model):
    """Lookup of the six position kinds (rows come from the migration)."""

    __tablename__ = "position_kind"
    code = Column(String(20), primary_key=True)
    name = Column(String(100), nullable=False)

    def __repr__(self) -> str:
        return self.name or ""


class Position(Model):
    __tablename__ = "position"
    __table_args__ = (
        CheckConstraint("kelas_jabatan BETWEEN 1 AND 17", name="ck_position_kelas"),
        Index("ix_position_unit", "unit_id"),
        Index("ix_position_parent", "parent_id"),
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    kind_code = Column(String(20), ForeignKey("position_kind.code"), nullable=False)
    level = Column(String(30), nullable=True)
    eselon = Column(String(10), nullable=True)
    # Empty until BKD sets it (an Operator OPD never does): TPP base 0 until then.
    kelas_jabatan = Column(Integer, nullable=True)
    unit_id = Column(Integer, ForeignKey("unit.id"), nullable=False)
    parent_id = Column(Integer, ForeignKey("position.id"), nullable=True)
    active = Column(Boolean, nullable=False, default=True)

    kind = relationship("PositionKind")
    unit = relationship("Unit", lazy="joined", innerjoin=True)
    parent = relationship("Position", remote_side=[id])

    def __repr__(self) -> str:
        # Dropdowns show the unit too: many OPD have a "Kepala Dinas".
        return f"{self.name} — {self.unit.name}" if self.unit is not None else (self.name or "")
