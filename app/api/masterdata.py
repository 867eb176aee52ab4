"""REST API of the master data (/api/v1/unit/, /position/, /employee/, /activity-catalog/).

The rules are those of the panel and the import: app.security.write_rule (403) and
app.services.masterdata.validate (422, Indonesian messages per field, text lengths too)."""
import math

from flask import g, request
from flask_appbuilder.models.sqla.interface import SQLAInterface
from marshmallow import validate as mm_validate

from app.api.base import ScopedModelApi
from app.models import ActivityCatalog, Employee, Position, Unit
from app.services import masterdata

MSG_NOT_FINITE = "Angka tidak valid (bukan bilangan terhingga)."
MSG_CODE = "Harus berupa kode (teks), mis. JPT atau PELAKSANA."


def _non_finite(value) -> list[str]:
    """Keys of a JSON body holding NaN or an infinity (Python's JSON reader accepts them)."""
    if isinstance(value, dict):
        return [k for k, v in value.items() if isinstance(v, float) and not math.isfinite(v)] + [
            k for k, v in value.items() if isinstance(v, (dict, list)) and _non_finite(v)]
    if isinstance(value, list):
        return [str(i) for i, v in enumerate(value) if _non_finite({"x": v})]
    return []


class MasterDataApi(ScopedModelApi):
    """Master-data API: text lengths and numbers are checked by the one service validator
    (Indonesian, 422) instead of the schema's English length messages; NaN/infinity is
    refused before the schema turns it into a 500."""

    def _init_model_schemas(self) -> None:
        super()._init_model_schemas()
        for schema in (self.add_model_schema, self.edit_model_schema):
            for field in schema.fields.values():
                field.validators = [v for v in field.validators if not isinstance(v, mm_validate.Length)]

    def _finite_or_422(self):
        body = request.get_json(silent=True)
        bad = {k: [MSG_NOT_FINITE] for k in (_non_finite(body) if isinstance(body, (dict, list)) else [])}
        if isinstance(body, dict):
            bad.update(self._code_relation_errors(body))
        if bad:
            return self.response_422(message=bad)
        return None

    def _code_relation_errors(self, body: dict) -> dict:
        """Relations named by a text code (a position kind "JPT") must hold text (app/errors.py
        checks the relations named by an id)."""
        dm, errors = self.datamodel, {}
        for name in set(self.add_columns or []) | set(self.edit_columns or []):
            if name not in body or body[name] is None or not dm.is_relation(name):
                continue
            if dm.get_related_model(name).__mapper__.primary_key[0].type.python_type is not str:
                continue
            value = body[name]
            many = dm.is_relation_many_to_many(name) or dm.is_relation_one_to_many(name)
            values = value if many and isinstance(value, list) else [value]
            if (many and not isinstance(value, list)) or not all(isinstance(v, str) and len(v) <= 50 for v in values):
                errors[name] = [MSG_CODE]
        return errors

    def post_headless(self):
        return self._finite_or_422() or super().post_headless()

    def put_headless(self, pk):
        return self._finite_or_422() or super().put_headless(pk)


class UnitApi(MasterDataApi):
    resource_name = "unit"
    entity = "Unit"
    datamodel = SQLAInterface(Unit)
    list_columns = ["id", "code", "name", "kind", "parent.id", "opd.id", "workdays_per_week", "active"]
    show_columns = list_columns
    add_columns = edit_columns = ["code", "name", "kind", "parent", "workdays_per_week", "active"]
    search_columns = ["code", "name", "kind", "parent", "active"]
    order_columns = ["code", "name"]
    add_query_rel_fields = edit_query_rel_fields = ScopedModelApi.scoped_rel("parent")


class PositionApi(MasterDataApi):
    resource_name = "position"
    entity = "Position"
    datamodel = SQLAInterface(Position)
    list_columns = ["id", "name", "kind.code", "level", "eselon", "kelas_jabatan", "unit.id", "parent.id", "active"]
    show_columns = list_columns
    add_columns = edit_columns = ["name", "kind", "level", "eselon", "kelas_jabatan", "unit", "parent", "active"]
    search_columns = ["name", "kind", "level", "kelas_jabatan", "unit", "active"]
    order_columns = ["name", "kelas_jabatan"]
    add_query_rel_fields = edit_query_rel_fields = ScopedModelApi.scoped_rel("unit", "parent")


class EmployeeApi(MasterDataApi):
    resource_name = "employee"
    entity = "Employee"
    datamodel = SQLAInterface(Employee)
    list_columns = [
        "id", "nip", "name", "front_title", "back_title", "sex", "birth_date", "kind", "golongan",
        "position.id", "unit.id", "superior.id", "active",
    ]
    show_columns = list_columns + ["bank_name", "bank_account"]
    add_columns = edit_columns = [
        "nip", "name", "front_title", "back_title", "sex", "birth_date", "kind", "golongan",
        "position", "unit", "bank_name", "bank_account", "active",
    ]
    search_columns = ["nip", "name", "kind", "golongan", "position", "unit", "active"]
    order_columns = ["nip", "name"]
    add_query_rel_fields = edit_query_rel_fields = ScopedModelApi.scoped_rel("unit", "position")

    def _init_model_schemas(self) -> None:
        super()._init_model_schemas()
        for name in ("sex", "birth_date"):  # PNS/CPNS: derived from the NIP when left out
            field = self.add_model_schema.fields[name]
            field.required, field.allow_none = False, True

    def pre_add(self, item):
        g.ek_new_login = masterdata.before_employee_write(item, super().pre_add, new=True)

    def pre_update(self, item):
        masterdata.before_employee_write(item, super().pre_update, new=False)

    def post_headless(self):
        """A new employee's answer also carries the login made for them: the one-time
        password is in this answer only (stored as a hash)."""
        resp = super().post_headless()
        created = g.pop("ek_new_login", None)
        if resp.status_code == 201 and created:
            body = resp.get_json()
            body["login"] = {"username": created[0], "initial_password": created[1],
                             "message": masterdata.LOGIN_NOTICE.format(nip=created[0], password=created[1])}
            return self.response(201, **body)
        return resp


class ActivityCatalogApi(MasterDataApi):
    resource_name = "activity-catalog"
    entity = "ActivityCatalog"
    datamodel = SQLAInterface(ActivityCatalog)
    list_columns = ["id", "code", "description", "output_unit", "norm_minutes", "active"]
    show_columns = list_columns + ["allowed_kinds", "allowed_positions"]
    add_columns = edit_columns = ["code", "description", "output_unit", "norm_minutes", "allowed_kinds",
                                  "allowed_positions", "active"]
    search_columns = ["code", "description", "active"]
    order_columns = ["code"]
    add_query_rel_fields = edit_query_rel_fields = ScopedModelApi.scoped_rel("allowed_positions")
