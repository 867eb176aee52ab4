"""Holiday calendar and period state, read from the database for the domain rules."""
from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import bindparam, select

from app.extensions import db


def holidays_between(start: date, end: date) -> frozenset[date]:
    from app.services.memo import in_transaction

    return in_transaction("holidays", (start, end), lambda: frozenset(
        db.session.scalars(_holidays_statement(), {"start": start, "end": end})))


def holidays_around(d: date, days: int = 60) -> frozenset[date]:
    from datetime import timedelta

    return holidays_between(d - timedelta(days=days), d + timedelta(days=days))


def period_state(d: date) -> str | None:
    """'OPEN', 'CLOSED' or None when BKD has not opened the month."""
    return db.session.scalar(_period_state_statement(), {"year": d.year, "month": d.month})


# Built once per process: every entry, submission and decision asks these (issue 11 item 6).
@cache
def _holidays_statement():
    from app.models import Holiday

    return select(Holiday.date).where(Holiday.date.between(bindparam("start"), bindparam("end")))


@cache
def _period_state_statement():
    from app.models import Period

    return select(Period.state).where(Period.year == bindparam("year"), Period.month == bindparam("month"))
