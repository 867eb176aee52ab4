"""Login state kept on the server: page sessions and per-account login state.

`login_session` holds one row per page login; the signed session cookie carries only a random
id whose SHA-256 is the primary key, so a copied cookie stops working the moment the row is
ended (logout, password change, deactivation, idle or absolute timeout).
`auth_state` holds per account the consecutive failed logins, the lockout and the API token
version: a JWT carries the version it was issued under and is refused once it changed.
"""
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String

from flask_appbuilder import Model


class LoginSession(Model):
    __tablename__ = "login_session"
    __table_args__ = (Index("ix_login_session_user", "user_id", "ended_at"),)

    id = Column(String(64), primary_key=True)  # sha256 hex of the id in the cookie
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(DateTime, nullable=False)  # naive UTC
    last_seen_at = Column(DateTime, nullable=False)
    ended_at = Column(DateTime, nullable=True)
    end_reason = Column(String(20), nullable=True)
    ip = Column(String(45), nullable=True)
    user_agent = Column(String(200), nullable=True)


class AuthState(Model):
    __tablename__ = "auth_state"

    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    failed_logins = Column(Integer, nullable=False, default=0, server_default="0")
    locked_until = Column(DateTime, nullable=True)
    token_version = Column(Integer, nullable=False, default=0, server_default="0")
    revoked_at = Column(DateTime, nullable=True)
