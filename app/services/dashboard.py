"""Dashboard figures (issue 5 item 4): SQL aggregates behind the scoped JSON endpoints.

Every aggregate is ONE grouped statement with the current user's `scope_clause` applied (plus,
for the OPD charts, the OPD ids the user may see); Python only shapes the grouped rows for
Chart.js. FAB's chart views are not used (they load Google Charts from the internet and group
rows in Python — design section 7).

Who sees which chart (`charts_for`):
- `employee_month` — everybody with the dashboard: one's own month; an operator may pick an
  employee of the own OPD, BKD/Admin/Auditor any employee, a superior a subordinate (the rows
  reachable through `scope_clause(Employee)`; the minutes through `scope_clause(Activity)`).
- `queue` — superiors, BKD and Admin: the submitted activities `queue_clause(actor)` gives.
- `opd_rates`, `opd_scores`, `predikat` — Operator OPD (own OPD only), BKD, Admin, Auditor (all).

Every aggregate runs on the PostgreSQL replica when `DATABASE_REPLICA_URL` names a usable one
(`@reads`, app.services.replica), else on the primary.

Definitions (documented for the users on the page too):
- minutes per day: claimed minutes of the employee's activities that day by status;
  "recognised" = APPROVED minutes capped at `max_minutes_per_day` (the recap's rule);
  "pending" = SUBMITTED minutes; "not submitted" = DRAFT and RETURNED. Daily target =
  `effective_minutes_per_day` on each working day of the unit's calendar (5/6-day week minus
  BKD holidays) that has no attendance status reducing the target (same rule as the recap).
- submission rate of an OPD and period = activities dated in the period that are no longer
  DRAFT / all activities dated in the period. (Submission before the deadline is not measurable
  in SQL without the calendar; the workflow refuses late submissions anyway.)
- on-time approval rate = decided activities (APPROVED, RETURNED, REJECTED with `decided_at`)
  whose decision date in WIB (decided_at is UTC, +7 h) is on or before `review_due` / all
  decided activities. `decided_at` is the latest decision: a later BKD correction counts as
  the decision date.
- activities count in the OPD of the employee's current unit; recap averages in the OPD
  snapshot of the recap row; the predikat distribution is `evaluation.distribution_report`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Optional

from sqlalchemy import Date, and_, case, cast, func, literal_column, select

from app.domain import predikat as PR
from app.domain import workflow as wf
from app.domain.calendar import DAY_NAMES_ID
from app.domain.distribution import ORG_PREDIKAT_LABELS
from app.domain.scores import employee_working_days, work_score
from app.extensions import db
from app.security import (
    ROLE_ADMIN, ROLE_ATASAN, ROLE_AUDITOR, ROLE_BKD, ROLE_OPERATOR, scope_clause,
)
from app.services import parameters as params_service
from app.services.organisation import today_local
from app.services.replica import reads

CHART_NAMES = ("employee_month", "queue", "opd_rates", "opd_scores", "predikat")
OPD_CHARTS = ("opd_rates", "opd_scores", "predikat")
_CITY_WIDE = {ROLE_ADMIN, ROLE_BKD, ROLE_AUDITOR}
_QUEUE_ROLES = {ROLE_ATASAN, ROLE_BKD, ROLE_ADMIN}
_DECIDED = (wf.APPROVED, wf.RETURNED, wf.REJECTED)
TWO = Decimal("0.01")


def _where(query, model):
    clause = scope_clause(model)
    return query if clause is None else query.where(clause)


def _round2(value) -> Optional[float]:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP))


def _pct(part: int, whole: int) -> Optional[float]:
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(TWO, rounding=ROUND_HALF_UP))


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, nxt - timedelta(days=1)


# --------------------------------------------------------------------------- who sees what
@dataclass(frozen=True)
class Viewer:
    """What the dashboard needs to know about the user (from `current_actor()`)."""

    roles: frozenset[str]
    employee_id: Optional[int]
    opd_id: Optional[int]

    @classmethod
    def of(cls, actor) -> "Viewer":
        return cls(frozenset(actor.roles), actor.employee_id, actor.opd_id)

    @property
    def city_wide(self) -> bool:
        return bool(self.roles & _CITY_WIDE)

    def opd_ids(self) -> Optional[list[int]]:
        """OPD ids of the OPD charts: None = all, [] = none."""
        if self.city_wide:
            return None
        if ROLE_OPERATOR in self.roles and self.opd_id is not None:
            return [self.opd_id]
        return []


def charts_for(viewer: Viewer) -> list[str]:
    charts = []
    if viewer.employee_id is not None or viewer.city_wide or ROLE_OPERATOR in viewer.roles:
        charts.append("employee_month")
    if viewer.roles & _QUEUE_ROLES:
        charts.append("queue")
    if viewer.opd_ids() != []:
        charts.extend(OPD_CHARTS)
    return charts


def find_employee(employee_id: Optional[int] = None, nip: Optional[str] = None):
    """The employee by id or NIP if it is within the user's scope, else None."""
    from app.models import Employee

    q = select(Employee)
    if employee_id is not None:
        q = q.where(Employee.id == employee_id)
    elif nip:
        q = q.where(Employee.nip == nip.strip())
    else:
        return None
    return db.session.scalar(_where(q, Employee))


