"""REST API of the SKP tahunan (issue 12): /api/v1/skp/, /api/v1/rhk/, /api/v1/rhk-indicator/
and /api/v1/strategic-goal/.

Thin layer over app.services.skp: lists and details in the scope of app.security
(base_filters), every write through the same use cases as the pages, the service refusals
answered as status codes — ValidationFailed 422 (field -> messages), Forbidden 403,
NotFound 404, Conflict 409, malformed body 400 — all in Bahasa Indonesia. The services log
their 403/404 refusals; a detail outside the scope is logged here. JWT only.

    POST /api/v1/skp/                   {"year": 2027, "employee": id (operator; default: oneself)}
    POST /api/v1/skp/<id>/submit        {"version": n}
    POST /api/v1/skp/<id>/approve       {"note": "...", "version": n}
    POST /api/v1/skp/<id>/return        {"note": "...", "version": n}   (note required)
    POST /api/v1/skp/<id>/revise        {"note": "...", "version": n}
    POST/PUT/DELETE /api/v1/rhk/        {"skp": id, "kind", "name", "parent_id", "goal_id"} (PUT: "active" too)
    POST/PUT/DELETE /api/v1/rhk-indicator/  {"rhk": id, "aspect", "name", "target_value", "target_unit"}
    POST/PUT/DELETE /api/v1/strategic-goal/ {"year", "unit_id", "parent_id", "code", "name", "indicator"}
"""
from __future__ import annotations

from typing import Any, Callable

from flask import request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name, protect
from sqlalchemy.exc import OperationalError

from app.api.activities import _BadRequest, _json_body
from app.api.base import ScopedModelApi
from app.domain import skp as dom
from app.extensions import db
from app.models import Rhk, RhkIndicator, Skp, StrategicGoal
from app.security import log_refusal
from app.services import ServiceError, ValidationFailed
from app.services import skp as svc

MSG_DB_CONFLICT = "Data ini sedang diproses oleh pengguna lain. Muat ulang lalu coba lagi."
MSG_READ_ONLY = "Kolom ini tidak dapat diisi atau diubah melalui API."
MSG_UNKNOWN = "Kolom tidak dikenal."


def _fields(body: dict, allowed: tuple[str, ...], read_only: frozenset = frozenset()) -> dict:
    """The keys of `body` a use case takes; unknown or computed keys are a 422."""
    errors = {}
    for key in body:
        if key == "version":
            continue
        if key in read_only:
            errors[key] = [MSG_READ_ONLY]
        elif key not in allowed:
            errors[key] = [MSG_UNKNOWN]
    if errors:
        raise ValidationFailed(errors)
    return {k: body[k] for k in allowed if k in body}


def _version(body: dict):
    value = body.get("version")
    if value is None:
        return None
    version = dom.to_id(value)
    if version is None:
        raise ValidationFailed({"version": [svc.MSG_VERSION]})
    return version


class _SkpApiBase(ScopedModelApi):
    """Scoped lists and details (ScopedModelApi: JWT only, scope_filters, capped pages); every
    write through app.services.skp (the handlers below replace the base class's), refusals as
    status codes."""

    not_found = ""

    def _guard(self, call: Callable[[], Any]):
        try:
            return call()
        except _BadRequest as err:
            db.session.rollback()
            return self.response(400, message=err.message)
        except ValidationFailed as err:
            db.session.rollback()
            return self.response(422, message=err.errors)
        except ServiceError as err:  # Forbidden, NotFound (logged by the service), Conflict
            db.session.rollback()
            return self.response(err.status, message=err.message)
        except OperationalError as err:
            orig = getattr(err, "orig", None)
            code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
            db.session.rollback()
            if code in ("40001", "40P01", "55P03"):
                return self.response(409, message=MSG_DB_CONFLICT)
            raise

    def get_headless(self, pk, **kwargs):
        resp = super().get_headless(pk, **kwargs)
        if resp.status_code == 404:
            log_refusal(404, self.entity, pk, f"GET {request.path}: di luar cakupan atau tidak ada")
            return self.response(404, message=self.not_found)
        return resp

    def _created(self, item):
        return self.response(201, id=item.id, result=self.show_model_schema.dump(item, many=False))

    def _shown(self, item):
        return self.response(200, id=item.id, result=self.show_model_schema.dump(item, many=False))


