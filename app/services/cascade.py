"""Matriks peran hasil per OPD (issue 12 item 2): the cascade from the city goals to every
employee's RHK, with the gaps (app.domain.cascade).

A fixed number of statements whatever the size of the OPD: employees, SKP, RHK with their
indicator counts, the outside superiors' RHK the OPD's RHK name, and the goals; the tree is
assembled in Python. Scope: app.security.cascade_reach."""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from app.domain import cascade as dom
from app.domain.skp import is_opd_head, to_id, to_year
from app.extensions import db
from app.security import cascade_reach
from app.services import Forbidden, NotFound, ValidationFailed

MSG_YEAR = "Tahun tidak valid: isi tahun antara 2000 dan 2100."
MSG_OPD = "OPD tidak valid."
MSG_NO_OPD = "OPD tidak ditemukan."
MSG_FORBIDDEN = "Anda tidak berhak melihat matriks peran hasil OPD ini."
TITLE = "MATRIKS PERAN HASIL (KASKADE RHK)"


@dataclass
class Matrix:
    opd_id: int
    opd_name: str
    year: int
    cascade: dom.Cascade
    whole: bool  # the whole OPD (else the user's own branch)
    gaps_only: bool = False


def default_year() -> int:
    from app.services.organisation import today_local

    return today_local().year


def parse_year(raw: Any) -> int:
    if raw is None or str(raw).strip() == "":
        return default_year()
    year = to_year(raw)
    if year is None:
        raise ValidationFailed({"tahun": [MSG_YEAR]})
    return year


def parse_opd(raw: Any) -> Optional[int]:
    if raw is None or str(raw).strip() == "":
        return None
    opd_id = to_id(str(raw))
    if opd_id is None:
        raise ValidationFailed({"opd": [MSG_OPD]})
    return opd_id


def opd_choices() -> list[tuple[int, str]]:
    """The OPD the current user may pick (every OPD for the city-wide roles, else their own)."""
    from app.models import Unit

    reach = cascade_reach(None)
    if reach is None:
        return []
    q = select(Unit.id, Unit.name).where(Unit.opd_id == Unit.id, Unit.active.is_(True))
    if reach.opd_id is not None:
        q = select(Unit.id, Unit.name).where(Unit.id == reach.opd_id)
    return [(r.id, r.name) for r in db.session.execute(q.order_by(Unit.name, Unit.id))]


def matrix(opd_arg: Any = None, year_arg: Any = None, gaps_only: bool = False) -> Matrix:
    """The matrix the current user asked for. ValidationFailed on bad input, NotFound for an
    unknown OPD, Forbidden outside the user's reach (the caller logs the refusal)."""
    from app.models import Unit

    year = parse_year(year_arg)
    opd_id = parse_opd(opd_arg)
    if opd_id is not None:
        unit = db.session.execute(select(Unit.id, Unit.name, Unit.opd_id).where(Unit.id == opd_id)).first()
        if unit is None or unit.opd_id != unit.id:
            raise NotFound(MSG_NO_OPD)
    reach = cascade_reach(opd_id)
    if reach is None:
        raise Forbidden(MSG_FORBIDDEN)
    if reach.opd_id is None:  # a city-wide role without a choice yet: the first OPD
        choices = opd_choices()
        if not choices:
            raise NotFound(MSG_NO_OPD)
        reach = type(reach)(choices[0][0], reach.employee_id)
    opd_name = db.session.scalar(select(Unit.name).where(Unit.id == reach.opd_id))
    cascade = build(reach.opd_id, year, reach.employee_id)
    if gaps_only:
        cascade = dom.gaps_only(cascade)
    return Matrix(reach.opd_id, opd_name, year, cascade, reach.employee_id is None, gaps_only)


