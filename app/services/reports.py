"""Excel reports: who may download what, the scoped column selects, and the file (design section 5).

One entry point, `generate()`, is used by the page (`/reports/download`) and the API
(`GET /api/v1/report/<kind>`), so both follow the same rules:

    kind          whole city / any OPD               own OPD     one employee
    recap         Admin, BKD, Auditor, Keuangan      Operator    oneself; Operator (own OPD); Atasan
                                                                  (subordinates); city roles, Keuangan
    payroll       Admin, BKD, Auditor, Keuangan      Operator    —
    activity      —                                  —           oneself; Operator (own OPD); Atasan
                                                                  (subordinates); Admin, BKD, Auditor
    distribution  Admin, BKD, Auditor                Operator    —

On top of these rules every select also carries `app.security.scope_clause()` of its model, so
a file can never hold a row the same user would not see in the panel. Refusals are logged
(`log_refusal`) and raised as Forbidden (403: the role may not have this report or this OPD /
the whole city) or NotFound (404: unknown kind, period, OPD or an employee out of scope).

The whole-city recap and payroll are streamed: a column `select()` executed with
`yield_per=2000` (server-side cursor on PostgreSQL) feeds xlsxwriter in constant-memory mode
writing to a temporary file, which the response deletes once sent. Per-OPD and per-employee
files are built in memory.
"""
from __future__ import annotations

import io
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.params import to_id, to_year_month
from app.reports import activity_report, distribution, score_recap, tpp_payroll
from app.reports.common import ALL_OPD, PROVISIONAL_FILE_TAG, XLSX_MIMETYPE, ReportMeta, Signatory, period_label
from app.services import Forbidden, NotFound

RECAP = "recap"
PAYROLL = "payroll"
ACTIVITY = "activity"
DISTRIBUTION = "distribution"
KINDS = {
    RECAP: "Rekap capaian kinerja bulanan",
    PAYROLL: "Daftar pembayaran TPP",
    ACTIVITY: "Laporan aktivitas harian pegawai",
    DISTRIBUTION: "Distribusi predikat per OPD",
}
FILE_STEMS = {RECAP: "rekap-kinerja", PAYROLL: "daftar-tpp", ACTIVITY: "aktivitas-harian",
              DISTRIBUTION: "distribusi-predikat"}
YIELD_PER = 2000

ROLE_ADMIN, ROLE_BKD, ROLE_AUDITOR = "Admin", "BKD", "Auditor"
ROLE_KEUANGAN, ROLE_OPERATOR, ROLE_ATASAN, ROLE_PEGAWAI = "Keuangan", "Operator OPD", "Atasan", "Pegawai"
CITY_ROLES = {ROLE_ADMIN, ROLE_BKD, ROLE_AUDITOR}
# Roles that may download a kind for the whole city or any OPD.
CITY_WIDE = {
    RECAP: CITY_ROLES | {ROLE_KEUANGAN},
    PAYROLL: CITY_ROLES | {ROLE_KEUANGAN},
    ACTIVITY: set(),
    DISTRIBUTION: set(CITY_ROLES),
}
# Kinds an operator may download for the own OPD; kinds about one employee.
OPD_KINDS = {RECAP, PAYROLL, DISTRIBUTION}
EMPLOYEE_KINDS = {RECAP, ACTIVITY}

MSG_KIND = "Jenis laporan tidak dikenal."
MSG_PERIOD = "Periode tidak ditemukan."
MSG_OPD = "OPD tidak ditemukan."
MSG_EMPLOYEE = "Pegawai tidak ditemukan atau di luar cakupan Anda."
MSG_FORBIDDEN = "Anda tidak berwenang mengunduh laporan ini."
MSG_FORBIDDEN_OPD = "Anda hanya dapat mengunduh laporan OPD Anda sendiri."
MSG_NEED_EMPLOYEE = "Pilih pegawai untuk laporan aktivitas harian."


@dataclass
class ReportRequest:
    kind: str
    period: Any  # Period
    opd: Any = None  # Unit (an OPD root) or None = whole city (or the employee's OPD)
    employee: Any = None  # Employee for employee reports

    @property
    def city(self) -> bool:
        return self.opd is None and self.employee is None


