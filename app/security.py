"""Security: role names, the SecurityManager, and the one place that decides scope.

Every list, detail page, form dropdown, action, export, chart and API endpoint asks this
module which rows the current user may see (`scope_clause`) and whether a given row is
within reach (`item_in_scope`). Refusals go through `refuse()`, which logs them.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from flask import abort, g, has_request_context, request
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import and_, false, or_, select

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
# Keuangan reads the organisation and employees of all OPD (for the TPP recaps).
_CITY_WIDE_KEUANGAN = {"Unit", "Position", "Employee", "Recap"}


class EKinerjaSecurityManager(SecurityManager):
    """FAB's SQLA security manager; roles come from FAB_ROLES (see config.py)."""

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
    except RuntimeError:  # no JWT verified in this request
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

        g.ek_employee = db.session.execute(
            select(Employee).where(Employee.user_id == user.id)
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
def employees_of_opd(opd_id: Optional[int]):
    """Subquery of the ids of the employees whose unit belongs to the OPD."""
    from app.models import Employee, Unit

    return select(Employee.id).where(Employee.unit_id.in_(select(Unit.id).where(Unit.opd_id == opd_id)))


def _rows_about_employees(column, roles: set[str], emp, opd: Optional[int], own: bool = True,
                          as_superior=()) -> list:
    """Conditions for rows about one employee (`column` holds the employee id): an operator's
    OPD, one's own rows, and for a superior the `as_superior` conditions."""
    clauses = []
    if ROLE_OPERATOR in roles and opd is not None:
        clauses.append(column.in_(employees_of_opd(opd)))
    if own and emp is not None and roles & {ROLE_PEGAWAI, ROLE_ATASAN, ROLE_OPERATOR}:
        clauses.append(column == emp.id)
    if emp is not None and ROLE_ATASAN in roles:
        clauses.extend(as_superior)
    return clauses


def scope_clause(model) -> Any:
    """SQL condition for the rows of `model` the current user may see; None means all."""
    from app.models import (
        Activity, ActivityCatalog, Attendance, AttendanceImport, Employee, Evaluation, Holiday, OrgPredikat,
        Parameter, Period, Position, Recap, Sanction, SubmitException, SuperiorOverride, TppRate, Unit,
    )

    if model in (ActivityCatalog, Holiday, Period, Parameter, SubmitException, TppRate):
        return None  # city-wide reference data; the view permission decides
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
        as_superior = [model.employee_id.in_(subordinates)]
        if model is Evaluation:
            as_superior.append(Evaluation.evaluator_id == me)
        clauses = _rows_about_employees(model.employee_id, roles, emp, opd, as_superior=as_superior)
    elif model is AttendanceImport:
        if ROLE_OPERATOR in roles and opd is not None:
            clauses.append(AttendanceImport.imported_by_id == user.id)
    elif model is OrgPredikat:
        if ROLE_OPERATOR in roles and opd is not None:
            clauses.append(OrgPredikat.unit_id == opd)
    else:
        # A model nobody declared a scope for is visible to city-wide roles only.
        return false()
    if not clauses:
        return false()
    return or_(*clauses)


def entry_scope_clause() -> Any:
    """Employees the current user may record activities for: oneself (Pegawai) and, for an
    Operator OPD, the active employees of the OPD (the SQL side of
    app.services.activities.may_enter_for)."""
    from app.models import Employee

    user = current_login()
    if user is None:
        return false()
    roles = role_names(user)
    emp = current_employee()
    opd = operator_opd_id()
    clauses = []
    if emp is not None and ROLE_PEGAWAI in roles:
        clauses.append(Employee.id == emp.id)
    if ROLE_OPERATOR in roles and opd is not None:
        clauses.append(Employee.id.in_(employees_of_opd(opd)))
    if not clauses:
        return false()
    return and_(or_(*clauses), Employee.active.is_(True))


def item_in_scope(item) -> bool:
    """May the current user hold `item` (new or changed, possibly not yet flushed)?

    Used for writes: a row must stay inside the user's scope after the change, so an
    operator cannot move an employee into another OPD through a crafted request.
    """
    from app.models import Employee, Position, SuperiorOverride, Unit

    user = current_login()
    if user is None:
        return False
    roles = role_names(user)
    if roles & {ROLE_ADMIN, ROLE_BKD}:
        return True
    if ROLE_OPERATOR not in roles:
        return False
    opd = operator_opd_id()
    if opd is None:
        return False

    def unit_ok(unit) -> bool:
        return unit is not None and unit.opd_id == opd

    if isinstance(item, Unit):
        return unit_ok(item)
    if isinstance(item, Position):
        # A parent outside the OPD (a kepala dinas under the Sekda) is set by BKD; an
        # operator may keep it but not point a position at another OPD's post.
        return unit_ok(item.unit) and (
            not _changed(item, "parent") or item.parent is None or unit_ok(item.parent.unit)
        )
    if isinstance(item, Employee):
        return unit_ok(item.unit) and (item.position is None or unit_ok(item.position.unit))
    if isinstance(item, SuperiorOverride):
        return (
            item.employee is not None
            and unit_ok(item.employee.unit)
            and item.superior is not None
            and (not _changed(item, "superior") or unit_ok(item.superior.unit))
        )
    return False


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