def build(opd_id: int, year: int, branch_of: Optional[int] = None) -> dom.Cascade:
    """Load the OPD's cascade for the year in bulk and assemble it (app.domain.cascade.build).
    `branch_of`: an employee whose own branch is shown (them and everybody below them)."""
    from app.models import Employee, Position, Rhk, RhkIndicator, Skp, StrategicGoal, Unit
    from app.services.recap import full_name

    opd_units = select(Unit.id).where(Unit.opd_id == opd_id)
    skp_holders = select(Skp.employee_id).where(Skp.year == year, Skp.opd_id == opd_id)
    parent_pos = aliased(Position, name="parent_pos")
    parent_unit = aliased(Unit, name="parent_unit")
    pos_unit = aliased(Unit, name="pos_unit")
    rows = db.session.execute(
        select(Employee.id, Employee.name, Employee.front_title, Employee.back_title, Employee.nip,
               Employee.superior_id, Employee.unit_id, Employee.active, Position.name.label("position"),
               Position.parent_id, pos_unit.opd_id.label("pos_opd"), parent_unit.opd_id.label("parent_opd"),
               Unit.opd_id.label("unit_opd"))
        .join(Unit, Unit.id == Employee.unit_id)
        .outerjoin(Position, Position.id == Employee.position_id)
        .outerjoin(pos_unit, pos_unit.id == Position.unit_id)
        .outerjoin(parent_pos, parent_pos.id == Position.parent_id)
        .outerjoin(parent_unit, parent_unit.id == parent_pos.unit_id)
        .where(or_(Employee.unit_id.in_(opd_units) & Employee.active.is_(True), Employee.id.in_(skp_holders)))
    ).all()
    people = {}
    for r in rows:
        head = r.position is not None and r.pos_opd == opd_id and is_opd_head(
            r.pos_opd, r.parent_opd, r.parent_id is not None)
        people[r.id] = dom.Person(r.id, full_name(r.name, r.front_title, r.back_title), r.nip, r.position or "",
                                  r.superior_id, head, True)
    skps = [dom.SkpRec(s.id, s.employee_id, s.status, s.approved_revision, s.superior_id)
            for s in db.session.execute(
                select(Skp.id, Skp.employee_id, Skp.status, Skp.approved_revision, Skp.superior_id)
                .where(Skp.year == year, Skp.employee_id.in_(list(people) or [-1])))]
    skp_ids = [s.id for s in skps]
    rhks = [_rhk(r) for r in db.session.execute(
        select(Rhk.id, Rhk.skp_id, Rhk.name, Rhk.kind, Rhk.number, Rhk.parent_id, Rhk.goal_id,
               Rhk.approved_revision, Rhk.active, func.count(RhkIndicator.id).label("indicators"))
        .outerjoin(RhkIndicator, RhkIndicator.rhk_id == Rhk.id)
        .where(Rhk.skp_id.in_(skp_ids or [-1]))
        .group_by(Rhk.id, Rhk.skp_id, Rhk.name, Rhk.kind, Rhk.number, Rhk.parent_id, Rhk.goal_id,
                  Rhk.approved_revision, Rhk.active))]
    # The RHK of superiors outside the OPD (the Sekda above the head, a Plt from elsewhere).
    loaded = {r.id for r in rhks}
    outside_ids = sorted({r.parent_id for r in rhks if r.parent_id is not None and r.parent_id not in loaded})
    if outside_ids:
        for r in db.session.execute(
                select(Rhk.id, Rhk.skp_id, Rhk.name, Rhk.kind, Rhk.number, Rhk.parent_id, Rhk.goal_id,
                       Rhk.approved_revision, Rhk.active, Skp.employee_id, Skp.status,
                       Skp.approved_revision.label("skp_approved"), Skp.superior_id.label("skp_superior"),
                       Employee.name.label("emp_name"), Employee.front_title, Employee.back_title, Employee.nip,
                       Employee.superior_id.label("emp_superior"), Position.name.label("position"))
                .join(Skp, Skp.id == Rhk.skp_id).join(Employee, Employee.id == Skp.employee_id)
                .outerjoin(Position, Position.id == Employee.position_id)
                .where(Rhk.id.in_(outside_ids), Skp.year == year)):
            if r.employee_id not in people:
                people[r.employee_id] = dom.Person(r.employee_id, full_name(r.emp_name, r.front_title, r.back_title),
                                                   r.nip, r.position or "", r.emp_superior, False, False)
            if people[r.employee_id].in_opd:
                continue  # an SKP of the OPD outside the year's set (not expected): left out
            skps.append(dom.SkpRec(r.skp_id, r.employee_id, r.status, r.skp_approved, r.skp_superior))
            rhks.append(dom.RhkRec(r.id, r.skp_id, r.name, r.kind, r.number, None, None, r.approved_revision,
                                   bool(r.active), 0))
    goals = [dom.Goal(g.id, g.code, g.name, g.parent_id, g.unit_id is None) for g in db.session.execute(
        select(StrategicGoal.id, StrategicGoal.code, StrategicGoal.name, StrategicGoal.parent_id,
               StrategicGoal.unit_id)
        .where(StrategicGoal.year == year, or_(
            StrategicGoal.unit_id == opd_id,
            StrategicGoal.id.in_(select(StrategicGoal.parent_id).where(StrategicGoal.year == year,
                                                                      StrategicGoal.unit_id == opd_id)))))]
    visible = None
    if branch_of is not None:
        visible = dom.descendants(branch_of, {p.id: p.superior_id for p in people.values() if p.in_opd})
    return dom.build(people.values(), skps, rhks, goals, visible)


