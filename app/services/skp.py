"""SKP tahunan use cases (design section 9, issue 12): create an SKP for a year, plan its RHK
and indicators, submit, approve, return with a note, start a revision; strategic goals.

Every public use case is one transaction: it loads its rows through the scope rules of
app.security, applies app.domain.skp, writes (the audit rows come from the session listener of
app.services.audit, transitions named through `_audit_action`) and commits. Refusals are
raised as app.services errors — ValidationFailed (422, field -> messages), Forbidden (403),
NotFound (404), Conflict (409) — after the transaction was rolled back; 403 and 404 are
logged here (app.security.log_refusal), so pages and API only show the message.

Who acts:
- the employee plans their own SKP; an Operator OPD may plan on behalf of the employees of
  their OPD (as with daily activities: app.services.activities.may_enter_for);
- the superior snapshot taken at submission (pejabat penilai) approves or returns; BKD at the
  top of the tree; nobody their own SKP;
- strategic goals: BKD (and Admin) for the city and every OPD, an Operator OPD for their own
  OPD only (app.security.write_rule).

Planning window: a new SKP is created and first submitted only between the year's
`skp_window_start` and `skp_window_end` (yearly parameters; default 1–31 January); a
revision of an approved SKP may be made and submitted at any time.

Frozen periods: an RHK with approved activities linked to it in a CLOSED period is not
changed (name, kind, link, indicators) nor deleted: deactivate it (`set_rhk_active`) and add a
new one in the revision.
"""
from __future__ import annotations

import functools
import json
from datetime import date, datetime, timezone
from typing import Any, Iterable, Mapping, Optional

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from app.domain import parameters as P
from app.domain import skp as dom
from app.extensions import db
from app.services import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from app.services import parameters as params_service
from app.services.activities import (
    Actor, NoSuperior, current_actor, may_enter_for, superior_on,
)
from app.services.organisation import today_local

__all__ = [
    "Actor", "current_actor", "skp_window", "requires_rhk", "load_skp", "load_rhk", "load_indicator", "load_goal",
    "create_skp", "add_rhk", "edit_rhk", "delete_rhk", "set_rhk_active", "add_indicator", "edit_indicator",
    "delete_indicator", "submit", "approve", "return_skp", "start_revision", "parent_choices", "goal_choices",
    "rhk_in_force", "plan_in_force", "cascade_context", "approval_queue_clause", "frozen_rhk_ids",
    "create_goal", "edit_goal", "delete_goal", "may_plan", "may_decide", "rhk_in_use", "goal_in_use",
]

MSG_CONFLICT = "SKP ini baru saja diubah oleh pengguna lain. Muat ulang lalu coba lagi."
MSG_NOT_FOUND = {
    "Skp": "SKP tidak ditemukan atau di luar cakupan Anda.",
    "Rhk": "Rencana hasil kerja tidak ditemukan atau di luar cakupan Anda.",
    "RhkIndicator": "Indikator tidak ditemukan atau di luar cakupan Anda.",
    "StrategicGoal": "Sasaran strategis tidak ditemukan atau di luar cakupan Anda.",
    "Employee": "Pegawai tidak ditemukan atau di luar cakupan Anda.",
}
MSG_NOT_PLANNER = "Anda hanya dapat menyusun SKP Anda sendiri atau SKP pegawai OPD Anda (Operator OPD)."
MSG_NO_POSITION = ("Jabatan pegawai ini belum diatur; SKP disusun berdasarkan jabatan. Mohon Operator OPD "
                   "mengatur jabatannya terlebih dahulu.")
MSG_NO_SUPERIOR = ("Atasan langsung (pejabat penilai) pegawai ini belum ditetapkan (jabatan atasan lowong, "
                   "pejabatnya tidak aktif, atau jabatan pegawai belum diatur), sehingga SKP belum dapat "
                   "diajukan. Mohon Operator OPD menetapkan jabatan atau atasan pengganti (Plt) terlebih dahulu.")
MSG_FROZEN = ("RHK ini sudah dipakai oleh aktivitas yang disetujui pada periode yang sudah ditutup, sehingga "
              "tidak dapat diubah atau dihapus. Nonaktifkan RHK ini lalu tambahkan RHK baru.")
