"""REST API of the daily activities (/api/v1/activity/), design section 3.

Thin layer over app.services.activities: the same use cases as the pages (entry rules,
submission, decisions, bulk approval, BKD correction), the same scope rules (base_filters and
load_in_scope), and the service refusals answered as status codes:
ValidationFailed 422, Forbidden 403, NotFound 404, Conflict 409, malformed body 400.

Writable through the API are only the fields of an entry (employee, date, catalog,
description, volume, start/end time, evidence link); status, minutes, superior, decisions
and version are computed by the services.
"""
from __future__ import annotations

import json
from datetime import date, time
from typing import Any, Callable, Optional

from flask import request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name, protect
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.domain import workflow as wf
from app.extensions import db
from app.models import Activity, ActivityCatalog, Employee
from app.api.base import BoundedListApi
from app.params import to_int
from app.security import (
    ROLE_OPERATOR, active_lookup_filters, employee_in_scope, entry_lookup_filters, log_refusal,
    rhk_entry_lookup_filters, scope_filters,
)
from app.services import Conflict, Forbidden, NotFound, ValidationFailed
from app.services import activities as svc

ENTITY = "Activity"
ENTRY_FIELDS = ("employee", "date", "catalog", "description", "volume", "start_time", "end_time",
                "evidence_link", "rhk")
EDIT_FIELDS = tuple(f for f in ENTRY_FIELDS if f != "employee")
# Computed by the services: refused with a clear message rather than "unknown field".
READ_ONLY_FIELDS = {
    "id", "status", "claimed_minutes", "recognised_minutes", "superior", "superior_id", "escalation",
    "escalation_id", "review_due", "submitted_at", "decided_by", "decided_by_id", "decided_at",
    "decision_note", "entered_by", "entered_by_id", "created_at", "employee_id", "catalog_id",
    "evidence_file", "evidence_name", "rhk_id",
}
BULK_MAX = 500

MSG_REQUIRED = "Wajib diisi."
MSG_DB_CONFLICT = "Aktivitas ini sedang diproses oleh pengguna lain. Muat ulang lalu coba lagi."


class _BadRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- request body
def _json_body(required: bool) -> dict:
    """The JSON object of the request; {} when optional and absent; _BadRequest otherwise."""
    raw = request.get_data(cache=True)
    if not raw or not raw.strip():
        if required:
            raise _BadRequest("Badan permintaan (JSON) wajib diisi.")
        return {}
    if not request.is_json:
        raise _BadRequest("Badan permintaan harus berupa JSON (Content-Type: application/json).")
    try:
        body = json.loads(raw)
    except ValueError:
        raise _BadRequest("Badan permintaan bukan JSON yang sah.") from None
    if not isinstance(body, dict):
        raise _BadRequest("Badan permintaan harus berupa objek JSON.")
    return body


def _int_or_none(value: Any) -> Optional[int]:
    """A whole number 0 … 2³¹−1 (JSON number or ASCII digits), else None (app.params)."""
    return to_int(value)


def _optional_text(body: dict, key: str, errors: dict) -> Optional[str]:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        errors.setdefault(key, []).append("Harus berupa teks.")
        return None
    return value


def _version(body: dict, errors: dict) -> Optional[int]:
    if body.get("version") is None:
        return None
    value = _int_or_none(body["version"])
    if value is None:
        errors.setdefault("version", []).append("Versi harus berupa bilangan bulat.")
    return value


