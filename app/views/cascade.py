"""Matriks Peran Hasil (issue 12 item 2): the cascade of an OPD for a year with its gaps, and the
same as an Excel file. Thin: app.services.cascade builds it, app.security.cascade_reach decides
which OPD and how much of it the user sees; refusals are logged."""
from __future__ import annotations

from flask import flash, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name

from app.domain import cascade as dom
from app.security import refuse
from app.services import Forbidden, NotFound, ValidationFailed
from app.services import cascade as svc
from app.services.reports import send


def _matrix(year_arg):
    """The requested matrix; a bad year falls back to this year with a message, a bad or foreign
    OPD is refused (404/403, logged)."""
    gaps_only = request.args.get("celah") == "1"
    try:
        try:
            return svc.matrix(request.args.get("opd"), year_arg, gaps_only)
        except ValidationFailed as err:
            if "tahun" not in err.errors:
                raise
            flash(svc.MSG_YEAR, "warning")
            return svc.matrix(request.args.get("opd"), None, gaps_only)
    except ValidationFailed as err:
        refuse(404, "Unit", request.args.get("opd"), err.message)
    except (Forbidden, NotFound) as err:
        refuse(err.status, "Unit", request.args.get("opd"), err.message)


class CascadeView(BaseView):
    route_base = "/matriks-peran-hasil"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        m = _matrix(request.args.get("tahun"))
        return self.render_template("cascade/index.html", m=m, choices=svc.opd_choices(),
                                    gap_kinds=dom.GAP_KINDS, gap_labels=dom.GAP_LABELS, kinds=dom)

    @expose("/unduh")
    @has_access
    @permission_name("download")
    def download(self):
        return send(svc.xlsx(_matrix(request.args.get("tahun"))))