MSG_IN_USE = ("RHK ini sudah dipakai (oleh aktivitas harian atau RHK bawahan) atau termasuk rencana yang "
              "sedang berlaku, sehingga tidak dapat dihapus. Nonaktifkan saja; perubahan berlaku setelah "
              "revisi disetujui.")
MSG_VERSION = "Versi harus berupa bilangan bulat."
MSG_ACTOR_INACTIVE = "Data kepegawaian Anda sudah dinonaktifkan; Anda tidak dapat menyusun atau mengajukan SKP."
MSG_EMPLOYEE_INACTIVE = "Pegawai {name} (NIP {nip}) sudah tidak aktif; SKP-nya tidak dapat disusun atau diajukan."


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# --------------------------------------------------------------------------- transaction
def _use_case(entity: str):
    """One transaction per use case: commit on success; on any refusal roll back, log 403
    refusals (404 are logged where the row is looked up) and re-raise; a concurrent change
    (version check, unique key) is a Conflict."""
    from sqlalchemy.orm.exc import StaleDataError

    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            try:
                result = fn(*args, **kwargs)
                db.session.commit()
                return result
            except StaleDataError:
                db.session.rollback()
                raise Conflict(MSG_CONFLICT) from None
            except IntegrityError:
                db.session.rollback()
                raise Conflict("Data yang sama baru saja disimpan oleh pengguna lain. Muat ulang lalu coba "
                               "lagi.") from None
            except Forbidden as err:
                db.session.rollback()
                from app.security import log_refusal

                log_refusal(403, entity, getattr(err, "entity_id", None), err.message)
                raise
            except ServiceError:
                db.session.rollback()
                raise
        return run
    return wrap


def _forbidden(message: str, entity_id: Any = None) -> Forbidden:
    err = Forbidden(message)
    err.entity_id = entity_id
    return err


def _check_version(row, version: Optional[int]) -> None:
    if version is None:
        return
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationFailed({"version": [MSG_VERSION]})
    if version != row.version:
        raise Conflict(MSG_CONFLICT)


# --------------------------------------------------------------------------- parameters
def skp_window(year: int) -> tuple[date, date]:
    """The planning window of `year` set by BKD (default 1–31 January of that year)."""
    return P.skp_window(params_service.values_for(year), year)


def requires_rhk(year: int) -> bool:
    """Parameter `activity_requires_rhk` of the year: every daily activity names an RHK in force."""
    return bool(params_service.values_for(year)["activity_requires_rhk"])


# --------------------------------------------------------------------------- loading in scope
def _load(model, pk: Any, lock: bool = False):
    """The row if the current user may see it (app.security.scope_clause), else NotFound
    (logged). `lock`: SELECT … FOR UPDATE (PostgreSQL) for transitions."""
    from app.security import log_refusal, scope_clause

    key = dom.to_id(pk)
    item = None
    if key is not None:
        q = select(model).where(model.id == key)
        clause = scope_clause(model)
        if clause is not None:
            q = q.where(clause)
        if lock:
            q = q.with_for_update(of=model)
        item = db.session.scalar(q)
    if item is None:
        db.session.rollback()
        log_refusal(404, model.__name__, pk, "di luar cakupan atau tidak ada")
        raise NotFound(MSG_NOT_FOUND[model.__name__])
    return item


def load_skp(skp_id: Any, lock: bool = False):
    """An SKP in the current user's scope (own, subordinates', own OPD's for an operator,
    all for BKD/Admin/Auditor), else NotFound (logged)."""
    from app.models import Skp

    return _load(Skp, skp_id, lock)


def load_rhk(rhk_id: Any):
    from app.models import Rhk

    return _load(Rhk, rhk_id)


def load_indicator(indicator_id: Any):
    from app.models import RhkIndicator

    return _load(RhkIndicator, indicator_id)


def load_goal(goal_id: Any):
    from app.models import StrategicGoal

    return _load(StrategicGoal, goal_id)


def _lock_skp(skp_id: int):
    """The SKP row of an RHK or indicator change, locked against a concurrent decision."""
    from app.models import Skp

    return db.session.scalar(select(Skp).where(Skp.id == skp_id).with_for_update(of=Skp)
                             .execution_options(populate_existing=True))