def _parse_entry(body: dict, allowed: tuple[str, ...]) -> dict[str, Any]:
    """Entry fields of a POST/PUT body, converted and looked up (relations within scope).
    Only the keys present in the body are returned; ValidationFailed for malformed values."""
    errors: dict[str, list[str]] = {}

    def add(f, m):
        errors.setdefault(f, []).append(m)

    values: dict[str, Any] = {}
    for key in body:
        if key == "version":
            continue
        if key in READ_ONLY_FIELDS or (key == "employee" and "employee" not in allowed):
            add(key, "Kolom ini tidak dapat diisi atau diubah melalui API.")
        elif key not in allowed:
            add(key, "Kolom tidak dikenal.")
    if "employee" in body and "employee" in allowed:
        emp_id = _int_or_none(body["employee"])
        if emp_id is None:
            add("employee", "Pilih pegawai (id) yang valid.")
        else:
            emp = employee_in_scope(emp_id)
            if emp is None:
                add("employee", "Pegawai tidak ditemukan atau di luar cakupan Anda.")
            values["employee"] = emp
    if "date" in body:
        raw = body["date"]
        try:
            values["date"] = date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
        except ValueError:
            values["date"] = None
        if values["date"] is None:
            add("date", "Tanggal tidak valid; gunakan format TTTT-BB-HH.")
    if "catalog" in body:
        if body["catalog"] is None:
            values["catalog"] = None
        else:
            cat_id = _int_or_none(body["catalog"])
            catalog = db.session.get(ActivityCatalog, cat_id) if cat_id is not None else None
            if catalog is None:
                add("catalog", "Uraian tugas tidak ditemukan di katalog.")
            values["catalog"] = catalog
    # Types here; lengths and ranges in the one validator of app.domain.workflow (check_entry).
    if "description" in body:
        text = _optional_text(body, "description", errors)
        values["description"] = (text or "").strip()
    if "volume" in body:
        volume = wf.to_volume(body["volume"])
        if volume is None:
            add("volume", wf.MSG_VOLUME_NUMBER)
        values["volume"] = volume
    for key in ("start_time", "end_time"):
        if key in body:
            raw = body[key]
            parsed = None
            if raw is not None:
                try:
                    parsed = time.fromisoformat(raw) if isinstance(raw, str) and len(raw) in (5, 8) else None
                except ValueError:
                    parsed = None
                if parsed is None:
                    add(key, "Jam tidak valid; gunakan format JJ:MM.")
                else:
                    parsed = parsed.replace(second=0, microsecond=0)
            values[key] = parsed
    if "evidence_link" in body:
        link = (_optional_text(body, "evidence_link", errors) or "").strip()
        values["evidence_link"] = link or None
    if "rhk" in body:
        # The RHK of the approved SKP (null: non-SKP work); its rules in svc.check_entry.
        if body["rhk"] is None:
            values["rhk"] = None
        else:
            from app.models import Rhk

            rhk_id = _int_or_none(body["rhk"])
            values["rhk"] = db.session.get(Rhk, rhk_id) if rhk_id is not None else None
            if values["rhk"] is None:
                add("rhk", "RHK yang dipilih tidak ditemukan.")
    if errors:
        raise ValidationFailed(errors)
    return values


def _entry_values(item) -> dict[str, Any]:
    return {f: getattr(item, f) for f in ENTRY_FIELDS}