# --------------------------------------------------------------------------- SKP
class SkpApi(_SkpApiBase):
    resource_name = "skp"
    datamodel = SQLAInterface(Skp)
    entity = "Skp"
    not_found = svc.MSG_NOT_FOUND["Skp"]
    include_route_methods = {"get", "get_list", "info", "post", "submit", "approve", "return_skp", "revise"}
    list_columns = ["id", "employee.id", "employee.nip", "employee.name", "year", "status", "revision",
                    "approved_revision", "opd.id", "superior.id", "submitted_at", "decided_at", "decision_note",
                    "version"]
    show_columns = list_columns + ["position.id", "position.name", "unit.id", "created_at"]
    add_columns = ["year"]
    edit_columns = ["year"]  # no PUT (an SKP changes through its actions); `_info` offers no relation
    search_columns = ["year", "status", "employee", "superior"]
    order_columns = ["id", "year", "status"]
    base_order = ("id", "desc")

    def get_headless(self, pk, **kwargs):
        """The SKP with its plan: every RHK (in force or not) with its indicators, and the
        approved plan in force as approved (`plan_in_force`)."""
        resp = super().get_headless(pk, **kwargs)
        if resp.status_code != 200:
            return resp
        item = db.session.get(Skp, int(pk))
        body = resp.get_json()
        body["status_label"] = dom.status_label(item.status)
        body["rhk"] = [{
            **{k: v for k, v in rhk_json.items() if k != "indicators"},
            "in_force": dom.in_force(r.approved_revision, item.approved_revision),
            "approved_revision": r.approved_revision,
            "indicators": rhk_json["indicators"],
        } for r, rhk_json in zip(item.rhks, svc.snapshot(item)["rhk"])]
        body["plan_in_force"] = svc.plan_in_force(item)
        return self.response(200, **body)

    def post_headless(self):
        def run():
            body = _json_body(required=True)
            actor = svc.current_actor()
            values = _fields(body, ("employee", "year"))
            employee = values.get("employee", actor.employee_id)
            if employee is None:
                raise ValidationFailed({"employee": ["Wajib diisi: pilih pegawai yang SKP-nya disusun."]})
            return self._created(svc.create_skp(actor, employee, values.get("year")))

        return self._guard(run)

    def _transition(self, pk: int, operation: Callable, body_required: bool = False):
        def run():
            body = _json_body(required=body_required)
            actor = svc.current_actor()
            item = operation(actor, pk, body)
            return self.response(200, id=item.id, status=item.status, status_label=dom.status_label(item.status),
                                 revision=item.revision, approved_revision=item.approved_revision,
                                 decision_note=item.decision_note, version=item.version)

        return self._guard(run)

    @staticmethod
    def _note(body: dict):
        _fields(body, ("note",))
        note = body.get("note")
        if note is not None and not isinstance(note, str):
            raise ValidationFailed({"note": ["Harus berupa teks."]})
        return note

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @safe
    @permission_name("submit")
    def submit(self, pk: int):
        """Submit a DRAFT or RETURNED SKP to the superior ({"version": n} optional).
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: Diajukan}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: Diubah oleh pengguna lain}
            422: {$ref: '#/components/responses/422'}
        """
        def operation(actor, pk, body):
            _fields(body, ())
            return svc.submit(actor, pk, version=_version(body))

        return self._transition(pk, operation)

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @safe
    @permission_name("approve")
    def approve(self, pk: int):
        """Approve a submitted SKP (superior; BKD at the top of the tree).
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: Disetujui}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: Sudah diputuskan atau diubah oleh pengguna lain}
            422: {$ref: '#/components/responses/422'}
        """
        return self._transition(pk, lambda actor, pk, body: svc.approve(
            actor, pk, note=self._note(body), version=_version(body)))

    @expose("/<int:pk>/return", methods=["POST"])
    @protect()
    @safe
    @permission_name("return")
    def return_skp(self, pk: int):
        """Return a submitted SKP to the employee ({"note": "...", "version": n}; note required).
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: Dikembalikan}
            400: {$ref: '#/components/responses/400'}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: Sudah diputuskan atau diubah oleh pengguna lain}
            422: {$ref: '#/components/responses/422'}
        """
        return self._transition(pk, lambda actor, pk, body: svc.return_skp(
            actor, pk, self._note(body), version=_version(body)), body_required=True)

    @expose("/<int:pk>/revise", methods=["POST"])
    @protect()
    @safe
    @permission_name("revise")
    def revise(self, pk: int):
        """Start a revision of an APPROVED SKP ({"note": reason, "version": n} optional): DRAFT
        with revision + 1; the approved plan stays in force until the superior approves again.
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: Revisi dimulai}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: Diubah oleh pengguna lain}
            422: {$ref: '#/components/responses/422'}
        """
        return self._transition(pk, lambda actor, pk, body: svc.start_revision(
            actor, pk, note=self._note(body), version=_version(body)))


