"""REST API of the master data (/api/v1/unit/, /position/, /employee/, /activity-catalog/)."""
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.api.base import ScopedModelApi
from app.models import ActivityCatalog, Employee, Position, Unit


class UnitApi(ScopedModelApi):
    resource_name = "unit"
    entity = "Unit"
    datamodel = SQLAInterface(Unit)
    list_columns = ["id", "code", "name", "kind", "parent.id", "opd.id", "workdays_per_week", "active"]
    show_columns = list_columns
    add_columns = edit_columns = ["code", "name", "kind", "parent", "workdays_per_week", "active"]
    search_columns = ["code", "name", "kind", "parent", "active"]
    order_columns = ["code", "name"]
    add_query_rel_fields = edit_query_rel_fields = ScopedModelApi.scoped_rel("parent")


class PositionApi(ScopedModelApi):
    resource_name = "position"
    entity = "Position"
    datamodel = SQLAInterface(Position)
    list_columns = ["id", "name", "kind.code", "level", "eselon", "kelas_jabatan", "unit.id", "parent.id", "active"]
    show_columns = list_columns
    add_columns = edit_columns = ["name", "kind", "level", "eselon", "kelas_jabatan", "unit", "parent", "active"]
    search_columns = ["name", "kind", "level", "kelas_jabatan", "unit", "active"]
    order_columns = ["name", "kelas_jabatan"]
    add_query_rel_fields = edit_query_rel_fields = ScopedModelApi.scoped_rel("unit", "parent")


class EmployeeApi(ScopedModelApi):
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


class ActivityCatalogApi(ScopedModelApi):
    resource_name = "activity-catalog"
    entity = "ActivityCatalog"
    datamodel = SQLAInterface(ActivityCatalog)
    list_columns = ["id", "code", "description", "output_unit", "norm_minutes", "active"]
    show_columns = list_columns + ["allowed_kinds", "allowed_positions"]
    add_columns = edit_columns = ["code", "description", "output_unit", "norm_minutes", "allowed_kinds",
                                  "allowed_positions", "active"]
    search_columns = ["code", "description", "active"]
    order_columns = ["code"]