def _rhk(r) -> dom.RhkRec:
    return dom.RhkRec(r.id, r.skp_id, r.name, r.kind, r.number, r.parent_id, r.goal_id, r.approved_revision,
                      bool(r.active), r.indicators or 0)


def as_json(m: Matrix) -> dict:
    """The matrix for the API: the tree, the employees without an SKP and the gap counts."""

    def node(n: dom.Node) -> dict:
        out: dict[str, Any] = {"kind": n.kind, "label": n.label}
        if n.code:
            out["code"] = n.code
        if n.rhk is not None:
            out.update({
                "rhk_id": n.rhk.id, "rhk_kind": n.rhk.kind, "number": n.rhk.number, "in_force": n.in_force,
                "indicators": n.rhk.indicators, "context": n.context,
                "employee": {"id": n.person.id, "name": n.person.name, "nip": n.person.nip,
                             "position": n.person.position},
                "skp": {"id": n.skp.id, "status": n.skp.status, "status_label": n.status_label},
                "pending_children": n.pending_children})
        out["gaps"] = [{"kind": g, "label": dom.GAP_LABELS[g]} for g in n.gaps]
        out["children"] = [node(c) for c in n.children]
        return out

    return {
        "opd": {"id": m.opd_id, "name": m.opd_name}, "year": m.year, "whole_opd": m.whole, "gaps_only": m.gaps_only,
        "counts": {k: m.cascade.counts[k] for k in dom.GAP_KINDS},
        "gap_labels": dict(dom.GAP_LABELS),
        "tree": [node(r) for r in m.cascade.roots],
        "no_skp": [{"id": p.id, "name": p.name, "nip": p.nip, "position": p.position,
                    "gap": dom.GAP_LABELS[dom.NO_SKP]} for p in m.cascade.no_skp],
    }


def xlsx(m: Matrix):
    """The matrix as an Excel file (app.services.reports.ReportFile; send it with reports.send)."""
    from app.reports import cascade as report
    from app.reports.common import ReportMeta
    from app.services.organisation import today_local
    from app.services.reports import ReportFile, _slug, head_of, now_wib

    meta = ReportMeta(title=TITLE, opd_name=m.opd_name, period_label=f"Tahun {m.year}", printed_at=now_wib(),
                      signed_on=today_local(), signatory=head_of(m.opd_id),
                      subtitle_lines=[] if m.whole else ["Cakupan: cabang pegawai yang mengunduh"])
    buf = io.BytesIO()
    n = report.build(buf, m.cascade, meta)
    buf.seek(0)
    return ReportFile(f"matriks-peran-hasil_{m.year}_{_slug(m.opd_name)}.xlsx", n, data=buf)
