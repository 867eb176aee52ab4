"""REST API of the Excel reports: GET /api/v1/report/<kind>?period=YYYY-MM&opd=ID&employee=ID.

The same rules and files as the page (app.services.reports.download); refusals as status codes
(403 / 404 with a JSON message, logged). JWT only (no cookie login)."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect

from app.services import ServiceError
from app.services import reports as svc


class ReportApi(BaseApi):
    resource_name = "report"
    allow_browser_login = False

    @expose("/<kind>", methods=["GET"])
    @protect()
    @permission_name("download")
    def download(self, kind):
        """Download a report as .xlsx
        ---
        get:
          parameters:
          - in: path
            name: kind
            schema: {type: string, enum: [recap, payroll, activity, distribution]}
          - {in: query, name: period, required: true, schema: {type: string, example: "2026-11"}}
          - {in: query, name: opd, schema: {type: integer}}
          - {in: query, name: employee, schema: {type: integer}}
          - {in: query, name: nip, schema: {type: string}}
          responses:
            200:
              description: The workbook
              content:
                application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: {}
            401: {$ref: '#/components/responses/401'}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
        """
        args = request.args
        try:
            return svc.download(kind, args.get("period"), args.get("opd"), args.get("employee"), args.get("nip"))
        except ServiceError as err:
            return self.response(err.status, message=err.message)
