"""Closing a month (BKD): the list action leads to a confirmation page that shows, per OPD,
what is being frozen and what is still missing (app.services.periods.close_summary); the close
itself is app.services.periods.close_period. Mixed into PeriodView (app.views.masterdata)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import action, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField

from app.extensions import db

MSG_ONE = "Pilih satu periode untuk ditutup."
MSG_ACK = "Centang pernyataan bahwa Anda tetap menutup periode meskipun data belum lengkap."


def flash_service_error(err) -> None:
    """Every message of a refused period change as a flash (also used by the reopen page)."""
    from app.services import ValidationFailed

    messages = err.errors.values() if isinstance(err, ValidationFailed) else [[err.message]]
    for msgs in messages:
        for m in msgs:
            flash(m, "danger")


class CloseForm(FlaskForm):
    note = TextAreaField("Catatan Penutupan (opsional)")
    acknowledge = BooleanField("Saya tetap menutup periode ini meskipun ada data yang belum lengkap.")


class PeriodCloseMixin:
    """The "Tutup Periode" action and its confirmation page; permission ``close_period``."""

    @action("close_period", "Tutup Periode", "", "fa-lock", single=False)
    def close_period(self, items):
        items = items if isinstance(items, list) else [items]
        if len(items) != 1:
            flash(MSG_ONE, "warning")
            return redirect(self.get_redirect())
        return redirect(url_for(".close", pk=items[0].id))

    @expose("/close/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("close_period")
    def close(self, pk):
        from app.services import ServiceError
        from app.services.activities import current_actor
        from app.services.periods import close_period, close_summary

        period = self._scoped_item(pk)
        summary = close_summary(period)
        form = CloseForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            if summary.incomplete and not form.acknowledge.data:
                form.acknowledge.errors = list(form.acknowledge.errors) + [MSG_ACK]
            else:
                try:
                    close_period(period, current_actor(), form.note.data)
                    db.session.commit()
                    flash(f"Periode {period.label} ditutup.", "success")
                    return redirect(url_for(".list"))
                except ServiceError as err:
                    db.session.rollback()
                    period = self._scoped_item(pk)
                    flash_service_error(err)
        return self.render_template("period_close.html", form=form, period=period, summary=summary)