# --------------------------------------------------------------------------- who may act
def may_plan(actor: Actor, skp_or_employee) -> bool:
    """May `actor` plan (create, edit, submit, revise) the SKP of this employee?"""
    employee = getattr(skp_or_employee, "employee", skp_or_employee)
    return may_enter_for(actor, employee)


def may_decide(actor: Actor, skp) -> Optional[str]:
    """Reason the actor may not approve/return this SKP, or None (app.domain.skp.may_decide)."""
    return dom.may_decide(actor.employee_id, actor.is_bkd, skp.employee_id, skp.superior_id)


def _require_planner(actor: Actor, skp_or_employee) -> None:
    """The actor plans this employee's SKP (own, or the operator's OPD), both still active."""
    employee = getattr(skp_or_employee, "employee", skp_or_employee)
    if not may_plan(actor, employee):
        raise _forbidden(MSG_NOT_PLANNER, skp_or_employee.id)
    if not actor.employee_active:
        raise ValidationFailed({"employee": [MSG_ACTOR_INACTIVE]})
    if not employee.active:
        raise ValidationFailed({"employee": [MSG_EMPLOYEE_INACTIVE.format(name=employee.name, nip=employee.nip)]})


def _require_editable(skp) -> None:
    if not dom.is_editable(skp.status):
        raise ValidationFailed({"status": [dom.MSG_EDIT_LOCKED]})


def _window_check(skp_year: int) -> None:
    start, end = skp_window(skp_year)
    message = dom.window_error(skp_year, today_local(), start, end)
    if message:
        raise ValidationFailed({"window": [message]})


# --------------------------------------------------------------------------- cascade facts
def _opd_of_position(position) -> Optional[int]:
    return position.unit.opd_id if position is not None and position.unit is not None else None


def _superior_for(skp) -> Optional[int]:
    """The superior the cascade of this SKP follows: the snapshot once submitted, otherwise the
    superior on the reference day of the year (today within that year)."""
    if skp.status in (dom.SUBMITTED, dom.APPROVED) and skp.superior_id is not None:
        return skp.superior_id
    return superior_on(skp.employee_id, dom.reference_day(skp.year, today_local()))[0]


def cascade_context(skp, superior_id: Optional[int] = ...) -> dom.CascadeContext:
    """Facts of the cascade rules for an SKP (app.domain.skp.CascadeContext)."""
    from app.models import Employee, Rhk, Skp, StrategicGoal

    if superior_id is ...:
        superior_id = _superior_for(skp)
    position = skp.position
    head = position is not None and dom.is_opd_head(
        _opd_of_position(position), _opd_of_position(position.parent), position.parent_id is not None)
    goal_ids = frozenset(db.session.scalars(select(StrategicGoal.id).where(
        StrategicGoal.year == skp.year, StrategicGoal.unit_id == skp.opd_id)))
    superior_name, approved, parent_ids = None, False, frozenset()
    if superior_id is not None:
        superior_name = db.session.scalar(select(Employee.name).where(Employee.id == superior_id))
        sup = db.session.execute(select(Skp.id, Skp.approved_revision).where(
            Skp.employee_id == superior_id, Skp.year == skp.year)).first()
        if sup is not None and sup.approved_revision is not None:
            approved = True
            parent_ids = frozenset(db.session.scalars(select(Rhk.id).where(
                Rhk.skp_id == sup.id, Rhk.approved_revision == sup.approved_revision)))
    return dom.CascadeContext(year=skp.year, opd_head=head, superior_name=superior_name,
                              superior_skp_approved=approved, parent_ids=parent_ids, goal_ids=goal_ids)


def _facts(rhk) -> dom.RhkFacts:
    return dom.RhkFacts(
        id=rhk.id, kind=rhk.kind, number=rhk.number, name=rhk.name, active=bool(rhk.active),
        parent_id=rhk.parent_id, goal_id=rhk.goal_id,
        indicators=tuple(dom.IndicatorFacts(i.aspect, i.name, i.target_value, i.target_unit)
                         for i in rhk.indicators))


def _link_errors(skp, parent_id: Optional[int], goal_id: Optional[int]) -> dict[str, list[str]]:
    """The parent RHK / goal an RHK is given while it is edited (app.domain.skp.link_errors);
    a missing one is reported at submission."""
    if parent_id is None and goal_id is None:
        return {}
    return dom.link_errors(parent_id, goal_id, cascade_context(skp))


