"""Periodic evaluation (PermenPAN-RB 6/2022), organisation predikat and the distribution report.

- `subordinates_for(actor, period)`: whom the actor rates for the period;
- `work_evidence()` / `work_score_for()`: the work score shown to the superior as evidence;
- `evaluate()`: the superior's ratings -> predikat (matrix of app.domain.predikat), stored once
  per employee and period (upsert);
- `set_org_predikat()` / `validate_org_predikat()`: BKD's predikat of an OPD for a period;
- `validate_tpp_rate()` / `validate_sanction()`: validators of BKD's TPP table and sanctions;
- `distribution_report()`: each OPD's predikat distribution against its organisation predikat.

Audit rows come from the session listener (Evaluation and OrgPredikat are in AUDITED). The caller
commits; each function flushes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping, Optional

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app.domain import predikat as PR
from app.domain import workflow as wf
from app.domain.distribution import ORG_PREDIKAT, ORG_PREDIKAT_LABELS, Violation, check_distribution
from app.domain.money import HUNDRED, round_pct, to_decimal
from app.domain.scores import monthly_work_score, suggest_rating_hasil_kerja
from app.extensions import db
from app.services import Forbidden, NotFound, ServiceError, ValidationFailed
from app.services import calendar as cal_service
from app.services import parameters as params_service

Errors = dict[str, list[str]]

MSG_SELF = "Anda tidak dapat menilai diri sendiri."
MSG_NOT_SUPERIOR = "Hanya atasan langsung pegawai (atau BKD untuk pimpinan tertinggi) yang dapat menilai."
MSG_PERIOD_CLOSED = "Periode ini sudah ditutup; penilaian tidak dapat diubah."
MSG_ORG_BKD_ONLY = "Hanya BKD yang dapat menetapkan predikat organisasi."

SOURCE_RECAP = "REKAP"
SOURCE_EXPLAIN = "RINCIAN"
SOURCE_PROVISIONAL = "SEMENTARA"
SOURCE_LABELS = {
    SOURCE_RECAP: "rekap bulanan",
    SOURCE_EXPLAIN: "rincian rekap",
    SOURCE_PROVISIONAL: "sementara (rekap belum dihitung)",
}


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def period_bounds(period) -> tuple[date, date]:
    first = date(period.year, period.month, 1)
    nxt = date(period.year + 1, 1, 1) if period.month == 12 else date(period.year, period.month + 1, 1)
    return first, nxt - timedelta(days=1)


def latest_open_period():
    from app.models import Period

    return db.session.scalar(
        select(Period).where(Period.state == "OPEN").order_by(Period.year.desc(), Period.month.desc()).limit(1))


# --------------------------------------------------------------------------- SKP realisation
def skp_realisation(employee, period):
    """The realisation of the employee's approved SKP in the period (per RHK the linked approved
    work, per indicator the employee's value, note and evidence; non-SKP work apart), shown to the
    superior next to the rating form. None without an approved SKP of the period's year."""
    from app.services import realisation as realisation_service

    skp = realisation_service.approved_skp_of(employee.id, period.year)
    return realisation_service.realisation_for(skp, period) if skp is not None else None


# --------------------------------------------------------------------------- work score evidence
@dataclass
class WorkEvidence:
    employee_id: int
    score: Decimal
    source: str  # SOURCE_*
    suggested: str  # DI_ATAS / SESUAI / DI_BAWAH
    working_days: Optional[int] = None
    target_minutes: Optional[int] = None
    recognised_minutes: Optional[int] = None

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


def _explain_function():
    """The recap engineer's `explain(employee_id, year, month)`, when app.services.recap has it."""
    try:
        from app.services import recap as recap_service  # noqa: WPS433 (optional module)
    except ImportError:
        return None
    return getattr(recap_service, "explain", None)