# --------------------------------------------------------------------------- RHK
class RhkApi(_SkpApiBase):
    resource_name = "rhk"
    datamodel = SQLAInterface(Rhk)
    entity = "Rhk"
    not_found = svc.MSG_NOT_FOUND["Rhk"]
    include_route_methods = {"get", "get_list", "info", "post", "put", "delete"}
    list_columns = ["id", "skp.id", "kind", "number", "name", "parent.id", "goal.id", "approved_revision", "active"]
    show_columns = list_columns
    add_columns = ["kind", "name"]
    edit_columns = ["kind", "name"]
    search_columns = ["skp", "kind", "active"]
    order_columns = ["id", "number"]
    base_order = ("id", "asc")
    FIELDS = ("kind", "name", "parent_id", "goal_id")
    READ_ONLY = frozenset({"id", "number", "approved_revision", "skp_id"})

    def post_headless(self):
        def run():
            body = _json_body(required=True)
            values = _fields(body, ("skp",) + self.FIELDS, self.READ_ONLY | {"active"})
            skp_id = values.pop("skp", None)
            if skp_id is None:
                raise ValidationFailed({"skp": ["Wajib diisi: id SKP."]})
            return self._created(svc.add_rhk(svc.current_actor(), skp_id, values))

        return self._guard(run)

    def put_headless(self, pk):
        def run():
            body = _json_body(required=True)
            values = _fields(body, self.FIELDS + ("active",), self.READ_ONLY | {"skp"})
            actor = svc.current_actor()
            active = values.pop("active", None)
            item = svc.edit_rhk(actor, pk, values) if values or active is None else svc.load_rhk(pk)
            if active is not None:
                item = svc.set_rhk_active(actor, pk, active)
            return self._shown(item)

        return self._guard(run)

    def delete_headless(self, pk):
        def run():
            svc.delete_rhk(svc.current_actor(), pk)
            return self.response(200, message="Rencana hasil kerja telah dihapus.")

        return self._guard(run)


# --------------------------------------------------------------------------- indicators
class RhkIndicatorApi(_SkpApiBase):
    resource_name = "rhk-indicator"
    datamodel = SQLAInterface(RhkIndicator)
    entity = "RhkIndicator"
    not_found = svc.MSG_NOT_FOUND["RhkIndicator"]
    include_route_methods = {"get", "get_list", "info", "post", "put", "delete"}
    list_columns = ["id", "rhk.id", "number", "aspect", "name", "target_value", "target_unit"]
    show_columns = list_columns
    add_columns = ["aspect", "name", "target_value", "target_unit"]
    edit_columns = add_columns
    search_columns = ["rhk", "aspect"]
    order_columns = ["id", "number"]
    base_order = ("id", "asc")
    FIELDS = ("aspect", "name", "target_value", "target_unit")
    READ_ONLY = frozenset({"id", "number", "rhk_id"})

    def post_headless(self):
        def run():
            body = _json_body(required=True)
            values = _fields(body, ("rhk",) + self.FIELDS, self.READ_ONLY)
            rhk_id = values.pop("rhk", None)
            if rhk_id is None:
                raise ValidationFailed({"rhk": ["Wajib diisi: id RHK."]})
            return self._created(svc.add_indicator(svc.current_actor(), rhk_id, values))

        return self._guard(run)

    def put_headless(self, pk):
        def run():
            body = _json_body(required=True)
            values = _fields(body, self.FIELDS, self.READ_ONLY | {"rhk"})
            return self._shown(svc.edit_indicator(svc.current_actor(), pk, values))

        return self._guard(run)

    def delete_headless(self, pk):
        def run():
            svc.delete_indicator(svc.current_actor(), pk)
            return self.response(200, message="Indikator telah dihapus.")

        return self._guard(run)


# --------------------------------------------------------------------------- strategic goals
class StrategicGoalApi(_SkpApiBase):
    resource_name = "strategic-goal"
    datamodel = SQLAInterface(StrategicGoal)
    entity = "StrategicGoal"
    not_found = svc.MSG_NOT_FOUND["StrategicGoal"]
    include_route_methods = {"get", "get_list", "info", "post", "put", "delete"}
    list_columns = ["id", "year", "unit.id", "unit.name", "parent.id", "code", "name", "indicator"]
    show_columns = list_columns + ["created_at"]
    add_columns = ["year", "code", "name", "indicator"]
    edit_columns = add_columns
    search_columns = ["year", "unit", "code"]
    order_columns = ["id", "year", "code"]
    base_order = ("code", "asc")
    FIELDS = ("year", "unit_id", "parent_id", "code", "name", "indicator")
    READ_ONLY = frozenset({"id", "created_at", "created_by_id"})

    def post_headless(self):
        def run():
            body = _json_body(required=True)
            return self._created(svc.create_goal(svc.current_actor(), _fields(body, self.FIELDS, self.READ_ONLY)))

        return self._guard(run)

    def put_headless(self, pk):
        def run():
            body = _json_body(required=True)
            values = _fields(body, self.FIELDS, self.READ_ONLY)
            return self._shown(svc.edit_goal(svc.current_actor(), pk, values))

        return self._guard(run)

    def delete_headless(self, pk):
        def run():
            svc.delete_goal(svc.current_actor(), pk)
            return self.response(200, message="Sasaran strategis telah dihapus.")

        return self._guard(run)
