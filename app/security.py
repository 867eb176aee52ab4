"""Security: role names, the SecurityManager, and the one place that decides scope.

Every list, detail page, form dropdown, action, export, chart and API endpoint asks this
module which rows the current user may see (`scope_clause`) and whether a given row is
within reach (`item_in_scope`). Refusals go through `refuse()`, which logs them.
"""
from __future__ import annotations

import logging
import re
from functools import cached_property
from dataclasses import dataclass
from typing import Any, Optional

from flask import abort, g, has_request_context, request
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import Boolean, and_, false, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

log = logging.getLogger("ekinerja.security")

ROLE_ADMIN = "Admin"
ROLE_BKD = "BKD"
ROLE_OPERATOR = "Operator OPD"
ROLE_PEGAWAI = "Pegawai"
ROLE_ATASAN = "Atasan"
ROLE_AUDITOR = "Auditor"
ROLE_KEUANGAN = "Keuangan"
APP_ROLES = (ROLE_ADMIN, ROLE_BKD, ROLE_OPERATOR, ROLE_PEGAWAI, ROLE_ATASAN, ROLE_AUDITOR, ROLE_KEUANGAN)

# Roles that see every row of the master data they have permission for.
_CITY_WIDE = {ROLE_ADMIN, ROLE_BKD, ROLE_AUDITOR}
# The roles whose scope holds their own rows (the operator's OPD is that of their own unit).
_OWN_ROWS = {ROLE_PEGAWAI, ROLE_ATASAN, ROLE_OPERATOR}
# Keuangan reads the organisation and employees of all OPD (for the TPP recaps).
_CITY_WIDE_KEUANGAN = {"Unit", "Position", "Employee", "Recap"}


class EKinerjaSecurityManager(SecurityManager):
    """FAB's SQLA security manager; roles come from FAB_ROLES (see config.py).

    Login, sessions and throttling live in app/auth.py: one login path for the form and the
    API, server-side page sessions, revocable JWTs and the password policy."""

    from app.auth import EkAuthDBView as authdbview
    from app.auth import EkResetMyPasswordView as resetmypasswordview
    from app.auth import EkResetPasswordView as resetpasswordview
    from app.auth import EkSecurityApi as security_api
    from app.auth import UserDBModelView as userdbmodelview

    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        from flask import current_app

        from app.auth import init_auth

        init_auth(current_app._get_current_object(), self)

    def load_user(self, pk):
        """The page login of this request: an active user with a valid server-side session."""
        user = super().load_user(pk)
        if user is None or not has_request_context():
            return user
        from app.auth import session_refusal

        return None if session_refusal(pk) else user

    def get_user_by_id(self, pk):
        """The user with its roles and its groups' roles in one statement (FAB's lazy loads took
        three on every request: user, roles, groups). Still read fresh on every request, so a role
        change or a deactivation takes effect at once."""
        from sqlalchemy.orm import joinedload

        um = self.user_model
        return self.session.get(um, pk, options=[joinedload(um.roles),
                                                 joinedload(um.groups).joinedload(self.group_model.roles)])

    @cached_property
    def _token_statement(self):
        """The statement of token_version, built once per process: building its eager-load
        options again on every API request cost a third of the token check's CPU."""
        from sqlalchemy import bindparam
        from sqlalchemy.orm import joinedload

        from app.models import Employee
        from app.models.auth import AuthState

        um = self.user_model
        return (select(um, AuthState.token_version, Employee).outerjoin(AuthState, AuthState.user_id == um.id)
                .outerjoin(Employee, Employee.user_id == um.id)
                .options(joinedload(um.roles), joinedload(um.groups).joinedload(self.group_model.roles),
                         joinedload(Employee.unit))
                .where(um.id == bindparam("user_id")))

    def token_version(self, user_id) -> int:
        """The JWT's token version read with the user, its roles, its groups' roles and its
        employee with the unit in one statement (asked first on every API request);
        load_user_jwt and current_employee then find them instead of reading them again."""
        from app.services import sessions

        row = self.session.execute(self._token_statement, {"user_id": int(user_id)}).unique().first()
        if row is None:  # no such user: the lookup after this refuses the token
            return sessions.token_version(user_id)
        g.ek_token_user = row[0]  # held for this request: the session's identity map is weak
        g.ek_employee = row[2]  # current_employee() of this request (the token's user)
        return row[1] or 0

    def is_item_public(self, permission_name, view_name):
        """Whether anonymous visitors have this permission (asked before every API call). The
        Public role is built in (FAB_ROLES in config.py): matched in process, no table read; a
        grant to it in the tables opens nothing, as for every built-in role."""
        if self.auth_role_public in self.builtin_roles:
            return any(re.match(view, view_name) and re.match(perm, permission_name)
                       for view, perm in self.builtin_roles[self.auth_role_public])
        return super().is_item_public(permission_name, view_name)

    def load_user_jwt(self, _jwt_header, jwt_data):
        user = super().load_user(jwt_data["sub"])  # a JWT has no page session
        if user is not None and user.is_active:
            g.user = user
            return user
        return None

    def reset_password(self, userid, password):
        """Own change or admin reset: the new hash, then every session and token of the login ends."""
        super().reset_password(userid, password)
        from app.auth import password_changed

        password_changed(userid)

    # FAB's "User's Statistics" chart loads Google Charts from another host (blank on the
    # city's closed network): not registered, so no page, menu entry or permission.
    userstatschartview = None


