"""REST API of the matriks peran hasil: GET /api/v1/cascade/?tahun=YYYY&opd=ID&celah=1.

The same tree and scope as the page (app.services.cascade, app.security.cascade_reach);
refusals 403/404 logged, bad input 422 with an Indonesian message. JWT only."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import permission_name, protect

from app.security import log_refusal
from app.services import Forbidden, NotFound, ValidationFailed
from app.services import cascade as svc


class CascadeApi(BaseApi):
    resource_name = "cascade"
    allow_browser_login = False

    @expose("/", methods=["GET"])
    @protect()
    @permission_name("get")
    def tree(self):
        """The cascade of an OPD for a year, with its gaps
        ---
        get:
          parameters:
          - {in: query, name: tahun, schema: {type: integer, example: 2026}}
          - {in: query, name: opd, schema: {type: integer}}
          - {in: query, name: celah, schema: {type: integer, enum: [0, 1]}}
          responses:
            200:
              description: The tree (goals, RHK, gaps), the employees without an SKP, the gap counts
            401: {$ref: '#/components/responses/401'}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        args = request.args
        try:
            m = svc.matrix(args.get("opd"), args.get("tahun"), args.get("celah") == "1")
        except ValidationFailed as err:
            return self.response(422, message=err.message, errors=err.errors)
        except (Forbidden, NotFound) as err:
            log_refusal(err.status, "Unit", args.get("opd"), f"GET {request.path}: {err.message}")
            return self.response(err.status, message=err.message)
        return self.response(200, **svc.as_json(m))
