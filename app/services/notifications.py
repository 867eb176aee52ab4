"""Notifications (issue 10 item 6): what needs the user's attention, for the bell in the navbar,
the notification page and the daily e-mail digest (`flask --app run send-reminders`).

Per user:
- returned: own activities in status RETURNED (with the superior's note);
- drafts: own DRAFT activities whose submission deadline (`app.domain.calendar.submit_deadline`,
  parameter `submit_deadline_workdays`, the employee's unit week and the holidays) is today or
  the next working day;
- queue: activities awaiting the user's decision — `activities.queue_clause`, the approval
  queue's own rule;
- escalating: submitted activities of which the user is the superior whose review deadline
  (`review_due`) is today or the next working day: after it the superior's superior may decide.

Since the deadline grows with the activity date, the drafts near their deadline are, per working
week (5 or 6 days), one range of activity dates computed once from the calendar
(`draft_date_ranges`); the queries then filter on that range, grouped for the whole city.
"""
from __future__ import annotations

import smtplib
import time as _time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

from flask import current_app, g, render_template
from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import aliased

from app.domain import calendar as cal
from app.domain import workflow as wf
from app.extensions import db, mail
from app.formatting import format_date
from app.services import calendar as cal_service
from app.services import parameters as params_service
from app.services.organisation import today_local

LIST_LIMIT = 20  # items listed per group on the page and in the mail (the count is always complete)
_RANGE_TTL = 300  # seconds the navbar keeps the date ranges of today (the calendar rarely changes)
MSG_SMTP_DOWN = "Server SMTP {server}:{port} tidak dapat dihubungi: {error}"


# --------------------------------------------------------------------------- calendar ranges
@dataclass(frozen=True)
class Horizon:
    """Today, and per working week the next working day and the activity dates whose
    submission deadline falls within [today, next working day] (None: no such date)."""

    today: date
    next_day: dict[int, date]
    draft_dates: dict[int, Optional[tuple[date, date]]]


def horizon(today: Optional[date] = None) -> Horizon:
    today = today or today_local()
    holidays = cal_service.holidays_between(today - timedelta(days=120), today + timedelta(days=60))
    workdays = {y: params_service.workflow_params(y).submit_deadline_workdays for y in (today.year - 1, today.year)}
    next_day, ranges = {}, {}
    for wpw in cal.WORKDAY_OPTIONS:
        nxt = cal.add_working_days(today, 1, wpw, holidays)
        dates = []
        for back in range(0, 90):
            d = today - timedelta(days=back)
            if today <= cal.submit_deadline(d, workdays[d.year], wpw, holidays) <= nxt:
                dates.append(d)
        next_day[wpw] = nxt
        ranges[wpw] = (min(dates), max(dates)) if dates else None
    return Horizon(today, next_day, ranges)


def cached_horizon() -> Horizon:
    """`horizon()` of today, kept a few minutes per application (for the navbar)."""
    today = today_local()
    cache = current_app.extensions.setdefault("ek_notify_horizon", {})
    hit = cache.get(today)
    if hit is not None and hit[0] > _time.monotonic():
        return hit[1]
    value = horizon(today)
    cache.clear()
    cache[today] = (_time.monotonic() + _RANGE_TTL, value)
    return value


def _wpw(unit_table):
    return func.coalesce(unit_table.workdays_per_week, 5)


def near_deadline_clause(h: Horizon, unit_table):
    """DRAFT activities whose submission deadline is within one working day (Activity joined
    with its employee's Unit as `unit_table`)."""
    from app.models import Activity

    parts = [and_(_wpw(unit_table) == wpw, Activity.date.between(lo, hi))
             for wpw, r in h.draft_dates.items() if r is not None for lo, hi in [r]]
    if not parts:
        return false()
    return and_(Activity.status == wf.DRAFT, or_(*parts))


def escalating_clause(h: Horizon, superior_unit):
    """SUBMITTED activities whose review deadline is today or the superior's next working day
    (Activity joined with the superior's Unit as `superior_unit`)."""
    from app.models import Activity

    last = case(*[(_wpw(superior_unit) == wpw, d) for wpw, d in h.next_day.items()], else_=h.next_day[5])
    return and_(Activity.status == wf.SUBMITTED, Activity.superior_id.is_not(None),
                Activity.review_due >= h.today, Activity.review_due <= last)