# --------------------------------------------------------------------------- the API
class ActivityApi(BoundedListApi):
    resource_name = "activity"
    datamodel = SQLAInterface(Activity)
    allow_browser_login = False  # JWT only: the API is CSRF-exempt, so no cookie login
    max_page_size = 100
    page_size = 25

    list_columns = [
        "id", "employee.id", "date", "description", "volume", "start_time", "end_time", "claimed_minutes",
        "recognised_minutes", "status", "superior.id", "decision_note", "version",
    ]
    show_columns = list_columns + [
        "catalog.id", "rhk.id", "rhk.name", "evidence_link", "evidence_name", "submitted_at", "review_due", "escalation.id",
        "decided_at", "created_at",
    ]
    add_columns = list(ENTRY_FIELDS)
    edit_columns = list(EDIT_FIELDS)
    search_columns = ["employee", "date", "status", "superior"]
    order_columns = ["id", "date", "status", "claimed_minutes"]
    base_order = ("date", "desc")
    # `_info` lookups: whom the user may enter activities for, and the active catalog.
    add_query_rel_fields = {"employee": entry_lookup_filters(), "catalog": active_lookup_filters(),
                            "rhk": rhk_entry_lookup_filters()}
    edit_query_rel_fields = {"catalog": active_lookup_filters(), "rhk": rhk_entry_lookup_filters()}

    def __init__(self, **kwargs):
        self.base_filters = scope_filters()
        super().__init__(**kwargs)

    # ----------------------------------------------------------------- helpers
    def _respond(self, code: int, **kwargs):
        return self.response(code, **kwargs)

    def _guard(self, call: Callable[[], Any], pk: Any = None):
        """Run a use case; map its refusals to status codes (never a 500 for a refusal)."""
        try:
            return call()
        except _BadRequest as err:
            db.session.rollback()
            return self._respond(400, message=err.message)
        except ValidationFailed as err:
            db.session.rollback()
            return self._respond(422, message=err.errors)
        except Forbidden as err:
            db.session.rollback()
            log_refusal(403, ENTITY, pk, f"{request.method} {request.path}: {err.message}")
            return self._respond(403, message=err.message)
        except NotFound as err:
            db.session.rollback()
            log_refusal(404, ENTITY, pk, f"{request.method} {request.path}: di luar cakupan atau tidak ada")
            return self._respond(404, message=err.message)
        except Conflict as err:
            db.session.rollback()
            return self._respond(409, message=err.message)
        except OperationalError as err:
            # Deadlock / serialization failure between two concurrent writers (PostgreSQL).
            code = getattr(getattr(err, "orig", None), "sqlstate", None) or getattr(
                getattr(err, "orig", None), "pgcode", None)
            db.session.rollback()
            if code in ("40001", "40P01", "55P03"):
                return self._respond(409, message=MSG_DB_CONFLICT)
            raise

    def _result(self, item, code: int = 200, **extra):
        payload = {"id": item.id, "status": item.status, "status_label": wf.status_label(item.status),
                   "version": item.version}
        payload.update(extra)
        return self._respond(code, **payload)

    # ----------------------------------------------------------------- read
    def get_headless(self, pk, **kwargs):
        resp = super().get_headless(pk, **kwargs)
        if resp.status_code == 404:
            log_refusal(404, ENTITY, pk, f"GET {request.path}: di luar cakupan atau tidak ada")
            return self._respond(404, message="Aktivitas tidak ditemukan atau di luar cakupan Anda.")
        return resp

    # ----------------------------------------------------------------- create / edit / delete
    def post_headless(self):
        def run():
            body = _json_body(required=True)
            actor = svc.current_actor()
            if body.get("employee") is None:
                if ROLE_OPERATOR in actor.roles or actor.employee_id is None:
                    raise ValidationFailed({"employee": [
                        "Wajib diisi: pilih pegawai yang aktivitasnya dicatat."]})
                body["employee"] = actor.employee_id
            values = _parse_entry(body, ENTRY_FIELDS)
            item = Activity()
            with db.session.no_autoflush:
                for key, value in values.items():
                    setattr(item, key, value)
                errors, claimed = svc.check_entry(_entry_values(item), None, actor)
                if errors:
                    raise ValidationFailed(errors)
                svc.apply_entry(item, actor, claimed)
            db.session.add(item)
            return svc.commit_or_conflict(
                lambda: self._respond(201, id=item.id, result=self.show_model_schema.dump(item, many=False)))

        return self._guard(run)

    def put_headless(self, pk):
        def run():
            body = _json_body(required=True)
            actor = svc.current_actor()
            item = svc.load_in_scope(int(pk))
            errors: dict = {}
            version = _version(body, errors)
            if errors:
                raise ValidationFailed(errors)
            if version is not None and version != item.version:
                raise Conflict("Aktivitas ini telah diubah oleh pengguna lain. Muat ulang lalu coba lagi.")
            svc.check_editable(item, actor)
            values = _parse_entry(body, EDIT_FIELDS)
            with db.session.no_autoflush:
                for key, value in values.items():
                    setattr(item, key, value)
                errors, claimed = svc.check_entry(_entry_values(item), item.id, actor)
                if errors:
                    raise ValidationFailed(errors)
                svc.apply_entry(item, actor, claimed)
            svc.commit_or_conflict()
            return self._respond(200, id=item.id, result=self.show_model_schema.dump(item, many=False))

        return self._guard(run, pk)

    def delete_headless(self, pk):
        def run():
            actor = svc.current_actor()
            item = svc.load_in_scope(int(pk))
            svc.delete(item, actor)
            svc.commit_or_conflict()
            return self._respond(200, message="Aktivitas telah dihapus.")

        return self._guard(run, pk)

    # ----------------------------------------------------------------- transitions
    def _transition(self, pk: int, operation: Callable, body_required: bool = False):
        def run():
            body = _json_body(required=body_required)
            actor = svc.current_actor()
            item = svc.load_in_scope(pk, lock=True)
            operation(item, actor, body)
            return svc.commit_or_conflict(lambda: self._result(item, decision_note=item.decision_note,
                                                               recognised_minutes=item.recognised_minutes))

        return self._guard(run, pk)

    @staticmethod
    def _decision(action: str):
        def operation(item, actor, body):
            errors: dict = {}
            note = _optional_text(body, "note", errors)
            version = _version(body, errors)
            if errors:
                raise ValidationFailed(errors)
            svc.decide(item, action, actor, note=note, version=version)

        return operation

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @safe
    @permission_name("submit")
    def submit_activity(self, pk: int):
        """Submit a DRAFT or RETURNED activity to the superior.
        ---
        post:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          responses:
            200:
              description: Diajukan
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              description: Diubah oleh pengguna lain
            422:
              $ref: '#/components/responses/422'
        """
        def operation(item, actor, body):
            errors: dict = {}
            version = _version(body, errors)
            if errors:
                raise ValidationFailed(errors)
            if version is not None and version != item.version:
                raise Conflict("Aktivitas ini telah diubah oleh pengguna lain. Muat ulang lalu coba lagi.")
            svc.submit(item, actor)

        return self._transition(pk, operation)

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @safe
    @permission_name("approve")
    def approve_activity(self, pk: int):
        """Approve a submitted activity (body optional: {"version": n}).
        ---
        post:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          responses:
            200:
              description: Disetujui
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              description: Sudah diputuskan atau diubah oleh pengguna lain
            422:
              $ref: '#/components/responses/422'
        """
        return self._transition(pk, self._decision(wf.APPROVE))

    @expose("/<int:pk>/return", methods=["POST"])
    @protect()
    @safe
    @permission_name("return")
    def return_activity(self, pk: int):
        """Return a submitted activity to the employee ({"note": "...", "version": n}).
        ---
        post:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          responses:
            200:
              description: Dikembalikan
            400:
              $ref: '#/components/responses/400'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              description: Sudah diputuskan atau diubah oleh pengguna lain
            422:
              $ref: '#/components/responses/422'
        """
        return self._transition(pk, self._decision(wf.RETURN), body_required=True)

    @expose("/<int:pk>/reject", methods=["POST"])
    @protect()
    @safe
    @permission_name("reject")
    def reject_activity(self, pk: int):
        """Reject a submitted activity ({"note": "reason", "version": n}).
        ---
        post:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          responses:
            200:
              description: Ditolak
            400:
              $ref: '#/components/responses/400'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              description: Sudah diputuskan atau diubah oleh pengguna lain
            422:
              $ref: '#/components/responses/422'
        """
        return self._transition(pk, self._decision(wf.REJECT), body_required=True)

    @expose("/<int:pk>/correct", methods=["POST"])
    @protect()
    @safe
    @permission_name("correct")
    def correct_activity(self, pk: int):
        """BKD correction of an APPROVED or REJECTED activity
        ({"note": "...", "status": optional target, "claimed_minutes": optional}).
        ---
        post:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          responses:
            200:
              description: Dikoreksi
            400:
              $ref: '#/components/responses/400'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              description: Diubah oleh pengguna lain
            422:
              $ref: '#/components/responses/422'
        """
        def operation(item, actor, body):
            errors: dict = {}
            note = _optional_text(body, "note", errors)
            target = _optional_text(body, "status", errors)
            if target is not None and target not in wf.STATUSES:
                errors.setdefault("status", []).append("Status tujuan tidak dikenal.")
            claimed = body.get("claimed_minutes")
            if claimed is not None:  # range checked by the service (app.domain.workflow.minutes_errors)
                claimed = _int_or_none(claimed)
                if claimed is None:
                    errors.setdefault("claimed_minutes", []).append(wf.MSG_MINUTES)
            version = _version(body, errors)
            if errors:
                raise ValidationFailed(errors)
            if version is not None and version != item.version:
                raise Conflict("Aktivitas ini telah diubah oleh pengguna lain. Muat ulang lalu coba lagi.")
            svc.correct(item, actor, note or "", target=target, claimed=claimed)

        return self._transition(pk, operation, body_required=True)

    @expose("/bulk-approve", methods=["POST"])
    @protect()
    @safe
    @permission_name("bulk_approve")
    def bulk_approve(self):
        """Approve several submitted activities ({"ids": [..]}); each is decided alone.
        ---
        post:
          responses:
            200:
              description: '{"approved": [ids], "refused": {id: alasan}}'
            400:
              $ref: '#/components/responses/400'
            422:
              $ref: '#/components/responses/422'
        """
        def run():
            body = _json_body(required=True)
            raw = body.get("ids")
            ids = [_int_or_none(v) for v in raw] if isinstance(raw, list) else None
            if not ids or None in ids or len(ids) > BULK_MAX:
                raise ValidationFailed({"ids": [
                    f"Isi daftar id aktivitas (bilangan bulat, 1 sampai {BULK_MAX} item)."]})
            actor = svc.current_actor()
            result = svc.bulk(ids, lambda item: svc.decide(item, wf.APPROVE, actor), actor)
            return self._respond(200, approved=result.done,
                                 refused={str(k): v for k, v in result.refused.items()})

        return self._guard(run)
