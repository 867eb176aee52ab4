"""Server-side login state: page sessions, per-account lockout and revocation of everything a
login holds (page sessions and API tokens).

- A page login creates a `login_session` row; the cookie carries a random id whose SHA-256 is
  the row's key. Every request checks the row (ended? idle? too old?); `last_seen_at` is
  written at most once a minute, so an ordinary request does not write.
- `auth_state` counts consecutive failed logins per account and holds the lockout; the counter
  lives in the database, so it holds across all workers.
- Revoking a login (deactivation, password change) ends all its page sessions and raises its
  token version: every JWT issued before carries the old version and is refused.
A deactivated employee (page action, edit form, API, import: any ORM change of
`Employee.active` to False) or a deactivated user disables the login and is revoked in the same
flush, by the listener registered here.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import delete, event, inspect, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.extensions import db
from app.models.audit import utcnow
from app.models.auth import AuthState, LoginSession

log = logging.getLogger("ekinerja.auth")

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
KEEP_ENDED = timedelta(days=30)  # ended rows of a user are pruned at their next login

END_LOGOUT = "logout"
END_PASSWORD = "password"
END_DEACTIVATED = "deactivated"
END_IDLE = "idle"
END_ABSOLUTE = "absolute"


def _key(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


# --------------------------------------------------------------------------- page sessions
def start_session(user_id: int, ip: Optional[str], user_agent: Optional[str]) -> str:
    """Record a new page login; returns the random id to keep in the signed cookie."""
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    s = db.session
    s.execute(delete(LoginSession).where(
        LoginSession.user_id == user_id,
        or_(LoginSession.ended_at < now - KEEP_ENDED, LoginSession.last_seen_at < now - KEEP_ENDED)))
    s.add(LoginSession(id=_key(sid), user_id=user_id, created_at=now, last_seen_at=now, ip=ip,
                       user_agent=(user_agent or "")[:200] or None))
    s.commit()
    return sid


def check_session(user_id, sid: Optional[str], idle: timedelta, absolute: timedelta) -> Optional[str]:
    """None when the page session `sid` of `user_id` is valid (and touched), else why not."""
    if not sid:
        return "missing"
    row = db.session.get(LoginSession, _key(sid))
    if row is None or str(row.user_id) != str(user_id):
        return "missing"
    if row.ended_at is not None:
        return row.end_reason or END_LOGOUT
    now = utcnow()
    reason = None
    if now - row.created_at >= absolute:
        reason = END_ABSOLUTE
    elif now - row.last_seen_at >= idle:
        reason = END_IDLE
    # Statements, not changes of the loaded row: no flush (and no flush listener) runs while
    # the request's user is still being loaded.
    if reason:
        db.session.execute(update(LoginSession).where(LoginSession.id == row.id)
                           .values(ended_at=now, end_reason=reason))
        db.session.commit()
        log.info("Sesi user_id=%s berakhir (%s)", user_id, reason)
        return reason
    if now - row.last_seen_at >= TOUCH_EVERY:
        db.session.execute(update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now))
        db.session.commit()
    return None


def end_session(sid: Optional[str], reason: str = END_LOGOUT) -> None:
    if not sid:
        return
    db.session.execute(update(LoginSession).where(LoginSession.id == _key(sid), LoginSession.ended_at.is_(None))
                       .values(ended_at=utcnow(), end_reason=reason))
    db.session.commit()


# --------------------------------------------------------------------------- revocation
def _state(session: Session, user_id: int) -> AuthState:
    with session.no_autoflush:
        state = session.get(AuthState, user_id)
    if state is None:
        state = AuthState(user_id=user_id, failed_logins=0, token_version=0)
        session.add(state)
    return state


def _revoke_in(session: Session, user_id: int, reason: str) -> AuthState:
    """End every page session and invalidate every API token of the login (no commit)."""
    now = utcnow()
    state = _state(session, user_id)
    state.token_version = (state.token_version or 0) + 1
    state.revoked_at = now
    with session.no_autoflush:
        rows = session.scalars(select(LoginSession).where(LoginSession.user_id == user_id,
                                                          LoginSession.ended_at.is_(None))).all()
    for row in rows:
        row.ended_at, row.end_reason = now, reason
    log.info("Semua sesi dan token user_id=%s dicabut (%s)", user_id, reason)
    return state


def revoke_user(user_id: int, reason: str) -> None:
    """End all sessions and tokens of a login and clear its lockout (password change), committed."""
    user_id = int(user_id)
    state = _revoke_in(db.session, user_id, reason)
    state.failed_logins, state.locked_until = 0, None
    db.session.commit()


def token_version(user_id) -> int:
    state = db.session.get(AuthState, int(user_id))
    return state.token_version if state is not None else 0


def _turned_off(obj, attr: str) -> bool:
    hist = inspect(obj).attrs[attr].history
    return list(hist.added) == [False] and list(hist.deleted) != [False]


def _before_flush(session: Session, flush_context, instances) -> None:
    from flask_appbuilder.security.sqla.models import User

    from app.models import Employee

    users = {}
    for obj in list(session.dirty):
        if isinstance(obj, Employee) and obj.user_id is not None and _turned_off(obj, "active"):
            with session.no_autoflush:
                user = session.get(User, obj.user_id)
            if user is not None:
                user.active = False  # the login of a deactivated employee is disabled at once
                users[user.id] = END_DEACTIVATED
        elif isinstance(obj, User) and _turned_off(obj, "active"):
            users[obj.id] = END_DEACTIVATED
    for user_id, reason in users.items():
        _revoke_in(session, user_id, reason)


def register_listeners() -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


# --------------------------------------------------------------------------- lockout
def locked_until(user_id: int) -> Optional[datetime]:
    """End of the account's lockout, or None when it may log in."""
    state = db.session.get(AuthState, user_id)
    if state is not None and state.locked_until is not None and state.locked_until > utcnow():
        return state.locked_until
    return None


def register_failure(user_id: int, threshold: int, cooldown: timedelta) -> Optional[datetime]:
    """Count a wrong password (atomically, across workers); lock the account at `threshold`.
    Returns the end of the lockout when the account is (now) locked."""
    s = db.session
    if s.get(AuthState, user_id) is None:
        try:
            s.add(AuthState(user_id=user_id, failed_logins=0, token_version=0))
            s.commit()
        except IntegrityError:  # another worker created it meanwhile
            s.rollback()
    now = utcnow()
    # A lockout whose cool-down has passed starts a fresh count.
    s.execute(update(AuthState).where(AuthState.user_id == user_id, AuthState.locked_until.is_not(None),
                                      AuthState.locked_until <= now).values(failed_logins=0, locked_until=None))
    s.execute(update(AuthState).where(AuthState.user_id == user_id)
              .values(failed_logins=AuthState.failed_logins + 1))
    if threshold > 0:
        s.execute(update(AuthState).where(AuthState.user_id == user_id, AuthState.failed_logins >= threshold,
                                          AuthState.locked_until.is_(None))
                  .values(locked_until=now + cooldown))
    s.commit()
    until = s.scalar(select(AuthState.locked_until).where(AuthState.user_id == user_id))
    return until if until is not None and until > now else None


def reset_failures(user_id: int) -> None:
    db.session.execute(update(AuthState).where(
        AuthState.user_id == user_id, or_(AuthState.failed_logins != 0, AuthState.locked_until.is_not(None)))
        .values(failed_logins=0, locked_until=None))
    db.session.commit()
