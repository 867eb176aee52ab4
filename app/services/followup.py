"""Follow-up (tindak lanjut) use cases: BKD's rules, their candidates and decisions, potential
assessments (entry and import), the talent box and the candidates for a vacant position.

Rules of the computation are in app.domain.followup; who sees which employees is
app.security.followup_scope_clause (Admin/BKD/Auditor the city, an Operator OPD their OPD,
read only). Writing: rules and potential assessments by BKD/Admin, decisions by BKD only.
Every change writes an audit row (app.services.audit.add_event) in the same transaction. The
functions flush but do not commit: the caller commits or rolls back.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Optional

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.domain import followup as FU
from app.domain import predikat as PR
from app.extensions import db
from app.services import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.audit import add_event

Errors = dict[str, list[str]]

MSG_NO_READ = "Anda tidak berwenang melihat data tindak lanjut kinerja."
MSG_NO_WRITE = "Hanya BKD yang dapat mengubah aturan tindak lanjut dan nilai potensi."
MSG_NO_DECIDE = "Hanya BKD yang dapat memutuskan tindak lanjut kandidat."
MSG_RULE_NOT_FOUND = "Aturan tindak lanjut tidak ditemukan."
MSG_EMPLOYEE_NOT_FOUND = "Pegawai tidak ditemukan atau di luar cakupan Anda."
MSG_NOT_CANDIDATE = "Pegawai ini bukan kandidat aturan tersebut untuk periode yang dipilih."
MSG_DECIDED = ("Kandidat ini sudah diputuskan ({decision}, periode {period}); keputusan kedua tidak dapat "
               "dicatat.")
MSG_NOTE = "Catatan keputusan wajib diisi."
MSG_DECISION = "Keputusan harus Diterima atau Ditolak."
MSG_RULE_USED = ("Aturan ini sudah memiliki keputusan sehingga tidak dapat dihapus; nonaktifkan aturan bila "
                 "tidak dipakai lagi.")
MSG_POSITION_NOT_FOUND = "Jabatan tidak ditemukan atau di luar cakupan Anda."
MSG_NOT_VACANT = "Jabatan ini tidak lowong (masih dijabat pegawai aktif)."
MSG_OPD_NOT_FOUND = "OPD tidak ditemukan atau di luar cakupan Anda."
MSG_CITY_ONLY_WIDE = "Kotak talenta seluruh kota hanya untuk BKD, Admin dan Auditor; pilih OPD Anda."
MSG_IMPORT_INVALID = "Berkas nilai potensi masih mengandung kesalahan; tidak ada data yang diimpor."

YEAR_MIN, YEAR_MAX = 2000, 2100
RULE_LIMITS = {"code": 30, "name": 200, "action": 300}


# --------------------------------------------------------------------------- who may
def can_read(actor) -> bool:
    return bool(actor.roles & {"Admin", "BKD", "Auditor"}) or ("Operator OPD" in actor.roles
                                                                and actor.opd_id is not None)


def can_write(actor) -> bool:
    return actor.is_bkd


def can_decide(actor) -> bool:
    return "BKD" in actor.roles


def is_city_wide(actor) -> bool:
    return bool(actor.roles & {"Admin", "BKD", "Auditor"})


def _check_read(actor) -> None:
    if not can_read(actor):
        raise Forbidden(MSG_NO_READ)


def _check_write(actor) -> None:
    if not can_write(actor):
        raise Forbidden(MSG_NO_WRITE)


def _employee_scope(column):
    from app.security import followup_scope_clause

    return followup_scope_clause(column)


def _scoped(stmt, column):
    clause = _employee_scope(column)
    return stmt if clause is None else stmt.where(clause)


def default_year() -> int:
    return date.today().year


def parse_year(raw, default: Optional[int] = None) -> int:
    if raw in (None, ""):
        return default if default is not None else default_year()
    try:
        year = int(str(raw).strip())
    except ValueError:
        raise ValidationFailed({"year": ["Tahun harus berupa angka, mis. 2026."]}) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationFailed({"year": [f"Tahun harus antara {YEAR_MIN} dan {YEAR_MAX}."]})
    return year


def _required_year(raw, errors: Errors) -> Optional[int]:
    """The year of a form or an API body (required), or None with the reason in `errors`."""
    if raw in (None, ""):
        errors["year"] = ["Tahun wajib diisi."]
        return None
    try:
        return parse_year(raw)
    except ValidationFailed as err:
        errors.update(err.errors)
        return None


# --------------------------------------------------------------------------- rules
def rule_values(rule) -> dict:
    return {"id": rule.id, "year": rule.year, "code": rule.code, "name": rule.name, "kind": rule.kind,
            "predikat": json.loads(rule.predikat), "min_periods": rule.min_periods, "action": rule.action,
            "active": bool(rule.active)}


def validate_rule(values: dict, current_id: Optional[int] = None) -> tuple[dict, Errors]:
    """The one validator of a rule (page form and API): (clean values, errors)."""
    from app.models import FollowupRule

    errors: Errors = {}
    clean: dict[str, Any] = {}
    clean["year"] = _required_year(values.get("year"), errors)
    for key, label in (("code", "Kode"), ("name", "Nama aturan"), ("action", "Tindak lanjut")):
        text = str(values.get(key) or "").strip()
        if key == "code":
            text = text.upper()
        if not text:
            errors[key] = [f"{label} wajib diisi."]
        elif len(text) > RULE_LIMITS[key]:
            errors[key] = [f"{label} paling panjang {RULE_LIMITS[key]} karakter."]
        clean[key] = text
    kind = str(values.get("kind") or "").strip().upper()
    if kind not in FU.KIND_LABELS:
        errors["kind"] = ["Jenis aturan harus Penghargaan, Pengembangan atau Sanksi."]
    clean["kind"] = kind
    raw_codes = values.get("predikat")
    if isinstance(raw_codes, str):
        raw_codes = [c for c in raw_codes.replace(";", ",").split(",") if c.strip()]
    codes = [str(c).strip().upper() for c in (raw_codes or [])] if isinstance(raw_codes, (list, tuple)) else None
    min_periods = values.get("min_periods")
    if isinstance(min_periods, str) and min_periods.strip().isdigit():
        min_periods = int(min_periods.strip())
    if codes is None:
        errors["predikat"] = ["Predikat harus berupa daftar kode predikat."]
        codes = []
    for key, messages in FU.validate_rule(codes, min_periods).items():
        if key not in errors:
            errors[key] = messages
    clean["predikat"] = FU.normalise_predikat(codes)
    clean["min_periods"] = min_periods
    active = values.get("active", True)
    clean["active"] = active if isinstance(active, bool) else str(active).strip().lower() in ("1", "true", "y", "ya", "on")
    if not errors:
        clash = db.session.scalar(select(FollowupRule.id).where(
            FollowupRule.year == clean["year"], FollowupRule.code == clean["code"],
            FollowupRule.id != (current_id or 0)))
        if clash is not None:
            errors["code"] = [f"Kode {clean['code']} sudah dipakai aturan lain tahun {clean['year']}."]
    return clean, errors


def list_rules(actor, year: Optional[int] = None) -> list:
    from app.models import FollowupRule
    from app.security import scope_clause

    _check_read(actor)
    stmt = select(FollowupRule).order_by(FollowupRule.year.desc(), FollowupRule.kind, FollowupRule.code)
    clause = scope_clause(FollowupRule)
    if clause is not None:
        stmt = stmt.where(clause)
    if year is not None:
        stmt = stmt.where(FollowupRule.year == year)
    return list(db.session.scalars(stmt))


def get_rule(rule_id, actor):
    from app.models import FollowupRule
    from app.security import scope_clause

    _check_read(actor)
    try:
        rule_id = int(rule_id)
    except (TypeError, ValueError):
        raise NotFound(MSG_RULE_NOT_FOUND) from None
    stmt = select(FollowupRule).where(FollowupRule.id == rule_id)
    clause = scope_clause(FollowupRule)
    if clause is not None:
        stmt = stmt.where(clause)
    rule = db.session.scalar(stmt)
    if rule is None:
        raise NotFound(MSG_RULE_NOT_FOUND)
    return rule


def _apply(rule, clean: dict) -> None:
    for key in ("year", "code", "name", "kind", "min_periods", "action", "active"):
        setattr(rule, key, clean[key])
    rule.predikat = json.dumps(clean["predikat"])


def create_rule(values: dict, actor):
    from app.models import FollowupRule

    _check_write(actor)
    clean, errors = validate_rule(values)
    if errors:
        raise ValidationFailed(errors)
    rule = FollowupRule()
    _apply(rule, clean)
    db.session.add(rule)
    _flush_rule()
    add_event(db.session, "FollowupRule", rule.id, "CREATE", after=rule_values(rule))
    return rule


def update_rule(rule_id, values: dict, actor):
    _check_write(actor)
    rule = get_rule(rule_id, actor)
    before = rule_values(rule)
    clean, errors = validate_rule({**before, **values}, current_id=rule.id)
    if errors:
        raise ValidationFailed(errors)
    _apply(rule, clean)
    _flush_rule()
    after = rule_values(rule)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        add_event(db.session, "FollowupRule", rule.id, "UPDATE", before={k: before[k] for k in changed},
                  after={k: after[k] for k in changed})
    return rule


def _flush_rule() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("Kode aturan sudah dipakai aturan lain tahun yang sama.") from None


def delete_rule(rule_id, actor) -> None:
    from app.models import FollowupDecision

    _check_write(actor)
    rule = get_rule(rule_id, actor)
    if db.session.scalar(select(func.count()).select_from(FollowupDecision)
                         .where(FollowupDecision.rule_id == rule.id)):
        raise Conflict(MSG_RULE_USED)
    before = rule_values(rule)
    db.session.delete(rule)
    db.session.flush()
    add_event(db.session, "FollowupRule", before["id"], "DELETE", before=before)


# --------------------------------------------------------------------------- histories
def histories(employee_ids: Iterable[int], first_year: int, last_year: int) -> dict[int, list[FU.Entry]]:
    """Predikat histories (app.domain.followup.history) of the employees over the years."""
    from app.models import BknPredikat, Evaluation, Period

    ids = sorted(set(employee_ids))
    evaluations: dict[int, dict] = defaultdict(dict)
    bkn: dict[int, dict] = defaultdict(dict)
    for part in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for r in db.session.execute(
                select(Evaluation.employee_id, Period.year, Period.month, Evaluation.predikat)
                .join(Period, Period.id == Evaluation.period_id)
                .where(Evaluation.employee_id.in_(part), Period.year.between(first_year, last_year))):
            evaluations[r.employee_id][(r.year, r.month)] = r.predikat
        for r in db.session.execute(
                select(BknPredikat.employee_id, BknPredikat.year, BknPredikat.month, BknPredikat.predikat)
                .where(BknPredikat.employee_id.in_(part), BknPredikat.month.is_not(None),
                       BknPredikat.year.between(first_year, last_year))):
            bkn[r.employee_id][(r.year, r.month)] = r.predikat
    return {i: FU.history(evaluations.get(i, {}), bkn.get(i, {})) for i in ids}


def _bkn_yearly(employee_ids: Iterable[int], year: int) -> dict[int, str]:
    from app.models import BknPredikat

    ids = sorted(set(employee_ids))
    out: dict[int, str] = {}
    for part in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        out.update({r.employee_id: r.predikat for r in db.session.execute(
            select(BknPredikat.employee_id, BknPredikat.predikat).where(
                BknPredikat.employee_id.in_(part), BknPredikat.year == year, BknPredikat.month.is_(None)))})
    return out


def _employees(actor, *conditions) -> list:
    """Active employees in the actor's follow-up scope, with unit and position loaded."""
    from sqlalchemy.orm import joinedload

    from app.models import Employee

    stmt = (select(Employee).options(joinedload(Employee.unit), joinedload(Employee.position))
            .where(Employee.active.is_(True), *conditions).order_by(Employee.name, Employee.nip))
    return list(db.session.scalars(_scoped(stmt, Employee.id)).unique())