@dataclass
class ReportFile:
    filename: str
    rows: int
    path: Optional[str] = None  # a temporary file (streamed reports); deleted after sending
    data: Optional[io.BytesIO] = None
    keep: bool = False  # a file of app.services.report_cache: stays after sending

    def discard(self) -> None:
        if self.path and not self.keep and os.path.exists(self.path):
            os.remove(self.path)


# --------------------------------------------------------------------------- who is asking
def _actor():
    from app.services.activities import current_actor

    return current_actor()


def _refuse(exc_cls, status: int, message: str, entity: str = "Report", entity_id: Any = None, detail: str = ""):
    from app.security import log_refusal

    log_refusal(status, entity, entity_id, detail or message)
    raise exc_cls(message)


def allowed_kinds(roles: set[str], has_employee: bool) -> list[str]:
    """Kinds the user may ask for at all (the index page offers only these)."""
    kinds = []
    for kind in KINDS:
        if roles & CITY_WIDE[kind] or (ROLE_OPERATOR in roles and kind in OPD_KINDS):
            kinds.append(kind)
        elif kind in EMPLOYEE_KINDS and has_employee and (
                kind == RECAP or roles & (CITY_ROLES | {ROLE_OPERATOR, ROLE_ATASAN, ROLE_PEGAWAI})):
            kinds.append(kind)
    return kinds


def may_see_employee(kind: str, actor, employee) -> bool:
    """May `actor` download the `kind` report (recap or activity) of one employee?"""
    roles = actor.roles
    if kind == RECAP and roles & CITY_WIDE[RECAP]:
        return True
    if kind == ACTIVITY and roles & CITY_ROLES:
        return True
    if actor.employee_id is not None and employee.id == actor.employee_id:
        return True
    if ROLE_OPERATOR in roles and actor.opd_id is not None and employee.unit is not None \
            and employee.unit.opd_id == actor.opd_id:
        return True
    return ROLE_ATASAN in roles and actor.employee_id is not None and employee.superior_id == actor.employee_id


# --------------------------------------------------------------------------- request parsing
def find_period(raw: Optional[str]):
    from app.services.periods import get_period

    year_month = to_year_month(raw)
    period = get_period(*year_month) if year_month else None
    if period is None:
        raise NotFound(MSG_PERIOD)
    return period


def _int_arg(raw) -> Optional[int]:
    if raw is None:
        return None
    raw = str(raw).strip()
    if raw in ("", "all", "semua", "0"):
        return None
    value = to_id(raw)
    return -1 if value is None else value  # -1 is never an id: answered 404


def authorize(kind: str, period_arg: Optional[str], opd_arg=None, employee_arg=None, nip_arg=None,
              actor=None) -> ReportRequest:
    """Check a download request against the rules of the module docstring; logs refusals."""
    from app.models import Employee, Unit

    actor = actor or _actor()
    roles = actor.roles
    if kind not in KINDS:
        raise NotFound(MSG_KIND)
    period = find_period(period_arg)
    opd_id = _int_arg(opd_arg)
    employee_id = _int_arg(employee_arg)
    nip = (nip_arg or "").strip()

    # -- one employee
    if kind == ACTIVITY or (kind in EMPLOYEE_KINDS and (employee_id is not None or nip)):
        if kind == ACTIVITY and not (roles & (CITY_ROLES | {ROLE_OPERATOR, ROLE_ATASAN, ROLE_PEGAWAI})):
            _refuse(Forbidden, 403, MSG_FORBIDDEN, detail=f"{kind} tanpa izin")
        if employee_id is None and not nip:
            if kind == ACTIVITY and actor.employee_id is not None:
                employee_id = actor.employee_id
            else:
                raise NotFound(MSG_NEED_EMPLOYEE)
        q = select(Employee)
        q = q.where(Employee.id == employee_id) if employee_id is not None else q.where(Employee.nip == nip)
        employee = db.session.scalar(q)
        if employee is None or not may_see_employee(kind, actor, employee):
            _refuse(NotFound, 404, MSG_EMPLOYEE, "Employee", employee_id or nip, f"laporan {kind} pegawai")
        return ReportRequest(kind, period, None, employee)

    # -- an OPD or the whole city
    opd = None
    if opd_id is not None:
        opd = db.session.get(Unit, opd_id) if opd_id > 0 else None
        if opd is None or opd.parent_id is not None:
            raise NotFound(MSG_OPD)
    if roles & CITY_WIDE[kind]:
        return ReportRequest(kind, period, opd, None)
    if ROLE_OPERATOR in roles and kind in OPD_KINDS and actor.opd_id is not None:
        if opd is None or opd.id != actor.opd_id:
            _refuse(Forbidden, 403, MSG_FORBIDDEN_OPD, "Unit", opd_id,
                    f"laporan {kind} {'seluruh OPD' if opd is None else 'OPD lain'}")
        return ReportRequest(kind, period, opd, None)
    _refuse(Forbidden, 403, MSG_FORBIDDEN, "Unit", opd_id, f"laporan {kind} tanpa izin")