def work_evidence_many(employees: Iterable, period) -> dict[int, WorkEvidence]:
    """Work score evidence of several employees for one period (a superior's page).

    Source, in order: the stored Recap row; else app.services.recap.explain() when it exists;
    else a provisional score computed here (see `_provisional_scores`)."""
    from app.models import Recap

    employees = list(employees)
    if not employees:
        return {}
    thresholds = params_service.score_params(period.year).rating_thresholds
    ids = [e.id for e in employees]
    result: dict[int, WorkEvidence] = {}
    for r in db.session.execute(
            select(Recap.employee_id, Recap.work_score, Recap.working_days, Recap.target_minutes,
                   Recap.recognised_minutes).where(Recap.period_id == period.id, Recap.employee_id.in_(ids))):
        score = to_decimal(r.work_score)
        result[r.employee_id] = WorkEvidence(r.employee_id, score, SOURCE_RECAP,
                                             suggest_rating_hasil_kerja(score, thresholds),
                                             r.working_days, r.target_minutes, r.recognised_minutes)
    rest = [e for e in employees if e.id not in result]
    explain = _explain_function() if rest else None
    if explain is not None:
        remaining = []
        for emp in rest:
            try:
                detail = explain(emp.id, period.year, period.month)
                score = round_pct(to_decimal(str(detail["work_score"])))
            except (ServiceError, LookupError, TypeError, ValueError, InvalidOperation):
                remaining.append(emp)
                continue
            result[emp.id] = WorkEvidence(emp.id, score, SOURCE_EXPLAIN, suggest_rating_hasil_kerja(score, thresholds),
                                          detail.get("working_days"), detail.get("target_minutes"),
                                          detail.get("recognised_minutes"))
        rest = remaining
    result.update(_provisional_scores(rest, period))
    return result


def _provisional_scores(employees: list, period) -> dict[int, WorkEvidence]:
    """Provisional work score, MIRRORING THE RECAP RULE of design section 4 (and of
    app.domain.scores.monthly_work_score, which it calls): recognised minutes of APPROVED
    activities capped per day (`max_minutes_per_day`) / target (working days of the month for
    the unit's workdays_per_week, minus holidays and minus days whose attendance status reduces
    the target, × `effective_minutes_per_day`). Used only while no Recap row exists; the recap
    (app.services.recap) stays the source of truth. Three grouped queries for all employees."""
    from app.models import Activity, Attendance

    if not employees:
        return {}
    first, last = period_bounds(period)
    ids = [e.id for e in employees]
    sp = params_service.score_params(period.year)
    cap = params_service.workflow_params(period.year).max_minutes_per_day
    holidays = cal_service.holidays_between(first, last)
    minutes: dict[int, dict[date, int]] = {}
    for r in db.session.execute(
            select(Activity.employee_id, Activity.date,
                   func.sum(func.coalesce(Activity.recognised_minutes, Activity.claimed_minutes)))
            .where(Activity.employee_id.in_(ids), Activity.status == wf.APPROVED, Activity.date.between(first, last))
            .group_by(Activity.employee_id, Activity.date)):
        minutes.setdefault(r[0], {})[r[1]] = int(r[2] or 0)
    statuses: dict[int, dict[date, str]] = {}
    for r in db.session.execute(
            select(Attendance.employee_id, Attendance.date, Attendance.status)
            .where(Attendance.employee_id.in_(ids), Attendance.date.between(first, last),
                   Attendance.status.in_(sorted(sp.reducing_statuses)))):
        statuses.setdefault(r[0], {})[r[1]] = r[2]
    out = {}
    for emp in employees:
        workdays = emp.unit.workdays_per_week if emp.unit is not None else 5
        ws = monthly_work_score(period.year, period.month, workdays, holidays, statuses.get(emp.id, {}),
                                minutes.get(emp.id, {}), cap, sp)
        out[emp.id] = WorkEvidence(emp.id, ws.score, SOURCE_PROVISIONAL, ws.suggested_rating, ws.working_days,
                                   ws.target_minutes, ws.recognised_minutes)
    return out


def work_evidence(employee, period) -> WorkEvidence:
    return work_evidence_many([employee], period)[employee.id]