def _opd_names() -> dict[int, str]:
    from app.models import Unit

    return dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.parent_id.is_(None))).all())


def _period_label(p: FU.Period) -> str:
    from app.models.periods import MONTH_NAMES

    return f"{MONTH_NAMES[p[1]]} {p[0]}"


# --------------------------------------------------------------------------- candidates
@dataclass
class Candidate:
    employee_id: int
    nip: str
    name: str
    opd: str
    streak: FU.Streak
    decision: Optional[Any] = None  # FollowupDecision of this streak

    @property
    def last_label(self) -> str:
        return _period_label(self.streak.last)

    @property
    def first_label(self) -> str:
        return _period_label(self.streak.first)

    @property
    def period_value(self) -> str:
        return f"{self.streak.last[0]:04d}-{self.streak.last[1]:02d}"


def candidates(rule_id, actor) -> tuple[Any, list[Candidate]]:
    """(rule, candidates of the rule in the actor's scope), decided or not."""
    from app.models import FollowupDecision, Period

    rule = get_rule(rule_id, actor)
    codes = json.loads(rule.predikat)
    employees = _employees(actor)
    # A streak of up to 24 periods may start two years before the rule's year.
    hist = histories([e.id for e in employees], rule.year - 2, rule.year)
    decided: dict[int, list] = defaultdict(list)
    for d, year, month in db.session.execute(
            _scoped(select(FollowupDecision, Period.year, Period.month)
                    .join(Period, Period.id == FollowupDecision.period_id)
                    .where(FollowupDecision.rule_id == rule.id), FollowupDecision.employee_id)):
        decided[d.employee_id].append(((year, month), d))
    opds = _opd_names()
    out = []
    for emp in employees:
        for streak in FU.candidate_streaks(hist.get(emp.id, []), codes, rule.min_periods, rule.year):
            period = FU.decided_in(streak, [p for p, _ in decided.get(emp.id, [])])
            decision = next((d for p, d in decided[emp.id] if p == period), None) if period else None
            out.append(Candidate(emp.id, emp.nip, emp.full_name, opds.get(emp.unit.opd_id, ""), streak, decision))
    out.sort(key=lambda c: (c.decision is not None, c.opd, c.name, c.nip, FU.period_index(c.streak.last)))
    return rule, out