# --------------------------------------------------------------------------- selects
def _opd_unit():
    from app.models import Unit

    return aliased(Unit, name="opd_unit")


def recap_select(period_id: int, opd_id: Optional[int] = None, employee_id: Optional[int] = None,
                 scoped: bool = True):
    """Column select of the score recap, in score_recap.SELECT_FIELDS order, in scope."""
    from app.models import Recap
    from app.security import scope_clause

    opd = _opd_unit()
    q = (select(Recap.nip, Recap.name, opd.name, Recap.unit_name, Recap.position_name, Recap.kelas_jabatan,
                Recap.working_days, Recap.target_minutes, Recap.recognised_minutes, Recap.work_score,
                Recap.predikat)
         .join(opd, opd.id == Recap.opd_id)
         .where(Recap.period_id == period_id))
    if opd_id is not None:
        q = q.where(Recap.opd_id == opd_id)
    if employee_id is not None:
        q = q.where(Recap.employee_id == employee_id)
    if scoped:
        clause = scope_clause(Recap)
        if clause is not None:
            q = q.where(clause)
    return q.order_by(opd.code, Recap.unit_name, Recap.kelas_jabatan.desc().nulls_last(), Recap.name, Recap.nip)


def payroll_select(period_id: int, opd_id: Optional[int] = None, scoped: bool = True):
    """Column select of the TPP payroll (tpp_payroll.SELECT_FIELDS), sorted by OPD, kelas desc, name."""
    from app.models import Recap
    from app.security import scope_clause

    opd = _opd_unit()
    q = (select(Recap.nip, Recap.name, opd.name, Recap.position_name, Recap.kelas_jabatan, Recap.golongan,
                Recap.employee_kind, Recap.base_tpp, Recap.performance_part, Recap.discipline_part,
                Recap.deduction_pct, Recap.sanction_pct, Recap.gross, Recap.tax, Recap.health, Recap.net,
                Recap.bank_account)
         .join(opd, opd.id == Recap.opd_id)
         .where(Recap.period_id == period_id))
    if opd_id is not None:
        q = q.where(Recap.opd_id == opd_id)
    if scoped:
        clause = scope_clause(Recap)
        if clause is not None:
            q = q.where(clause)
    return q.order_by(opd.code, Recap.kelas_jabatan.desc().nulls_last(), Recap.name, Recap.nip)


def activity_select(employee_id: int, first, last):
    from app.models import Activity, ActivityCatalog, Employee
    from app.security import scope_clause

    sup = aliased(Employee, name="sup")
    q = (select(Activity.date, Activity.start_time, Activity.end_time, Activity.description, Activity.volume,
                ActivityCatalog.output_unit, Activity.claimed_minutes, Activity.recognised_minutes,
                Activity.status, sup.name, sup.front_title, sup.back_title, Activity.decision_note,
                Activity.decided_at)
         .outerjoin(ActivityCatalog, ActivityCatalog.id == Activity.catalog_id)
         .outerjoin(sup, sup.id == Activity.superior_id)
         .where(Activity.employee_id == employee_id, Activity.date.between(first, last)))
    clause = scope_clause(Activity)
    if clause is not None:
        q = q.where(clause)
    return q.order_by(Activity.date, Activity.start_time, Activity.id)


def cpns_factor(period) -> Decimal:
    """The CPNS factor the period's recap was computed with (every row of a period carries the
    same parameters: a recompute rewrites them all); the year's parameter before any recompute."""
    from app.models import Recap
    from app.services.parameters import values_for

    used = db.session.scalar(select(Recap.params).where(Recap.period_id == period.id).limit(1))
    value = json.loads(used).get("cpns_factor") if used else None
    return Decimal(str(value if value is not None else values_for(period.year)["cpns_factor"]))


