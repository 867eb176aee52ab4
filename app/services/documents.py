"""Data of the printable documents (issue 12 item 4): the SKP and the periodic evaluation as plain
data for app.reports.skp_pdf. Read only (no audit row: the report downloads record none either).

Scope: the SKP through app.services.skp.load_skp, the evaluation through
app.security.scope_clause(Evaluation); anything else is NotFound, logged (404).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import select

from app.domain import predikat as PR
from app.domain import skp as dom
from app.domain.golongan import PANGKAT
from app.extensions import db
from app.formatting import format_minutes, format_month, format_number, format_pct
from app.reports import skp_pdf as pdf
from app.services import NotFound
from app.services.organisation import today_local

ASPECT_LABELS = {"KUANTITAS": "Kuantitas", "KUALITAS": "Kualitas", "WAKTU": "Waktu", "BIAYA": "Biaya"}
MSG_EVALUATION_NOT_FOUND = "Penilaian tidak ditemukan atau di luar cakupan Anda."


def day_text(d: date) -> str:
    """date(2026, 11, 30) -> '30 November 2026'."""
    return f"{d.day} {format_month(d.year, d.month)}"


def _pangkat(golongan: Optional[str]) -> str:
    if not golongan:
        return ""
    return f"{PANGKAT[golongan]}, {golongan}" if golongan in PANGKAT else f"Golongan {golongan}"


def _unit_text(unit, opd=None) -> str:
    if unit is None:
        return ""
    if opd is not None and opd.id != unit.id:
        return f"{unit.name}, {opd.name}"
    return unit.name


def _opd_of(unit) -> str:
    """Name of the OPD a unit belongs to."""
    from app.models import Unit

    if unit is None:
        return ""
    opd = db.session.get(Unit, unit.opd_id) if unit.opd_id not in (None, unit.id) else unit
    return opd.name if opd is not None else ""


def person(employee, position=..., unit=..., opd=None) -> pdf.Person:
    """Identity lines of an employee; position/unit default to the current ones (an SKP passes
    its snapshots)."""
    if employee is None:
        return pdf.Person()
    position = employee.position if position is ... else position
    unit = employee.unit if unit is ... else unit
    if opd is None and unit is not None and unit.opd_id is not None and unit.opd_id != unit.id:
        from app.models import Unit

        opd = db.session.get(Unit, unit.opd_id)
    return pdf.Person(name=employee.full_name, nip=employee.nip, pangkat=_pangkat(employee.golongan),
                      jabatan=position.name if position is not None else "", unit=_unit_text(unit, opd))


def _employee(employee_id: Optional[int]):
    from app.models import Employee

    return db.session.get(Employee, employee_id) if employee_id is not None else None


def _superior_of(employee_id: int, on: date):
    from app.services.activities import superior_on

    return _employee(superior_on(employee_id, on)[0])


def _target(value, unit: str) -> str:
    """Decimal('12.50'), 'bulan' -> '12,5 bulan'; 12 -> '12'."""
    number = Decimal(str(value))
    if number != number.to_integral_value():
        number = number.normalize()
    return f"{format_number(number)} {unit}".strip()


def _parents(plan: list[dict]) -> dict[int, str]:
    """Names of the superior's RHK (and OPD goals) the plan's RHK name."""
    from app.models import Rhk, StrategicGoal

    out: dict[Any, str] = {}
    parent_ids = {r["parent_id"] for r in plan if r.get("parent_id")}
    goal_ids = {r["goal_id"] for r in plan if r.get("goal_id")}
    if parent_ids:
        out.update({("rhk", i): n for i, n in db.session.execute(select(Rhk.id, Rhk.name).where(Rhk.id.in_(parent_ids)))})
    if goal_ids:
        out.update({("goal", i): f"{c} {n}" for i, c, n in db.session.execute(
            select(StrategicGoal.id, StrategicGoal.code, StrategicGoal.name).where(StrategicGoal.id.in_(goal_ids)))})
    return out


def _parent_text(rhk: dict, names: dict) -> str:
    if rhk.get("parent_id"):
        return names.get(("rhk", rhk["parent_id"]), "")
    if rhk.get("goal_id"):
        return "Sasaran strategis: " + names.get(("goal", rhk["goal_id"]), "")
    return ""


def _rows(plan: list[dict], kind: str) -> list[pdf.RhkRow]:
    names = _parents(plan)
    rows = []
    for r in (x for x in plan if x["kind"] == kind and x.get("active", True)):
        rows.append(pdf.RhkRow(
            number=str(len(rows) + 1), parent=_parent_text(r, names), name=r["name"],
            indicators=[pdf.IndicatorRow(ASPECT_LABELS.get(i["aspect"], i["aspect"]), i["name"],
                                         _target(i["target_value"], i["target_unit"])) for i in r["indicators"]]))
    return rows


# --------------------------------------------------------------------------- SKP
def skp_document(skp_id: Any) -> tuple[pdf.SkpDoc, str]:
    """(document data, file name) of an SKP in the current user's scope (else NotFound, logged).
    An approved SKP prints its plan in force as approved; any other its current plan, marked
    as a draft."""
    from app.services import skp as skp_service

    skp = skp_service.load_skp(skp_id)
    approved = skp.status == dom.APPROVED
    plan = skp_service.plan_in_force(skp) if approved else None
    rhk = (plan or skp_service.snapshot(skp))["rhk"]
    superior = skp.superior if skp.superior_id is not None else _superior_of(
        skp.employee_id, dom.reference_day(skp.year, today_local()))
    doc = pdf.SkpDoc(
        year=skp.year, period_text=f"1 Januari – 31 Desember {skp.year}",
        opd=skp.opd.name if skp.opd is not None else "",
        employee=person(skp.employee, skp.position, skp.unit, skp.opd),
        evaluator=person(superior),
        utama=_rows(rhk, "UTAMA"), tambahan=_rows(rhk, "TAMBAHAN"),
        approved=approved, status_text=dom.STATUS_LABELS.get(skp.status, skp.status), revision=skp.revision,
        signed_on=day_text(today_local()))
    return doc, f"SKP-{skp.year}-{skp.employee.nip}.pdf"


# --------------------------------------------------------------------------- periodic evaluation
def load_evaluation(evaluation_id: Any):
    """An evaluation in the current user's scope (own, subordinates' or given by oneself, the
    OPD's for an operator, all for BKD/Admin/Auditor), else NotFound (logged)."""
    from app.models import Evaluation
    from app.security import log_refusal, scope_clause

    key = dom.to_id(evaluation_id)
    item = None
    if key is not None:
        q = select(Evaluation).where(Evaluation.id == key)
        clause = scope_clause(Evaluation)
        item = db.session.scalar(q if clause is None else q.where(clause))
    if item is None:
        db.session.rollback()
        log_refusal(404, "Evaluation", evaluation_id, "dokumen penilaian di luar cakupan atau tidak ada")
        raise NotFound(MSG_EVALUATION_NOT_FOUND)
    return item