# --------------------------------------------------------------------------- who is asking
def current_login():
    """The logged-in user: the session login of the pages or the JWT user of the API."""
    if not has_request_context():
        return None
    from flask import current_app

    try:
        user = current_app.appbuilder.sm.current_user
    except (RuntimeError, AttributeError):  # no JWT verified, or g.user not set yet (mid-login)
        return None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def role_names(user=None) -> set[str]:
    user = user or current_login()
    if user is None:
        return set()
    return {r.name for r in user.roles}


def current_employee():
    """The Employee linked to the logged-in user, or None (cached per request)."""
    user = current_login()
    if user is None:
        return None
    if "ek_employee" not in g:
        from app.extensions import db
        from app.models import Employee

        from sqlalchemy.orm import joinedload

        g.ek_employee = db.session.execute(  # with its unit: operator_opd_id() reads it on most requests
            select(Employee).options(joinedload(Employee.unit)).where(Employee.user_id == user.id)
        ).scalar_one_or_none()
    return g.ek_employee


def operator_opd_id() -> Optional[int]:
    emp = current_employee()
    if emp is None or emp.unit is None:
        return None
    return emp.unit.opd_id


def is_city_wide(model_name: str, roles: set[str]) -> bool:
    if roles & _CITY_WIDE:
        return True
    return ROLE_KEUANGAN in roles and model_name in _CITY_WIDE_KEUANGAN


# --------------------------------------------------------------------------- row scope
class InIds(ColumnElement):
    """`column IN (ids subquery)`, written so that PostgreSQL can drive an index with it even
    inside an OR: `column = ANY(ARRAY(subquery))` is computed once (an InitPlan) and becomes an
    index condition, where `IN (subquery)` under an OR is a hashed sub-plan tested row by row
    after a sequential scan (the operator's OPD list filtered millions of rows). Other
    databases get the plain IN."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition already (no "= 1" on SQLite)
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("ids", InternalTraversal.dp_clauseelement)]

    def __init__(self, column, ids):
        self.column = column
        self.ids = ids.correlate(None)


@compiles(InIds)
def _in_ids(element, compiler, **kw):
    return compiler.process(element.column.in_(element.ids), **kw)


@compiles(InIds, "postgresql")
def _in_ids_postgresql(element, compiler, **kw):
    return (f"{compiler.process(element.column, **kw)} = "
            f"ANY(ARRAY{compiler.process(element.ids.scalar_subquery(), **kw)})")


def employees_of_opd(opd_id: Optional[int]):
    """Subquery of the ids of the employees whose unit belongs to the OPD."""
    from app.models import Employee, Unit

    return select(Employee.id).where(Employee.unit_id.in_(select(Unit.id).where(Unit.opd_id == opd_id)))


def _rows_about_employees(column, roles: set[str], emp, opd: Optional[int], own: bool = True,
                          as_superior=()) -> list:
    """Conditions for rows about one employee (`column` holds the employee id): an operator's
    OPD, one's own rows, and for a superior the `as_superior` conditions."""
    clauses = []
    operator = ROLE_OPERATOR in roles and opd is not None
    if operator:
        clauses.append(InIds(column, employees_of_opd(opd)))
    # The operator's OPD is that of their own unit, so it holds their own rows already: one
    # condition on the column fewer lets PostgreSQL count them from the index alone.
    if own and not operator and emp is not None and roles & _OWN_ROWS:
        clauses.append(column == emp.id)
    if emp is not None and ROLE_ATASAN in roles:
        clauses.extend(as_superior)
    return clauses