def stream(stmt):
    """Rows of `stmt` fetched 2,000 at a time (server-side cursor on PostgreSQL)."""
    return db.session.execute(stmt.execution_options(yield_per=YIELD_PER, stream_results=True))


# --------------------------------------------------------------------------- signatures
def head_of(opd_id: Optional[int]) -> Signatory:
    """The holder of the top position of an OPD (no parent, or a parent outside the OPD;
    highest kelas first) — or of the whole city (a position without parent) when opd_id is None.
    Blank name and NIP when the position is vacant or unknown."""
    from app.models import Employee, Position, Unit
    from app.services.recap import full_name

    parent = aliased(Position, name="parent_pos")
    parent_unit = aliased(Unit, name="parent_unit")
    q = (select(Position.id, Position.name, Unit.name)
         .join(Unit, Unit.id == Position.unit_id)
         .outerjoin(parent, parent.id == Position.parent_id)
         .outerjoin(parent_unit, parent_unit.id == parent.unit_id)
         .where(Position.active.is_(True)))
    if opd_id is None:
        q = q.where(Position.parent_id.is_(None))
    else:
        q = q.where(Unit.opd_id == opd_id, or_(Position.parent_id.is_(None), parent_unit.opd_id != opd_id))
    top = db.session.execute(q.order_by(Position.kelas_jabatan.desc().nulls_last(), (Unit.id == (opd_id or -1)).desc(),
                                        Position.id).limit(1)).first()
    if top is None:
        opd_name = db.session.scalar(select(Unit.name).where(Unit.id == opd_id)) if opd_id else "Kota Malang"
        return Signatory(f"Kepala {opd_name}")
    title = top[1] if opd_id is not None else f"{top[1]} Kota Malang"
    holder = db.session.execute(
        select(Employee.nip, Employee.name, Employee.front_title, Employee.back_title)
        .where(Employee.position_id == top[0], Employee.active.is_(True)).order_by(Employee.id).limit(1)).first()
    if holder is None:
        acting = acting_head(top[0])
        if acting is None:
            return Signatory(title)
        return Signatory(f"Plt. {title}", full_name(acting[1], acting[2], acting[3]), acting[0])
    return Signatory(title, full_name(holder[1], holder[2], holder[3]), holder[0])


def acting_head(position_id: int, on=None):
    """(nip, name, front title, back title) of the Plt of a vacant position: the superior that
    the valid superior overrides (on `on`, default today) give to the holders of the positions
    directly below it — the one named by most of them — or None. One grouped statement."""
    from app.models import Employee, Position, SuperiorOverride
    from app.services.organisation import today_local

    on = on or today_local()
    sub, acting = aliased(Employee, name="sub"), aliased(Employee, name="acting")
    return db.session.execute(
        select(acting.nip, acting.name, acting.front_title, acting.back_title)
        .select_from(SuperiorOverride)
        .join(sub, sub.id == SuperiorOverride.employee_id)
        .join(Position, Position.id == sub.position_id)
        .join(acting, acting.id == SuperiorOverride.superior_id)
        .where(Position.parent_id == position_id, sub.active.is_(True), acting.active.is_(True),
               SuperiorOverride.valid_from <= on,
               or_(SuperiorOverride.valid_to.is_(None), SuperiorOverride.valid_to >= on))
        .group_by(acting.id, acting.nip, acting.name, acting.front_title, acting.back_title)
        .order_by(func.count().desc(), acting.id).limit(1)).first()


# --------------------------------------------------------------------------- building
def now_wib() -> datetime:
    from flask import current_app, has_app_context

    fixed = current_app.config.get("REPORT_PRINTED_AT") if has_app_context() else None
    return fixed or (datetime.now(timezone.utc) + timedelta(hours=7)).replace(tzinfo=None)


def _meta(title: str, opd_name: str, period, signatory: Signatory, printed_at=None, **extra) -> ReportMeta:
    from app.services.organisation import today_local

    printed_at = printed_at or now_wib()
    return ReportMeta(title=title, opd_name=opd_name, period_label=period_label(period.year, period.month),
                      printed_at=printed_at, signed_on=today_local(), signatory=signatory,
                      provisional=period.state != "CLOSED", **extra)


