"""Holiday calendar and period state, read from the database for the domain rules."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db


def holidays_between(start: date, end: date) -> frozenset[date]:
    from app.models import Holiday

    from app.services.memo import in_transaction

    return in_transaction("holidays", (start, end), lambda: frozenset(
        db.session.scalars(select(Holiday.date).where(Holiday.date.between(start, end)))))


def holidays_around(d: date, days: int = 60) -> frozenset[date]:
    from datetime import timedelta

    return holidays_between(d - timedelta(days=days), d + timedelta(days=days))


def period_state(d: date) -> str | None:
    """'OPEN', 'CLOSED' or None when BKD has not opened the month."""
    from app.models import Period

    return db.session.scalar(select(Period.state).where(Period.year == d.year, Period.month == d.month))