def frozen_rhk_ids(rhk_ids: Iterable[int]) -> set[int]:
    """RHK (of `rhk_ids`) with an APPROVED activity linked to them in a CLOSED period."""
    from app.models import Activity, Period

    ids = [i for i in rhk_ids if i is not None]
    if not ids:
        return set()
    closed = db.session.execute(select(Period.year, Period.month).where(Period.state == "CLOSED")).all()
    if not closed:
        return set()
    ranges = []
    for year, month in closed:
        first = date(year, month, 1)
        last = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        ranges.append(and_(Activity.date >= first, Activity.date < last))
    return set(db.session.scalars(select(Activity.rhk_id).where(
        Activity.rhk_id.in_(ids), Activity.status == "APPROVED", or_(*ranges)).distinct()))


def _require_not_frozen(rhk) -> None:
    if rhk.id in frozen_rhk_ids([rhk.id]):
        raise ValidationFailed({"rhk": [MSG_FROZEN]})


# --------------------------------------------------------------------------- reads for pages
def parent_choices(skp) -> list:
    """RHK in force of the superior's SKP for the year: what this SKP's RHK may intervene in
    (empty for the OPD head, or while the superior has no approved SKP)."""
    from app.models import Rhk

    ctx = cascade_context(skp)
    if ctx.opd_head or not ctx.parent_ids:
        return []
    return list(db.session.scalars(select(Rhk).where(Rhk.id.in_(ctx.parent_ids))
                                   .order_by(Rhk.kind.desc(), Rhk.number, Rhk.id)))


def goal_choices(skp) -> list:
    """The goals of the SKP's OPD for its year (what the OPD head's RHK name); [] below the head."""
    from app.models import StrategicGoal

    ctx = cascade_context(skp)
    if not ctx.opd_head:
        return []
    return list(db.session.scalars(select(StrategicGoal).where(StrategicGoal.id.in_(ctx.goal_ids))
                                   .order_by(StrategicGoal.code)))


def rhk_in_force(employee_id: int, year: int) -> list:
    """The RHK in force of an employee's SKP for a year (the approved plan: an RHK deactivated
    in a revision stays in force until the revision is approved): what daily activities may be
    linked to. [] while no SKP of that year was approved."""
    from app.models import Rhk, Skp
    from app.security import rhk_in_force_clause

    return list(db.session.scalars(
        select(Rhk).join(Skp, Skp.id == Rhk.skp_id)
        .where(Skp.employee_id == employee_id, Skp.year == year, rhk_in_force_clause())
        .order_by(Rhk.kind.desc(), Rhk.number, Rhk.id)))


def plan_in_force(skp) -> Optional[dict]:
    """The approved plan in force as approved (the JSON snapshot of SkpHistory for
    skp.approved_revision), or None before the first approval."""
    from app.models import SkpHistory

    if skp.approved_revision is None:
        return None
    raw = db.session.scalar(select(SkpHistory.snapshot).where(
        SkpHistory.skp_id == skp.id, SkpHistory.revision == skp.approved_revision))
    return json.loads(raw) if raw else None


def approval_queue_clause(actor: Actor):
    """SQL condition for the submitted SKP this actor may decide now (their subordinates' as
    superior snapshot; at the top of the tree, for BKD), never their own."""
    from sqlalchemy import false

    from app.models import Skp

    parts = []
    if actor.employee_id is not None:
        parts.append(Skp.superior_id == actor.employee_id)
    if actor.is_bkd:
        parts.append(Skp.superior_id.is_(None))
    if not parts:
        return false()
    mine = Skp.employee_id != actor.employee_id if actor.employee_id is not None else True
    return and_(Skp.status == dom.SUBMITTED, or_(*parts), mine)


def snapshot(skp) -> dict:
    """The plan of an SKP as JSON-ready data (kept in SkpHistory at each approval)."""
    return {
        "skp": {"id": skp.id, "employee_id": skp.employee_id, "year": skp.year, "revision": skp.revision,
                "position_id": skp.position_id, "unit_id": skp.unit_id, "opd_id": skp.opd_id,
                "superior_id": skp.superior_id},
        "rhk": [{
            "id": r.id, "kind": r.kind, "number": r.number, "name": r.name, "active": bool(r.active),
            "parent_id": r.parent_id, "goal_id": r.goal_id,
            "indicators": [{"id": i.id, "number": i.number, "aspect": i.aspect, "name": i.name,
                            "target_value": str(i.target_value), "target_unit": i.target_unit}
                           for i in r.indicators],
        } for r in skp.rhks],
    }