def parse_period(raw) -> FU.Period:
    text = str(raw or "").strip()
    try:
        year, month = (int(x) for x in text.split("-"))
    except ValueError:
        raise ValidationFailed({"period": ["Periode harus ditulis TTTT-BB, mis. 2026-11."]}) from None
    if not (YEAR_MIN <= year <= YEAR_MAX and 1 <= month <= 12):
        raise ValidationFailed({"period": ["Periode harus ditulis TTTT-BB, mis. 2026-11."]})
    return year, month


def decide(rule_id, employee_id, period_raw, decision_raw, note, actor):
    """BKD's decision on a candidate (the streak ending in `period`): recorded once, audited."""
    from app.models import Employee, FollowupDecision, Period

    if not can_decide(actor):
        raise Forbidden(MSG_NO_DECIDE)
    rule = get_rule(rule_id, actor)
    try:
        emp_id = int(employee_id)
    except (TypeError, ValueError):
        raise NotFound(MSG_EMPLOYEE_NOT_FOUND) from None
    emp = db.session.scalar(_scoped(select(Employee).where(Employee.id == emp_id), Employee.id))
    if emp is None:
        raise NotFound(MSG_EMPLOYEE_NOT_FOUND)
    errors: Errors = {}
    decision = str(decision_raw or "").strip().upper()
    if decision not in FU.DECISION_LABELS:
        errors["decision"] = [MSG_DECISION]
    note = str(note or "").strip()
    if not note:
        errors["note"] = [MSG_NOTE]
    elif len(note) > 2000:
        errors["note"] = ["Catatan keputusan paling panjang 2.000 karakter."]
    try:
        period = parse_period(period_raw)
    except ValidationFailed as err:
        errors.update(err.errors)
        period = None
    if errors:
        raise ValidationFailed(errors)
    hist = histories([emp.id], rule.year - 2, rule.year)[emp.id]
    streak = next((s for s in FU.candidate_streaks(hist, json.loads(rule.predikat), rule.min_periods, rule.year)
                   if s.covers(period)), None)
    if streak is None:
        raise ValidationFailed({"period": [MSG_NOT_CANDIDATE]})
    existing = db.session.execute(
        select(FollowupDecision, Period.year, Period.month).join(Period, Period.id == FollowupDecision.period_id)
        .where(FollowupDecision.rule_id == rule.id, FollowupDecision.employee_id == emp.id)).all()
    for d, year, month in existing:
        if streak.covers((year, month)):
            raise Conflict(MSG_DECIDED.format(decision=FU.DECISION_LABELS.get(d.decision, d.decision),
                                              period=_period_label((year, month))))
    period_row = db.session.scalar(select(Period).where(Period.year == streak.last[0],
                                                        Period.month == streak.last[1]))
    if period_row is None:
        # A streak of BKN predikat only may end in a month the system never ran (before it was
        # introduced): the decision names that month as a closed, frozen period.
        from app.models.audit import utcnow

        period_row = Period(year=streak.last[0], month=streak.last[1], state="CLOSED", closed_at=utcnow(),
                            closed_by_id=actor.user_id)
        db.session.add(period_row)
        db.session.flush()
    row = FollowupDecision(rule_id=rule.id, employee_id=emp.id, period_id=period_row.id, decision=decision,
                           note=note, decided_by_id=actor.user_id)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(MSG_DECIDED.format(decision="sudah tercatat", period=_period_label(streak.last))) from None
    add_event(db.session, "FollowupDecision", row.id, "KEPUTUSAN_TINDAK_LANJUT", after={
        "rule_id": rule.id, "rule": rule.code, "year": rule.year, "employee_id": emp.id, "nip": emp.nip,
        "period": f"{streak.last[0]:04d}-{streak.last[1]:02d}", "streak_first": f"{streak.first[0]:04d}-{streak.first[1]:02d}",
        "length": streak.length, "decision": decision, "note": note})
    return row