def _work_text(work) -> str:
    if work is None or not work.count:
        return ""
    return f"{work.count} aktivitas disetujui, volume {format_number(work.volume)}, {format_minutes(work.minutes)}"


def _realisation_rows(skp, period) -> tuple[list[pdf.RhkRow], list[pdf.RhkRow], str]:
    from app.services.realisation import realisation_for

    real = realisation_for(skp, period)
    plan = [{"kind": line.rhk.kind, "parent_id": line.rhk.parent_id, "goal_id": line.rhk.goal_id}
            for line in real.lines]
    names = _parents(plan)
    out: dict[str, list[pdf.RhkRow]] = {"UTAMA": [], "TAMBAHAN": []}
    for line, facts in zip(real.lines, plan):
        rows = out.setdefault(line.rhk.kind, [])
        indicators = []
        for ind in line.indicators:
            value = ind.realisation.value if ind.realisation is not None else None
            indicators.append(pdf.IndicatorRow(
                ASPECT_LABELS.get(ind.indicator.aspect, ind.indicator.aspect), ind.indicator.name,
                _target(ind.indicator.target_value, ind.indicator.target_unit),
                realisation=(_target(value, ind.indicator.target_unit) if value is not None else ""),
                achievement=format_pct(ind.pct) if ind.pct is not None else "",
                note=(ind.realisation.note or "") if ind.realisation is not None else ""))
        rows.append(pdf.RhkRow(number=str(len(rows) + 1), parent=_parent_text(facts, names), name=line.rhk.name,
                               indicators=indicators, work=_work_text(line.work) or "Belum ada"))
    return out["UTAMA"], out["TAMBAHAN"], _work_text(real.non_skp)


def evaluation_document(evaluation_id: Any) -> tuple[pdf.EvaluationDoc, str]:
    """(document data, file name) of a periodic evaluation in scope (else NotFound, logged): the
    identity blocks (the employee's SKP snapshots of the year when there is one), the
    realisation per RHK and indicator of the approved SKP, the ratings and the predikat."""
    from app.models import Skp
    from app.services.evaluation import period_bounds, perilaku_values_of
    from app.services.realisation import approved_skp_of

    ev = load_evaluation(evaluation_id)
    period, employee = ev.period, ev.employee
    first, last = period_bounds(period)
    skp = db.session.scalar(select(Skp).where(Skp.employee_id == employee.id, Skp.year == period.year))
    who = person(employee, skp.position, skp.unit, skp.opd) if skp is not None else person(employee)
    opd = _opd_of(skp.opd if skp is not None else employee.unit)
    evaluator = ev.evaluator
    evaluator_superior = _superior_of(evaluator.id, last) if evaluator is not None else None
    approved = approved_skp_of(employee.id, period.year)
    utama = tambahan = None
    non_skp = ""
    if approved is not None:
        utama, tambahan, non_skp = _realisation_rows(approved, period)
    values = perilaku_values_of(ev)
    label = PR.RATING_LABELS.get
    doc = pdf.EvaluationDoc(
        period_label=format_month(period.year, period.month),
        period_text=f"{first.day} – {day_text(last)}",
        opd=opd, employee=who, evaluator=person(evaluator), evaluator_superior=person(evaluator_superior),
        utama=utama, tambahan=tambahan, non_skp_work=non_skp,
        rating_hasil_kerja=label(ev.rating_hasil_kerja, ev.rating_hasil_kerja),
        rating_perilaku=label(ev.rating_perilaku, ev.rating_perilaku),
        perilaku=[(PR.BERAKHLAK_LABELS[v], label(values[v], values[v])) for v in PR.BERAKHLAK_VALUES if values.get(v)],
        predikat=PR.PREDIKAT_LABELS.get(ev.predikat, ev.predikat), note=ev.note or "",
        work_score=format_pct(ev.work_score) if ev.work_score is not None else "",
        signed_on=day_text(today_local()))
    return doc, f"Evaluasi-{period.year}-{period.month:02d}-{employee.nip}.pdf"