# --------------------------------------------------------------------------- SKP use cases
@_use_case("Skp")
def create_skp(actor: Actor, employee_id: Any, year: Any):
    """Create the DRAFT SKP of an employee (in the actor's scope) for a year, with snapshots
    of the employee's position, unit and OPD. Only inside the year's planning window."""
    from app.models import Employee, Skp

    year_value = dom.to_year(year)
    if year_value is None:
        raise ValidationFailed({"year": [dom.MSG_YEAR]})
    year = year_value
    employee = _load(Employee, employee_id)
    _require_planner(actor, employee)
    if db.session.scalar(select(Skp.id).where(Skp.employee_id == employee.id, Skp.year == year)) is not None:
        raise ValidationFailed({"year": [f"SKP tahun {year} pegawai ini sudah ada; ubah SKP yang ada."]})
    if employee.position_id is None or employee.position is None:
        raise ValidationFailed({"employee": [MSG_NO_POSITION]})
    _window_check(year)
    item = Skp(employee_id=employee.id, year=year, status=dom.DRAFT, revision=1,
               position_id=employee.position_id, unit_id=employee.unit_id,
               opd_id=employee.unit.opd_id if employee.unit is not None else employee.unit_id)
    db.session.add(item)
    db.session.flush()
    return item


@_use_case("Skp")
def submit(actor: Actor, skp_id: Any, version: Optional[int] = None):
    """DRAFT/RETURNED -> SUBMITTED: the plan and cascade checks (app.domain.skp.check_submission)
    and the superior snapshot (pejabat penilai). A first submission only inside the planning
    window; a revision (the SKP was approved before) at any time."""
    skp = load_skp(skp_id, lock=True)
    _require_planner(actor, skp)
    _check_version(skp, version)
    try:
        new_status = dom.next_status(skp.status, dom.SUBMIT)
    except dom.SkpError as err:
        raise ValidationFailed({"status": [err.message]}) from None
    if skp.approved_revision is None:
        _window_check(skp.year)
    try:
        superior, _ = superior_on(skp.employee_id, dom.reference_day(skp.year, today_local()), strict=True)
    except NoSuperior:
        raise ValidationFailed({"superior": [MSG_NO_SUPERIOR]}) from None
    problems = dom.check_submission([_facts(r) for r in skp.rhks], cascade_context(skp, superior))
    if problems:
        raise ValidationFailed({"rhk": problems})
    skp.status = new_status
    skp.superior_id = superior
    skp.submitted_at = _utcnow()
    skp.decided_by_id = None
    skp.decided_at = None
    skp._audit_action = dom.SUBMIT
    return skp


def _decide(actor: Actor, skp_id: Any, action: str, note: Optional[str], version: Optional[int]):
    skp = load_skp(skp_id, lock=True)
    _check_version(skp, version)
    if note is not None and not isinstance(note, str):
        raise ValidationFailed({"note": ["Harus berupa teks."]})
    if skp.status != dom.SUBMITTED:
        if skp.status in (dom.APPROVED, dom.RETURNED):
            raise Conflict(f"SKP ini sudah diputuskan ({dom.status_label(skp.status)}).")
        raise ValidationFailed({"status": [f"SKP berstatus {dom.status_label(skp.status)} belum diajukan."]})
    reason = may_decide(actor, skp)
    if reason:
        raise _forbidden(reason, skp.id)
    try:
        new_status = dom.next_status(skp.status, action, note)
    except dom.SkpError as err:
        raise ValidationFailed({"note": [err.message]}) from None
    skp.status = new_status
    skp.decided_by_id = actor.user_id
    skp.decided_at = _utcnow()
    skp.decision_note = (note or "").strip() or None
    skp._audit_action = action
    return skp