def list_decisions(actor, year: Optional[int] = None, rule_id: Optional[int] = None) -> list:
    from sqlalchemy.orm import joinedload

    from app.models import FollowupDecision, FollowupRule

    _check_read(actor)
    stmt = (select(FollowupDecision).join(FollowupRule, FollowupRule.id == FollowupDecision.rule_id)
            .options(joinedload(FollowupDecision.rule), joinedload(FollowupDecision.employee),
                     joinedload(FollowupDecision.period), joinedload(FollowupDecision.decided_by))
            .order_by(FollowupDecision.decided_at.desc(), FollowupDecision.id.desc()))
    if year is not None:
        stmt = stmt.where(FollowupRule.year == year)
    if rule_id is not None:
        stmt = stmt.where(FollowupDecision.rule_id == rule_id)
    return list(db.session.scalars(_scoped(stmt, FollowupDecision.employee_id)).unique())


# --------------------------------------------------------------------------- potential
def _parse_score(raw, errors: list[str]) -> Optional[Decimal]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors.append("Nilai potensi wajib diisi.")
        return None
    if isinstance(raw, bool):
        errors.append("Nilai potensi harus berupa angka 0 sampai 100.")
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        errors.append(f"Nilai potensi harus berupa angka 0 sampai 100: {raw}.")
        return None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        errors.append(f"Nilai potensi harus antara 0 dan 100: {raw}.")
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.append(f"Nilai potensi paling banyak dua angka desimal: {raw}.")
        return None
    return value.quantize(Decimal("0.01"))