# --------------------------------------------------------------------------- one user
@dataclass
class Item:
    id: int
    date: date
    description: str
    employee: Optional[str] = None
    note: Optional[str] = None
    due: Optional[date] = None


@dataclass
class Summary:
    returned_count: int = 0
    drafts_count: int = 0
    queue_count: int = 0
    escalating_count: int = 0
    returned: list[Item] = field(default_factory=list)
    drafts: list[Item] = field(default_factory=list)
    queue: list[Item] = field(default_factory=list)
    escalating: list[Item] = field(default_factory=list)

    @property
    def total(self) -> int:
        """The bell's count: returned items, items waiting, drafts near their deadline
        (the escalating items are part of the queue)."""
        return self.returned_count + self.drafts_count + self.queue_count

    @property
    def empty(self) -> bool:
        return self.total == 0


def _submit_due(d: date, wpw: int, holidays, workdays: dict[int, int]) -> date:
    if d.year not in workdays:
        workdays[d.year] = params_service.workflow_params(d.year).submit_deadline_workdays
    return cal.submit_deadline(d, workdays[d.year], wpw, holidays)


def own_counts(employee_id: int, h: Horizon) -> tuple[int, int]:
    """(returned, drafts near the deadline) of one employee: one grouped query."""
    from app.models import Activity, Employee, Unit

    q = (select(func.coalesce(func.sum(case((Activity.status == wf.RETURNED, 1), else_=0)), 0),
                func.coalesce(func.sum(case((near_deadline_clause(h, Unit), 1), else_=0)), 0))
         .select_from(Activity).join(Employee, Employee.id == Activity.employee_id)
         .outerjoin(Unit, Unit.id == Employee.unit_id)
         .where(Activity.employee_id == employee_id, Activity.status.in_((wf.RETURNED, wf.DRAFT))))
    returned, drafts = db.session.execute(q).one()
    return int(returned or 0), int(drafts or 0)


def bell_count() -> int:
    """The navbar bell of the current user, once per request: the menu's queue count
    (`pending_decisions`, already computed for the menu badge) plus one query for the own items."""
    if "ek_bell" not in g:
        from app.security import current_employee
        from app.views import pending_decisions

        total = pending_decisions()
        emp = current_employee()
        if emp is not None:
            total += sum(own_counts(emp.id, cached_horizon()))
        g.ek_bell = total
    return g.ek_bell


def _own_items(h: Horizon, out: dict[int, Summary], *where, limit: int = LIST_LIMIT) -> None:
    """Returned activities and drafts near their deadline of active employees, per user id."""
    from app.models import Activity, Employee, Unit

    holidays = cal_service.holidays_between(h.today - timedelta(days=120), h.today + timedelta(days=60))
    per_year: dict[int, int] = {}
    own = (select(Employee.user_id, Activity.id, Activity.date, Activity.description, Activity.decision_note,
                  Activity.status, _wpw(Unit))
           .select_from(Activity).join(Employee, Employee.id == Activity.employee_id)
           .outerjoin(Unit, Unit.id == Employee.unit_id)
           .where(Employee.user_id.is_not(None), Employee.active.is_(True),
                  or_(Activity.status == wf.RETURNED, near_deadline_clause(h, Unit)), *where)
           .order_by(Employee.user_id, Activity.date, Activity.id))
    for uid, aid, d, desc, note, status, wpw in db.session.execute(own):
        s = out.setdefault(uid, Summary())
        if status == wf.RETURNED:
            s.returned_count += 1
            if len(s.returned) < limit:
                s.returned.append(Item(aid, d, desc, note=note))
        else:
            s.drafts_count += 1
            if len(s.drafts) < limit:
                s.drafts.append(Item(aid, d, desc, due=_submit_due(d, wpw, holidays, per_year)))


