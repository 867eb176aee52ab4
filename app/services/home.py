"""The home page of tasks (issue 10 item 1, design section 8): per role, what the user has to do
now, computed with the services that own the rules:

- own work (an employee): today's minutes against the daily parameters, the month's recognised
  minutes against its target (`recap.explain`, the evaluation page's provisional calculation),
  returned items with the superior's note and drafts near their submission deadline
  (`notifications.summary_for`);
- the queue (whoever may decide): items waiting (`activities.queue_clause` through the same
  summary), the overdue ones among them and those about to escalate;
- Operator OPD / BKD: overdue approvals in scope (`activities.overdue_by_superior_query`, the
  overdue report's query), the state of this month's and last month's period and whether this
  month's attendance has been imported (`periods.attendance_per_opd_query`, the close summary's).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from sqlalchemy import and_, func, select

from app.domain import workflow as wf
from app.extensions import db
from app.services import ServiceError
from app.services import parameters as params_service
from app.services.organisation import today_local


@dataclass
class OwnWork:
    today_minutes: int  # claimed minutes of today's activities, not rejected
    daily_target: int  # effective_minutes_per_day
    daily_cap: int  # max_minutes_per_day
    month: Optional[dict[str, Any]]  # target/recognised/score of the month (None: period not opened)
    returned: list = field(default_factory=list)
    returned_count: int = 0
    drafts: list = field(default_factory=list)
    drafts_count: int = 0

    @property
    def today_pct(self) -> int:
        return min(100, round(100 * self.today_minutes / self.daily_target)) if self.daily_target else 0


@dataclass
class QueueWork:
    waiting: int
    overdue: int
    escalating: int
    first: list = field(default_factory=list)  # the first items, earliest deadline first


@dataclass
class PeriodState:
    label: str
    state: Optional[str]  # OPEN / CLOSED / None (not opened)


@dataclass
class AdminWork:
    city_wide: bool  # BKD/Admin (True) or one OPD (False)
    opd_name: Optional[str]
    overdue_superiors: Optional[int]  # None: too many overdue items to group them all
    overdue_items: int
    overdue_top: list  # (superior name or None, count, earliest review_due), largest first or, when
    # overdue_superiors is None, longest waiting first
    periods: list[PeriodState]
    opds: int  # OPDs considered
    opds_with_attendance: int  # of them, with this month's attendance imported


@dataclass
class Home:
    today: date
    own: Optional[OwnWork] = None
    queue: Optional[QueueWork] = None
    admin: Optional[AdminWork] = None


def _today_minutes(employee_id: int, today: date) -> int:
    from app.models import Activity

    return int(db.session.scalar(
        select(func.coalesce(func.sum(Activity.claimed_minutes), 0))
        .where(Activity.employee_id == employee_id, Activity.date == today,
               Activity.status != wf.REJECTED)) or 0)


def _month(employee_id: int, today: date) -> Optional[dict[str, Any]]:
    from app.services import recap

    try:
        e = recap.explain(employee_id, today.year, today.month)
    except ServiceError:  # period not opened yet
        return None
    target = e["target_minutes"]
    return {"label": e["period"]["label"], "target": target, "recognised": e["recognised_minutes"],
            "score": f"{e['work_score']:.2f}".replace(".", ","), "working_days": e["working_days"],
            "per_day": e["effective_minutes_per_day"],
            "pct": min(100, round(100 * e["recognised_minutes"] / target)) if target else 0}


# Above this many overdue items the home page does not group them all by superior (a heap read of
# every overdue row, 170-210 ms at city size): it shows the exact item count (index only) and the
# superiors with the longest-waiting items, each with their exact count.
OVERDUE_GROUPING_LIMIT = 1000


def _overdue(today: date, scope) -> tuple[int, Optional[int], list]:
    """(overdue items, superiors concerned or None when not counted, up to 5 (name, count,
    earliest review_due)) of the submitted activities past their review deadline in `scope`."""
    from app.models import Activity, Employee
    from app.services.activities import overdue_by_superior_query

    overdue = and_(Activity.status == wf.SUBMITTED, Activity.review_due < today)
    if scope is not None:
        overdue = and_(overdue, scope)
    items = int(db.session.scalar(
        select(func.count()).select_from(select(Activity.id).where(overdue)
                                         .limit(OVERDUE_GROUPING_LIMIT + 1).subquery())) or 0)
    if items <= OVERDUE_GROUPING_LIMIT:
        rows = db.session.execute(overdue_by_superior_query(today, scope)).all()
        return items, len(rows), [(name, int(n), due) for _sid, _nip, name, n, due, _d in rows[:5]]
    items = int(db.session.scalar(select(func.count()).select_from(Activity).where(overdue)) or 0)
    # the superiors of the longest-waiting items, read along the (status, review_due) index
    superiors: list = []
    offset, batch = 0, 200
    while len(superiors) < 5 and offset < items:
        chunk = db.session.execute(select(Activity.superior_id).where(overdue)
                                   .order_by(Activity.review_due, Activity.id).offset(offset).limit(batch)).scalars()
        for sid in chunk:
            if sid not in superiors and len(superiors) < 5:
                superiors.append(sid)
        offset += batch
    top = []
    for sid in superiors:
        mine = Activity.superior_id.is_(None) if sid is None else Activity.superior_id == sid
        n, due = db.session.execute(select(func.count(), func.min(Activity.review_due)).where(overdue, mine)).one()
        name = db.session.scalar(select(Employee.name).where(Employee.id == sid)) if sid is not None else None
        top.append((name, int(n), due))
    return items, None, top


def _opds_with_attendance(first, last, opd_id: Optional[int]) -> int:
    """OPDs (active units' OPD; only `opd_id` when given) with attendance imported between `first`
    and `last` for an active employee: one EXISTS per OPD, stopping at its first row, instead of
    counting the distinct employees of the whole city's month (periods.attendance_per_opd_query)."""
    from app.models import Attendance, Employee, Unit

    opds = select(Unit.opd_id.label("opd_id")).where(Unit.opd_id.is_not(None), Unit.active.is_(True))
    if opd_id is not None:
        opds = opds.where(Unit.opd_id == opd_id)
    opds = opds.group_by(Unit.opd_id).subquery()
    member = Unit.__table__.alias("member_unit")
    has = (select(Attendance.id).join(Employee, Employee.id == Attendance.employee_id)
           .join(member, member.c.id == Employee.unit_id)
           .where(member.c.opd_id == opds.c.opd_id, Employee.active.is_(True),
                  Attendance.date.between(first, last)).exists())
    return int(db.session.scalar(select(func.count()).select_from(opds).where(has)) or 0)


def _admin(actor, today: date) -> AdminWork:
    from app.models import Activity, Unit
    from app.models.periods import MONTH_NAMES
    from app.security import operator_opd_id, scope_clause
    from app.services.periods import get_period
    from app.services.recap import month_bounds

    city = actor.is_bkd
    opd_id = None if city else operator_opd_id()
    items, superiors, top = _overdue(today, scope_clause(Activity))

    prev = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    periods = []
    for y, m in ((today.year, today.month), prev):
        p = get_period(y, m)
        periods.append(PeriodState(f"{MONTH_NAMES[m]} {y}", p.state if p is not None else None))

    first, last = month_bounds(today.year, today.month)
    if city:
        opds = db.session.scalar(select(func.count(func.distinct(Unit.opd_id)))
                                 .where(Unit.opd_id.is_not(None), Unit.active.is_(True))) or 0
        opd_name = None
        with_att = _opds_with_attendance(first, last, None)
    else:
        opds = 1 if opd_id is not None else 0
        opd_name = db.session.scalar(select(Unit.name).where(Unit.id == opd_id)) if opd_id is not None else None
        with_att = _opds_with_attendance(first, last, opd_id) if opd_id is not None else 0
    return AdminWork(city_wide=city, opd_name=opd_name, overdue_superiors=superiors,
                     overdue_items=items, overdue_top=top, periods=periods,
                     opds=int(opds), opds_with_attendance=with_att)


def home_for(actor, today: Optional[date] = None) -> Home:
    """The blocks that apply to `actor` (an `activities.Actor`): own work when the login is an
    employee, the queue when it may decide, the operator/BKD tasks for those roles."""
    from app.models import Activity
    from app.security import ROLE_ADMIN, ROLE_ATASAN, ROLE_BKD, ROLE_OPERATOR
    from app.services import notifications
    from app.services.activities import queue_clause

    today = today or today_local()
    home = Home(today=today)
    s = notifications.summary_for(actor, today, limit=5)
    if actor.employee_id is not None:
        values = params_service.values_for(today.year)
        home.own = OwnWork(
            today_minutes=_today_minutes(actor.employee_id, today),
            daily_target=int(values["effective_minutes_per_day"]), daily_cap=int(values["max_minutes_per_day"]),
            month=_month(actor.employee_id, today),
            returned=s.returned, returned_count=s.returned_count, drafts=s.drafts, drafts_count=s.drafts_count)
    if actor.roles & {ROLE_ATASAN, ROLE_BKD, ROLE_ADMIN} or s.queue_count:
        overdue = db.session.scalar(select(func.count()).select_from(Activity).where(
            queue_clause(actor, today), Activity.review_due < today)) if s.queue_count else 0
        home.queue = QueueWork(waiting=s.queue_count, overdue=int(overdue or 0),
                               escalating=s.escalating_count, first=s.queue)
    if actor.roles & {ROLE_OPERATOR, ROLE_BKD, ROLE_ADMIN}:
        home.admin = _admin(actor, today)
    return home