def employee_in_scope(employee_id: int):
    """The employee if the current user may see it, else None. One's own row is in the scope of
    the _OWN_ROWS roles and the city-wide ones, so it is taken from the request instead of
    being read again."""
    from app.extensions import db
    from app.models import Employee

    emp = current_employee()
    if emp is not None and emp.id == employee_id:
        roles = role_names(current_login())
        if is_city_wide("Employee", roles) or roles & _OWN_ROWS:
            return emp
    q = select(Employee).where(Employee.id == employee_id)
    clause = scope_clause(Employee)
    if clause is not None:
        q = q.where(clause)
    return db.session.scalar(q)


def scope_clause(model) -> Any:
    """SQL condition for the rows of `model` the current user may see; None means all."""
    from app.models import (
        Activity, ActivityCatalog, Attendance, AttendanceImport, Employee, Evaluation, Holiday, OrgPredikat,
        Parameter, Period, Position, Recap, Rhk, RhkIndicator, Sanction, Skp, StrategicGoal, SubmitException,
        SuperiorOverride, TppRate, Unit,
    )

    if model in (ActivityCatalog, Holiday, Period, Parameter, SubmitException, TppRate, StrategicGoal):
        return None  # city-wide reference data (goals: the city's and the OPDs' Renstra); the permission decides
    user = current_login()
    if user is None:
        return false()
    roles = role_names(user)
    if is_city_wide(model.__name__, roles):
        return None
    emp = current_employee()
    me = emp.id if emp is not None else None
    opd = operator_opd_id()
    clauses = []

    if model is Unit:
        if opd is not None and roles & {ROLE_OPERATOR, ROLE_PEGAWAI, ROLE_ATASAN}:
            clauses.append(Unit.opd_id == opd)
    elif model is Position:
        if opd is not None and roles & {ROLE_OPERATOR, ROLE_PEGAWAI, ROLE_ATASAN}:
            clauses.append(Position.unit_id.in_(select(Unit.id).where(Unit.opd_id == opd)))
    elif model is Employee:
        clauses = _rows_about_employees(Employee.id, roles, emp, opd, as_superior=[Employee.superior_id == me])
    elif model is SuperiorOverride:
        clauses = _rows_about_employees(SuperiorOverride.employee_id, roles, emp, opd,
                                        as_superior=[SuperiorOverride.superior_id == me])
    elif model is Activity:
        clauses = _rows_about_employees(Activity.employee_id, roles, emp, opd,
                                        as_superior=[Activity.superior_id == me, Activity.escalation_id == me])
    elif model is Sanction:
        clauses = _rows_about_employees(Sanction.employee_id, roles, emp, opd, own=False)
    elif model in (Attendance, Recap, Evaluation):
        # A superior sees the rows of today's subordinates (and the evaluations they gave).
        subordinates = select(Employee.id).where(Employee.superior_id == me)
        as_superior = [InIds(model.employee_id, subordinates)]
        if model is Evaluation:
            as_superior.append(Evaluation.evaluator_id == me)
        clauses = _rows_about_employees(model.employee_id, roles, emp, opd, as_superior=as_superior)
    elif model is Skp:
        clauses = _skp_clauses(roles, emp, opd)
    elif model in (Rhk, RhkIndicator):
        # The rows of the SKP in scope; an employee also sees the RHK of their current superior's
        # SKP (the RHK their own RHK intervene in, app.services.skp.parent_choices).
        skp_clauses = _skp_clauses(roles, emp, opd)
        if model is Rhk:
            if emp is not None and roles & _OWN_ROWS:
                my_superior = select(Employee.superior_id).where(Employee.id == me).scalar_subquery()
                skp_clauses.append(Skp.employee_id == my_superior)
            if skp_clauses:
                clauses.append(InIds(Rhk.skp_id, select(Skp.id).where(or_(*skp_clauses))))
        elif skp_clauses:
            rhk_ids = select(Rhk.id).where(InIds(Rhk.skp_id, select(Skp.id).where(or_(*skp_clauses))))
            clauses.append(InIds(RhkIndicator.rhk_id, rhk_ids))
    elif model is AttendanceImport:
        if ROLE_OPERATOR in roles and opd is not None:
            clauses.append(AttendanceImport.imported_by_id == user.id)
    elif model is OrgPredikat:
        if ROLE_OPERATOR in roles and opd is not None:
            clauses.append(OrgPredikat.unit_id == opd)
    elif model.__name__ == "FollowupRule":
        if ROLE_OPERATOR in roles and opd is not None:
            return None  # the city's rules: the operator reads them beside the own OPD's candidates
    elif model.__name__ in ("FollowupDecision", "PotentialAssessment"):
        return followup_scope_clause(model.employee_id)
    else:
        # A model nobody declared a scope for is visible to city-wide roles only.
        return false()
    if not clauses:
        return false()
    return or_(*clauses)


