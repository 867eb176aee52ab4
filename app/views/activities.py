"""Pages of the activity workflow: my activities (entry), the superior's queue, the overdue
report, BKD corrections. Thin: every rule is in app.services.activities."""
from __future__ import annotations

import os

from flask import current_app, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, action, expose, has_access
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, BS3TextFieldWidget, DatePickerWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Optional as OptionalV

from app.domain import workflow as wf
from app.extensions import db
from app.formatting import format_date
from app.models import Activity
from app.security import (
    active_lookup_filters, entry_lookup_filters, log_refusal, lookup_filters, refuse, rhk_entry_lookup_filters,
    scope_clause,
)
from app.services import Forbidden, ServiceError, ValidationFailed
from app.services import activities as svc
from app.services.organisation import today_local
from app.views.base import ScopedModelView, format_wib


def status_label(status) -> str:
    return wf.STATUS_LABELS.get(status, status or "")


def _flash_error(err: ServiceError) -> None:
    if isinstance(err, ValidationFailed):
        for messages in err.errors.values():
            for m in messages:
                flash(m, "danger")
    else:
        flash(err.message, "danger")


class VolumeField(StringField):
    """The volume as typed: parsed and checked only by the one validator of
    app.domain.workflow (the API's), so NaN, Infinity, 1e9 or -1 get the same message on the
    page as in the API and the form never re-renders a value it cannot format."""

    widget = BS3TextFieldWidget()

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        parsed = wf.to_volume(self.data)
        if parsed is not None:
            self.data = parsed

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


ACTIVITY_LABELS = {
    "employee": "Pegawai", "employee.name": "Pegawai", "date": "Tanggal", "catalog": "Uraian Tugas (Katalog)",
    "description": "Uraian Kegiatan", "volume": "Volume", "start_time": "Jam Mulai", "end_time": "Jam Selesai",
    "claimed_minutes": "Menit Diklaim", "recognised_minutes": "Menit Diakui", "status": "Status",
    "submitted_at": "Diajukan Pada", "review_due": "Batas Keputusan", "superior": "Atasan (saat diajukan)",
    "superior.name": "Atasan", "escalation": "Atasan dari Atasan", "decided_by": "Diputuskan Oleh",
    "decided_at": "Diputuskan Pada", "decision_note": "Catatan Keputusan", "entered_by": "Dicatat Oleh",
    "evidence": "Berkas Bukti", "evidence_link": "Tautan Bukti", "evidence_name": "Berkas Bukti",
    "created_at": "Dibuat Pada", "version": "Versi", "rhk": "RHK SKP", "rhk.name": "RHK SKP",
}


_fmt_date = format_date


