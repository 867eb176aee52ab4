"""Printable documents (issue 12 item 4): /dokumen/skp/<id>.pdf and /dokumen/evaluasi/<id>.pdf.
Thin: app.services.documents gathers the data in the user's scope (refusals 404, logged there),
app.reports.skp_pdf builds the A4 PDF."""
from __future__ import annotations

import io

from flask import abort, send_file
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name

from app.reports import skp_pdf
from app.services import NotFound
from app.services import documents as svc

PDF_MIMETYPE = "application/pdf"


def _send(data: bytes, filename: str):
    response = send_file(io.BytesIO(data), mimetype=PDF_MIMETYPE, as_attachment=True, download_name=filename,
                         max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def _document(gather, render, pk):
    try:
        doc, filename = gather(pk)
    except NotFound:  # logged by the service
        abort(404)
    return _send(render(doc), filename)


class DocumentView(BaseView):
    route_base = "/dokumen"
    base_permissions = ["can_skp", "can_evaluation"]

    @expose("/skp/<int:pk>.pdf")
    @has_access
    @permission_name("skp")
    def skp(self, pk):
        return _document(svc.skp_document, skp_pdf.skp_pdf, pk)

    @expose("/evaluasi/<int:pk>.pdf")
    @has_access
    @permission_name("evaluation")
    def evaluation(self, pk):
        return _document(svc.evaluation_document, skp_pdf.evaluation_pdf, pk)