def _skp_clauses(roles: set[str], emp, opd: Optional[int]) -> list:
    """SKP in scope: one's own; for a superior those they are the superior snapshot of and those
    of today's subordinates; for an operator the OPD's employees (Keuangan: none)."""
    from app.models import Employee, Skp

    me = emp.id if emp is not None else None
    subordinates = select(Employee.id).where(Employee.superior_id == me)
    return _rows_about_employees(Skp.employee_id, roles, emp, opd,
                                 as_superior=[Skp.superior_id == me, InIds(Skp.employee_id, subordinates)])


def followup_scope_clause(column) -> Any:
    """Follow-up data about employees (candidates of BKD's rules, decisions, potential
    assessments, talent box, vacancy candidates): Admin, BKD and Auditor the whole city (None),
    an Operator OPD the employees of their OPD (read only), nobody else. `column` holds the
    employee id."""
    user = current_login()
    if user is None:
        return false()
    roles = role_names(user)
    if roles & _CITY_WIDE:
        return None
    opd = operator_opd_id()
    if ROLE_OPERATOR in roles and opd is not None:
        return InIds(column, employees_of_opd(opd))
    return false()


@dataclass(frozen=True)
class CascadeReach:
    """How much of an OPD's matriks peran hasil the current user sees: the whole OPD
    (employee_id None) or the branch of one employee (own RHK, everything below them, and the
    RHK and goals above as context)."""

    opd_id: Optional[int]
    employee_id: Optional[int] = None


def cascade_reach(opd_id: Optional[int]) -> Optional[CascadeReach]:
    """The matriks peran hasil (app.services.cascade) of `opd_id` (None: the user's own OPD, or
    any OPD for the city-wide roles): Admin, BKD and Auditor see every OPD whole, an Operator OPD
    their own OPD whole, a Pegawai or Atasan their own branch of their own OPD. None: refused."""
    user = current_login()
    if user is None:
        return None
    roles = role_names(user)
    if roles & _CITY_WIDE:
        return CascadeReach(opd_id)
    own = operator_opd_id()
    if own is None or (opd_id is not None and opd_id != own):
        return None
    if ROLE_OPERATOR in roles:
        return CascadeReach(own)
    emp = current_employee()
    if emp is not None and roles & {ROLE_PEGAWAI, ROLE_ATASAN}:
        return CascadeReach(own, emp.id)
    return None


def entry_scope_clause() -> Any:
    """Employees the current user may record activities for: oneself (Pegawai) and, for an
    Operator OPD, the active employees of the OPD (the SQL side of
    app.services.activities.may_enter_for and inactive_errors: a deactivated actor enters
    nothing)."""
    from app.models import Employee

    user = current_login()
    if user is None:
        return false()
    roles = role_names(user)
    emp = current_employee()
    if emp is not None and not emp.active:
        return false()
    opd = operator_opd_id()
    clauses = []
    if emp is not None and ROLE_PEGAWAI in roles:
        clauses.append(Employee.id == emp.id)
    if ROLE_OPERATOR in roles and opd is not None:
        clauses.append(Employee.id.in_(employees_of_opd(opd)))
    if not clauses:
        return false()
    return and_(or_(*clauses), Employee.active.is_(True))