def _escalating_items(h: Horizon, out: dict[int, Summary], superior_id: Optional[int] = None,
                      limit: int = LIST_LIMIT) -> None:
    """Submitted activities about to escalate, per user id of the (active) superior; all
    superiors, or the one with `superior_id`."""
    from app.models import Activity, Employee, Unit

    decider, sup_unit = aliased(Employee), aliased(Unit)
    esc = (select(decider.user_id, Activity.id, Activity.date, Activity.description, Employee.name,
                  Activity.review_due)
           .select_from(Activity).join(Employee, Employee.id == Activity.employee_id)
           .join(decider, decider.id == Activity.superior_id)
           .outerjoin(sup_unit, sup_unit.id == decider.unit_id)
           .where(decider.user_id.is_not(None), decider.active.is_(True), escalating_clause(h, sup_unit))
           .order_by(decider.user_id, Activity.review_due, Activity.id))
    if superior_id is not None:
        # someone who decides nothing (most employees) is answered from the superior index
        # instead of walking every submitted item near its deadline in the city
        waiting = (select(Activity.id).where(Activity.superior_id == superior_id, Activity.status == wf.SUBMITTED)
                   .exists())
        if not db.session.scalar(select(waiting)):
            return
        esc = esc.where(Activity.superior_id == superior_id)
    for uid, aid, d, desc, name, due in db.session.execute(esc):
        s = out.setdefault(uid, Summary())
        s.escalating_count += 1
        if len(s.escalating) < limit:
            s.escalating.append(Item(aid, d, desc, employee=name, due=due))


def summary_for(actor, today: Optional[date] = None, limit: int = LIST_LIMIT) -> Summary:
    """Everything of one user (the notification page)."""
    from app.models import Activity, Employee
    from app.services.activities import queue_clause

    h = horizon(today)
    out: dict[int, Summary] = {}
    if actor.employee_id is not None:
        _own_items(h, out, Activity.employee_id == actor.employee_id, limit=limit)
        _escalating_items(h, out, actor.employee_id, limit=limit)
    s = next(iter(out.values()), Summary())
    queue = (select(Activity.id, Activity.date, Activity.description, Employee.name, Activity.review_due)
             .select_from(Activity).join(Employee, Employee.id == Activity.employee_id)
             .where(queue_clause(actor, h.today)))
    s.queue_count = db.session.scalar(select(func.count()).select_from(queue.subquery())) or 0
    s.queue = [Item(a, d, desc, employee=name, due=due) for a, d, desc, name, due
               in db.session.execute(queue.order_by(Activity.review_due, Activity.id).limit(limit))]
    return s


# --------------------------------------------------------------------------- settings
def setting_for(user_id: int):
    from app.models import NotificationSetting

    return db.session.get(NotificationSetting, user_id)


def set_email_digest(user_id: int, wanted: bool) -> None:
    """The user's own choice; the caller commits."""
    from app.models import NotificationSetting

    row = setting_for(user_id)
    if row is None:
        row = NotificationSetting(user_id=user_id, email_digest=True)
        db.session.add(row)
    row.email_digest = bool(wanted)
    db.session.flush()


# --------------------------------------------------------------------------- the whole city
def city_summaries(today: Optional[date] = None, limit: int = LIST_LIMIT) -> dict[int, Summary]:
    """Summary per user id of everybody with something to report, by grouped queries (one per
    kind, plus one queue count per BKD/Admin login, who decide at the top of the tree)."""
    from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

    from app.models import Activity, Employee
    from app.security import ROLE_ADMIN, ROLE_BKD
    from app.services.activities import Actor, queue_clause

    h = horizon(today)
    out: dict[int, Summary] = {}
    _own_items(h, out, limit=limit)

    # The queue of every superior: the approval queue's own clause with the superior as a
    # column (correlated), grouped by superior.
    decider = aliased(Employee)
    as_column = Actor(user_id=None, username=None, employee_id=decider.id)
    queue = (select(decider.user_id, func.count(Activity.id))
             .select_from(decider).join(Activity, queue_clause(as_column, h.today))
             .where(decider.user_id.is_not(None), decider.active.is_(True))
             .group_by(decider.user_id))
    counts = dict(db.session.execute(queue).all())
    top = db.session.execute(
        select(User.id, User.username, Employee.id, Role.name)
        .join(assoc_user_role, assoc_user_role.c.user_id == User.id)
        .join(Role, Role.id == assoc_user_role.c.role_id)
        .outerjoin(Employee, Employee.user_id == User.id)
        .where(Role.name.in_((ROLE_ADMIN, ROLE_BKD)), User.active.is_(True))).all()
    for uid, username, emp_id, role in top:
        actor = Actor(user_id=uid, username=username, employee_id=emp_id, roles={role})
        counts[uid] = db.session.scalar(select(func.count()).select_from(Activity)
                                        .where(queue_clause(actor, h.today))) or 0
    for uid, n in counts.items():
        if n:
            out.setdefault(uid, Summary()).queue_count = int(n)

    _escalating_items(h, out, limit=limit)
    return {uid: s for uid, s in out.items() if not s.empty}


