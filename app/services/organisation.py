"""Derived organisation data kept consistent in the same transaction as the change:

- `Unit.opd_id`: the root OPD of every unit (scope of operators);
- `Employee.superior_id`: today's resolved superior (domain rule in app.domain.hierarchy);
- login links (a login whose name is an employee's NIP belongs to that employee) and the
  derived role Atasan (held by exactly the employees who are someone's superior).

A session listener marks the transaction when a unit, position, employee, override or login
is added or removed, or when one of the attributes the derived data is computed from changes
(`_RELEVANT`); before commit the derived data is recomputed (a few set-based queries). The
bookkeeping of a login (last_login, login_count, fail_login_count, password, names) and any
other column leave the organisation alone: a login costs no recompute.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from app.domain.hierarchy import OrgSnapshot, Override, resolve_all

# The attributes (columns and the relationships that set them) the derived data is computed
# from, per model: the unit tree (opd_id), the position tree, which employee holds which post
# and whether they count (superiors), NIP and login links, overrides, and the roles of a login
# (the Atasan role is kept in sync with them). A change of any other attribute recomputes nothing.
_RELEVANT = {
    "Unit": frozenset({"parent_id", "parent", "opd_id", "opd"}),
    "Position": frozenset({"parent_id", "parent"}),
    "Employee": frozenset({"position_id", "position", "active", "nip", "user_id", "user", "superior_id",
                           "superior"}),
    "SuperiorOverride": frozenset({"employee_id", "employee", "superior_id", "superior", "valid_from",
                                   "valid_to"}),
    "User": frozenset({"username", "roles"}),
}


def today_local() -> date:
    """Today's date in WIB (Asia/Jakarta, UTC+7); FIXED_TODAY in the config pins it (tests)."""
    from datetime import datetime, timedelta, timezone

    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get("FIXED_TODAY"):
        return current_app.config["FIXED_TODAY"]
    return (datetime.now(timezone.utc) + timedelta(hours=7)).date()


def recompute_unit_opd(session: Session) -> int:
    from app.models import Unit

    rows = session.execute(select(Unit.id, Unit.parent_id, Unit.opd_id)).all()
    parent = {r.id: r.parent_id for r in rows}
    changed = 0
    for r in rows:
        node, seen = r.id, set()
        while parent.get(node) is not None and node not in seen:
            seen.add(node)
            node = parent[node]
        if r.opd_id != node:
            session.execute(update(Unit).where(Unit.id == r.id).values(opd_id=node))
            changed += 1
    return changed


def load_org_snapshot(session: Session) -> OrgSnapshot:
    from app.models import Employee, Position, SuperiorOverride

    emp_rows = session.execute(
        select(Employee.id, Employee.position_id).where(Employee.active.is_(True))
    ).all()
    employee_position = {r.id: r.position_id for r in emp_rows}
    holders: dict[int, list[int]] = defaultdict(list)
    for r in emp_rows:
        if r.position_id is not None:
            holders[r.position_id].append(r.id)
    position_parent = dict(session.execute(select(Position.id, Position.parent_id)).all())
    overrides: dict[int, list[Override]] = defaultdict(list)
    for r in session.execute(
        select(SuperiorOverride.employee_id, SuperiorOverride.superior_id,
               SuperiorOverride.valid_from, SuperiorOverride.valid_to)
    ):
        overrides[r.employee_id].append(Override(r.superior_id, r.valid_from, r.valid_to))
    return OrgSnapshot(employee_position=employee_position, position_parent=position_parent,
                       position_holders=holders, overrides=overrides)


def recompute_superiors(session: Session, on: date | None = None) -> int:
    """Store today's superior of every employee; returns how many changed."""
    from app.models import Employee

    on = on or today_local()
    resolved = resolve_all(on, load_org_snapshot(session))
    current = dict(session.execute(select(Employee.id, Employee.superior_id)).all())
    changed = 0
    for emp_id, old in current.items():
        new = resolved.get(emp_id)
        if new != old:
            session.execute(update(Employee).where(Employee.id == emp_id).values(superior_id=new))
            changed += 1
    return changed


def link_logins(session: Session) -> None:
    """A login whose name equals an employee's NIP is that employee's login."""
    from flask_appbuilder.security.sqla.models import User

    from app.models import Employee

    by_name = dict(session.execute(select(User.username, User.id)).all())
    for emp_id, nip, user_id in session.execute(select(Employee.id, Employee.nip, Employee.user_id)).all():
        want = by_name.get(nip)
        if want is not None and want != user_id:
            session.execute(update(Employee).where(Employee.user_id == want).values(user_id=None))
            session.execute(update(Employee).where(Employee.id == emp_id).values(user_id=want))


def sync_atasan_role(session: Session) -> None:
    """Give the Atasan role to exactly the logins of employees who are someone's superior."""
    from flask_appbuilder.security.sqla.models import Role, User

    from app.models import Employee
    from app.security import ROLE_ATASAN

    role = session.execute(select(Role).where(Role.name == ROLE_ATASAN)).scalar_one_or_none()
    if role is None:
        return
    superiors = set(
        session.execute(select(Employee.superior_id).where(Employee.superior_id.is_not(None)).distinct()).scalars()
    )
    should = set(
        session.execute(select(Employee.user_id).where(Employee.id.in_(superiors), Employee.user_id.is_not(None))).scalars()
    ) if superiors else set()
    has = set(session.execute(select(User.id).where(User.roles.any(Role.id == role.id))).scalars())
    for user in session.execute(select(User).where(User.id.in_(should ^ has))).scalars():
        if user.id in should:
            user.roles.append(role)
        else:
            user.roles.remove(role)


def refresh_derived(session: Session) -> None:
    with session.no_autoflush:
        session.flush()
    recompute_unit_opd(session)
    link_logins(session)
    recompute_superiors(session)
    sync_atasan_role(session)
    session.flush()


# --------------------------------------------------------------------------- listeners
def _org_relevant(obj, added_or_removed: bool) -> bool:
    keys = _RELEVANT.get(type(obj).__name__)
    if keys is None:
        return False
    if added_or_removed:
        return True
    attrs = inspect(obj).attrs
    return any(key in attrs and attrs[key].history.has_changes() for key in keys)


def _mark(session: Session, flush_context) -> None:
    # after_flush still shows the pre-flush new/dirty/deleted sets and attribute history.
    changed = (any(_org_relevant(obj, True) for obj in list(session.new) + list(session.deleted))
               or any(_org_relevant(obj, False) for obj in list(session.dirty)))
    if changed:
        session.info["org_changed"] = True


def _before_commit(session: Session) -> None:
    if session.info.get("derived_disabled"):
        return
    session.flush()  # pending changes mark the session through _mark
    if session.info.pop("org_changed", False):
        refresh_derived(session)
        session.info.pop("org_changed", None)


def register_listeners() -> None:
    if not event.contains(Session, "after_flush", _mark):
        event.listen(Session, "after_flush", _mark)
        event.listen(Session, "before_commit", _before_commit)