def rhk_in_force_clause(skp=None) -> Any:
    """SQL form of app.domain.skp.in_force over Rhk and its SKP (`skp`: Skp, joined by the caller,
    or an alias of it): the RHK is part of the approved plan in force, i.e. approved at the SKP's
    LAST approved revision (an RHK approved once and dropped by a later approved revision is not;
    one deactivated in a pending revision still is)."""
    from app.models import Rhk, Skp

    skp = Skp if skp is None else skp
    return and_(skp.approved_revision.is_not(None), Rhk.approved_revision == skp.approved_revision)


def rhk_entry_clause(skp=None) -> Any:
    """RHK a daily activity may name (no user scope), over Rhk joined with its SKP (`skp` as in
    rhk_in_force_clause): in force and not deactivated. The lookups (rhk_entry_scope_clause), the
    RHK choices of the phone page and the entry validator
    (app.services.realisation.rhk_entry_errors) all use this one rule."""
    from app.models import Rhk

    return and_(Rhk.active.is_(True), rhk_in_force_clause(skp))


def rhk_entry_scope_clause() -> Any:
    """RHK a daily activity entered by the current user may name: rhk_entry_clause, of an
    employee the user may enter activities for (entry_scope_clause); a filter over Rhk alone."""
    from sqlalchemy.orm import aliased

    from app.models import Employee, Rhk, Skp

    plan = aliased(Skp)
    entry_employees = select(Employee.id).where(entry_scope_clause())
    return (select(plan.id)
            .where(plan.id == Rhk.skp_id, plan.employee_id.in_(entry_employees), rhk_entry_clause(plan))
            .correlate(Rhk).exists())


def own_rows_clause(model) -> Any:
    """The current user's OWN rows of a model holding `employee_id` (the self-service pages:
    never a subordinate's or an OPD colleague's row, whatever else the role may see)."""
    emp = current_employee()
    if current_login() is None or emp is None:
        return false()
    return model.employee_id == emp.id


def item_in_scope(item) -> bool:
    """May the current user hold `item` (new or changed, possibly not yet flushed)?

    Used for writes: a row must stay inside the user's scope after the change, so an
    operator cannot move an employee into another OPD through a crafted request.
    """
    return write_refusal(item) is None


# Messages of the write rules (pages, API and the master-data import show the same text).
MSG_NO_WRITE = "Anda tidak berwenang mengubah data induk."
MSG_OUT_OF_SCOPE = ("Data ini berada di luar OPD Anda; Anda tidak berwenang menyimpan data di luar cakupan "
                    "Anda.")
MSG_OTHER_OPD_ROW = "Data ini terdaftar di OPD lain; pemindahan antar-OPD dilakukan oleh BKD."
MSG_UNITS_BKD = ("Unit kerja hanya dapat ditambah atau diubah oleh BKD; Operator OPD mengelola jabatan, pegawai "
                 "dan atasan pengganti OPD-nya.")
MSG_PARENT_OTHER_OPD = ("Jabatan atasan berada di OPD lain; garis atasan lintas OPD hanya dapat ditetapkan "
                        "oleh BKD.")
MSG_POSITION_OTHER_OPD = "Jabatan pegawai berada di OPD lain."
MSG_SUPERIOR_OTHER_OPD = "Atasan pengganti berada di OPD lain; atasan lintas OPD hanya dapat ditetapkan oleh BKD."
MSG_OWN_EMPLOYEE = "Data kepegawaian Anda sendiri hanya dapat diubah oleh BKD."
MSG_OWN_POSITION = "Jabatan yang Anda jabat sendiri hanya dapat diubah oleh BKD."
MSG_OWN_SUPERIOR_POST = ("Pengisian jabatan atasan langsung Anda sendiri hanya dapat dilakukan oleh BKD "
                         "(garis atasan Anda ditetapkan BKD).")
MSG_OWN_LINE = ("Atasan pengganti yang menyangkut Anda sendiri (sebagai pegawai atau atasan) hanya dapat "
                "ditetapkan oleh BKD.")
MSG_GOAL_SCOPE = ("Operator OPD hanya dapat mengelola sasaran strategis OPD-nya sendiri; sasaran Wali Kota dan "
                  "sasaran OPD lain ditetapkan oleh BKD.")