def work_score_for(employee, period) -> Decimal:
    """Work score % of one employee for the period.

    The Recap row is the source once computed (or app.services.recap.explain() when that module
    offers it). Otherwise a provisional score is computed that MIRRORS THE RECAP RULE: recognised
    minutes of APPROVED activities capped per day (max_minutes_per_day) / target (working days of
    the month from app.domain.calendar for the unit's workdays_per_week, minus holidays and
    target-reducing absences, × effective_minutes_per_day), min 100, two decimals half up."""
    return work_evidence(employee, period).score


def activity_counts(employee_ids: list[int], period) -> dict[int, dict[str, int]]:
    """{employee_id: {status: count}} of the period's activities (one grouped query)."""
    from app.models import Activity

    if not employee_ids:
        return {}
    first, last = period_bounds(period)
    out: dict[int, dict[str, int]] = {}
    for emp_id, status, n in db.session.execute(
            select(Activity.employee_id, Activity.status, func.count(Activity.id))
            .where(Activity.employee_id.in_(employee_ids), Activity.date.between(first, last))
            .group_by(Activity.employee_id, Activity.status)):
        out.setdefault(emp_id, {})[status] = n
    return out


# --------------------------------------------------------------------------- who rates whom
def _superior_on_last_day(employee, period) -> Optional[int]:
    from app.services.activities import superior_on

    return superior_on(employee.id, period_bounds(period)[1])[0]


def may_evaluate(actor, employee, period) -> bool:
    """The superior on the last day of the period or today's superior; BKD for an employee
    without a superior (the Sekda); never oneself."""
    if employee is None or (actor.employee_id is not None and employee.id == actor.employee_id):
        return False
    on_last_day = _superior_on_last_day(employee, period)
    if actor.employee_id is not None and actor.employee_id in (on_last_day, employee.superior_id):
        return True
    return actor.is_bkd and on_last_day is None and employee.superior_id is None


def _candidate_ids(actor, period) -> set[int]:
    """Employees who might have the actor as superior for the period: today's subordinates,
    overrides to the actor overlapping the period, holders of positions under the actor's
    position (through vacant posts), and for BKD the employees without a superior."""
    from app.models import Employee, Position, SuperiorOverride

    first, last = period_bounds(period)
    ids: set[int] = set()
    me = actor.employee_id
    if me is not None:
        ids |= set(db.session.scalars(select(Employee.id).where(Employee.superior_id == me, Employee.active.is_(True))))
        ids |= set(db.session.scalars(select(SuperiorOverride.employee_id).where(
            SuperiorOverride.superior_id == me, SuperiorOverride.valid_from <= last,
            or_(SuperiorOverride.valid_to.is_(None), SuperiorOverride.valid_to >= first))))
        my_position = db.session.scalar(select(Employee.position_id).where(Employee.id == me))
        frontier, seen = ({my_position} if my_position else set()), set()
        while frontier:
            seen |= frontier
            children = set(db.session.scalars(select(Position.id).where(Position.parent_id.in_(frontier))))
            holders = db.session.execute(select(Employee.id, Employee.position_id).where(
                Employee.position_id.in_(children), Employee.active.is_(True))).all()
            ids |= {h.id for h in holders}
            held = {h.position_id for h in holders}
            frontier = (children - held) - seen  # vacant posts: their holders' superior is one level up
    if actor.is_bkd:
        ids |= set(db.session.scalars(select(Employee.id).where(
            Employee.superior_id.is_(None), Employee.active.is_(True))))
    ids.discard(me)
    return ids


def subordinates_for(actor, period) -> list:
    """Employees the actor rates for the period (see `may_evaluate`), ordered by name."""
    from app.models import Employee

    ids = _candidate_ids(actor, period)
    if not ids:
        return []
    employees = db.session.scalars(select(Employee).where(Employee.id.in_(ids)).order_by(Employee.name)).all()
    return [e for e in employees if may_evaluate(actor, e, period)]


# --------------------------------------------------------------------------- evaluate
def evaluation_of(employee_id: int, period_id: int):
    from app.models import Evaluation

    return db.session.scalar(select(Evaluation).where(
        Evaluation.employee_id == employee_id, Evaluation.period_id == period_id))