def validate_potential(values: dict) -> tuple[dict, Errors]:
    """The one validator of a potential assessment (form, API and each import row)."""
    errors: Errors = {}
    clean: dict[str, Any] = {}
    problems: list[str] = []
    clean["score"] = _parse_score(values.get("score"), problems)
    if problems:
        errors["score"] = problems
    clean["year"] = _required_year(values.get("year"), errors)
    assessed = values.get("assessed_on")
    if assessed in (None, ""):
        clean["assessed_on"] = None
    elif isinstance(assessed, date):
        clean["assessed_on"] = assessed
    else:
        try:
            clean["assessed_on"] = date.fromisoformat(str(assessed).strip())
        except ValueError:
            errors["assessed_on"] = ["Tanggal asesmen harus ditulis TTTT-BB-HH."]
    source = str(values.get("source") or "").strip()
    if len(source) > 200:
        errors["source"] = ["Sumber asesmen paling panjang 200 karakter."]
    clean["source"] = source or None
    return clean, errors


def _find_employee(actor, employee_id=None, nip=None):
    from app.models import Employee

    if employee_id not in (None, ""):
        try:
            cond = Employee.id == int(employee_id)
        except (TypeError, ValueError):
            return None
    elif nip:
        cond = Employee.nip == str(nip).strip()
    else:
        return None
    return db.session.scalar(_scoped(select(Employee).where(cond), Employee.id))


def _potential_values(row) -> dict:
    return {"employee_id": row.employee_id, "year": row.year, "score": str(row.score),
            "assessed_on": row.assessed_on.isoformat() if row.assessed_on else None, "source": row.source}