@dataclass(frozen=True)
class Writer:
    """Who writes master data: BKD/Admin write everything; an Operator OPD their OPD, never
    rows about themselves. `position_id`/`superior_post_id` are the post the writer holds and
    the post above it (the post of their own superior)."""

    roles: frozenset
    opd_id: Optional[int]
    employee_id: Optional[int]
    position_id: Optional[int]
    superior_post_id: Optional[int]

    @property
    def is_bkd(self) -> bool:
        return bool(self.roles & {ROLE_ADMIN, ROLE_BKD})


def writer_for(roles, opd_id: Optional[int], employee_id: Optional[int]) -> Writer:
    """The Writer of an actor (roles, OPD and employee id as app.services.activities.Actor)."""
    from app.extensions import db
    from app.models import Employee, Position

    position_id = superior_post_id = None
    if employee_id is not None:
        with db.session.no_autoflush:
            row = db.session.execute(
                select(Employee.position_id, Position.parent_id)
                .outerjoin(Position, Position.id == Employee.position_id)
                .where(Employee.id == employee_id)).first()
        if row is not None:
            position_id, superior_post_id = row
    return Writer(frozenset(roles), opd_id, employee_id, position_id, superior_post_id)


def current_writer() -> Writer:
    user = current_login()
    emp = current_employee()
    return writer_for(role_names(user) if user else set(), operator_opd_id(), getattr(emp, "id", None))


def write_rule(entity: str, new: dict, old: Optional[dict], who: Writer) -> Optional[str]:
    """The one write-scope rule of the master data, on plain facts about a row; returns the
    Indonesian reason of a refusal, or None. `old` is None for a new row; a row whose facts
    did not change (`new["changed"]` false) is never refused for being about the writer.

    Facts (ids; an OPD id of None means "not an existing OPD"):
    - Unit: opd (OPD of the unit after the change).
    - Position: id, opd, parent_id, parent_opd.
    - Employee: id, opd, position_id, position_opd.
    - SuperiorOverride: employee_id, employee_opd, superior_id, superior_opd.
    - StrategicGoal: opd (the goal's OPD; None for a city goal).
    """
    if who.is_bkd:
        return None
    if ROLE_OPERATOR not in who.roles or who.opd_id is None:
        return MSG_NO_WRITE
    mine = who.opd_id
    changed = new.get("changed", True)
    old = old or {}

    def moved(key) -> bool:
        return not old or old.get(key) != new.get(key)

    if old and old.get("opd", old.get("employee_opd")) not in (None, mine):
        return MSG_OTHER_OPD_ROW
    if entity == "Unit":
        # Units are BKD's (the Operator OPD role reads them on the panel and the API); an
        # import may still carry the OPD's units unchanged.
        if new.get("opd") != mine:
            return MSG_OUT_OF_SCOPE
        return MSG_UNITS_BKD if changed else None
    if entity == "Position":
        if new.get("opd") != mine:
            return MSG_OUT_OF_SCOPE
        # A parent outside the OPD (a kepala dinas under the Sekda) is set by BKD; an
        # operator may keep it but not point a position at another OPD's post.
        if moved("parent_id") and new.get("parent_id") is not None and new.get("parent_opd") != mine:
            return MSG_PARENT_OTHER_OPD
        if changed and new.get("id") is not None and new.get("id") == who.position_id:
            return MSG_OWN_POSITION
        return None
    if entity == "Employee":
        if new.get("opd") != mine:
            return MSG_OUT_OF_SCOPE
        if new.get("position_id") is not None and new.get("position_opd") != mine:
            return MSG_POSITION_OTHER_OPD
        if changed and new.get("id") is not None and new.get("id") == who.employee_id:
            return MSG_OWN_EMPLOYEE
        if who.superior_post_id is not None and moved("position_id") and who.superior_post_id in (
                new.get("position_id"), old.get("position_id")):
            return MSG_OWN_SUPERIOR_POST
        return None
    if entity == "SuperiorOverride":
        if new.get("employee_id") is None or new.get("employee_opd") != mine or new.get("superior_id") is None:
            return MSG_OUT_OF_SCOPE
        if moved("superior_id") and new.get("superior_opd") != mine:
            return MSG_SUPERIOR_OTHER_OPD
        if who.employee_id is not None and changed and who.employee_id in (
                new.get("employee_id"), new.get("superior_id"), old.get("employee_id"), old.get("superior_id")):
            return MSG_OWN_LINE
        return None
    if entity == "StrategicGoal":
        # A city goal (opd None) and other OPDs' goals are BKD's, before and after the change.
        if new.get("opd") != mine or (old and old.get("opd") != mine):
            return MSG_GOAL_SCOPE
        return None
    return MSG_NO_WRITE