class ActivityView(ScopedModelView):
    """Aktivitas harian: the employee's (or operator's) own entry and submission page."""

    datamodel = SQLAInterface(Activity)
    entity = "Activity"
    list_title = "Aktivitas Harian"
    show_title = "Detail Aktivitas"
    add_title = "Catat Aktivitas"
    edit_title = "Ubah Aktivitas"
    list_columns = ["date", "employee.name", "description", "claimed_minutes", "status", "superior.name",
                    "decision_note"]
    show_fieldsets = [
        ("Aktivitas", {"fields": ["employee", "date", "catalog", "description", "volume", "start_time", "end_time",
                                  "claimed_minutes", "recognised_minutes", "evidence_name", "evidence_link", "rhk"]}),
        ("Persetujuan", {"fields": ["status", "submitted_at", "superior", "review_due", "escalation", "decided_by",
                                    "decided_at", "decision_note"]}),
        ("Riwayat", {"fields": ["entered_by", "created_at", "version"]}),
    ]
    add_columns = ["employee", "date", "catalog", "description", "volume", "start_time", "end_time",
                   "evidence", "evidence_link", "rhk"]
    edit_columns = add_columns
    search_columns = ["date", "status", "employee", "catalog", "claimed_minutes"]
    order_columns = ["date", "claimed_minutes", "status"]
    base_order = ("date", "desc")
    label_columns = ACTIVITY_LABELS
    description_columns = {
        "catalog": "Menit diklaim = norma waktu × volume. Tanpa katalog, isi jam mulai dan selesai.",
        "evidence": "PDF, JPG, PNG, DOCX atau XLSX; paling besar 2 MB.",
        "employee": "Operator OPD dapat mencatat untuk pegawai OPD-nya (tercatat sebagai pencatat).",
        "rhk": "RHK dari SKP pegawai yang telah disetujui untuk tahun aktivitas; kosongkan untuk pekerjaan di luar SKP.",
    }
    formatters_columns = {
        "status": status_label, "date": _fmt_date, "submitted_at": format_wib, "decided_at": format_wib,
        "created_at": format_wib, "review_due": _fmt_date,
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "date": DateField("Tanggal", widget=DatePickerWidget(), format="%Y-%m-%d", validators=[DataRequired()]),
        "description": TextAreaField("Uraian Kegiatan", widget=BS3TextAreaFieldWidget()),
        "volume": VolumeField("Volume", default="1"),
        "start_time": TimeField("Jam Mulai", format="%H:%M", widget=BS3TextFieldWidget(), validators=[OptionalV()]),
        "end_time": TimeField("Jam Selesai", format="%H:%M", widget=BS3TextFieldWidget(), validators=[OptionalV()]),
        "evidence": FileField("Berkas Bukti"),
        "evidence_link": StringField("Tautan Bukti", widget=BS3TextFieldWidget()),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "employee": entry_lookup_filters(),
        "catalog": active_lookup_filters(),
        "rhk": rhk_entry_lookup_filters(),
    }
    search_form_query_rel_fields = lookup_filters("employee", "catalog")

    # -- validation through the service
    def validate_values(self, values, pk):
        actor = svc.current_actor()
        errors, claimed = svc.check_entry(values, pk, actor)
        evidence = values.get("evidence")
        if evidence is not None and getattr(evidence, "filename", ""):
            try:
                svc.check_evidence(evidence, current_app.config["EVIDENCE_MAX_BYTES"])
            except ValidationFailed as err:
                for f, msgs in err.errors.items():
                    errors.setdefault(f, []).extend(msgs)
        g.ek_claimed = claimed
        return errors

    def _apply(self, item):
        actor = svc.current_actor()
        evidence = item.__dict__.pop("evidence", None)
        if evidence is not None and getattr(evidence, "filename", ""):
            item.evidence_file, item.evidence_name = svc.store_evidence(
                evidence, current_app.config["UPLOAD_FOLDER"], current_app.config["EVIDENCE_MAX_BYTES"])
        svc.apply_entry(item, actor, g.get("ek_claimed", item.claimed_minutes or 0))

    def pre_add(self, item):
        self._apply(item)

    def pre_update(self, item):
        try:
            svc.check_editable(item, svc.current_actor())
        except ServiceError:
            db.session.rollback()
            raise
        self._apply(item)

    def pre_delete(self, item):
        try:
            svc.check_editable(item, svc.current_actor(), deleting=True)
        except ServiceError as err:
            db.session.rollback()
            raise ValidationFailed({"_": [err.message]}) from None

    def _edit(self, pk):
        item = self._scoped_item(pk)
        try:
            svc.check_editable(item, svc.current_actor())
        except ServiceError as err:
            _flash_error(err)
            return None  # FAB redirects back with the message
        return super()._edit(pk)

    # -- actions
    @action("submit", "Ajukan ke Atasan", "Ajukan aktivitas terpilih ke atasan?", "fa-paper-plane", single=False)
    def submit(self, items):
        items = items if isinstance(items, list) else [items]
        actor = svc.current_actor()
        result = svc.bulk([i.id for i in items], lambda item: svc.submit(item, actor), actor)
        if result.done:
            flash(f"{len(result.done)} aktivitas diajukan ke atasan.", "success")
        for activity_id, reason in result.refused.items():
            flash(f"Aktivitas #{activity_id} tidak dapat diajukan: {reason}", "danger")
        return redirect(self.get_redirect())

    @expose("/evidence/<int:pk>")
    @has_access
    @permission_name("show")
    def evidence(self, pk):
        item = self._scoped_item(pk)
        if not item.evidence_file:
            refuse(404, self.entity, pk, "tidak ada berkas bukti")
        path = os.path.join(current_app.config["UPLOAD_FOLDER"], item.evidence_file)
        if not os.path.exists(path):
            refuse(404, self.entity, pk, "berkas bukti hilang")
        return send_file(path, download_name=item.evidence_name or item.evidence_file, as_attachment=True)

    @action("koreksi", "Koreksi BKD", "", "fa-edit", multiple=False)
    def koreksi(self, item):
        return redirect(url_for(".correct", pk=item.id))

    @expose("/correct/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("correct")
    def correct(self, pk):
        item = self._scoped_item(pk)
        form = CorrectionForm(request.form if request.method == "POST" else None)
        if request.method == "GET":
            form.claimed_minutes.data = item.claimed_minutes
            form.target.data = item.status
        if request.method == "POST" and form.validate():
            try:
                svc.correct(item, svc.current_actor(), form.note.data or "", form.target.data or None,
                            form.claimed_minutes.data)
                svc.commit_or_conflict()
                flash("Koreksi BKD disimpan dan tercatat di log audit.", "success")
                return redirect(url_for(".show", pk=pk))
            except ServiceError as err:
                db.session.rollback()
                _flash_error(err)
        return self.render_template("activity_decide.html", form=form, item=item, title="Koreksi BKD",
                                    status_label=status_label, format_wib=format_wib)


class CorrectionForm(FlaskForm):
    target = SelectField("Status Setelah Koreksi", choices=[(s, wf.STATUS_LABELS[s]) for s in sorted(wf.CORRECTION_TARGETS)])
    claimed_minutes = IntegerField("Menit Diklaim", validators=[OptionalV()])  # range: the service
    note = TextAreaField("Alasan Koreksi", validators=[DataRequired(message="Alasan koreksi wajib diisi.")])


class DecisionForm(FlaskForm):
    decision = SelectField("Keputusan", choices=[(wf.APPROVE, "Setujui"), (wf.RETURN, "Kembalikan untuk diperbaiki"),
                                                 (wf.REJECT, "Tolak")])
    note = TextAreaField("Catatan / Alasan")
    version = IntegerField("Versi", validators=[OptionalV()])


class QueueFilter(BaseFilter):
    """Submitted activities the current user may decide now (superior, escalation, BKD)."""

    name = "Antrean"
    arg_name = "queue"

    def apply(self, query, value):
        return query.filter(svc.queue_clause(svc.current_actor()))


def _overdue(review_due) -> str:
    if review_due is None:
        return ""
    return "Terlambat" if review_due < today_local() else _fmt_date(review_due)


class ApprovalQueueView(ScopedModelView):
    """Persetujuan: the superior's queue of submitted activities."""

    datamodel = SQLAInterface(Activity)
    entity = "Activity"
    base_permissions = ["can_list", "can_show", "can_decide", "putuskan"]
    validate_forms = False
    list_title = "Persetujuan Aktivitas"
    show_title = "Detail Aktivitas Diajukan"
    list_columns = ["date", "employee.name", "description", "claimed_minutes", "submitted_at", "review_due"]
    show_fieldsets = ActivityView.show_fieldsets
    search_columns = ["date", "employee"]
    order_columns = ["date", "submitted_at", "review_due", "claimed_minutes"]
    base_order = ("review_due", "asc")
    label_columns = {**ACTIVITY_LABELS, "review_due": "Batas Keputusan / Terlambat"}
    formatters_columns = {**ActivityView.formatters_columns, "review_due": _overdue}
    search_form_query_rel_fields = lookup_filters("employee")

    @staticmethod
    def extra_filters():
        return [["id", QueueFilter, None]]

    @action("approve", "Setujui", "Setujui semua aktivitas terpilih?", "fa-check", single=False)
    def approve(self, items):
        items = items if isinstance(items, list) else [items]
        actor = svc.current_actor()
        result = svc.bulk([i.id for i in items], lambda item: svc.decide(item, wf.APPROVE, actor), actor)
        if result.done:
            flash(f"{len(result.done)} aktivitas disetujui.", "success")
        for activity_id, reason in result.refused.items():
            flash(f"Aktivitas #{activity_id} tidak disetujui: {reason}", "danger")
        return redirect(self.get_redirect())

    @action("putuskan", "Putuskan (setujui/kembalikan/tolak)", "", "fa-gavel", multiple=False)
    def putuskan(self, item):
        return redirect(url_for(".decide", pk=item.id))

    @expose("/decide/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("decide")
    def decide(self, pk):
        item = self._scoped_item(pk)
        form = DecisionForm(request.form if request.method == "POST" else None)
        if request.method == "GET":
            form.version.data = item.version
        if request.method == "POST" and form.validate():
            try:
                svc.decide(item, form.decision.data, svc.current_actor(), form.note.data, form.version.data)
                svc.commit_or_conflict()
                flash(f"Aktivitas {status_label(item.status).lower()}.", "success")
                return redirect(self.get_redirect())  # the queue with its filters (app/views/return_to.py)
            except Forbidden as err:
                db.session.rollback()
                log_refusal(403, self.entity, pk, err.message)
                _flash_error(err)
            except ServiceError as err:
                db.session.rollback()
                _flash_error(err)
        return self.render_template("activity_decide.html", form=form, item=item, title="Keputusan Atasan",
                                    status_label=status_label, format_wib=format_wib)


class OverdueReportView(BaseView):
    """Keterlambatan persetujuan per atasan (Operator OPD: own OPD; BKD, Auditor: all)."""

    route_base = "/overdue"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        today = today_local()
        rows = db.session.execute(svc.overdue_by_superior_query(today, scope_clause(Activity))).all()
        return self.render_template("overdue_report.html", rows=rows, today=today, fmt=_fmt_date)