# --------------------------------------------------------------------------- the digest
@dataclass
class DigestResult:
    sent: int = 0
    skipped_no_email: int = 0
    skipped_opted_out: int = 0
    skipped_already_sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (address, reason)

    @property
    def skipped(self) -> int:
        return self.skipped_no_email + self.skipped_opted_out + self.skipped_already_sent

    def summary(self) -> str:
        lines = [f"Ringkasan terkirim: {self.sent}; dilewati: {self.skipped} "
                 f"(tanpa alamat e-mail: {self.skipped_no_email}, memilih tidak menerima: "
                 f"{self.skipped_opted_out}, sudah dikirim hari ini: {self.skipped_already_sent}); "
                 f"gagal: {len(self.failed)}."]
        lines += [f"Gagal dikirim ke {addr}: {reason}" for addr, reason in self.failed]
        return "\n".join(lines)


def digest_message(user, summary: Summary, today: date):
    from flask_mail import Message

    base = current_app.config.get("APP_BASE_URL", "").rstrip("/")
    ctx = {"user": user, "s": summary, "today": today, "link": f"{base}/notifications/",
           "settings_link": f"{base}/notifications/settings", "fmt": format_date}
    subject = f"e-Kinerja: ringkasan {format_date(today)}"
    return Message(subject=subject, recipients=[user.email],
                   body=render_template("notifications/digest.txt", **ctx),
                   html=render_template("notifications/digest.html", **ctx))


def send_digests(today: Optional[date] = None) -> DigestResult:
    """One digest per user with something to report; skips users without an address, those
    who switched the e-mail off and those already sent one today. A refused recipient is
    reported and does not stop the others. The last digest date is committed per recipient;
    one audit row per run."""
    from flask_appbuilder.security.sqla.models import User

    from app.models import NotificationSetting
    from app.services.audit import add_event

    today = today or today_local()
    result = DigestResult()
    summaries = city_summaries(today)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(summaries)),
                                                                  User.active.is_(True)))} if summaries else {}
    settings = {r.user_id: r for r in db.session.scalars(
        select(NotificationSetting).where(NotificationSetting.user_id.in_(list(users))))} if users else {}
    todo = []
    for uid in sorted(users):
        user, row = users[uid], settings.get(uid)
        if not (user.email or "").strip():
            result.skipped_no_email += 1
        elif row is not None and not row.email_digest:
            result.skipped_opted_out += 1
        elif row is not None and row.last_digest_on is not None and row.last_digest_on >= today:
            result.skipped_already_sent += 1
        else:
            todo.append(user)
    if todo:
        state = current_app.extensions["mail"]
        try:
            conn = mail.connect().__enter__()
        except (OSError, smtplib.SMTPException) as err:
            raise ConnectionError(MSG_SMTP_DOWN.format(server=state.server, port=state.port, error=err)) from err
        try:
            for user in todo:
                try:
                    conn.send(digest_message(user, summaries[user.id], today))
                except smtplib.SMTPServerDisconnected as err:
                    result.failed.append((user.email, str(err) or "koneksi terputus"))
                    conn.host = conn.configure_host()
                    continue
                except (smtplib.SMTPException, OSError, ValueError) as err:
                    result.failed.append((user.email, _reason(err)))
                    continue
                row = settings.get(user.id)
                if row is None:
                    row = NotificationSetting(user_id=user.id, email_digest=True)
                    db.session.add(row)
                    settings[user.id] = row
                row.last_digest_on = today
                db.session.commit()
                result.sent += 1
        finally:
            try:
                conn.__exit__(None, None, None)
            except (OSError, smtplib.SMTPException):
                pass
    add_event(db.session, "Notifikasi", None, "DIGEST", after={
        "date": today.isoformat(), "sent": result.sent, "skipped": result.skipped,
        "failed": [addr for addr, _ in result.failed]}, detail=result.summary())
    db.session.commit()
    return result


def _reason(err: Exception) -> str:
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        parts = []
        for code, msg in err.recipients.values():
            parts.append(f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}")
        return "ditolak server: " + "; ".join(parts)
    if isinstance(err, smtplib.SMTPResponseException):
        msg = err.smtp_error.decode(errors="replace") if isinstance(err.smtp_error, bytes) else err.smtp_error
        return f"ditolak server: {err.smtp_code} {msg}"
    return str(err)