def _store_potential(emp_id: int, clean: dict, actor, detail: Optional[str] = None):
    from app.models import PotentialAssessment
    from app.models.audit import utcnow

    row = db.session.scalar(select(PotentialAssessment).where(
        PotentialAssessment.employee_id == emp_id, PotentialAssessment.year == clean["year"]))
    before = _potential_values(row) if row is not None else None
    if row is None:
        row = PotentialAssessment(employee_id=emp_id, year=clean["year"])
        db.session.add(row)
    row.score = clean["score"]
    row.assessed_on = clean["assessed_on"]
    row.source = clean["source"]
    row.entered_by_id = actor.user_id
    row.entered_at = utcnow()
    db.session.flush()
    after = _potential_values(row)
    if before != after:
        add_event(db.session, "PotentialAssessment", row.id, "CREATE" if before is None else "UPDATE",
                  before=before, after=after, detail=detail)
    return row


def set_potential(values: dict, actor):
    """BKD enters (or corrects) an employee's potential score for a year."""
    _check_write(actor)
    emp = _find_employee(actor, values.get("employee_id"), values.get("nip"))
    clean, errors = validate_potential(values)
    if emp is None:
        errors = {"employee": [MSG_EMPLOYEE_NOT_FOUND], **errors}
    if errors:
        raise ValidationFailed(errors)
    return _store_potential(emp.id, clean, actor)


def list_potential(actor, year: int) -> list:
    from sqlalchemy.orm import joinedload

    from app.models import Employee, PotentialAssessment

    _check_read(actor)
    stmt = (select(PotentialAssessment).join(Employee, Employee.id == PotentialAssessment.employee_id)
            .options(joinedload(PotentialAssessment.employee).joinedload(Employee.unit))
            .where(PotentialAssessment.year == year).order_by(Employee.name, Employee.nip))
    return list(db.session.scalars(_scoped(stmt, PotentialAssessment.employee_id)).unique())


# -- import (the upload -> preview -> confirm flow of app.views.imports.ImportFlowView)
ACTION_LABELS = {"baru": "Baru", "ubah": "Ubah", "tetap": "Tetap"}


@dataclass
class Preview:
    filename: str
    year: int
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows_: list = field(default_factory=list)

    def rows(self) -> list:
        return self.rows_

    @property
    def error_rows(self) -> list:
        return [r for r in self.rows_ if r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows_) and not self.error_rows

    @property
    def counts(self) -> dict[str, int]:
        c = {"rows": len(self.rows_), "errors": len(self.error_rows)}
        for action in ACTION_LABELS:
            c[action] = sum(1 for r in self.rows_ if not r.errors and r.action == action)
        return c

    def all_messages(self, limit: int = 50) -> list[str]:
        out = list(self.file_errors)
        for row in self.rows_:
            out += [f"Baris {row.line}: {reason}" for reason in row.errors]
        if not out and not self.rows_:
            out.append("Berkas tidak berisi baris data.")
        if len(out) > limit:
            out = out[:limit] + [f"... dan {len(out) - limit} kesalahan lain."]
        return out


class ImportRefused(ValidationFailed):
    def __init__(self, preview: Preview):
        super().__init__({"file": preview.all_messages() or [MSG_IMPORT_INVALID]})
        self.preview = preview