@_use_case("Skp")
def approve(actor: Actor, skp_id: Any, note: Optional[str] = None, version: Optional[int] = None):
    """SUBMITTED -> APPROVED by the superior snapshot (BKD at the top of the tree): the
    revision becomes the plan in force (skp.approved_revision, each active RHK's
    approved_revision) and an SkpHistory row keeps the approved plan as JSON."""
    from app.models import SkpHistory

    skp = _decide(actor, skp_id, dom.APPROVE, note, version)
    skp.approved_revision = skp.revision
    for rhk in skp.rhks:
        if rhk.active:
            rhk.approved_revision = skp.revision
    db.session.add(SkpHistory(skp_id=skp.id, revision=skp.revision, approved_by_id=actor.user_id,
                              approved_at=skp.decided_at, snapshot=json.dumps(snapshot(skp), ensure_ascii=False)))
    return skp


@_use_case("Skp")
def return_skp(actor: Actor, skp_id: Any, note: Optional[str], version: Optional[int] = None):
    """SUBMITTED -> RETURNED with a required note, by the superior snapshot (BKD at the top).
    A returned revision leaves the approved plan in force."""
    return _decide(actor, skp_id, dom.RETURN, note, version)


@_use_case("Skp")
def start_revision(actor: Actor, skp_id: Any, note: Optional[str] = None, version: Optional[int] = None):
    """APPROVED -> DRAFT with revision + 1 (allowed outside the planning window). The approved
    plan stays in force (approved_revision unchanged) until the superior approves again."""
    skp = load_skp(skp_id, lock=True)
    _require_planner(actor, skp)
    _check_version(skp, version)
    if note is not None and not isinstance(note, str):
        raise ValidationFailed({"note": ["Harus berupa teks."]})
    try:
        new_status = dom.next_status(skp.status, dom.REVISE, note)
    except dom.SkpError as err:
        raise ValidationFailed({"status": [err.message]}) from None
    skp.status = new_status
    skp.revision = skp.revision + 1
    skp.submitted_at = None
    skp._audit_action = dom.REVISE
    if (note or "").strip():
        skp._audit_detail = f"Alasan revisi: {note.strip()}"
    return skp


# --------------------------------------------------------------------------- RHK use cases
def _next_number(model, parent_col, parent_id: int, **where) -> int:
    q = select(func.max(model.number)).where(parent_col == parent_id)
    for key, value in where.items():
        q = q.where(getattr(model, key) == value)
    return (db.session.scalar(q) or 0) + 1


def _editable_skp_of(actor: Actor, skp_id: int):
    skp = _lock_skp(skp_id)
    _require_planner(actor, skp)
    _require_editable(skp)
    return skp


@_use_case("Rhk")
def add_rhk(actor: Actor, skp_id: Any, values: Mapping[str, Any]):
    """Add an RHK (values: kind UTAMA/TAMBAHAN, name, parent_id — the superior's RHK in force —
    or goal_id for the OPD head) to a DRAFT/RETURNED SKP."""
    from app.models import Rhk

    skp = load_skp(skp_id)
    skp = _editable_skp_of(actor, skp.id)
    values = {"kind": "UTAMA", "parent_id": None, "goal_id": None, "name": None, **dict(values)}
    clean, errors = dom.rhk_values(values)
    if not errors:
        errors = _link_errors(skp, clean["parent_id"], clean["goal_id"])
    if errors:
        raise ValidationFailed(errors)
    item = Rhk(skp_id=skp.id, kind=clean["kind"], name=clean["name"], parent_id=clean["parent_id"],
               goal_id=clean["goal_id"], active=True,
               number=_next_number(Rhk, Rhk.skp_id, skp.id, kind=clean["kind"]))
    db.session.add(item)
    db.session.flush()
    return item


@_use_case("Rhk")
def edit_rhk(actor: Actor, rhk_id: Any, values: Mapping[str, Any]):
    """Change an RHK's kind, name, parent_id or goal_id (keys present in `values`); refused
    for an RHK frozen by a closed period."""
    from app.models import Rhk

    rhk = load_rhk(rhk_id)
    skp = _editable_skp_of(actor, rhk.skp_id)
    clean, errors = dom.rhk_values(values)
    if errors:
        raise ValidationFailed(errors)
    changed = {k: v for k, v in clean.items() if getattr(rhk, k) != v}
    if not changed:
        return rhk
    _require_not_frozen(rhk)
    errors = _link_errors(skp, changed.get("parent_id"), changed.get("goal_id"))
    if errors:
        raise ValidationFailed(errors)
    if "kind" in changed:
        rhk.number = _next_number(Rhk, Rhk.skp_id, skp.id, kind=changed["kind"])
    for key, value in changed.items():
        setattr(rhk, key, value)
    return rhk