def _filename(stem: str, period, subject: str) -> str:
    """<kind>_<YYYY-MM>_<OPD or NIP>.xlsx; a period not closed yet is marked SEMENTARA."""
    tag = "" if period.state == "CLOSED" else f"_{PROVISIONAL_FILE_TAG}"
    return f"{stem}_{period.year}-{period.month:02d}_{subject}{tag}.xlsx"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:50] or "laporan"


def _tmpdir() -> str:
    from flask import current_app, has_app_context

    path = (current_app.config.get("REPORT_TMPDIR") if has_app_context() else None) or tempfile.gettempdir()
    os.makedirs(path, exist_ok=True)
    return path


def build_city_recap(period, path: str, tmpdir: Optional[str] = None, printed_at=None, scoped: bool = True) -> int:
    """The whole-city recap streamed into `path` (constant memory). Used by generate() and the benchmark."""
    meta = _meta(score_recap.TITLE, ALL_OPD, period, head_of(None), printed_at)
    return score_recap.build(path, stream(recap_select(period.id, scoped=scoped)), meta, city=True,
                             constant_memory=True, tmpdir=tmpdir or _tmpdir())


def generate(req: ReportRequest, printed_at=None) -> ReportFile:
    """Build the file of an authorised request (see authorize())."""
    from app.services.evaluation import distribution_report
    from app.services.recap import full_name, month_bounds

    period = req.period
    stem = FILE_STEMS[req.kind]

    if req.employee is not None:
        emp = req.employee
        opd_id = emp.unit.opd_id if emp.unit is not None else None
        opd_name = emp.unit.opd.name if emp.unit is not None and emp.unit.opd is not None else ""
        filename = _filename(stem, period, emp.nip)
        buf = io.BytesIO()
        if req.kind == RECAP:
            meta = _meta(score_recap.TITLE, opd_name, period, head_of(opd_id), printed_at)
            n = score_recap.build(buf, db.session.execute(recap_select(period.id, employee_id=emp.id)), meta)
        else:
            first, last = month_bounds(period.year, period.month)
            rows = [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
                     full_name(r[9], r[10], r[11]) if r[9] else None, r[12], r[13])
                    for r in db.session.execute(activity_select(emp.id, first, last))]
            lines = [f"Pegawai: {emp.full_name} (NIP {emp.nip})",
                     f"Jabatan: {emp.position.name if emp.position is not None else '-'}",
                     f"Unit Kerja: {emp.unit.name if emp.unit is not None else '-'}"]
            employee_sig = Signatory("Pegawai yang bersangkutan,", emp.full_name, emp.nip)
            meta = _meta(activity_report.TITLE, opd_name, period, head_of(opd_id), printed_at,
                         subtitle_lines=lines, left_signatory=employee_sig)
            n = activity_report.build(buf, rows, meta)
        buf.seek(0)
        return ReportFile(filename, n, data=buf)

    opd_name = req.opd.name if req.opd is not None else ALL_OPD
    opd_id = req.opd.id if req.opd is not None else None
    filename = _filename(stem, period, _slug(opd_name))

    if req.kind == DISTRIBUTION:
        rows = distribution_report(period, [opd_id] if opd_id is not None else None)
        meta = _meta(distribution.TITLE, opd_name, period, head_of(opd_id), printed_at)
        if req.city:
            return _to_temp(filename, lambda path, tmp: distribution.build(path, rows, meta, constant_memory=True,
                                                                           tmpdir=tmp))
        buf = io.BytesIO()
        n = distribution.build(buf, rows, meta)
        buf.seek(0)
        return ReportFile(filename, n, data=buf)

    module, select_fn = (score_recap, recap_select) if req.kind == RECAP else (tpp_payroll, payroll_select)
    meta = _meta(module.TITLE, opd_name, period, head_of(opd_id), printed_at)
    extra = {"cpns_factor": cpns_factor(period)} if req.kind == PAYROLL else {}
    if req.city:
        return _to_temp(filename, lambda path, tmp: module.build(
            path, stream(select_fn(period.id)), meta, city=True, constant_memory=True, tmpdir=tmp, **extra))
    buf = io.BytesIO()
    n = module.build(buf, db.session.execute(select_fn(period.id, opd_id)), meta, **extra)
    buf.seek(0)
    return ReportFile(filename, n, data=buf)


