"""Notifications (issue 10 item 6): the page behind the navbar bell and the user's own
e-mail setting ("Terima ringkasan e-mail"). Every logged-in role has both (config `_SELF`).

- GET /notifications/            returned items, drafts near their deadline, the queue and the
                                 items about to escalate (app.services.notifications)
- GET/POST /notifications/settings   the e-mail digest switch (CSRF-protected form)
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_wtf import FlaskForm
from wtforms import BooleanField

from app.extensions import db
from app.formatting import format_date
from app.services import notifications as svc
from app.services.activities import current_actor


class DigestForm(FlaskForm):
    email_digest = BooleanField("Terima ringkasan e-mail")


class NotificationView(BaseView):
    route_base = "/notifications"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        actor = current_actor()
        summary = svc.summary_for(actor)
        return self.render_template("notifications/index.html", s=summary, fmt=format_date,
                                    has_employee=actor.employee_id is not None)

    @expose("/settings", methods=["GET", "POST"])
    @has_access
    def settings(self):
        from flask_login import current_user

        row = svc.setting_for(current_user.id)
        current = True if row is None else bool(row.email_digest)
        form = DigestForm(request.form if request.method == "POST" else None,
                          data=None if request.method == "POST" else {"email_digest": current})
        if request.method == "POST" and form.validate():
            svc.set_email_digest(current_user.id, form.email_digest.data)
            db.session.commit()
            flash("Ringkasan e-mail diaktifkan." if form.email_digest.data
                  else "Ringkasan e-mail dinonaktifkan; Anda tidak akan menerimanya lagi.", "success")
            return redirect(url_for(".settings"))
        return self.render_template("notifications/settings.html", form=form, current=current,
                                    email=(current_user.email or "").strip())