# --------------------------------------------------------------------------- employee's month
@reads  # from the replica when usable (app.services.replica)
def employee_month(employee, year: int, month: int) -> dict[str, Any]:
    """Minutes per day of one employee's month against the daily target."""
    from app.models import Activity, Attendance, Holiday
    from app.models.scores import ATTENDANCE_STATUS_LABELS

    first, last = month_bounds(year, month)
    values = params_service.values_for(year)
    sp = params_service.score_params(year)
    cap = int(values["max_minutes_per_day"])
    per_day = sp.effective_minutes_per_day

    def minutes_of(*statuses):
        return func.coalesce(func.sum(case((Activity.status.in_(statuses), Activity.claimed_minutes), else_=0)), 0)

    q = (select(Activity.date, minutes_of(wf.APPROVED), minutes_of(wf.SUBMITTED),
                minutes_of(wf.DRAFT, wf.RETURNED), func.count(Activity.id))
         .where(Activity.employee_id == employee.id, Activity.date.between(first, last))
         .group_by(Activity.date))
    by_day = {d: (int(a), int(p), int(n), int(c)) for d, a, p, n, c in db.session.execute(_where(q, Activity))}

    holidays = dict(db.session.execute(select(Holiday.date, Holiday.name).where(Holiday.date.between(first, last))).all())
    reducing = sorted(sp.reducing_statuses)
    absent = {}
    if reducing:
        q_att = select(Attendance.date, Attendance.status).where(
            Attendance.employee_id == employee.id, Attendance.date.between(first, last),
            Attendance.status.in_(reducing))
        absent = dict(db.session.execute(_where(q_att, Attendance)).all())
    wpw = employee.unit.workdays_per_week if employee.unit is not None else 5
    working = set(employee_working_days(year, month, wpw, set(holidays), absent, sp.reducing_statuses))

    days = []
    totals = {"target": 0, "approved": 0, "recognised": 0, "pending": 0, "not_submitted": 0, "activities": 0}
    d = first
    while d <= last:
        approved, pending, not_submitted, n = by_day.get(d, (0, 0, 0, 0))
        target = per_day if d in working else 0
        row = {
            "date": d.isoformat(), "day": d.day, "weekday": DAY_NAMES_ID[d.weekday()],
            "working_day": d in working, "holiday": holidays.get(d),
            "absence": ATTENDANCE_STATUS_LABELS.get(absent[d]) if d in absent else None,
            "target": target, "approved": approved, "recognised": min(approved, cap), "pending": pending,
            "not_submitted": not_submitted, "activities": n,
        }
        for key in totals:
            totals[key] += row[key]
        days.append(row)
        d += timedelta(days=1)
    # The work score as the recap computes it (capped at 100, a month without working days
    # counts 100: app.domain.scores.work_score); the uncapped ratio only under its own label.
    totals["achievement_pct"] = float(work_score(totals["recognised"], totals["target"]))
    totals["ratio_uncapped_pct"] = _pct(totals["recognised"], totals["target"])
    return {
        "employee": {"id": employee.id, "nip": employee.nip, "name": employee.full_name},
        "year": year, "month": month, "cap_minutes_per_day": cap, "target_minutes_per_day": per_day,
        "working_days": len(working), "days": days, "totals": totals,
    }


