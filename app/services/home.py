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

from sqlalchemy import func, select

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
    overdue_superiors: int
    overdue_items: int
    overdue_top: list  # (superior name or None, count, earliest review_due)
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


def _admin(actor, today: date) -> AdminWork:
    from app.models import Activity, Unit
    from app.models.periods import MONTH_NAMES
    from app.security import operator_opd_id, scope_clause
    from app.services.activities import overdue_by_superior_query
    from app.services.periods import attendance_per_opd_query, get_period
    from app.services.recap import month_bounds

    city = actor.is_bkd
    opd_id = None if city else operator_opd_id()
    rows = db.session.execute(overdue_by_superior_query(today, scope_clause(Activity))).all()
    top = [(name, int(n), due) for _sid, _nip, name, n, due, _d in rows[:5]]

    prev = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    periods = []
    for y, m in ((today.year, today.month), prev):
        p = get_period(y, m)
        periods.append(PeriodState(f"{MONTH_NAMES[m]} {y}", p.state if p is not None else None))

    first, last = month_bounds(today.year, today.month)
    with_att = dict(db.session.execute(attendance_per_opd_query(first, last, opd_id).group_by(Unit.opd_id)).all())
    if city:
        opds = db.session.scalar(select(func.count(func.distinct(Unit.opd_id)))
                                 .where(Unit.opd_id.is_not(None), Unit.active.is_(True))) or 0
        opd_name = None
    else:
        opds = 1 if opd_id is not None else 0
        opd_name = db.session.scalar(select(Unit.name).where(Unit.id == opd_id)) if opd_id is not None else None
    return AdminWork(city_wide=city, opd_name=opd_name, overdue_superiors=len(rows),
                     overdue_items=sum(int(r[3]) for r in rows), overdue_top=top, periods=periods,
                     opds=int(opds), opds_with_attendance=sum(1 for n in with_att.values() if n))


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