def _to_temp(filename: str, build) -> ReportFile:
    tmp = _tmpdir()
    fd, path = tempfile.mkstemp(prefix="ekinerja-", suffix=".xlsx", dir=tmp)
    os.close(fd)
    try:
        n = build(path, tmp)
    except BaseException:
        os.remove(path)
        raise
    return ReportFile(filename, n, path=path)


# --------------------------------------------------------------------------- the response
def send(report: ReportFile):
    """A Flask response with the file. A temporary file is opened and unlinked at once: the
    open handle serves the bytes and the disk space is freed when the response closes it (or
    when the handle is collected), whatever happens to the request."""
    from flask import send_file

    if report.path:
        handle = open(report.path, "rb")
        size = os.fstat(handle.fileno()).st_size
        report.discard()
        response = send_file(handle, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=report.filename,
                             max_age=0)
        response.headers["Content-Length"] = str(size)
    else:
        response = send_file(report.data, mimetype=XLSX_MIMETYPE, as_attachment=True,
                             download_name=report.filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Report-Rows"] = str(report.rows)
    return response


def download(kind: str, period_arg, opd_arg=None, employee_arg=None, nip_arg=None):
    """authorize() + generate() + send(): the whole use case for the page and the API. The
    authorisation (and its refusal log) runs on the primary; the file is read from the
    replica when one is configured and usable (app.services.replica)."""
    from app.services import replica

    from app.services import report_cache

    req = authorize(kind, period_arg, opd_arg, employee_arg, nip_arg)
    # the file (or its cache key) from the replica when usable; kept files while valid
    return send(replica.run(report_cache.fetch, req, generate))


# --------------------------------------------------------------------------- the index page
def opd_choices(kind: Optional[str] = None) -> list[tuple[str, str]]:
    """(value, label) of the OPD the user may pick; "" is the whole city when allowed."""
    from app.models import Unit

    actor = _actor()
    roles = actor.roles
    city_roles = CITY_ROLES | {ROLE_KEUANGAN}
    if roles & city_roles:
        q = select(Unit.id, Unit.name).where(Unit.parent_id.is_(None))
        return [("", ALL_OPD)] + [(str(i), n) for i, n in db.session.execute(q.order_by(Unit.code))]
    if ROLE_OPERATOR in roles and actor.opd_id is not None:
        name = db.session.scalar(select(Unit.name).where(Unit.id == actor.opd_id))
        return [(str(actor.opd_id), name)]
    return []


EMPLOYEE_SELECT_MAX = 500


def employee_choices() -> Optional[list[tuple[str, str]]]:
    """Employees whose activity report the user may download, or None when there are too many
    for a dropdown (BKD, Admin, Auditor pick by NIP)."""
    from app.models import Employee
    from app.security import scope_clause

    actor = _actor()
    roles = actor.roles
    if roles & CITY_ROLES:
        return None
    conds = []
    if actor.employee_id is not None:
        conds.append(Employee.id == actor.employee_id)
    if ROLE_OPERATOR in roles and actor.opd_id is not None:
        from app.models import Unit

        conds.append(Employee.unit_id.in_(select(Unit.id).where(Unit.opd_id == actor.opd_id)))
    if ROLE_ATASAN in roles and actor.employee_id is not None:
        conds.append(Employee.superior_id == actor.employee_id)
    if not conds:
        return []
    q = select(Employee.id, Employee.nip, Employee.name, Employee.front_title, Employee.back_title).where(or_(*conds))
    clause = scope_clause(Employee)
    if clause is not None:
        q = q.where(clause)
    rows = db.session.execute(q.order_by(Employee.name).limit(EMPLOYEE_SELECT_MAX + 1)).all()
    if len(rows) > EMPLOYEE_SELECT_MAX:
        return None
    from app.services.recap import full_name

    return [(str(r[0]), f"{r[1]} — {full_name(r[2], r[3], r[4])}") for r in rows]


def period_choices() -> list[tuple[str, str]]:
    from app.models import Period

    return [(f"{p.year}-{p.month:02d}", p.label + (" (ditutup)" if p.state == "CLOSED" else ""))
            for p in db.session.scalars(select(Period).order_by(Period.year.desc(), Period.month.desc()))]
