"""Daily activities: entry, submission, decisions, corrections (design section 3).

Every function loads its rows through the scope rules, applies app.domain.workflow and the
calendar, and leaves the audit rows to the session listener (the transition name is set on
the row as `_audit_action`). Pages, API and commands call these functions only.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import Any, Callable, Iterable, Mapping, Optional
from urllib.parse import urlparse

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import aliased

from app.domain import calendar as cal
from app.domain import workflow as wf
from app.domain.hierarchy import OrgSnapshot, Override, is_top_of_tree, resolve_superior
from app.extensions import db
from app.services import Conflict, Forbidden, NotFound, ValidationFailed
from app.services import calendar as cal_service
from app.services import parameters as params_service
from app.services.organisation import today_local

Errors = dict[str, list[str]]

EVIDENCE_TYPES = {
    # extension: accepted leading bytes (None = any, checked by extension only)
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
}
EVIDENCE_MAX_BYTES_DEFAULT = 2 * 1024 * 1024


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# --------------------------------------------------------------------------- who acts
@dataclass
class Actor:
    user_id: Optional[int]
    username: Optional[str]
    employee_id: Optional[int]
    roles: set[str] = field(default_factory=set)
    opd_id: Optional[int] = None
    employee_active: bool = True  # the actor's own employee row (deactivated: no entry, no submit)

    @property
    def is_bkd(self) -> bool:
        return bool(self.roles & {"BKD", "Admin"})


def current_actor() -> Actor:
    from app.security import current_employee, current_login, operator_opd_id, role_names

    user = current_login()
    emp = current_employee()
    return Actor(
        user_id=getattr(user, "id", None), username=getattr(user, "username", None),
        employee_id=getattr(emp, "id", None), roles=role_names(user) if user else set(),
        opd_id=operator_opd_id(), employee_active=emp is None or bool(emp.active),
    )


def _employee_opd(employee) -> Optional[int]:
    return employee.unit.opd_id if employee is not None and employee.unit is not None else None


MSG_EMPLOYEE_INACTIVE = ("Pegawai {name} (NIP {nip}) sudah tidak aktif; aktivitasnya tidak dapat dicatat, diubah "
                         "atau diajukan.")
MSG_ACTOR_INACTIVE = ("Data kepegawaian Anda sudah dinonaktifkan; Anda tidak dapat mencatat, mengubah atau "
                      "mengajukan aktivitas.")
MSG_NO_SUPERIOR = ("Atasan langsung pegawai ini belum ditetapkan (jabatan atasan lowong, pejabatnya tidak aktif, "
                   "atau jabatan pegawai belum diatur), sehingga aktivitas belum dapat diajukan. Mohon Operator "
                   "OPD menetapkan jabatan atau atasan pengganti (Plt) pegawai ini terlebih dahulu.")


def inactive_errors(actor: Actor, employee) -> Errors:
    """Entry, edit and submission are refused for a deactivated employee and by a deactivated
    actor (page, API and operator on behalf alike)."""
    if not actor.employee_active:
        return {"employee": [MSG_ACTOR_INACTIVE]}
    if employee is not None and not employee.active:
        return {"employee": [MSG_EMPLOYEE_INACTIVE.format(name=employee.name, nip=employee.nip)]}
    return {}


def may_enter_for(actor: Actor, employee) -> bool:
    """Pegawai for themselves, Operator OPD for the employees of their OPD."""
    if employee is None:
        return False
    if actor.employee_id is not None and employee.id == actor.employee_id and "Pegawai" in actor.roles:
        return True
    return "Operator OPD" in actor.roles and actor.opd_id is not None and _employee_opd(employee) == actor.opd_id


# --------------------------------------------------------------------------- superiors
def superior_on(employee_id: int, on: date, strict: bool = False,
                employee=None) -> tuple[Optional[int], Optional[int]]:
    """(superior, superior's superior) of one employee on a date, from a small snapshot of
    the position chain, its ACTIVE holders and the overrides involved (domain rule).

    With `strict` (submission), (None, None) is returned only for the genuine top of the tree
    (the Sekda: BKD decides there); any other employee whose superior cannot be resolved
    raises NoSuperior, so nothing lands in BKD's queue by accident.

    `employee`: the employee's row when the caller holds it already (its position is then not
    read again)."""
    # One snapshot grows as needed: the employee first, then the superior (whose position and
    # chain were usually read already, as holders of the employee's chain).
    employee_position: dict[int, Optional[int]] = {}
    position_parent: dict[int, Optional[int]] = {}
    holders: dict[int, list[int]] = {}
    overrides: dict[int, list[Override]] = {}
    positions_read: set[int] = set()  # employees whose position row was read
    overrides_read: set[int] = set()  # employees whose overrides were read
    if employee is not None and employee.id == employee_id:
        if employee.active:
            employee_position[employee.id] = employee.position_id
        positions_read.add(employee.id)

    def extend(emp_id: int) -> OrgSnapshot:
        if emp_id not in positions_read:
            row = db.session.execute(_position_of_statement(), {"employee": emp_id}).first()
            if row is not None:
                employee_position[row.id] = row.position_id
            positions_read.add(emp_id)
        position = employee_position.get(emp_id)
        fresh_holders: set[int] = set()
        if position is not None and position not in position_parent:
            chain = position_chain({position})
            fresh = set(chain) - set(position_parent)
            position_parent.update(chain)
            for r in db.session.execute(_holders_statement(), {"positions": sorted(fresh)}).all():
                holders.setdefault(r.position_id, []).append(r.id)
                employee_position.setdefault(r.id, r.position_id)
                positions_read.add(r.id)
                fresh_holders.add(r.id)
        # The overrides of this employee and of the chain's holders in one read (the superior
        # asked next is usually one of them). Only an active employee can be a superior (a
        # deactivated Plt is skipped).
        wanted = ({emp_id} | fresh_holders) - overrides_read
        if wanted:
            for r in db.session.execute(_overrides_statement(), {"employees": sorted(wanted)}):
                overrides.setdefault(r.employee_id, []).append(Override(r.superior_id, r.valid_from, r.valid_to))
                employee_position.setdefault(r.superior_id, None)
            overrides_read.update(wanted)
        return OrgSnapshot(employee_position=employee_position, position_parent=position_parent,
                           position_holders=holders, overrides=overrides)

    org = extend(employee_id)
    superior = resolve_superior(employee_id, on, org)
    if superior is None:
        if strict and not is_top_of_tree(employee_id, org):
            raise NoSuperior(employee_id)
        return None, None
    escalation = resolve_superior(superior, on, extend(superior))
    return superior, escalation


def position_chain(position_ids: set[int]) -> dict[int, Optional[int]]:
    """position -> parent position of the given positions and all their ancestors, in one
    recursive query (UNION, not UNION ALL: a corrupted tree with a cycle still ends)."""
    return {r.id: r.parent_id for r in db.session.execute(_chain_statement(),
                                                          {"positions": sorted(position_ids)})}


# The statements of superior_on and position_chain are built once per process with bound
# parameters: building the recursive chain query cost five times its execution (0.8 ms of CPU),
# and every submission asks these (issue 11 item 6).
@cache
def _position_of_statement():
    from app.models import Employee

    return select(Employee.id, Employee.position_id).where(Employee.id == bindparam("employee"),
                                                            Employee.active.is_(True))


@cache
def _holders_statement():
    from app.models import Employee

    return select(Employee.id, Employee.position_id).where(
        Employee.position_id.in_(bindparam("positions", expanding=True)), Employee.active.is_(True))


@cache
def _overrides_statement():
    from app.models import Employee, SuperiorOverride

    return (select(SuperiorOverride.employee_id, SuperiorOverride.superior_id, SuperiorOverride.valid_from,
                   SuperiorOverride.valid_to)
            .join(Employee, Employee.id == SuperiorOverride.superior_id)
            .where(SuperiorOverride.employee_id.in_(bindparam("employees", expanding=True)), Employee.active.is_(True)))


@cache
def _chain_statement():
    from app.models import Position

    start = (select(Position.id, Position.parent_id).where(Position.id.in_(bindparam("positions", expanding=True)))
             .cte("chain", recursive=True))
    parent = aliased(Position)
    chain = start.union(select(parent.id, parent.parent_id).join(start, parent.id == start.c.parent_id))
    return select(chain.c.id, chain.c.parent_id)


class NoSuperior(Exception):
    """The superior of an employee below the top of the tree could not be resolved."""


# --------------------------------------------------------------------------- entry rules
def _other_activities(employee_id: int, on: date, exclude_id: Optional[int]):
    return db.session.execute(_other_activities_statement(exclude_id is not None),
                              {"employee": employee_id, "on": on, "exclude": exclude_id}).all()


@cache
def _other_activities_statement(excluding: bool):
    """Built once per process (the entry rules of every entry and submission)."""
    from app.models import Activity

    q = select(Activity.id, Activity.claimed_minutes, Activity.start_time, Activity.end_time).where(
        Activity.employee_id == bindparam("employee"), Activity.date == bindparam("on"),
        Activity.status != wf.REJECTED)
    return q.where(Activity.id != bindparam("exclude")) if excluding else q


def exception_granted(employee, on: date, today: date) -> bool:
    from app.models import SubmitException

    from app.models import Unit

    # The employee's unit and every unit above it (an exception for a bidang covers its seksi);
    # the employee's own unit is usually loaded already.
    units, unit_id, seen = set(), employee.unit_id, set()
    while unit_id is not None and unit_id not in seen:
        seen.add(unit_id)
        units.add(unit_id)
        if employee.unit is not None and unit_id == employee.unit.id:
            unit_id = employee.unit.parent_id
        else:
            unit_id = db.session.scalar(select(Unit.parent_id).where(Unit.id == unit_id))
    q = select(SubmitException.id).where(
        SubmitException.date_from <= on, SubmitException.date_to >= on, SubmitException.open_until >= today,
        or_(SubmitException.employee_id == employee.id, SubmitException.unit_id.in_(units)))
    return db.session.execute(q.limit(1)).first() is not None


def catalog_allowed(catalog, employee) -> bool:
    kinds = {k.code for k in catalog.allowed_kinds}
    positions = {p.id for p in catalog.allowed_positions}
    if not kinds and not positions:
        return True
    pos = employee.position
    return pos is not None and (pos.kind_code in kinds or pos.id in positions)


def _valid_link(link: str) -> bool:
    parsed = urlparse(link)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def check_entry(values: Mapping[str, Any], current_id: Optional[int], actor: Actor,
                for_submit: bool = False) -> tuple[Errors, int]:
    """All rules of one activity (create, edit or submit). Returns (errors, claimed minutes)."""
    errors: Errors = {}

    def add(f, m):
        errors.setdefault(f, []).append(m)

    errors.update(wf.activity_field_errors(dict(values)))
    employee = values.get("employee")
    if employee is None:
        add("employee", "Wajib diisi.")
        return errors, 0
    if not may_enter_for(actor, employee):
        add("employee", "Anda hanya dapat mencatat aktivitas sendiri atau pegawai OPD Anda.")
        return errors, 0
    inactive = inactive_errors(actor, employee)
    if inactive:
        return inactive, 0
    day = values.get("date")
    if not isinstance(day, date):
        add("date", "Wajib diisi.")
        return errors, 0
    catalog = values.get("catalog")
    description = (values.get("description") or "").strip()
    volume = wf.to_volume(values.get("volume"))
    start, end = values.get("start_time"), values.get("end_time")
    if catalog is None and not description:
        add("description", "Isi uraian kegiatan atau pilih uraian tugas dari katalog.")
    if catalog is not None:
        if not catalog.active:
            add("catalog", "Uraian tugas ini sudah tidak aktif.")
        elif not catalog_allowed(catalog, employee):
            add("catalog", "Uraian tugas ini tidak berlaku untuk jabatan pegawai.")
    if catalog is None and (start is None or end is None):
        add("start_time", "Jam mulai dan jam selesai wajib diisi bila tidak memakai uraian tugas dari katalog.")
    if (start is None) != (end is None):
        add("end_time", "Isi jam mulai dan jam selesai bersama-sama.")
    link = (values.get("evidence_link") or "").strip()
    if link and not _valid_link(link):
        add("evidence_link", "Tautan bukti harus berupa alamat http:// atau https:// yang lengkap.")
    # The RHK of the approved SKP the work realises (None: non-SKP work; required by parameter).
    from app.services.realisation import rhk_entry_errors

    for m in rhk_entry_errors(employee, day, values.get("rhk"), bool(values.get("rhk_unknown"))):
        add("rhk", m)
    if errors:
        return errors, 0

    norm = catalog.norm_minutes if catalog is not None else None
    claimed = wf.claimed_minutes(norm, volume, start, end) if (norm is not None or start) else 0
    params = params_service.workflow_params(day.year)
    workdays = employee.unit.workdays_per_week if employee.unit else 5
    holidays = cal_service.holidays_around(day)
    today = today_local()
    deadline = cal.submit_deadline(day, params.submit_deadline_workdays, workdays, holidays)
    # submit() passes the return date it knows (None: not returned); edits read it here.
    returned = values.get("returned_on")
    if "returned_on" not in values and current_id is not None:
        from app.models import Activity

        row = db.session.execute(select(Activity.status, Activity.decided_at).where(Activity.id == current_id)).first()
        if row is not None and row.status == wf.RETURNED and row.decided_at is not None:
            returned = (row.decided_at + timedelta(hours=7)).date()
    if returned is not None:
        # A returned activity gets the same number of working days again, counted from the
        # return: the employee must be able to fix what the superior asked for.
        deadline = max(deadline, cal.submit_deadline(returned, params.submit_deadline_workdays, workdays,
                                                     cal_service.holidays_around(returned)))
    others = _other_activities(employee.id, day, current_id)
    state = cal_service.period_state(day)
    found = wf.check_activity_entry(
        activity_date=day, today=today, deadline=deadline, claimed=claimed, params=params,
        # An exception matters only after the deadline: read only then.
        start=start, end=end, exception_granted=today > deadline and exception_granted(employee, day, today),
        period_open=state == "OPEN", minutes_claimed_other=sum(o.claimed_minutes for o in others),
        other_ranges=[(o.start_time, o.end_time) for o in others if o.start_time and o.end_time],
    )
    if state is None:
        found.setdefault("date", []).insert(0, "Periode bulan ini belum dibuka oleh BKD.")
        found["date"] = [m for m in found["date"] if "sudah ditutup" not in m]
    for f, msgs in found.items():
        for m in msgs:
            add(f, m)
    return errors, claimed


def apply_entry(item, actor: Actor, claimed: int) -> None:
    """Computed fields of a new or edited activity (after check_entry passed)."""
    if item.catalog is not None and not (item.description or "").strip():
        item.description = item.catalog.description
    item.claimed_minutes = claimed
    if item.status is None:
        item.status = wf.DRAFT
    if item.id is None:
        item.entered_by_id = actor.user_id
        item._audit_action = "CREATE"
    else:
        item._audit_action = wf.EDIT


def check_editable(item, actor: Actor, deleting: bool = False) -> None:
    """Edits and deletes: only the owner or the operator, only while DRAFT or RETURNED, only
    while the period is open; edits not for (or by) a deactivated employee."""
    if not may_enter_for(actor, item.employee):
        raise Forbidden("Anda tidak berwenang mengubah aktivitas ini.")
    if not deleting:
        inactive = inactive_errors(actor, item.employee)
        if inactive:
            raise ValidationFailed(inactive)
    if not wf.is_editable(item.status):
        raise ValidationFailed({"status": [wf.MSG_EDIT_LOCKED]})
    if cal_service.period_state(item.date) != "OPEN":
        raise ValidationFailed({"date": ["Periode bulan aktivitas ini sudah ditutup."]})


# --------------------------------------------------------------------------- evidence
def check_evidence(file_storage, max_bytes: int = EVIDENCE_MAX_BYTES_DEFAULT) -> tuple[bytes, str]:
    """Validate an uploaded evidence file (type, size, content); returns (data, extension)."""
    original = file_storage.filename or ""
    ext = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    if ext not in EVIDENCE_TYPES:
        raise ValidationFailed({"evidence": [
            "Jenis berkas bukti tidak diizinkan. Gunakan PDF, JPG, PNG, DOCX atau XLSX."]})
    file_storage.stream.seek(0)
    data = file_storage.stream.read(max_bytes + 1)
    file_storage.stream.seek(0)
    if len(data) > max_bytes:
        raise ValidationFailed({"evidence": [
            f"Ukuran berkas bukti melebihi batas {max_bytes / (1024 * 1024):g} MB."]})
    if not data:
        raise ValidationFailed({"evidence": ["Berkas bukti kosong."]})
    if not any(data.startswith(sig) for sig in EVIDENCE_TYPES[ext]):
        raise ValidationFailed({"evidence": ["Isi berkas bukti tidak sesuai dengan jenisnya."]})
    return data, ext


def store_evidence(file_storage, upload_folder: str, max_bytes: int = EVIDENCE_MAX_BYTES_DEFAULT) -> tuple[str, str]:
    """Validate and save an uploaded evidence file; returns (stored name, original name)."""
    from werkzeug.utils import secure_filename

    data, ext = check_evidence(file_storage, max_bytes)
    os.makedirs(upload_folder, exist_ok=True)
    stored = f"{uuid.uuid4().hex}.{ext}"
    with open(os.path.join(upload_folder, stored), "wb") as fh:
        fh.write(data)
    return stored, secure_filename(file_storage.filename or "")[:255] or f"bukti.{ext}"


# --------------------------------------------------------------------------- loading in scope
def load_in_scope(activity_id: int, lock: bool = False):
    """The activity if the current user may see it, else NotFound (logged by the caller)."""
    from app.models import Activity
    from app.security import scope_clause

    q = select(Activity).where(Activity.id == activity_id)
    clause = scope_clause(Activity)
    if clause is not None:
        q = q.where(clause)
    if lock:  # decisions: a concurrent decider waits, then sees the decided row
        q = q.with_for_update(of=Activity)
    item = db.session.scalar(q)
    if item is None:
        raise NotFound("Aktivitas tidak ditemukan atau di luar cakupan Anda.")
    return item


# --------------------------------------------------------------------------- transitions
def _require_open(item) -> None:
    if cal_service.period_state(item.date) != "OPEN":
        raise ValidationFailed({"date": ["Periode bulan aktivitas ini sudah ditutup; data dibekukan."]})


def submit(item, actor: Actor) -> None:
    """DRAFT/RETURNED -> SUBMITTED, with the superior snapshot and the review deadline."""
    if not may_enter_for(actor, item.employee):
        raise Forbidden("Anda tidak berwenang mengajukan aktivitas ini.")
    try:
        new_status = wf.next_status(item.status, wf.SUBMIT)
    except wf.WorkflowError as err:
        raise ValidationFailed({"status": [str(err)]}) from None
    values = {c: getattr(item, c) for c in ("employee", "date", "catalog", "description", "volume",
                                            "start_time", "end_time", "evidence_link", "rhk")}
    values["returned_on"] = returned_on(item)
    errors, claimed = check_entry(values, item.id, actor, for_submit=True)
    if errors:
        raise ValidationFailed(errors)
    try:
        superior, escalation = superior_on(item.employee_id, item.date, strict=True, employee=item.employee)
    except NoSuperior:
        raise ValidationFailed({"superior": [MSG_NO_SUPERIOR]}) from None
    today = today_local()
    review_due = review_deadline_for(superior, item.employee, today)
    # Every query is done: now change the row (one flush, one audit row).
    item.status = new_status
    item.claimed_minutes = claimed
    item.submitted_at = utcnow()
    item.superior_id = superior
    item.escalation_id = escalation
    item.review_due = review_due
    item.decided_by_id = item.decided_at = None
    item._audit_action = wf.SUBMIT


def returned_on(item) -> Optional[date]:
    """The WIB date a RETURNED activity was returned (None otherwise)."""
    from datetime import timedelta

    if item.status != wf.RETURNED or item.decided_at is None:
        return None
    return (item.decided_at + timedelta(hours=7)).date()


def review_deadline_for(superior_id: Optional[int], employee, start: date) -> date:
    """Last working day for the decision, in the working week of whoever decides (the
    superior's unit; the employee's when BKD decides at the top of the tree)."""
    workdays = None
    if superior_id is not None:
        workdays = db.session.scalar(_workdays_of_statement(), {"employee": superior_id})
    if workdays is None:
        workdays = employee.unit.workdays_per_week if employee.unit else 5
    params = params_service.workflow_params(start.year)
    return cal.review_deadline(start, params.review_deadline_workdays, workdays, cal_service.holidays_around(start))


@cache
def _workdays_of_statement():
    """Built once per process (every submission's review deadline)."""
    from app.models import Employee, Unit

    return (select(Unit.workdays_per_week).join(Employee, Employee.unit_id == Unit.id)
            .where(Employee.id == bindparam("employee")))


def may_decide(item, actor: Actor, today: Optional[date] = None) -> bool:
    today = today or today_local()
    if actor.employee_id is not None and item.employee_id == actor.employee_id:
        return False  # nobody decides their own activity
    if actor.employee_id is not None and item.superior_id == actor.employee_id:
        return True
    if (actor.employee_id is not None and item.escalation_id == actor.employee_id
            and item.review_due is not None and today > item.review_due):
        return True
    return item.superior_id is None and actor.is_bkd  # top of the tree: BKD approves


def decide(item, action: str, actor: Actor, note: Optional[str] = None, version: Optional[int] = None) -> None:
    """APPROVE, RETURN (note) or REJECT (reason) one submitted activity."""
    if action not in (wf.APPROVE, wf.RETURN, wf.REJECT):
        raise ValidationFailed({"action": ["Tindakan tidak dikenal."]})
    if version is not None and item.version != version:
        raise Conflict("Aktivitas ini telah diubah oleh pengguna lain. Muat ulang lalu coba lagi.")
    if item.status != wf.SUBMITTED and item.status in (wf.APPROVED, wf.REJECTED, wf.RETURNED):
        raise Conflict(f"Aktivitas ini sudah diputuskan ({wf.status_label(item.status)}).")
    if item.status != wf.SUBMITTED:  # a DRAFT has no superior snapshot yet: not "not your item"
        raise ValidationFailed({"status": [
            f"Aktivitas berstatus {wf.status_label(item.status)} belum diajukan sehingga belum dapat diputuskan."]})
    note_problems = wf.note_errors(note)
    if note_problems:
        raise ValidationFailed({"note": note_problems})
    if not may_decide(item, actor):
        if actor.employee_id is not None and item.employee_id == actor.employee_id:
            raise Forbidden("Anda tidak dapat memutuskan aktivitas Anda sendiri.")
        raise Forbidden("Hanya atasan langsung pegawai (atau atasannya setelah batas waktu) yang dapat memutuskan.")
    _require_open(item)
    try:
        new_status = wf.next_status(item.status, action, note)
    except wf.WorkflowError as err:
        raise ValidationFailed({"note": [str(err)]}) from None
    # Every query is done before the row changes (one flush, one audit row for the decision).
    decided_at = utcnow()
    cap = params_service.workflow_params(item.date.year).max_minutes_per_day
    recognised = _recognised_for(item, new_status, item.claimed_minutes, decided_at, cap)
    item.status = new_status
    item.decided_by_id = actor.user_id
    item.decided_at = decided_at
    item.decision_note = (note or "").strip() or None
    item.recognised_minutes = recognised
    item._audit_action = action
    _flush_then_recap(item, cap)


def correct(item, actor: Actor, note: str, target: Optional[str] = None, claimed: Optional[int] = None) -> None:
    """BKD correction of an APPROVED or REJECTED activity (audited, note required)."""
    if not actor.is_bkd:
        raise Forbidden("Koreksi aktivitas yang sudah diputuskan hanya dapat dilakukan oleh BKD.")
    problems = {k: v for k, v in (("note", wf.note_errors(note)), ("claimed_minutes", wf.minutes_errors(claimed)))
                if v}
    if problems:
        raise ValidationFailed(problems)
    _require_open(item)
    try:
        new_status = wf.next_status(item.status, wf.CORRECT, note, target)
    except wf.WorkflowError as err:
        raise ValidationFailed({"note": [str(err)]}) from None
    new_claimed = item.claimed_minutes if claimed is None else claimed
    # Every query is done before the row changes (one flush, one audit row for the correction).
    decided_at = utcnow()
    cap = params_service.workflow_params(item.date.year).max_minutes_per_day
    recognised = _recognised_for(item, new_status, new_claimed, decided_at, cap)
    if new_status == wf.SUBMITTED:  # back in the superior's queue: a fresh review deadline
        item.review_due = review_deadline_for(item.superior_id, item.employee, today_local())
    item.claimed_minutes = new_claimed
    item.status = new_status
    item.decision_note = f"Koreksi BKD: {note.strip()}"
    item.decided_by_id = actor.user_id
    item.decided_at = decided_at
    item.recognised_minutes = recognised
    item._audit_action = wf.CORRECT
    _flush_then_recap(item, cap)


# --------------------------------------------------------------------------- recognised minutes
# Recognised minutes are decided at approval: the APPROVED activities of one employee-day, in
# the order they were approved (decided_at, then id; rows without decided_at first), each get
# min(claimed, cap - recognised so far), never below 0; any other status has NULL. The monthly
# recap then only sums recognised_minutes (design section 4: "capped per day").
MSG_RECAP_DETAIL = "Menit diakui dihitung ulang (batas menit per hari)."


def _recognition_key(decided_at, activity_id):
    return (decided_at is not None, decided_at or datetime.min, activity_id or 0)


def _capped(rows, cap: int) -> dict[Any, int]:
    """{key: recognised} for (key, claimed, decided_at, id) tuples of one day's approved rows."""
    out, used = {}, 0
    for key, claimed, _, _ in sorted(rows, key=lambda r: _recognition_key(r[2], r[3])):
        value = max(0, min(int(claimed or 0), cap - used))
        out[key] = value
        used += value
    return out


def _recognised_for(item, new_status: str, claimed: int, decided_at: datetime, cap: int) -> Optional[int]:
    """The recognised minutes `item` gets once it has `new_status`, `claimed` and `decided_at`
    (computed BEFORE the row changes, so the decision is written in one flush)."""
    if new_status != wf.APPROVED:
        return None
    others = db.session.execute(_approved_others_statement(),
                                {"employee": item.employee_id, "on": item.date, "item": item.id}).all()
    rows = [(o.id, o.claimed_minutes, o.decided_at, o.id) for o in others]
    rows.append(("item", claimed, decided_at, item.id))
    return _capped(rows, cap)["item"]


def _flush_then_recap(item, cap: int) -> None:
    """Write the decided row (its version check happens here) and re-cap its day's other rows."""
    from sqlalchemy.orm.exc import StaleDataError

    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict("Aktivitas ini baru saja diputuskan atau diubah oleh pengguna lain.") from None
    recap_day(item.employee_id, item.date, cap)


def _recap_items(items, cap: int) -> int:
    """Set recognised_minutes on the loaded rows of ONE employee-day; only rows whose value
    changes are touched (each write bumps the version). Returns the number changed."""
    approved = [(i, i.claimed_minutes, i.decided_at, i.id) for i in items if i.status == wf.APPROVED]
    wanted = _capped(approved, cap)
    changed = 0
    for i in items:
        value = wanted.get(i)  # None for any status but APPROVED
        if i.recognised_minutes != value:
            i.recognised_minutes = value
            i._audit_detail = MSG_RECAP_DETAIL
            changed += 1
    return changed


def recap_day(employee_id: int, on: date, cap: Optional[int] = None) -> int:
    """Re-cap the recognised minutes of one employee-day (see above); the caller commits."""
    if cap is None:
        cap = params_service.workflow_params(on.year).max_minutes_per_day
    items = db.session.scalars(_recap_day_statement(), {"employee": employee_id, "on": on}).all()
    return _recap_items(items, cap)


# Built once per process: every decision asks these (issue 11 item 6).
@cache
def _approved_others_statement():
    from app.models import Activity

    return select(Activity.id, Activity.claimed_minutes, Activity.decided_at).where(
        Activity.employee_id == bindparam("employee"), Activity.date == bindparam("on"),
        Activity.status == wf.APPROVED, Activity.id != bindparam("item"))


@cache
def _recap_day_statement():
    from app.models import Activity

    return select(Activity).where(Activity.employee_id == bindparam("employee"), Activity.date == bindparam("on"),
                                  or_(Activity.status == wf.APPROVED, Activity.recognised_minutes.is_not(None)))


def recap_recognised(year: int) -> int:
    """Re-cap every employee-day of the year's OPEN periods whose recognised minutes do not add
    up to min(approved claimed minutes, cap) (or where a non-approved row keeps a value): one
    grouped query finds those days, then their rows are loaded per employee in chunks and fixed.
    Called when max_minutes_per_day changes; the caller commits. Returns the rows changed."""
    from sqlalchemy import case, func

    from app.models import Activity, Period

    cap = params_service.workflow_params(year).max_minutes_per_day
    months = db.session.scalars(select(Period.month).where(Period.year == year, Period.state == "OPEN")).all()
    if not months:
        return 0
    approved = Activity.status == wf.APPROVED
    rec = func.coalesce(func.sum(case((approved, Activity.recognised_minutes), else_=None)), 0)
    claimed = func.coalesce(func.sum(case((approved, Activity.claimed_minutes), else_=None)), 0)
    stray = func.sum(case((and_(~approved, Activity.recognised_minutes.is_not(None)), 1), else_=0))
    missing = func.sum(case((and_(approved, Activity.recognised_minutes.is_(None)), 1), else_=0))
    ranges = []
    for m in months:
        first = date(year, m, 1)
        last = date(year + 1, 1, 1) if m == 12 else date(year, m + 1, 1)
        ranges.append(and_(Activity.date >= first, Activity.date < last))
    days = db.session.execute(
        select(Activity.employee_id, Activity.date).where(or_(*ranges))
        .group_by(Activity.employee_id, Activity.date)
        .having(or_(rec != case((claimed > cap, cap), else_=claimed), stray > 0, missing > 0))).all()
    by_employee: dict[int, set[date]] = {}
    for eid, day in days:
        by_employee.setdefault(eid, set()).add(day)
    changed = 0
    ids = sorted(by_employee)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        lo = min(d for e in chunk for d in by_employee[e])
        hi = max(d for e in chunk for d in by_employee[e])
        groups: dict[tuple[int, date], list] = {}
        for item in db.session.scalars(select(Activity).where(
                Activity.employee_id.in_(chunk), Activity.date.between(lo, hi),
                or_(approved, Activity.recognised_minutes.is_not(None)))):
            if item.date in by_employee[item.employee_id]:
                groups.setdefault((item.employee_id, item.date), []).append(item)
        for items in groups.values():
            changed += _recap_items(items, cap)
    return changed


def commit_or_conflict(answer: Optional[Callable[[], Any]] = None) -> Any:
    """Commit; a concurrent change of the same row (version check) is a Conflict.

    `answer` builds the response from the flushed rows before the commit, so the committed
    (expired) rows are not read again for it; it is returned once the commit succeeded."""
    from sqlalchemy.orm.exc import StaleDataError

    try:
        result = None
        if answer is not None:
            db.session.flush()
            result = answer()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("Aktivitas ini baru saja diputuskan atau diubah oleh pengguna lain.") from None
    return result


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def bulk(ids: Iterable[int], operation, actor: Actor) -> BulkResult:
    """Apply `operation(item)` to each id in scope, one savepoint each; out-of-scope and
    refused ids are reported (and refusals logged) while the others go through."""
    from sqlalchemy.orm.exc import StaleDataError

    from app.security import log_refusal

    result = BulkResult()
    # Ascending id order: two concurrent bulks lock their common rows in the same order, so
    # one waits for the other (and then reports the row as already decided) instead of both
    # deadlocking on PostgreSQL.
    for activity_id in sorted(set(ids)):
        try:
            item = load_in_scope(activity_id)
        except NotFound as err:
            log_refusal(404, "Activity", activity_id, "aksi massal di luar cakupan")
            result.refused[activity_id] = err.message
            continue
        try:
            with db.session.begin_nested():
                operation(item)
                db.session.flush()
            result.done.append(activity_id)
        except Forbidden as err:
            log_refusal(403, "Activity", activity_id, err.message)
            result.refused[activity_id] = err.message
        except (ValidationFailed, Conflict) as err:
            result.refused[activity_id] = err.message
        except StaleDataError:
            result.refused[activity_id] = "Aktivitas ini baru saja diubah oleh pengguna lain."
    commit_or_conflict()
    return result


def delete(item, actor: Actor) -> None:
    check_editable(item, actor, deleting=True)
    db.session.delete(item)


# --------------------------------------------------------------------------- queue
def overdue_by_superior_query(today: date, scope=None):
    """Submitted activities past their review deadline, per superior: (superior_id, nip, name,
    count, earliest review_due, earliest activity date), largest first; `scope` is the caller's
    `app.security.scope_clause(Activity)` (None: city-wide). The overdue report and the home page."""
    from sqlalchemy import func

    from app.models import Activity, Employee

    sup = Employee.__table__.alias("sup")
    q = (
        select(Activity.superior_id, sup.c.nip, sup.c.name, func.count(Activity.id), func.min(Activity.review_due),
               func.min(Activity.date))
        .select_from(Activity)
        .outerjoin(sup, sup.c.id == Activity.superior_id)
        .where(Activity.status == wf.SUBMITTED, Activity.review_due < today)
        .group_by(Activity.superior_id, sup.c.nip, sup.c.name)
        .order_by(func.count(Activity.id).desc())
    )
    return q.where(scope) if scope is not None else q


def queue_clause(actor: Actor, today: Optional[date] = None):
    """Submitted activities this actor may decide now."""
    from app.models import Activity

    today = today or today_local()
    parts = []
    if actor.employee_id is not None:
        parts.append(Activity.superior_id == actor.employee_id)
        parts.append(and_(Activity.escalation_id == actor.employee_id, Activity.review_due < today))
    if actor.is_bkd:
        parts.append(Activity.superior_id.is_(None))
    if not parts:
        from sqlalchemy import false

        return false()
    mine = Activity.employee_id != actor.employee_id if actor.employee_id is not None else True
    return and_(Activity.status == wf.SUBMITTED, or_(*parts), mine)