@_use_case("Rhk")
def set_rhk_active(actor: Actor, rhk_id: Any, active: bool):
    """Deactivate (or reactivate) an RHK in a DRAFT/RETURNED SKP; allowed for an RHK frozen by
    a closed period. A deactivated RHK in force stays in force until the revision is approved."""
    if not isinstance(active, bool):
        raise ValidationFailed({"active": ["Harus berupa nilai ya/tidak (true/false)."]})
    rhk = load_rhk(rhk_id)
    _editable_skp_of(actor, rhk.skp_id)
    rhk.active = active
    return rhk


@_use_case("Rhk")
def delete_rhk(actor: Actor, rhk_id: Any):
    """Delete an RHK (with its indicators) of a DRAFT/RETURNED SKP; refused for an RHK in force,
    one used by activities or subordinates' RHK, or frozen by a closed period: deactivate it."""
    rhk = load_rhk(rhk_id)
    skp = _editable_skp_of(actor, rhk.skp_id)
    _require_not_frozen(rhk)
    if rhk_in_use(rhk, skp):
        raise ValidationFailed({"rhk": [MSG_IN_USE]})
    db.session.delete(rhk)
    return None


def rhk_in_use(rhk, skp) -> bool:
    """Is the RHK part of the plan in force, or named by daily activities or by subordinates'
    RHK? Such an RHK is deactivated, never deleted (delete_rhk; the page offers no delete)."""
    from app.models import Activity, Rhk

    return (dom.in_force(rhk.approved_revision, skp.approved_revision)
            or db.session.scalar(select(Activity.id).where(Activity.rhk_id == rhk.id).limit(1)) is not None
            or db.session.scalar(select(Rhk.id).where(Rhk.parent_id == rhk.id).limit(1)) is not None)


# --------------------------------------------------------------------------- indicators
@_use_case("RhkIndicator")
def add_indicator(actor: Actor, rhk_id: Any, values: Mapping[str, Any]):
    """Add an indicator (aspect, name, target_value, target_unit) to an RHK of a DRAFT/RETURNED SKP."""
    from app.models import RhkIndicator

    rhk = load_rhk(rhk_id)
    _editable_skp_of(actor, rhk.skp_id)
    values = {"aspect": None, "name": None, "target_value": None, "target_unit": None, **dict(values)}
    clean, errors = dom.indicator_values(values)
    if errors:
        raise ValidationFailed(errors)
    item = RhkIndicator(rhk_id=rhk.id, number=_next_number(RhkIndicator, RhkIndicator.rhk_id, rhk.id), **clean)
    db.session.add(item)
    db.session.flush()
    return item


@_use_case("RhkIndicator")
def edit_indicator(actor: Actor, indicator_id: Any, values: Mapping[str, Any]):
    """Change an indicator (keys present in `values`); refused when its RHK is frozen."""
    item = load_indicator(indicator_id)
    _editable_skp_of(actor, item.rhk.skp_id)
    current = {"aspect": item.aspect, "target_unit": item.target_unit}
    if "target_value" not in values and ("aspect" in values or "target_unit" in values):
        values = {**dict(values), "target_value": item.target_value}
    clean, errors = dom.indicator_values(values, current)
    if errors:
        raise ValidationFailed(errors)
    changed = {k: v for k, v in clean.items() if getattr(item, k) != v}
    if changed:
        _require_not_frozen(item.rhk)
        for key, value in changed.items():
            setattr(item, key, value)
    return item


@_use_case("RhkIndicator")
def delete_indicator(actor: Actor, indicator_id: Any):
    """Delete an indicator of an RHK of a DRAFT/RETURNED SKP; refused when its RHK is frozen."""
    item = load_indicator(indicator_id)
    _editable_skp_of(actor, item.rhk.skp_id)
    _require_not_frozen(item.rhk)
    db.session.delete(item)
    return None