def evaluate(employee, period, actor, rating_hasil_kerja: Optional[str], perilaku_values: Mapping[str, str],
             note: Optional[str] = None, rating_perilaku: Optional[str] = None):
    """Store (or update) the evaluation of `employee` for `period` by `actor`.

    rating perilaku = `rating_perilaku` when the superior sets it, else the suggestion
    perilaku_from_values() of the seven BerAKHLAK ratings (all seven required); predikat from
    the matrix; the work score and the suggested rating hasil kerja are stored as snapshots."""
    from app.models import Evaluation, Recap

    if employee is None or period is None:
        raise NotFound("Pegawai atau periode tidak ditemukan.")
    if actor.employee_id is not None and employee.id == actor.employee_id:
        raise Forbidden(MSG_SELF)
    if not may_evaluate(actor, employee, period):
        raise Forbidden(MSG_NOT_SUPERIOR)
    if period.state != "OPEN":
        raise ValidationFailed({"period": [MSG_PERIOD_CLOSED]})
    errors: Errors = {}
    if rating_hasil_kerja not in PR.RATINGS:
        errors["rating_hasil_kerja"] = ["Rating hasil kerja wajib dipilih."]
    values = {k: v for k, v in (perilaku_values or {}).items() if v}
    for value in PR.BERAKHLAK_VALUES:
        if values.get(value) not in PR.RATINGS:
            errors.setdefault(value, []).append(f"Rating {PR.BERAKHLAK_LABELS[value]} wajib dipilih.")
    if rating_perilaku and rating_perilaku not in PR.RATINGS:
        errors["rating_perilaku"] = ["Rating perilaku tidak dikenal."]
    if wf.note_errors(note):  # the one note validator of the activity decisions
        errors["note"] = wf.note_errors(note)
    if errors:
        missing = [PR.BERAKHLAK_LABELS[v] for v in PR.BERAKHLAK_VALUES if v in errors]
        if missing:
            errors.setdefault("perilaku", []).append(
                f"Ketujuh nilai BerAKHLAK wajib dinilai; belum diisi: {', '.join(missing)}.")
        raise ValidationFailed(errors)
    try:
        suggested_perilaku = PR.perilaku_from_values(values)
    except ValueError as err:
        raise ValidationFailed({"perilaku": [str(err)]}) from None
    final_perilaku = rating_perilaku or suggested_perilaku
    result = PR.predikat(rating_hasil_kerja, final_perilaku)
    evidence = work_evidence(employee, period)

    def apply(row) -> None:
        row.work_score = evidence.score
        row.suggested_hasil_kerja = evidence.suggested
        row.rating_hasil_kerja = rating_hasil_kerja
        row.rating_perilaku = final_perilaku
        row.perilaku_values = json.dumps({v: values[v] for v in PR.BERAKHLAK_VALUES}, ensure_ascii=False)
        row.predikat = result
        row.note = (note or "").strip() or None
        row.evaluator_id = actor.employee_id
        row.evaluated_by_id = actor.user_id
        row.evaluated_at = _utcnow()

    row = evaluation_of(employee.id, period.id)
    if row is None:
        row = Evaluation(employee_id=employee.id, period_id=period.id)
        apply(row)
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
        except IntegrityError:  # evaluated at the same moment in another request: update that row
            row = evaluation_of(employee.id, period.id)
            if row is None:
                raise
            apply(row)
    else:
        apply(row)
    # Keep the (open) period's recap row in step with the evaluation when one exists.
    recap = db.session.scalar(select(Recap).where(Recap.period_id == period.id, Recap.employee_id == employee.id))
    if recap is not None and recap.predikat != result:
        recap.predikat = result
    db.session.flush()
    return row


def perilaku_values_of(row) -> dict[str, str]:
    if row is None or not row.perilaku_values:
        return {}
    try:
        data = json.loads(row.perilaku_values)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# --------------------------------------------------------------------------- organisation predikat