def preview_import(filename: str, data: bytes, actor, year) -> Preview:
    """Parse and validate every row (nothing is written)."""
    from app.imports.potential import parse_potential
    from app.models import PotentialAssessment

    _check_write(actor)
    year = parse_year(year)
    parsed = parse_potential(filename, data)
    preview = Preview(filename=filename, year=year, file_errors=parsed.errors, warnings=parsed.warnings,
                      columns=parsed.columns, rows_=parsed.rows)
    if parsed.errors:
        return preview
    if not parsed.rows:
        preview.file_errors.append("Berkas tidak berisi baris data.")
        return preview
    from app.models import Employee

    nips = {r.get("NIP") for r in parsed.rows if r.get("NIP")}
    found: dict[str, int] = {}
    for part in (sorted(nips)[i:i + 500] for i in range(0, len(nips), 500)):
        found.update(dict(db.session.execute(_scoped(select(Employee.nip, Employee.id).where(
            Employee.nip.in_(part)), Employee.id)).all()))
    stored = {r.employee_id: r for r in db.session.scalars(select(PotentialAssessment).where(
        PotentialAssessment.year == year, PotentialAssessment.employee_id.in_(list(found.values()) or [0])))}
    lines: dict[str, list[int]] = defaultdict(list)
    for row in parsed.rows:
        if row.get("NIP"):
            lines[row.get("NIP")].append(row.line)
    for row in parsed.rows:
        nip = row.get("NIP")
        if nip and len(lines[nip]) > 1:
            others = ", ".join(str(n) for n in lines[nip] if n != row.line)
            row.error(f"NIP {nip} ganda: juga ada di baris {others}.")
        if nip and nip not in found and "NIP" not in row.bad:
            row.error(f"NIP {nip} tidak terdaftar sebagai pegawai.")
        clean, errors = validate_potential({"year": year, "score": row.get("NILAI"),
                                            "assessed_on": row.get("TANGGAL_ASESMEN"), "source": row.get("SUMBER")})
        for column, key in (("NILAI", "score"), ("TANGGAL_ASESMEN", "assessed_on"), ("SUMBER", "source")):
            if column not in row.bad:
                for m in errors.get(key, []):
                    row.error(f"{column}: {m}")
        if row.errors:
            continue
        row.plan = {"employee_id": found[nip], **clean}
        old = stored.get(found[nip])
        if old is None:
            row.action = "baru"
        else:
            same = (Decimal(str(old.score)) == clean["score"] and old.assessed_on == clean["assessed_on"]
                    and (old.source or None) == clean["source"])
            row.action = "tetap" if same else "ubah"
    return preview


@dataclass
class ImportResult:
    preview: Preview
    created: int
    updated: int
    unchanged: int

    def summary(self) -> str:
        return f"{self.created} baru, {self.updated} diubah, {self.unchanged} tetap"


def import_potential(filename: str, data: bytes, actor, year) -> ImportResult:
    """All or nothing: the stored file is parsed and validated again; any error -> ImportRefused."""
    preview = preview_import(filename, data, actor, year)
    if not preview.ok:
        raise ImportRefused(preview)
    counts = {"baru": 0, "ubah": 0, "tetap": 0}
    for row in preview.rows():
        counts[row.action] += 1
        if row.action != "tetap":
            plan = dict(row.plan)
            _store_potential(plan.pop("employee_id"), plan, actor, detail=f"Impor {filename}")
    add_event(db.session, "PotentialAssessment", None, "IMPORT", after={
        "filename": filename, "year": preview.year, **counts})
    return ImportResult(preview, counts["baru"], counts["ubah"], counts["tetap"])


# --------------------------------------------------------------------------- talent box
@dataclass
class Talent:
    employee_id: int
    nip: str
    name: str
    opd_id: Optional[int]
    opd: str
    golongan: str
    kind: str
    kelas: Optional[int]
    predikat: Optional[str]
    score: Optional[Decimal]
    box: Optional[int]
    history_score: Optional[Decimal] = None

    @property
    def predikat_label(self) -> str:
        return PR.PREDIKAT_LABELS.get(self.predikat, "—") if self.predikat else "—"


def thresholds(year: int) -> FU.PotentialThresholds:
    from app.services import parameters as params_service

    values = params_service.values_for(year)
    return FU.PotentialThresholds(Decimal(str(values["potential_low_below"])),
                                  Decimal(str(values["potential_high_from"])))


def talents(employees: list, year: int) -> list[Talent]:
    """The talent box (and history score) of each employee for the year."""
    from app.models import PotentialAssessment

    ids = [e.id for e in employees]
    hist = histories(ids, year - 1, year)
    yearly = _bkn_yearly(ids, year)
    scores: dict[int, Decimal] = {}
    for part in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        scores.update(dict(db.session.execute(select(PotentialAssessment.employee_id, PotentialAssessment.score)
                                              .where(PotentialAssessment.year == year,
                                                     PotentialAssessment.employee_id.in_(part))).all()))
    limits = thresholds(year)
    opds = _opd_names()
    out = []
    for e in employees:
        entries = hist.get(e.id, [])
        perf = FU.year_performance(entries, year, yearly.get(e.id))
        score = scores.get(e.id)
        box = FU.talent_box(FU.performance_level(perf), FU.potential_level(score, limits))
        opd_id = e.unit.opd_id if e.unit is not None else None
        out.append(Talent(e.id, e.nip, e.full_name, opd_id, opds.get(opd_id, ""), e.golongan, e.kind,
                          e.position.kelas_jabatan if e.position is not None else None, perf,
                          None if score is None else Decimal(str(score)), box, FU.history_score(entries, year)))
    return out