def _unit_opd(unit) -> Optional[int]:
    """The OPD of a unit, also of a new one (not yet refreshed): its parent's OPD."""
    seen = set()
    while unit is not None and id(unit) not in seen:
        seen.add(id(unit))
        if unit.parent is None:
            return unit.id  # an OPD (None while new: not an existing OPD)
        if unit.opd_id is not None and not _changed(unit, "parent"):
            return unit.opd_id
        unit = unit.parent
    return None


def row_facts(item) -> tuple[str, dict, Optional[dict]]:
    """(entity, new facts, old facts) of an ORM row for `write_rule`; the old facts come
    from the database (the change is not flushed yet)."""
    from sqlalchemy import inspect as sa_inspect

    from app.extensions import db
    from app.models import Employee, Position, StrategicGoal, SuperiorOverride, Unit

    entity = type(item).__name__
    state = sa_inspect(item)
    new_row = state.transient or state.pending
    with db.session.no_autoflush:
        stored = None if new_row else db.session.execute(
            select(type(item).__table__).where(type(item).__table__.c.id == item.id)).mappings().first()
        now = _row_values(item)
        changed = stored is None or any(stored[k] != v for k, v in now.items() if k in stored)
        old = None
        if isinstance(item, Unit):
            new = {"opd": _unit_opd(item)}
            if stored is not None:
                old = {"opd": stored["opd_id"] if stored["parent_id"] is not None else stored["id"]}
        elif isinstance(item, Position):
            new = {"id": item.id, "opd": _unit_opd(item.unit), "parent_id": now.get("parent_id"),
                   "parent_opd": _unit_opd(item.parent.unit) if item.parent is not None else None}
            if stored is not None:
                old = {"parent_id": stored["parent_id"], "opd": _opd_of_unit_id(stored["unit_id"])}
        elif isinstance(item, Employee):
            new = {"id": item.id, "opd": _unit_opd(item.unit), "position_id": now.get("position_id"),
                   "position_opd": _unit_opd(item.position.unit) if item.position is not None else None}
            if stored is not None:
                old = {"position_id": stored["position_id"], "opd": _opd_of_unit_id(stored["unit_id"])}
        elif isinstance(item, SuperiorOverride):
            new = {"employee_id": now.get("employee_id"), "superior_id": now.get("superior_id"),
                   "employee_opd": _unit_opd(item.employee.unit) if item.employee is not None else None,
                   "superior_opd": _unit_opd(item.superior.unit) if item.superior is not None else None}
            if stored is not None:
                old = {"employee_id": stored["employee_id"], "superior_id": stored["superior_id"],
                       "employee_opd": _opd_of_employee_id(stored["employee_id"])}
        elif isinstance(item, StrategicGoal):
            new = {"opd": _opd_of_unit_id(item.unit_id) if item.unit_id is not None else None}
            if stored is not None:
                old = {"opd": _opd_of_unit_id(stored["unit_id"]) if stored["unit_id"] is not None else None}
        else:
            new = {}
    new["changed"] = changed
    return entity, new, old


def _row_values(item) -> dict:
    """Column values of a row as they will be stored: a foreign key follows the related
    object that was set (the column itself is only updated at flush)."""
    from sqlalchemy import inspect as sa_inspect

    mapper = sa_inspect(type(item))
    values = {c.key: getattr(item, c.key) for c in mapper.column_attrs}
    for rel in mapper.relationships:
        if rel.uselist or rel.direction.name != "MANYTOONE":
            continue
        target = getattr(item, rel.key)
        for local, remote in rel.local_remote_pairs:
            values[local.key] = getattr(target, remote.key) if target is not None else None
    return values


def _opd_of_unit_id(unit_id) -> Optional[int]:
    from app.extensions import db
    from app.models import Unit

    row = db.session.execute(select(Unit.id, Unit.opd_id, Unit.parent_id).where(Unit.id == unit_id)).first()
    if row is None:
        return None
    return row.id if row.parent_id is None else row.opd_id


