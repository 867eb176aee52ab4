"""Per-user notification settings (issue 10 item 6): whether the daily e-mail digest is wanted
and the WIB date of the last digest sent, so a second run on the same day sends nothing.
A user without a row receives the digest (the default) and has never been sent one."""
from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, true

from flask_appbuilder import Model


class NotificationSetting(Model):
    __tablename__ = "notification_setting"

    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    email_digest = Column(Boolean, nullable=False, default=True, server_default=true())
    last_digest_on = Column(Date, nullable=True)  # WIB date of the last digest sent