def _id(obj) -> Optional[int]:
    return getattr(obj, "id", obj)


def validate_org_predikat(values: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    """Validator of an OrgPredikat row (page and service): an OPD root, a period not closed,
    a known predikat, one row per OPD and period."""
    from app.models import OrgPredikat

    errors: Errors = {}
    unit, period, code = values.get("unit"), values.get("period"), values.get("predikat")
    if unit is None:
        errors["unit"] = ["Wajib diisi."]
    elif unit.parent_id is not None:
        errors["unit"] = ["Predikat organisasi hanya ditetapkan untuk OPD (unit induk), bukan sub-unit."]
    if period is None:
        errors["period"] = ["Wajib diisi."]
    elif period.state == "CLOSED":
        errors["period"] = ["Periode ini sudah ditutup; buka kembali periode untuk mengubah predikat organisasi."]
    if code not in ORG_PREDIKAT:
        errors["predikat"] = ["Pilih salah satu predikat organisasi: "
                              + ", ".join(ORG_PREDIKAT_LABELS[c] for c in ORG_PREDIKAT) + "."]
    if not errors:
        q = select(OrgPredikat.id).where(OrgPredikat.unit_id == unit.id, OrgPredikat.period_id == period.id)
        if current_id is not None:
            q = q.where(OrgPredikat.id != current_id)
        if db.session.execute(q).first():
            errors["period"] = [f"Predikat organisasi {unit.name} untuk {period.label} sudah ditetapkan; ubah baris yang ada."]
    return errors


def set_org_predikat(unit, period, predikat: str, actor):
    """BKD sets (or changes) the organisation predikat of an OPD for a period."""
    from app.models import OrgPredikat

    if not actor.is_bkd:
        raise Forbidden(MSG_ORG_BKD_ONLY)
    row = None
    if unit is not None and period is not None:
        row = db.session.scalar(select(OrgPredikat).where(
            OrgPredikat.unit_id == unit.id, OrgPredikat.period_id == period.id))
    errors = validate_org_predikat({"unit": unit, "period": period, "predikat": predikat},
                                   row.id if row is not None else None)
    if errors:
        raise ValidationFailed(errors)
    if row is None:
        row = OrgPredikat(unit_id=unit.id, period_id=period.id)
        db.session.add(row)
    row.predikat = predikat
    row.set_by_id = actor.user_id
    row.set_at = _utcnow()
    db.session.flush()
    return row


# --------------------------------------------------------------------------- TPP table, sanctions
def validate_tpp_rate(values: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    from app.models import TppRate

    errors: Errors = {}
    year, kelas, amount = values.get("year"), values.get("kelas_jabatan"), values.get("amount")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = ["Tahun harus antara 2000 dan 2100."]
    if not isinstance(kelas, int) or isinstance(kelas, bool) or not 1 <= kelas <= 17:
        errors["kelas_jabatan"] = ["Kelas jabatan harus 1 sampai 17."]
    if amount is None or isinstance(amount, bool):
        errors["amount"] = ["Besaran TPP wajib diisi (rupiah utuh)."]
    elif not isinstance(amount, int):
        try:
            whole = to_decimal(str(amount))
        except (TypeError, ValueError):
            whole = None
        if whole is None or whole != whole.to_integral_value():
            errors["amount"] = ["Besaran TPP harus rupiah utuh tanpa desimal."]
        elif whole < 0:
            errors["amount"] = ["Besaran TPP tidak boleh negatif."]
    elif amount < 0:
        errors["amount"] = ["Besaran TPP tidak boleh negatif."]
    if not errors:
        q = select(TppRate.id).where(TppRate.year == year, TppRate.kelas_jabatan == kelas)
        if current_id is not None:
            q = q.where(TppRate.id != current_id)
        if db.session.execute(q).first():
            errors["kelas_jabatan"] = [f"Besaran TPP kelas {kelas} tahun {year} sudah ada; ubah baris yang ada."]
    return errors


def validate_sanction(values: Mapping[str, Any], current_id: Optional[int]) -> Errors:
    errors: Errors = {}
    employee, percent = values.get("employee"), values.get("percent")
    start, end = values.get("valid_from"), values.get("valid_to")
    reason = (values.get("reason") or "").strip()
    if employee is None:
        errors["employee"] = ["Wajib diisi."]
    if percent is None:
        errors["percent"] = ["Persentase potongan wajib diisi."]
    else:
        try:
            pct = to_decimal(percent if isinstance(percent, (Decimal, int)) else str(percent))
        except (TypeError, ValueError):
            pct = None
        if pct is None or not Decimal(0) < pct <= HUNDRED:
            errors["percent"] = ["Persentase potongan harus lebih dari 0 dan paling banyak 100."]
        elif pct != pct.quantize(Decimal("0.01")):
            errors["percent"] = ["Persentase potongan paling banyak dua angka desimal."]
    if not isinstance(start, date):
        errors["valid_from"] = ["Tanggal mulai wajib diisi."]
    if not isinstance(end, date):
        errors["valid_to"] = ["Tanggal selesai wajib diisi."]
    elif isinstance(start, date) and end < start:
        errors["valid_to"] = ["Tanggal selesai tidak boleh sebelum tanggal mulai."]
    if not reason:
        errors["reason"] = ["Dasar/alasan hukuman disiplin wajib diisi."]
    elif len(reason) > 300:
        errors["reason"] = ["Alasan paling banyak 300 karakter."]
    return errors


# --------------------------------------------------------------------------- distribution report
@dataclass
class DistributionRow:
    opd_id: int
    opd_code: str
    opd_name: str
    org_predikat: Optional[str]
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    violations: list[Violation] = field(default_factory=list)

    @property
    def org_predikat_label(self) -> str:
        return ORG_PREDIKAT_LABELS.get(self.org_predikat, "") if self.org_predikat else ""

    def percent(self, code: str) -> Decimal:
        if not self.total:
            return Decimal("0.00")
        return round_pct(Decimal(self.counts.get(code, 0)) * HUNDRED / Decimal(self.total))


def distribution_report(period, opd_ids: Optional[Iterable[int]] = None) -> list[DistributionRow]:
    """One row per OPD (all OPD roots, or `opd_ids`): the organisation predikat, the employees'
    predikat counts (one grouped query over Evaluation ⋈ Employee ⋈ Unit) and the violations of
    the distribution rules. Employees count in the OPD of their current unit."""
    from app.models import Employee, Evaluation, OrgPredikat, Unit

    opd_filter = None if opd_ids is None else sorted({i for i in opd_ids if i is not None})
    q_opd = select(Unit.id, Unit.code, Unit.name).where(Unit.parent_id.is_(None)).order_by(Unit.code)
    if opd_filter is not None:
        q_opd = q_opd.where(Unit.id.in_(opd_filter))
    rows = {r.id: DistributionRow(r.id, r.code, r.name, None) for r in db.session.execute(q_opd)}
    if not rows:
        return []
    for unit_id, code in db.session.execute(select(OrgPredikat.unit_id, OrgPredikat.predikat).where(
            OrgPredikat.period_id == period.id, OrgPredikat.unit_id.in_(list(rows)))):
        rows[unit_id].org_predikat = code
    q = (select(Unit.opd_id, Evaluation.predikat, func.count(Evaluation.id))
         .select_from(Evaluation)
         .join(Employee, Employee.id == Evaluation.employee_id)
         .join(Unit, Unit.id == Employee.unit_id)
         .where(Evaluation.period_id == period.id, Unit.opd_id.in_(list(rows)))
         .group_by(Unit.opd_id, Evaluation.predikat))
    for opd_id, code, n in db.session.execute(q):
        row = rows[opd_id]
        row.counts[code] = row.counts.get(code, 0) + n
        row.total += n
    for row in rows.values():
        if row.org_predikat:
            known = {c: n for c, n in row.counts.items() if c in PR.PREDIKAT_ORDER}
            row.violations = check_distribution(row.org_predikat, known)
    return list(rows.values())