def _opd_of_employee_id(employee_id) -> Optional[int]:
    from app.extensions import db
    from app.models import Employee

    unit_id = db.session.scalar(select(Employee.unit_id).where(Employee.id == employee_id))
    return _opd_of_unit_id(unit_id) if unit_id is not None else None


def write_refusal(item, who: Optional[Writer] = None) -> Optional[str]:
    """The reason the current user may not write `item` (new or changed), or None."""
    if current_login() is None and who is None:
        return MSG_NO_WRITE
    who = who or current_writer()
    if type(item).__name__ not in ("Unit", "Position", "Employee", "SuperiorOverride", "StrategicGoal"):
        return None if who.is_bkd else MSG_NO_WRITE
    entity, new, old = row_facts(item)
    return write_rule(entity, new, old, who)


def _changed(item, attr: str) -> bool:
    from sqlalchemy import inspect as sa_inspect

    state = sa_inspect(item)
    if state.transient or state.pending:
        return True
    return state.attrs[attr].history.has_changes()


class ScopeFilter(BaseFilter):
    """FAB filter applying `scope_clause` to a list, a detail lookup or a dropdown."""

    name = "Cakupan"
    arg_name = "scope"

    def apply(self, query, value):
        clause = scope_clause(self.model)
        if clause is None:
            return query
        return query.filter(clause)


def scope_filters() -> list:
    """`base_filters` / `*_query_rel_fields` entry for a model."""
    return [["id", ScopeFilter, None]]


# --------------------------------------------------------------------------- relation lookups
# Every relation lookup (form dropdowns, list search widgets, the API's `_info` add/edit
# columns with their paging) is built from the same scope as the lists.
class EntryScopeFilter(BaseFilter):
    """Employees the current user may enter activities for (`entry_scope_clause`)."""

    name = "Cakupan entri"
    arg_name = "entry_scope"

    def apply(self, query, value):
        return query.filter(entry_scope_clause())


class ActiveFilter(BaseFilter):
    """Only rows still in use (`active` is true): inactive catalog items are not offered."""

    name = "Aktif"
    arg_name = "active_only"

    def apply(self, query, value):
        return query.filter(self.model.active.is_(True))


def lookup_filters(*fields: str) -> dict:
    """`*_query_rel_fields` for relation columns scoped like their lists (`scope_clause`)."""
    return {f: scope_filters() for f in fields}


def entry_lookup_filters() -> list:
    """`*_query_rel_fields` entry for the employee of an activity entry (`entry_scope_clause`)."""
    return [["id", EntryScopeFilter, None]]


class RhkEntryScopeFilter(BaseFilter):
    """RHK an activity entry may name (`rhk_entry_scope_clause`)."""

    name = "RHK yang berlaku"
    arg_name = "rhk_entry_scope"

    def apply(self, query, value):
        return query.filter(rhk_entry_scope_clause())


def rhk_entry_lookup_filters() -> list:
    """`*_query_rel_fields` entry for the RHK of an activity entry (`rhk_entry_scope_clause`)."""
    return [["id", RhkEntryScopeFilter, None]]


def active_lookup_filters() -> list:
    """`*_query_rel_fields` entry offering active rows only (and scoped like the list)."""
    return scope_filters() + [["id", ActiveFilter, None]]


# --------------------------------------------------------------------------- refusals
def log_refusal(status: int, entity: str = "", entity_id: Any = None, detail: str = "") -> None:
    """Write a refused access attempt to the log and the audit table (own transaction)."""
    from app.services.audit import record_refusal

    user = current_login()
    username = getattr(user, "username", None)
    path = request.path if has_request_context() else ""
    log.warning("Akses ditolak (%s) user=%s %s %s#%s %s", status, username, path, entity, entity_id, detail)
    record_refusal(
        user_id=getattr(user, "id", None),
        username=username,
        status=status,
        entity=entity or "request",
        entity_id=entity_id,
        detail=(detail or f"{request.method} {path}" if has_request_context() else detail)[:500],
        ip=request.remote_addr if has_request_context() else None,
    )
    if has_request_context():
        g.ek_refusal_logged = True


def refuse(status: int = 404, entity: str = "", entity_id: Any = None, detail: str = ""):
    """Log and abort with 403/404."""
    log_refusal(status, entity, entity_id, detail)
    abort(status)
