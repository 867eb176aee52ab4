"""Dasbor: charts drawn in the browser with Chart.js served from app/static (no CDN), fed by
scoped JSON endpoints whose figures are SQL aggregates (app.services.dashboard).

- GET /dashboard/                  page (can_index): the charts the user's roles allow
- GET /dashboard/data/<name>       JSON (can_data): employee_month, queue, opd_rates,
                                   opd_scores, predikat; ?period=<id>, employee_month also
                                   ?employee=<id> or ?nip=<NIP>
Unknown chart: 404. A chart the user's roles do not include: 403 (logged). An employee
outside the user's scope (or unknown): 404 (logged). Unknown period: 404.
"""
from __future__ import annotations

from flask import jsonify, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy import select

from app.extensions import db
from app.models import Period
from app.params import to_id
from app.security import current_employee, log_refusal
from app.services import dashboard as svc
from app.services.activities import current_actor
from app.services.organisation import today_local

CHART_TITLES = {
    "employee_month": "Menit kerja harian terhadap target",
    "queue": "Antrean persetujuan",
    "opd_rates": "Tingkat pengajuan dan persetujuan tepat waktu per OPD",
    "opd_scores": "Rata-rata capaian kinerja per OPD",
    "predikat": "Distribusi predikat terhadap predikat organisasi",
}


def _all_periods():
    return db.session.scalars(select(Period).order_by(Period.year.desc(), Period.month.desc())).all()


def _default_period():
    """The period of today's month, else the latest OPEN period, else the latest period."""
    today = today_local()
    period = db.session.scalar(select(Period).where(Period.year == today.year, Period.month == today.month))
    if period is None:
        period = db.session.scalar(select(Period).where(Period.state == "OPEN")
                                   .order_by(Period.year.desc(), Period.month.desc()).limit(1))
    if period is None:
        period = db.session.scalar(select(Period).order_by(Period.year.desc(), Period.month.desc()).limit(1))
    return period


class _NotFound(Exception):
    pass


def _period_arg(required: bool = True):
    raw = request.args.get("period", "").strip()
    if raw:
        period_id = to_id(raw)
        period = db.session.get(Period, period_id) if period_id is not None else None
        if period is None:
            raise _NotFound("Periode tidak ditemukan.")
        return period
    period = _default_period()
    if period is None and required:
        raise _NotFound("Belum ada periode.")
    return period


def _error(status: int, message: str):
    return jsonify(message=message), status


class DashboardView(BaseView):
    """Dasbor kinerja."""

    route_base = "/dashboard"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        viewer = svc.Viewer.of(current_actor())
        charts = svc.charts_for(viewer)
        periods = _all_periods()
        try:
            period = _period_arg(required=False)
        except _NotFound:
            period = _default_period()
        employee = current_employee()
        return self.render_template(
            "dashboard.html", charts=charts, titles=CHART_TITLES, periods=periods, period=period,
            employee=employee, can_pick_employee=viewer.city_wide or bool(viewer.roles & {"Operator OPD", "Atasan"}),
            data_urls={name: url_for("DashboardView.data", name=name) for name in charts},
        )

    @expose("/data/<name>")
    @has_access
    @permission_name("data")
    def data(self, name):
        if name not in svc.CHART_NAMES:
            return _error(404, "Grafik tidak dikenal.")
        actor = current_actor()
        viewer = svc.Viewer.of(actor)
        if name not in svc.charts_for(viewer):
            log_refusal(403, "Dashboard", name, f"grafik {name} di luar peran pengguna")
            return _error(403, "Grafik ini tidak tersedia untuk peran Anda.")
        try:
            if name == "employee_month":
                return jsonify(self._employee_month(viewer))
            if name == "queue":
                return jsonify(svc.queue_summary(actor))
            period = _period_arg()
            head = {"period": {"id": period.id, "year": period.year, "month": period.month, "label": period.label}}
            if name == "opd_rates":
                return jsonify(head | {"opd": svc.opd_rates(period, viewer.opd_ids())})
            if name == "opd_scores":
                return jsonify(head | {"opd": svc.opd_scores(period, viewer.opd_ids())})
            return jsonify(head | svc.predikat_distribution(period, viewer.opd_ids()))
        except _NotFound as err:
            return _error(404, str(err))

    def _employee_month(self, viewer):
        raw_id = request.args.get("employee", "").strip()
        nip = request.args.get("nip", "").strip()
        if raw_id or nip:
            employee = svc.find_employee(to_id(raw_id) or -1, None) if raw_id \
                else svc.find_employee(None, nip)
            if employee is None:
                log_refusal(404, "Employee", raw_id or nip, "grafik bulan pegawai di luar cakupan")
                raise _NotFound("Pegawai tidak ditemukan atau di luar cakupan Anda.")
        else:
            employee = current_employee()
            if employee is None:
                raise _NotFound("Akun ini tidak terhubung dengan data pegawai; isi NIP pegawai.")
        period = _period_arg(required=False)
        if period is not None:
            year, month = period.year, period.month
        else:
            today = today_local()
            year, month = today.year, today.month
        return svc.employee_month(employee, year, month)
