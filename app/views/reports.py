"""Unduh Laporan Excel: the page where a user picks a report, period and OPD (only OPD in scope)
and the download. Thin: the rules and the files are in app.services.reports (shared with the API)."""
from __future__ import annotations

from flask import abort, request
from flask_appbuilder import BaseView, expose, has_access

from app.security import role_names
from app.services import ServiceError
from app.services import reports as svc


class ReportView(BaseView):
    route_base = "/reports"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        actor = svc._actor()
        kinds = svc.allowed_kinds(actor.roles, actor.employee_id is not None)
        periods = svc.period_choices()
        return self.render_template(
            "reports_index.html",
            kinds=[(k, svc.KINDS[k]) for k in kinds],
            periods=periods,
            opds=svc.opd_choices(),
            employees=svc.employee_choices(),
            own_employee_id=actor.employee_id,
            city_kinds=[k for k in kinds if actor.roles & svc.CITY_WIDE[k]],
            roles=role_names(),
            selected_period=request.args.get("period") or (periods[0][0] if periods else ""),
        )

    @expose("/download")
    @has_access
    def download(self):
        args = request.args
        try:
            return svc.download(args.get("kind", ""), args.get("period"), args.get("opd"), args.get("employee"),
                                args.get("nip"))
        except ServiceError as err:
            abort(err.status, description=err.message)