def opd_choices(actor) -> list[tuple[int, str]]:
    from app.models import Unit

    _check_read(actor)
    stmt = select(Unit.id, Unit.name).where(Unit.parent_id.is_(None)).order_by(Unit.name)
    if not is_city_wide(actor):
        stmt = stmt.where(Unit.id == actor.opd_id)
    return [tuple(r) for r in db.session.execute(stmt)]


@dataclass
class TalentBox:
    year: int
    opd_id: Optional[int]
    opd_name: str
    members: dict[int, list[Talent]]
    unplaced: list[Talent]

    @property
    def counts(self) -> dict[int, int]:
        return {b: len(self.members.get(b, [])) for b in range(1, 10)}

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + len(self.unplaced)


def talent_box(actor, year, opd_id=None) -> TalentBox:
    """Counts and names per box, for one OPD or (city-wide roles) the whole city."""
    from app.models import Unit

    _check_read(actor)
    year = parse_year(year)
    if opd_id in (None, ""):
        if not is_city_wide(actor):
            opd_id = actor.opd_id  # an operator's talent box is their OPD's
    if opd_id not in (None, ""):
        try:
            opd_id = int(opd_id)
        except (TypeError, ValueError):
            raise NotFound(MSG_OPD_NOT_FOUND) from None
        if opd_id not in dict(opd_choices(actor)):
            raise NotFound(MSG_OPD_NOT_FOUND)
        employees = _employees(actor, _in_opd(opd_id))
        name = db.session.get(Unit, opd_id).name
    else:
        employees = _employees(actor)
        name = "Seluruh Kota"
    members: dict[int, list[Talent]] = {b: [] for b in range(1, 10)}
    unplaced = []
    for t in talents(employees, year):
        (members[t.box] if t.box else unplaced).append(t)
    return TalentBox(year, opd_id, name, members, unplaced)


def _in_opd(opd_id: int):
    from app.models import Employee
    from app.security import employees_of_opd

    return Employee.id.in_(employees_of_opd(opd_id))


# --------------------------------------------------------------------------- vacancy
def vacant_positions(actor) -> list:
    """Active positions held by no active employee, in the actor's scope."""
    from app.models import Employee, Position, Unit

    _check_read(actor)
    held = select(Employee.position_id).where(Employee.active.is_(True), Employee.position_id.is_not(None))
    stmt = (select(Position).join(Unit, Unit.id == Position.unit_id)
            .where(Position.active.is_(True), Position.id.not_in(held)).order_by(Unit.name, Position.name))
    if not is_city_wide(actor):
        stmt = stmt.where(Position.unit_id.in_(select(Unit.id).where(Unit.opd_id == actor.opd_id)))
    return list(db.session.scalars(stmt))


@dataclass
class VacancyResult:
    position: Any
    year: int
    min_golongan: Optional[str]
    band: int
    ranked: list[Talent]
    ineligible: int


def vacancy_candidates(position_id, actor, year=None) -> VacancyResult:
    from app.services import parameters as params_service

    _check_read(actor)
    year = parse_year(year)
    try:
        pid = int(position_id)
    except (TypeError, ValueError):
        raise NotFound(MSG_POSITION_NOT_FOUND) from None
    position = next((p for p in vacant_positions(actor) if p.id == pid), None)
    if position is None:
        from app.models import Position

        exists = db.session.get(Position, pid)
        if exists is not None and (is_city_wide(actor) or exists.unit.opd_id == actor.opd_id):
            raise ValidationFailed({"position": [MSG_NOT_VACANT]})
        raise NotFound(MSG_POSITION_NOT_FOUND)
    band = int(params_service.values_for(year)["vacancy_kelas_band"])
    min_gol = FU.minimum_golongan(position.kind_code, position.level)
    pool = talents(_employees(actor), year)
    applicants = {t.employee_id: t for t in pool}
    ranked = FU.rank_applicants(
        (FU.Applicant(t.employee_id, t.nip, t.kind, t.golongan, t.kelas, t.box, t.history_score) for t in pool),
        position.kelas_jabatan, min_gol, band)
    return VacancyResult(position, year, min_gol, band, [applicants[a.employee_id] for a in ranked],
                         len(pool) - len(ranked))