# --------------------------------------------------------------------------- strategic goals
def _goal_write_check(item) -> None:
    from app.security import write_refusal

    reason = write_refusal(item)
    if reason is not None:
        raise _forbidden(reason, item.id)


def _goal_validate(item) -> None:
    """Unit is an OPD (or none: a city goal), the parent rule, a unique code per year and OPD."""
    from app.models import StrategicGoal, Unit

    errors: dict[str, list[str]] = {}
    if item.unit_id is not None:
        unit = db.session.get(Unit, item.unit_id)
        if unit is None or unit.parent_id is not None:
            errors["unit_id"] = ["Sasaran strategis disusun per OPD: pilih OPD (bukan sub-unit)."]
    parent = db.session.get(StrategicGoal, item.parent_id) if item.parent_id is not None else None
    pfacts = None if parent is None else dom.GoalFacts(parent.id, parent.year, parent.unit_id, parent.parent_id)
    errors.update(dom.goal_errors(dom.GoalFacts(item.id or 0, item.year, item.unit_id, item.parent_id), pfacts))
    q = select(StrategicGoal.id).where(StrategicGoal.year == item.year, StrategicGoal.code == item.code,
                                       StrategicGoal.unit_id.is_(None) if item.unit_id is None
                                       else StrategicGoal.unit_id == item.unit_id)
    if item.id is not None:
        q = q.where(StrategicGoal.id != item.id)
    if db.session.scalar(q.limit(1)) is not None:
        errors.setdefault("code", []).append(f"Kode sasaran {item.code} sudah dipakai untuk tahun {item.year}.")
    if errors:
        raise ValidationFailed(errors)


def goal_in_use(goal_id: int) -> bool:
    """Is the goal named by an RHK or by an OPD goal (then it is not deleted nor moved)?"""
    from app.models import Rhk, StrategicGoal

    return (db.session.scalar(select(Rhk.id).where(Rhk.goal_id == goal_id).limit(1)) is not None
            or db.session.scalar(select(StrategicGoal.id).where(StrategicGoal.parent_id == goal_id).limit(1))
            is not None)


@_use_case("StrategicGoal")
def create_goal(actor: Actor, values: Mapping[str, Any]):
    """Create a goal (year, unit_id — None for the Wali Kota's city goal —, parent_id — the city
    goal an OPD goal serves —, code, name, indicator). BKD: any; Operator OPD: own OPD's."""
    from app.models import StrategicGoal

    values = {"year": None, "unit_id": None, "parent_id": None, "code": None, "name": None, "indicator": None,
              **dict(values)}
    clean, errors = dom.goal_values(values)
    if errors:
        raise ValidationFailed(errors)
    item = StrategicGoal(created_by_id=actor.user_id, **clean)
    with db.session.no_autoflush:
        _goal_write_check(item)
        _goal_validate(item)
    db.session.add(item)
    db.session.flush()
    return item


@_use_case("StrategicGoal")
def edit_goal(actor: Actor, goal_id: Any, values: Mapping[str, Any]):
    """Change a goal (keys present in `values`); a goal named by RHK or OPD goals keeps its year
    and OPD."""
    item = load_goal(goal_id)
    clean, errors = dom.goal_values(values)
    if errors:
        raise ValidationFailed(errors)
    with db.session.no_autoflush:
        _goal_write_check(item)  # the stored row: an operator edits only their OPD's goals
        moved = any(k in clean and clean[k] != getattr(item, k) for k in ("year", "unit_id"))
        if moved and goal_in_use(item.id):
            raise ValidationFailed({"year": ["Sasaran ini sudah dipakai oleh RHK atau sasaran OPD; tahun dan OPD-nya "
                                             "tidak dapat diubah."]})
        for key, value in clean.items():
            setattr(item, key, value)
        _goal_write_check(item)  # and after the change
        _goal_validate(item)
    return item


@_use_case("StrategicGoal")
def delete_goal(actor: Actor, goal_id: Any):
    """Delete a goal that no RHK and no OPD goal names."""
    item = load_goal(goal_id)
    _goal_write_check(item)
    if goal_in_use(item.id):
        raise ValidationFailed({"goal": ["Sasaran ini sudah dipakai oleh RHK atau sasaran OPD sehingga tidak dapat "
                                         "dihapus."]})
    db.session.delete(item)
    return None
