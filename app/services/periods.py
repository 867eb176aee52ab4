"""Monthly periods: BKD opens a month, closes it after it has ended (data frozen) and may
reopen it with a reason. Every change is audited (action OPEN/CLOSE/REOPEN with the note).

The caller commits; each function flushes so the audit row is written with the change.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Optional

from sqlalchemy import select

from app.extensions import db
from app.services import Forbidden, ValidationFailed
from app.services.organisation import today_local

MSG_FORBIDDEN = "Hanya BKD atau Admin yang dapat membuka, menutup atau membuka kembali periode."
MSG_NOT_ENDED = "Periode belum berakhir; tutup setelah akhir bulan."
MSG_ALREADY_CLOSED = "Periode ini sudah ditutup."
MSG_NOT_CLOSED = "Periode ini tidak sedang ditutup; hanya periode yang ditutup yang dapat dibuka kembali."
MSG_REASON_REQUIRED = "Alasan membuka kembali periode wajib diisi."


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _require_bkd(actor) -> None:
    if actor is None or not actor.is_bkd:
        raise Forbidden(MSG_FORBIDDEN)


def first_day_after(year: int, month: int) -> date:
    """The first day of the month after (year, month)."""
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def get_period(year: int, month: int):
    from app.models import Period

    return db.session.scalar(select(Period).where(Period.year == year, Period.month == month))


def open_period(year: int, month: int, actor):
    """The Period of (year, month), created OPEN if missing (BKD/Admin only)."""
    from app.models import Period

    _require_bkd(actor)
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = ["Tahun harus antara 2000 dan 2100."]
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        errors["month"] = ["Bulan harus 1 sampai 12."]
    if errors:
        raise ValidationFailed(errors)
    period = get_period(year, month)
    if period is not None:
        return period
    period = Period(year=year, month=month, state="OPEN")
    period._audit_action = "OPEN"
    db.session.add(period)
    db.session.flush()
    return period


def close_period(period, actor, note: Optional[str] = None) -> None:
    """OPEN -> CLOSED once the month has ended; activities of the month are frozen."""
    _require_bkd(actor)
    if period.state == "CLOSED":
        raise ValidationFailed({"state": [MSG_ALREADY_CLOSED]})
    if today_local() < first_day_after(period.year, period.month):
        raise ValidationFailed({"state": [MSG_NOT_ENDED]})
    from app.services.recap import recompute_period

    recompute_period(period.year, period.month, actor)  # the frozen recap is the final one
    period.state = "CLOSED"
    period.closed_by_id = actor.user_id
    period.closed_at = _utcnow()
    period._audit_action = "CLOSE"
    period._audit_detail = (note or "").strip() or None
    db.session.flush()


def reopen_period(period, actor, reason: Optional[str]) -> None:
    """CLOSED -> OPEN with a required reason (audited)."""
    _require_bkd(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [MSG_REASON_REQUIRED]})
    if period.state != "CLOSED":
        raise ValidationFailed({"state": [MSG_NOT_CLOSED]})
    period.state = "OPEN"
    period.closed_by_id = None
    period.closed_at = None
    period._audit_action = "REOPEN"
    period._audit_detail = reason
    db.session.flush()