# --------------------------------------------------------------------------- superior's queue
@reads  # from the replica when usable (app.services.replica)
def queue_summary(actor, today: Optional[date] = None) -> dict[str, Any]:
    """The activities awaiting `actor`'s decision now (queue_clause), pending and overdue
    (review_due before today), per employee."""
    from app.models import Activity, Employee
    from app.services.activities import queue_clause

    today = today or today_local()
    overdue = func.coalesce(func.sum(case((Activity.review_due < today, 1), else_=0)), 0)
    q = (select(Employee.id, Employee.nip, Employee.name, func.count(Activity.id), overdue,
                func.min(Activity.review_due))
         .select_from(Activity).join(Employee, Employee.id == Activity.employee_id)
         .where(queue_clause(actor, today))
         .group_by(Employee.id, Employee.nip, Employee.name))
    rows = [{"employee_id": eid, "nip": nip, "name": name, "pending": int(n), "overdue": int(late),
             "oldest_due": due.isoformat() if due else None}
            for eid, nip, name, n, late, due in db.session.execute(_where(q, Activity))]
    rows.sort(key=lambda r: (-r["overdue"], -r["pending"], r["name"]))
    return {
        "today": today.isoformat(),
        "pending": sum(r["pending"] for r in rows),
        "overdue": sum(r["overdue"] for r in rows),
        "employees": rows,
    }


# --------------------------------------------------------------------------- OPD charts
def _opd_roots(opd_ids: Optional[Iterable[int]]):
    from app.models import Unit

    q = select(Unit.id, Unit.code, Unit.name).where(Unit.parent_id.is_(None))
    if opd_ids is not None:
        q = q.where(Unit.id.in_(sorted(set(opd_ids))))
    return q


def _local_date(column):
    """The WIB date of a UTC timestamp column, in the database's dialect."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(column + literal_column("interval '7 hours'"), Date)
    return func.date(column, "+7 hours")


_RATES_CACHE = "ek_dashboard_opd_rates"


def opd_rates(period, opd_ids: Optional[Iterable[int]]) -> list[dict[str, Any]]:
    """Per OPD (None = all OPD roots): activities dated in the period, how many left DRAFT,
    how many were decided and how many of those on time (see the module docstring).

    The city-wide figures (no row scope: BKD, Admin, Auditor) aggregate the whole month's
    activities (~800,000 rows at city size, 0.6-0.9 s): they are kept per period and OPD set
    for DASHBOARD_CACHE_SECONDS (default 120; 0 = never kept) in this worker, so the figures
    shown are at most that old. A scoped viewer's (operator) figures are always computed."""
    import time

    from flask import current_app

    from app.models import Activity

    if opd_ids is not None:
        opd_ids = sorted(set(opd_ids))
    ttl = float(current_app.config.get("DASHBOARD_CACHE_SECONDS", 120) or 0)
    if ttl <= 0 or scope_clause(Activity) is not None:
        return _opd_rates(period, opd_ids)
    cache = current_app.extensions.setdefault(_RATES_CACHE, {})
    key = (period.id, None if opd_ids is None else tuple(opd_ids))
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return [dict(row) for row in hit[1]]
    rows = _opd_rates(period, opd_ids)
    cache[key] = (now + ttl, rows)
    return [dict(row) for row in rows]


