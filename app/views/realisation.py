"""Realisasi SKP (issue 12 item 3): the employee's realisation of each indicator of the approved
SKP per period, next to the daily work linked to each RHK (phone-first).

- /realisasi-skp/            the own SKP of the chosen period's year; value, note and evidence
                             per indicator while the period is OPEN (closed: frozen);
- /realisasi-skp/skp/<id>    the same, read only, for an SKP in the reader's scope (the superior,
                             operator, BKD, auditor: app.security.scope_clause);
- /realisasi-skp/aktivitas/<skp>/<period>?rhk=<id>|bukan-skp   the linked approved activities;
- /realisasi-skp/bukti/<id>  a realisation's evidence file (scope of its indicator).
Every rule is in app.services.realisation."""
from __future__ import annotations

import os
from typing import Optional

from flask import current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy import select

from app.domain.skp import ASPECT_LABELS, KIND_LABELS
from app.extensions import db
from app.models import Period
from app.security import current_employee, refuse
from app.services import NotFound, ServiceError, ValidationFailed
from app.services import activities as act
from app.services import realisation as svc
from app.services.organisation import today_local

ENTITY = "RhkRealisation"
NON_SKP = "bukan-skp"


def _period_arg() -> Optional[Period]:
    """The period of ?periode=<id>, else the latest OPEN period of this year (else the latest)."""
    raw = (request.args.get("periode") or "").strip()
    if raw.isdigit() and len(raw) < 10:
        period = db.session.get(Period, int(raw))
        if period is not None:
            return period
        flash("Periode tidak ditemukan; ditampilkan periode terakhir.", "warning")
    year = today_local().year
    q = select(Period).order_by(Period.year.desc(), Period.month.desc())
    return (db.session.scalar(q.where(Period.state == "OPEN", Period.year <= year).limit(1))
            or db.session.scalar(q.limit(1)))


def _periods() -> list:
    return list(db.session.scalars(select(Period).order_by(Period.year.desc(), Period.month.desc()).limit(36)))


def realisation_panel(skp, period):
    """The realisation of an approved SKP in a period (None without an approved plan)."""
    if skp is None or period is None or skp.approved_revision is None or period.year != skp.year:
        return None
    return svc.realisation_for(skp, period)


class RealisationView(BaseView):
    """Realisasi SKP: the employee's own page, and the read-only view of an SKP in scope."""

    route_base = "/realisasi-skp"
    default_view = "index"
    base_permissions = ["can_index", "can_save", "can_show"]

    def _render(self, skp, period, mine: bool, failed: Optional[dict] = None, status: int = 200):
        employee = skp.employee if skp is not None else current_employee()
        panel = realisation_panel(skp, period)
        html = self.render_template(
            "realisation/index.html", skp=skp, period=period, periods=_periods(), panel=panel, mine=mine,
            employee=employee, failed=failed or {}, non_skp=NON_SKP, aspects=ASPECT_LABELS, kinds=KIND_LABELS)
        return html, status

    @expose("/")
    @has_access
    @permission_name("index")
    def index(self):
        period = _period_arg()
        employee = current_employee()
        skp = svc.approved_skp_of(employee.id if employee else None, period.year) if period else None
        return self._render(skp, period, mine=True)

    @expose("/skp/<int:skp_id>")
    @has_access
    @permission_name("show")
    def show(self, skp_id):
        try:
            skp = svc.load_skp(skp_id)
        except NotFound:
            refuse(404, "Skp", skp_id, "Realisasi SKP: di luar cakupan atau tidak ada")
        period = _period_arg()
        employee = current_employee()
        return self._render(skp, period, mine=employee is not None and skp.employee_id == employee.id)

    @expose("/simpan/<int:indicator_id>", methods=["POST"])
    @has_access
    @permission_name("save")
    def save(self, indicator_id):
        actor = act.current_actor()
        raw_period = (request.form.get("periode") or "").strip()
        period_id = int(raw_period) if raw_period.isdigit() and len(raw_period) < 10 else None
        try:
            svc.save_realisation(
                actor, indicator_id, period_id, request.form.get("value"), request.form.get("note"),
                request.form.get("evidence_link"), request.files.get("evidence"),
                current_app.config["UPLOAD_FOLDER"], current_app.config["EVIDENCE_MAX_BYTES"])
            db.session.commit()
        except NotFound as err:
            db.session.rollback()
            refuse(404, "RhkIndicator", indicator_id, f"Realisasi SKP: {err.message}")
        except ValidationFailed as err:
            db.session.rollback()
            period = db.session.get(Period, period_id) if period_id else None
            employee = current_employee()
            skp = svc.approved_skp_of(employee.id if employee else None, period.year) if period else None
            if period is None or skp is None:
                for msgs in err.errors.values():
                    for m in msgs:
                        flash(m, "danger")
                return redirect(url_for("RealisationView.index"))
            failed = {"indicator_id": indicator_id, "errors": err.errors, "values": request.form.to_dict()}
            return self._render(skp, period, mine=True, failed=failed, status=422)
        except ServiceError as err:
            db.session.rollback()
            flash(err.message, "danger")
            return redirect(url_for("RealisationView.index", periode=period_id or ""))
        flash("Realisasi indikator disimpan.", "success")
        return redirect(url_for("RealisationView.index", periode=period_id) + f"#ind-{indicator_id}")

    @expose("/aktivitas/<int:skp_id>/<int:period_id>")
    @has_access
    @permission_name("show")
    def activities(self, skp_id, period_id):
        try:
            skp = svc.load_skp(skp_id)
        except NotFound:
            refuse(404, "Skp", skp_id, "Realisasi SKP: daftar aktivitas di luar cakupan")
        period = db.session.get(Period, period_id)
        if period is None:
            refuse(404, "Period", period_id, "Realisasi SKP: periode tidak ada")
        raw = (request.args.get("rhk") or "").strip()
        rhk = None
        if raw != NON_SKP:
            rhk = next((line.rhk for line in (svc.realisation_for(skp, period).lines) if str(line.rhk.id) == raw),
                       None)
            if rhk is None:
                refuse(404, "Rhk", raw, "Realisasi SKP: RHK bukan bagian dari rencana yang berlaku")
        items = svc.linked_activities(skp, period, rhk.id if rhk is not None else None)
        return self.render_template("realisation/activities.html", skp=skp, period=period, rhk=rhk, items=items)

    @expose("/bukti/<int:pk>")
    @has_access
    @permission_name("show")
    def evidence(self, pk):
        try:
            item = svc.load_realisation(pk)
        except NotFound:
            refuse(404, ENTITY, pk, "Realisasi SKP: bukti di luar cakupan atau tidak ada")
        if not item.evidence_file:
            refuse(404, ENTITY, pk, "tidak ada berkas bukti")
        path = os.path.join(current_app.config["UPLOAD_FOLDER"], item.evidence_file)
        if not os.path.exists(path):
            refuse(404, ENTITY, pk, "berkas bukti hilang")
        return send_file(path, download_name=item.evidence_name or item.evidence_file, as_attachment=True)