@reads  # from the replica when usable (app.services.replica)
def _opd_rates(period, opd_ids: Optional[list[int]]) -> list[dict[str, Any]]:
    from app.models import Activity, Employee, Unit

    if opd_ids is not None and not opd_ids:
        return []
    first, last = month_bounds(period.year, period.month)
    decided = and_(Activity.status.in_(_DECIDED), Activity.decided_at.is_not(None))
    on_time = and_(decided, Activity.review_due.is_not(None), _local_date(Activity.decided_at) <= Activity.review_due)

    def count_if(cond):
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    agg = (select(Unit.opd_id.label("opd_id"), func.count(Activity.id).label("total"),
                  count_if(Activity.status != wf.DRAFT).label("submitted"),
                  count_if(decided).label("decided"), count_if(on_time).label("on_time"))
           .select_from(Activity).join(Employee, Employee.id == Activity.employee_id)
           .join(Unit, Unit.id == Employee.unit_id)
           .where(Activity.date.between(first, last))
           .group_by(Unit.opd_id))
    if opd_ids is not None:
        agg = agg.where(Unit.opd_id.in_(sorted(set(opd_ids))))
    agg = _where(agg, Activity).subquery("agg")
    roots = _opd_roots(opd_ids).subquery("opd")
    q = (select(roots.c.id, roots.c.code, roots.c.name, agg.c.total, agg.c.submitted, agg.c.decided, agg.c.on_time)
         .select_from(roots).outerjoin(agg, agg.c.opd_id == roots.c.id).order_by(roots.c.code))
    out = []
    for opd_id, code, name, total, submitted, n_decided, n_on_time in db.session.execute(q):
        total, submitted, n_decided, n_on_time = (int(x or 0) for x in (total, submitted, n_decided, n_on_time))
        out.append({
            "opd_id": opd_id, "code": code, "name": name, "activities": total, "submitted": submitted,
            "decided": n_decided, "on_time": n_on_time,
            "submission_rate": _pct(submitted, total), "on_time_rate": _pct(n_on_time, n_decided),
        })
    return out


@reads  # from the replica when usable (app.services.replica)
def opd_scores(period, opd_ids: Optional[Iterable[int]]) -> list[dict[str, Any]]:
    """Average, lowest and highest work score of the period's recap rows per OPD."""
    from app.models import Recap

    if opd_ids is not None and not list(opd_ids):
        return []
    agg = (select(Recap.opd_id.label("opd_id"), func.count(Recap.id).label("employees"),
                  func.avg(Recap.work_score).label("avg"), func.min(Recap.work_score).label("min"),
                  func.max(Recap.work_score).label("max"))
           .where(Recap.period_id == period.id).group_by(Recap.opd_id))
    if opd_ids is not None:
        agg = agg.where(Recap.opd_id.in_(sorted(set(opd_ids))))
    agg = _where(agg, Recap).subquery("agg")
    roots = _opd_roots(opd_ids).subquery("opd")
    q = (select(roots.c.id, roots.c.code, roots.c.name, agg.c.employees, agg.c.avg, agg.c.min, agg.c.max)
         .select_from(roots).outerjoin(agg, agg.c.opd_id == roots.c.id).order_by(roots.c.code))
    return [{"opd_id": opd_id, "code": code, "name": name, "employees": int(n or 0),
             "average": _round2(avg), "lowest": _round2(lo), "highest": _round2(hi)}
            for opd_id, code, name, n, avg, lo, hi in db.session.execute(q)]


@reads  # from the replica when usable (app.services.replica)
def predikat_distribution(period, opd_ids: Optional[Iterable[int]]) -> dict[str, Any]:
    """The employees' predikat per OPD against the organisation predikat
    (`evaluation.distribution_report`, restricted to the OPD ids of the user's scope)."""
    from app.services.evaluation import distribution_report

    rows = [] if opd_ids is not None and not list(opd_ids) else distribution_report(period, opd_ids)
    return {
        "predikat": [{"code": c, "label": PR.PREDIKAT_LABELS[c]} for c in PR.PREDIKAT_ORDER],
        "opd": [{
            "opd_id": r.opd_id, "code": r.opd_code, "name": r.opd_name,
            "org_predikat": r.org_predikat, "org_predikat_label": ORG_PREDIKAT_LABELS.get(r.org_predikat),
            "total": r.total, "counts": {c: int(r.counts.get(c, 0)) for c in PR.PREDIKAT_ORDER},
            "percent": {c: float(r.percent(c)) for c in PR.PREDIKAT_ORDER},
            "violations": [v.message for v in r.violations],
        } for r in rows],
    }
